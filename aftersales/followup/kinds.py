"""Follow-up's entries in the customer timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.notifications import notification_kind_register
from aftersales.core.timeline import kind_register
from aftersales.followup.models import TaskKind, TaskOutcome, TouchResult, TouchStatus

kind_register(
    "followup_touch",
    label=_("Follow-up"),
    sentence=_("Follow-up “%(step)s” (%(playbook)s): %(result)s"),
    choices={"result": TouchResult, "status": TouchStatus},
)
kind_register(
    "followup_task_created",
    label=_("Task"),
    sentence=_("%(kind)s task “%(title)s” for %(assignee)s, due %(due)s"),
    choices={"kind": TaskKind},
)
kind_register(
    "followup_task_outcome",
    label=_("Task outcome"),
    sentence=_("%(kind)s “%(title)s”: %(outcome)s"),
    choices={"kind": TaskKind, "outcome": TaskOutcome},
)
kind_register(
    "followup_task_reassigned",
    label=_("Task"),
    sentence=_("%(kind)s “%(title)s” passed to %(assignee)s"),
    choices={"kind": TaskKind},
)
kind_register(
    "followup_task_escalated",
    label=_("Task overdue"),
    sentence=_("%(kind)s “%(title)s” is overdue and was escalated to the service managers"),
    choices={"kind": TaskKind},
)
kind_register(
    "followup_task_cancelled",
    label=_("Task"),
    sentence=_("%(kind)s “%(title)s” cancelled"),
    choices={"kind": TaskKind},
)

# The staff inbox.
notification_kind_register(
    "followup_task_overdue",
    sentence=_("Overdue follow-up: “%(title)s” for %(customer)s, held by %(holder)s, was due %(due)s"),
)
