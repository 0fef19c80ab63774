"""Every write of the warranty, one module per concern, re-exported here."""

from aftersales.warranty.services.claims import (
    APPROVAL_REASONS,
    DESCRIPTION_MAX,
    NOTE_MAX,
    REJECTION_REASONS,
    STAFF_DECISIONS,
    claim_assess,
    claim_cancel,
    claim_decide,
    claim_submit,
    claim_verify_receipt,
    exclusion_add,
    extended_warranty_sell,
    receipt_check,
    warranty_terms_snapshot_missing,
)
from aftersales.warranty.services.costs import cost_record

__all__ = [
    "APPROVAL_REASONS",
    "DESCRIPTION_MAX",
    "NOTE_MAX",
    "REJECTION_REASONS",
    "STAFF_DECISIONS",
    "claim_assess",
    "claim_cancel",
    "claim_decide",
    "claim_submit",
    "claim_verify_receipt",
    "cost_record",
    "exclusion_add",
    "extended_warranty_sell",
    "receipt_check",
    "warranty_terms_snapshot_missing",
]
