"""A unit's warranty as the console's unit tables and unit page state it: the warranty app's answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template

from aftersales.catalog.models import WarrantyStart
from aftersales.sales.models import Unit
from aftersales.warranty.coverage import cover_last_day, unit_terms

register = template.Library()


@dataclass(frozen=True)
class WarrantyFacts:
    months: int
    starts: str
    starts_label: str
    # The last day any warranty covers the unit (standard or carried over from a replaced unit, then
    # extensions); None while it has not started.
    until: dt.date | None


@register.simple_tag
def unit_warranty_facts(unit: Unit) -> WarrantyFacts:
    """Return the terms the unit was sold with and the last day it is covered, as the warranty panel decides."""
    terms = unit_terms(unit)
    return WarrantyFacts(terms.months, terms.starts, str(WarrantyStart(terms.starts).label), cover_last_day(unit))
