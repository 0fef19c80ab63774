"""The service desk's entries in the customer and unit timelines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.notifications import notification_kind_register
from aftersales.core.timeline import kind_register
from aftersales.service.models import TicketChannel, TicketKind, TicketStatus

kind_register(
    "ticket_opened",
    label=_("Ticket"),
    sentence=_("%(kind)s %(reference)s opened by %(channel)s: “%(subject)s”"),
    choices={"kind": TicketKind, "channel": TicketChannel},
)
kind_register(
    "ticket_status",
    label=_("Ticket status"),
    sentence=_("Ticket %(reference)s is now %(status)s"),
    choices={"status": TicketStatus},
)
kind_register(
    "ticket_replied",
    label=_("Ticket reply"),
    sentence=_("Reply sent on ticket %(reference)s"),
)
kind_register(
    "ticket_customer_wrote",
    label=_("Ticket message"),
    sentence=_("The customer wrote on ticket %(reference)s by %(channel)s"),
    choices={"channel": TicketChannel},
)
kind_register(
    "ticket_resolved",
    label=_("Ticket resolved"),
    sentence=_("Ticket %(reference)s resolved"),
)

# The staff inbox.
notification_kind_register(
    "ticket_assigned",
    sentence=_("Ticket %(reference)s was assigned to you: “%(subject)s”"),
)
notification_kind_register(
    "ticket_rep_follower",
    sentence=_("Your customer %(customer)s opened ticket %(reference)s: “%(subject)s”. You follow it as the rep of the sale."),
)
notification_kind_register(
    "callback_assigned",
    sentence=_("Call %(customer)s back about ticket %(reference)s by %(due_at)s"),
)
