"""The SLA capability's entries in the customer timeline and in the staff inbox."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.notifications import notification_kind_register
from aftersales.core.timeline import kind_register
from aftersales.service.models import SlaMetric

kind_register(
    "ticket_sla_breached",
    label=_("Service target missed"),
    sentence=_("Ticket %(reference)s missed a service target: %(metric)s"),
    choices={"metric": SlaMetric},
)

# The staff inbox: one kind per trigger and metric, so each reads as a whole sentence in either language.
notification_kind_register(
    "sla_warning_first_response",
    sentence=_("Ticket %(reference)s is still unanswered and close to its first-response target: “%(subject)s”"),
)
notification_kind_register(
    "sla_warning_resolution",
    sentence=_("Ticket %(reference)s is close to its resolution target: “%(subject)s”"),
)
notification_kind_register(
    "sla_breached_first_response",
    sentence=_("Ticket %(reference)s passed its first-response target without an answer: “%(subject)s”"),
)
notification_kind_register(
    "sla_breached_resolution",
    sentence=_("Ticket %(reference)s passed its resolution target: “%(subject)s”"),
)
