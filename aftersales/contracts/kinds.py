"""Maintenance contracts in the customer and unit timelines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register

kind_register(
    "contract_created",
    label=_("Maintenance contract"),
    sentence=_("Maintenance contract %(reference)s drafted (%(starts_on)s to %(ends_on)s)"),
)
kind_register(
    "contract_activated",
    label=_("Maintenance contract"),
    sentence=_("Maintenance contract %(reference)s signed: covered from %(starts_on)s to %(ends_on)s"),
)
kind_register(
    "contract_renewed",
    label=_("Contract renewal"),
    sentence=_("Maintenance contract %(reference)s renewed as %(next_reference)s until %(next_ends_on)s"),
)
kind_register(
    "contract_lapsed",
    label=_("Contract lapsed"),
    sentence=_("Maintenance contract %(reference)s ended on %(ends_on)s without renewal"),
)
kind_register(
    "contract_cancelled",
    label=_("Contract cancelled"),
    sentence=_("Maintenance contract %(reference)s cancelled: %(reason)s"),
)
