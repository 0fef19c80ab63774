"""What the unit page shows of returns and replacements, without the unit view knowing about them."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.sales.models import Unit
from aftersales.warranty.models import ReturnRequest
from aftersales.warranty.selectors_returns import replacement_chain, replacements_of_unit

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_returns(context: Any, unit: Unit) -> dict[str, Any]:
    """Return a unit's replacement chain, the replacements it took part in, and its return requests."""
    user = context.get("user")
    if user is None or not user.has_perm("warranty.view_returnrequest"):
        return {"chain": [], "replacements": [], "returns": []}
    return {
        "chain": replacement_chain(unit),
        "replacements": list(replacements_of_unit(unit)),
        "returns": list(ReturnRequest.objects.filter(unit=unit).order_by("-created_at", "-id")[:10]),
    }
