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
from aftersales.warranty.models.repairs import (
    BILLABLE_EDIT_STATUSES,
    LINE_EDIT_STATUSES,
    OPEN_REPAIR_STATUSES,
    REPAIR_TRANSITIONS,
    CoverBasis,
    QuoteChannel,
    QuoteStatus,
    RepairEvent,
    RepairEventKind,
    RepairLine,
    RepairLineKind,
    RepairOrder,
    RepairQuote,
    RepairStatus,
    YesNo,
)

__all__ = [
    "BILLABLE_EDIT_STATUSES",
    "LINE_EDIT_STATUSES",
    "OPEN_CLAIM_STATUSES",
    "OPEN_REPAIR_STATUSES",
    "REPAIR_TRANSITIONS",
    "UNDECIDED_CLAIM_STATUSES",
    "ClaimEvent",
    "ClaimEventKind",
    "ClaimStatus",
    "CostEntry",
    "CostKind",
    "CostSource",
    "CoverBasis",
    "DecisionReason",
    "Exclusion",
    "ExtendedWarranty",
    "FaultCode",
    "QuoteChannel",
    "QuoteStatus",
    "ReceiptCheck",
    "RepairEvent",
    "RepairEventKind",
    "RepairLine",
    "RepairLineKind",
    "RepairOrder",
    "RepairQuote",
    "RepairStatus",
    "UnitWarrantyTerms",
    "WarrantyClaim",
    "YesNo",
    "receipt_upload_to",
]
