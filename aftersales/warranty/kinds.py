"""Warranty entries in the customer and unit timelines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register
from aftersales.warranty.models import ClaimStatus, DecisionReason, FaultCode, ReceiptCheck

kind_register(
    "warranty_claim_submitted",
    label=_("Warranty claim"),
    sentence=_("Warranty claim %(reference)s opened: %(fault)s"),
    choices={"fault": FaultCode},
)
kind_register(
    "warranty_claim_decided",
    label=_("Warranty decision"),
    sentence=_("Warranty claim %(reference)s: %(status)s (%(reason)s)"),
    choices={"status": ClaimStatus, "reason": DecisionReason},
)
kind_register(
    "warranty_receipt_checked",
    label=_("Receipt checked"),
    sentence=_("Receipt of warranty claim %(reference)s checked: %(result)s"),
    choices={"result": ReceiptCheck},
)
kind_register(
    "warranty_extended",
    label=_("Extended warranty"),
    sentence=_("Extended warranty of %(months)s months sold (%(sale_reference)s)"),
)
kind_register(
    "warranty_exclusion",
    label=_("Warranty exclusion"),
    sentence=_("Warranty exclusion recorded from %(since)s: %(note)s"),
)
