"""The visit reports shown on a customer's product page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from aftersales.fieldwork.selectors_visits import visit_reports_for_unit

register = template.Library()


@register.inclusion_tag("portal/_visit_reports.html")
def visit_reports(unit: Any) -> dict[str, Any]:
    """Render the completed visits of a unit the page already checked belongs to the signed-in customer."""
    return {"reports": visit_reports_for_unit(unit=unit, language=get_language() or "en"), "language": get_language() or "en"}
