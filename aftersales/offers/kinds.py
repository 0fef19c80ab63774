"""Vouchers and offers in the customer timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register
from aftersales.offers.models import OfferChannel, VoucherSource

kind_register(
    "voucher_issued",
    label=_("Voucher issued"),
    sentence=_("Voucher %(code)s issued (%(source)s): %(value)s, valid until %(valid_until)s"),
    choices={"source": VoucherSource},
)
kind_register(
    "voucher_redeemed",
    label=_("Voucher redeemed"),
    sentence=_("Voucher %(code)s redeemed: %(discount)s off %(sale)s"),
)
kind_register(
    "offer_sent",
    label=_("Special offer"),
    sentence=_("Special offer “%(title)s” sent by %(channel)s"),
    choices={"channel": OfferChannel},
)
