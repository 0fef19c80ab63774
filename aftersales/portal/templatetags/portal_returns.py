"""What a customer's product page shows of replacements and returns, without the product view knowing about them."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.sales.models import Unit
from aftersales.warranty.models import ReturnRequest
from aftersales.warranty.selectors_returns import replacement_chain

register = template.Library()


@register.simple_tag
def unit_after_sales(unit: Unit) -> dict[str, Any]:
    """Return the unit this one replaced, the one that replaced it, and its returns (the page already scoped the unit)."""
    chain = replacement_chain(unit)
    position = next(index for index, link in enumerate(chain) if link.pk == unit.pk)
    return {
        "replaced": chain[position - 1] if position > 0 else None,
        "replaced_by": chain[position + 1] if position + 1 < len(chain) else None,
        "chain": chain,
        "returns": list(ReturnRequest.objects.filter(unit=unit).order_by("-created_at", "-id")),
    }
