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
from aftersales.warranty.services.replacements import unit_replace
from aftersales.warranty.services.returns import (
    return_policy_defaults_create,
    return_policy_save,
    return_request_authorise,
    return_request_cancel,
    return_request_close,
    return_request_exchange,
    return_request_inspect,
    return_request_open,
    return_request_receive,
    return_request_refund,
    return_request_reject,
)

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
    # Replacements, returns and exchanges.
    "return_policy_defaults_create",
    "return_policy_save",
    "return_request_authorise",
    "return_request_cancel",
    "return_request_close",
    "return_request_exchange",
    "return_request_inspect",
    "return_request_open",
    "return_request_receive",
    "return_request_refund",
    "return_request_reject",
    "unit_replace",
]
