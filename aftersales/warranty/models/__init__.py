"""Warranty data: terms per unit, extended warranties, exclusions, claims, and the cost ledger.

One module per concern; everything is re-exported here so callers import from
``aftersales.warranty.models``.
"""

from aftersales.warranty.models.claims import (
    OPEN_CLAIM_STATUSES,
    UNDECIDED_CLAIM_STATUSES,
    ClaimEvent,
    ClaimEventKind,
    ClaimStatus,
    DecisionReason,
    Exclusion,
    ExtendedWarranty,
    FaultCode,
    ReceiptCheck,
    UnitWarrantyTerms,
    WarrantyClaim,
    receipt_upload_to,
)
from aftersales.warranty.models.costs import CostEntry, CostKind, CostSource
from aftersales.warranty.models.replacements import Replacement, ReplacementReason
from aftersales.warranty.models.returns import (
    OPEN_RETURN_STATUSES,
    RefundMethod,
    ReturnCondition,
    ReturnEvent,
    ReturnPolicy,
    ReturnPolicyCondition,
    ReturnRequest,
    ReturnStatus,
    ReturnWish,
)

__all__ = [
    "OPEN_CLAIM_STATUSES",
    "OPEN_RETURN_STATUSES",
    "UNDECIDED_CLAIM_STATUSES",
    "ClaimEvent",
    "ClaimEventKind",
    "ClaimStatus",
    "CostEntry",
    "CostKind",
    "CostSource",
    "DecisionReason",
    "Exclusion",
    "ExtendedWarranty",
    "FaultCode",
    "ReceiptCheck",
    "RefundMethod",
    "Replacement",
    "ReplacementReason",
    "ReturnCondition",
    "ReturnEvent",
    "ReturnPolicy",
    "ReturnPolicyCondition",
    "ReturnRequest",
    "ReturnStatus",
    "ReturnWish",
    "UnitWarrantyTerms",
    "WarrantyClaim",
    "receipt_upload_to",
]
