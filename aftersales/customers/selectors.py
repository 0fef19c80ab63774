"""Reads of customers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from aftersales.core.permissions import is_staff_member
from aftersales.customers.models import Channel, Customer
from aftersales.customers.phones import InvalidPhone, phone_normalize


def customers_visible_to(user: Any) -> QuerySet[Customer]:
    """Return the customers a user may see: all for staff with the permission, their own for a customer."""
    if is_staff_member(user) and user.has_perm("customers.view_customer"):
        return Customer.objects.all()
    if user is not None and user.is_authenticated and user.is_active:
        return Customer.objects.filter(user=user)
    return Customer.objects.none()


def customer_query_filter(text: str) -> Q:
    """Return a filter matching a name, an email or a phone number."""
    text = text.strip()
    condition = Q(name__icontains=text) | Q(email__iexact=text) | Q(email__istartswith=text)
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if len(digits) >= 6:
        try:
            condition |= Q(phone=phone_normalize(text))
        except InvalidPhone:
            condition |= Q(phone__contains=digits.lstrip("+"))
    return condition


def customer_search(*, queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """Return customers matching a name, email, phone or the serial of one of their units."""
    text = text.strip()
    if not text:
        return queryset
    # The reverse relation keeps this app free of imports from the sales app above it.
    return queryset.filter(customer_query_filter(text) | Q(units__serial__iexact=text)).distinct()


def customer_for_portal_user(user: Any) -> Customer | None:
    """Return the customer behind a portal account."""
    if user is None or not user.is_authenticated:
        return None
    return Customer.objects.filter(user=user).prefetch_related("segments").first()


@dataclass(frozen=True)
class ConsentState:
    code: str
    label: str
    given_at: dt.datetime | None


def customer_consents(customer: Customer) -> list[ConsentState]:
    """Return, per contact channel, when the customer gave consent (None when not given)."""
    return [ConsentState(code, str(label), customer.consent_at(code)) for code, label in Channel.choices]  # type: ignore[arg-type]
