"""Warranty entries in the customer and unit timelines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register
from aftersales.warranty.models import ClaimStatus, DecisionReason, FaultCode, QuoteStatus, ReceiptCheck, RepairStatus, YesNo

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

# Repair orders.
kind_register(
    "repair_opened",
    label=_("Repair received"),
    sentence=_("Repair order %(reference)s opened (covered: %(covered)s)"),
    choices={"covered": YesNo},
)
kind_register(
    "repair_status",
    label=_("Repair status"),
    sentence=_("Repair order %(reference)s: %(status)s"),
    choices={"status": RepairStatus},
)
kind_register(
    "repair_quote_sent",
    label=_("Repair quote"),
    sentence=_("Quote for repair order %(reference)s sent: %(total)s"),
)
kind_register(
    "repair_quote_decided",
    label=_("Repair quote answered"),
    sentence=_("Quote for repair order %(reference)s: %(result)s"),
    choices={"result": QuoteStatus},
)
