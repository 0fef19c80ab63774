"""Every write of the loyalty programme; the ledger's pinned functions are importable from here."""

from aftersales.loyalty.services.ledger import (
    Redeemed,
    account_lock,
    credits_open,
    default_expiry,
    points_adjust,
    points_award,
    points_balance,
    points_expire,
    points_redeem_sale,
    points_redeem_voucher,
    points_take_back,
    points_value,
    programme_get,
)

__all__ = [
    "Redeemed",
    "account_lock",
    "credits_open",
    "default_expiry",
    "points_adjust",
    "points_award",
    "points_balance",
    "points_expire",
    "points_redeem_sale",
    "points_redeem_voucher",
    "points_take_back",
    "points_value",
    "programme_get",
]
