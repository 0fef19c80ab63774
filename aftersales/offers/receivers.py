"""How vouchers answer other capabilities: gift vouchers for follow-up touches (birthday cards, thank-you notes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.dispatch import receiver
from django.utils import timezone, translation

from aftersales.customers.models import Customer
from aftersales.followup.models import PlaybookStep, Touch, Trigger
from aftersales.followup.signals import touch_gift_requested
from aftersales.offers.eligibility import money_format
from aftersales.offers.models import ValueKind, VoucherSource
from aftersales.offers.services import voucher_issue


@receiver(touch_gift_requested, dispatch_uid="offers.gift_voucher_for_touch")
def gift_voucher_for_touch(
    sender: Any,
    *,
    touch: Touch,
    customer: Customer,
    step: PlaybookStep,
    value: Decimal,
    valid_days: int,
    **kwargs: Any,
) -> dict[str, Any]:
    """Issue the touch's personal gift voucher once and return what its message says about it."""
    voucher = voucher_issue(
        actor=None,
        customer=customer,
        value_kind=ValueKind.FIXED,
        value=value,
        valid_until=timezone.localdate() + dt.timedelta(days=max(int(valid_days), 0)),
        source=VoucherSource.BIRTHDAY if step.trigger == Trigger.BIRTHDAY else VoucherSource.GIFT,
        source_ref=f"touch:{touch.pk}",
        idempotency_key=f"followup:gift:{touch.pk}",
    )
    with translation.override(customer.language):
        value_text = money_format(voucher.value, voucher.currency)
    return {"voucher_code": voucher.code, "voucher_value": value_text, "voucher_valid_until": voucher.valid_until}
