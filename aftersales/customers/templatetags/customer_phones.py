"""``{{ number|phone }}``: a stored phone number written for people (see ``customers.phones.phone_display``)."""

from __future__ import annotations

from django import template

from aftersales.customers.phones import phone_display

register = template.Library()


@register.filter
def phone(number: str | None) -> str:
    return phone_display(number or "")
