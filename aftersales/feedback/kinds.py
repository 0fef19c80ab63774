"""Feedback's entries in the customer timeline and the staff inbox."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.notifications import notification_kind_register
from aftersales.core.timeline import kind_register
from aftersales.feedback.models import InvitationStatus, RecoveryOutcome, RecoveryReason, Trigger

kind_register(
    "feedback_invited",
    label=_("Survey"),
    sentence=_("Survey “%(survey)s” (%(trigger)s): %(status)s"),
    choices={"trigger": Trigger, "status": InvitationStatus},
)
kind_register(
    "feedback_answered",
    label=_("Survey answered"),
    sentence=_("Answered the survey “%(survey)s”: %(scores)s"),
)
kind_register(
    "feedback_recovery_opened",
    label=_("Recovery case"),
    sentence=_("Recovery case %(reference)s opened (%(reason)s) for %(assignee)s"),
    choices={"reason": RecoveryReason},
)
kind_register(
    "feedback_recovery_resolved",
    label=_("Recovery case"),
    sentence=_("Recovery case %(reference)s resolved: %(outcome)s"),
    choices={"outcome": RecoveryOutcome},
)

notification_kind_register(
    "feedback_recovery_assigned",
    sentence=_("Recovery case %(reference)s: %(customer)s is unhappy (%(reason)s). First contact due %(due)s."),
)
notification_kind_register(
    "feedback_recovery_overdue",
    sentence=_("Recovery case %(reference)s for %(customer)s, held by %(holder)s, missed its first contact (due %(due)s)."),
)
