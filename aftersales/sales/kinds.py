"""The installed base's entries in the timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register
from aftersales.sales.models import UnitStatus

kind_register("sold", label=_("Sold"), sentence=_("Bought %(product)s (serial %(serial)s) on sale %(sale)s"))
kind_register("sale_recorded", label=_("Sale"), sentence=_("Sale %(sale)s recorded, total %(total)s"))
kind_register("delivered", label=_("Delivered"), sentence=_("%(product)s (serial %(serial)s) delivered"))
kind_register("installed", label=_("Installed"), sentence=_("%(product)s (serial %(serial)s) installed"))
kind_register(
    "unit_status_changed",
    label=_("Status"),
    sentence=_("Unit %(serial)s is now %(status)s"),
    choices={"status": UnitStatus},
)
