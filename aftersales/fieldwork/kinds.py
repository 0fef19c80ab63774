"""Field-service entries in the customer and unit timelines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.notifications import notification_kind_register
from aftersales.core.timeline import kind_register
from aftersales.fieldwork.models import WorkOrderKind, WorkOrderStatus

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
