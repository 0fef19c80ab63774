"""The console's navigation on every page (see ``aftersales.console.navigation``)."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.console.navigation import ShownGroup, navigation_for

register = template.Library()


@register.simple_tag(takes_context=True)
def console_navigation(context: Any) -> list[ShownGroup]:
    """Return the navigation's groups for the signed-in staff member, the page's ``section`` marked current."""
    return navigation_for(context.get("user"), context.get("section") or "")
