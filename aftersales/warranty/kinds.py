"""Warranty entries in the customer and unit timelines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ReplacementWarranty
from aftersales.core.timeline import kind_register
from aftersales.warranty.models import (
    ClaimStatus,
    DecisionReason,
    FaultCode,
    QuoteStatus,
    ReceiptCheck,
    RefundMethod,
    RepairStatus,
    ReplacementReason,
    ReturnCondition,
    ReturnStatus,
    ReturnWish,
    YesNo,
)

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
# Replacements, returns and exchanges.
kind_register(
    "unit_replaced",
    label=_("Replaced"),
    sentence=_("Replaced by serial %(new_serial)s (%(reference)s): %(reason)s. Warranty: %(warranty)s"),
    choices={"reason": ReplacementReason, "warranty": ReplacementWarranty},
)
kind_register(
    "unit_replacement",
    label=_("Replacement unit"),
    sentence=_("Given in place of serial %(old_serial)s (%(reference)s): %(reason)s. Warranty: %(warranty)s"),
    choices={"reason": ReplacementReason, "warranty": ReplacementWarranty},
)
kind_register(
    "return_requested",
    label=_("Return requested"),
    sentence=_("%(reference)s opened: %(wish)s, %(condition)s"),
    choices={"wish": ReturnWish, "condition": ReturnCondition},
)
kind_register(
    "return_status",
    label=_("Return"),
    sentence=_("%(reference)s: %(status)s"),
    choices={"status": ReturnStatus},
)
kind_register(
    "return_refunded",
    label=_("Refund"),
    sentence=_("%(reference)s refunded: %(amount)s by %(method)s"),
    choices={"method": RefundMethod},
)
kind_register(
    "return_exchanged",
    label=_("Exchange"),
    sentence=_("%(reference)s exchanged for serial %(serial)s (sale %(sale)s)"),
)
