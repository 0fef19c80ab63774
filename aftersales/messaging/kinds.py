"""The outbox's entries in the customer timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register

kind_register("message_sent", label=_("Message"), sentence=_("%(channel)s “%(subject)s” sent to %(recipient)s"))
kind_register("message_failed", label=_("Message failed"), sentence=_("%(channel)s “%(subject)s” not delivered: %(reason)s"))
kind_register("message_suppressed", label=_("Message not sent"), sentence=_("%(channel)s “%(subject)s” not sent: %(reason)s"))
