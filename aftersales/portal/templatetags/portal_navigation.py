"""The portal's navigation on every page of a signed-in customer (see ``aftersales.portal.navigation``)."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.core.navigation import ShownGroup
from aftersales.portal.navigation import portal_navigation as navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_navigation(context: Any) -> list[ShownGroup]:
    """Return the portal's groups for the signed-in customer, the page's ``section`` marked current."""
    return navigation(context.get("user"), context.get("section") or "")
