"""The inbox's unread count in the console's navigation."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.core.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread(context: Any) -> int:
    """Return how many notifications the signed-in staff member has not read (0 for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
