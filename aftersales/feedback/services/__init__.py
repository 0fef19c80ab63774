"""Writes of feedback: surveys and answers, recovery cases, imports."""

from aftersales.feedback.services.recovery import (
    first_contact_due,
    recovery_case_contact,
    recovery_case_note,
    recovery_case_open,
    recovery_case_reassign,
    recovery_case_resolve,
    recovery_cases_escalate_overdue,
    recovery_reason,
    response_evaluate,
)
from aftersales.feedback.services.surveys import first_question, invitation_send, response_record, survey_for, value_label

__all__ = [
    "first_contact_due",
    "first_question",
    "invitation_send",
    "recovery_case_contact",
    "recovery_case_note",
    "recovery_case_open",
    "recovery_case_reassign",
    "recovery_case_resolve",
    "recovery_cases_escalate_overdue",
    "recovery_reason",
    "response_evaluate",
    "response_record",
    "survey_for",
    "value_label",
]
