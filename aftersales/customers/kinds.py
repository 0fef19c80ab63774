"""The customers app's entries in the timeline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language
from aftersales.core.timeline import kind_register
from aftersales.customers.models import Channel


class ConsentChange(models.TextChoices):
    # The customer agreed to be contacted on the channel.
    GIVEN = "given", _("given")
    # The customer withdrew their agreement.
    WITHDRAWN = "withdrawn", _("withdrawn")


kind_register(
    "consent_changed",
    label=_("Consent"),
    sentence=_("Consent for %(channel)s %(state)s"),
    choices={"channel": Channel, "state": ConsentChange},
)
kind_register(
    "language_changed",
    label=_("Language"),
    sentence=_("Preferred language changed to %(language)s"),
    choices={"language": Language},
)
