"""Newsletter's entries in the customer timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register

kind_register(
    "newsletter_sent",
    label=_("Newsletter"),
    sentence=_("Newsletter “%(subject)s” sent (list %(list)s)"),
)
