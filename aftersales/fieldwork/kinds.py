"""Field-service entries in the customer and unit timelines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.notifications import notification_kind_register
from aftersales.core.timeline import kind_register
from aftersales.fieldwork.models import PartBilling, WorkOrderKind, WorkOrderStatus

kind_register(
    "work_order_created",
    label=_("Work order"),
    sentence=_("%(kind)s visit %(reference)s created"),
    choices={"kind": WorkOrderKind},
)
kind_register(
    "work_order_status",
    label=_("Work order"),
    sentence=_("Visit %(reference)s: %(status)s"),
    choices={"status": WorkOrderStatus},
)
# Scheduling: a visit booked or moved, and the customer asking for another date.
kind_register(
    "work_order_booked",
    label=_("Work order"),
    sentence=_("Visit %(reference)s booked for %(when)s with %(assignee)s"),
)
notification_kind_register(
    "work_order_reschedule_requested",
    sentence=_("%(customer)s asks to move visit %(reference)s: %(note)s"),
)

# Carrying out a visit: each step the technician takes on site.
kind_register(
    "work_order_started",
    label=_("Visit"),
    sentence=_("%(kind)s visit %(reference)s started by %(by)s"),
    choices={"kind": WorkOrderKind},
)
kind_register(
    "work_order_part_used",
    label=_("Visit"),
    sentence=_("Visit %(reference)s: %(quantity)s × %(part)s fitted (%(billing)s)"),
    choices={"billing": PartBilling},
)
kind_register(
    "work_order_part_removed",
    label=_("Visit"),
    sentence=_("Visit %(reference)s: %(quantity)s × %(part)s taken off the visit and put back in stock"),
)
kind_register(
    "work_order_time_spent",
    label=_("Visit"),
    sentence=_("Visit %(reference)s: %(minutes)s minutes of work recorded"),
)
kind_register(
    "work_order_photo_added",
    label=_("Visit"),
    sentence=_("Visit %(reference)s: photo added"),
)
kind_register(
    "work_order_completed",
    label=_("Visit report"),
    sentence=_("%(kind)s visit %(reference)s completed: %(findings)s"),
    choices={"kind": WorkOrderKind},
)
kind_register(
    "work_order_follow_up",
    label=_("Visit"),
    sentence=_("Visit %(reference)s needs a follow-up: ticket %(ticket)s opened"),
)
