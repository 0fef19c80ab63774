"""The outbox's entries in the customer timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register
from aftersales.messaging.models import MessageChannel, SuppressedReason

kind_register(
    "message_sent",
    label=_("Message"),
    sentence=_("%(channel)s “%(subject)s” sent to %(recipient)s"),
    choices={"channel": MessageChannel},
)
kind_register(
    "message_failed",
    label=_("Message failed"),
    sentence=_("%(channel)s “%(subject)s” not delivered: %(reason)s"),
    choices={"channel": MessageChannel},
)
kind_register(
    "message_suppressed",
    label=_("Message not sent"),
    sentence=_("%(channel)s “%(subject)s” not sent: %(reason)s"),
    choices={"channel": MessageChannel, "reason": SuppressedReason},
)
kind_register(
    "marketing_unsubscribed",
    label=_("Unsubscribed"),
    sentence=_("Unsubscribed from all marketing"),
)
