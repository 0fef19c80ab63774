"""Reads of sales and the installed base."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet

from aftersales.core.permissions import is_staff_member
from aftersales.customers.models import Customer
from aftersales.sales.models import Sale, SaleLine, Unit


def sales_visible_to(user: Any) -> QuerySet[Sale]:
    """Return the sales a user may see: all for staff with the permission, their own for a customer."""
    base = Sale.objects.select_related("customer", "sales_rep")
    if is_staff_member(user) and user.has_perm("sales.view_sale"):
        return base
    if user is not None and user.is_authenticated and user.is_active:
        return base.filter(customer__user=user)
    return base.none()


def sale_detail(queryset: QuerySet[Sale]) -> QuerySet[Sale]:
    """Return sales with their lines, products and units loaded."""
    return queryset.prefetch_related(
        Prefetch(
            "lines",
            queryset=SaleLine.objects.select_related("product").prefetch_related(
                Prefetch("units", queryset=Unit.objects.order_by("id"))
            ),
        )
    )


def units_visible_to(user: Any) -> QuerySet[Unit]:
    """Return the units a user may see: all for staff with the permission, their own for a customer."""
    base = Unit.objects.select_related(
        "product", "product__category", "customer", "sale_line__sale", "sale_line__sale__sales_rep"
    )
    if is_staff_member(user) and user.has_perm("sales.view_unit"):
        return base
    if user is not None and user.is_authenticated and user.is_active:
        return base.filter(customer__user=user)
    return base.none()


def units_ordered(queryset: QuerySet[Unit], ordering: str) -> QuerySet[Unit]:
    """Return units ordered by a field (``-`` for descending), units without a value last on every database."""
    field = F(ordering.lstrip("-"))
    key = field.desc(nulls_last=True) if ordering.startswith("-") else field.asc(nulls_last=True)
    return queryset.order_by(key, "-id")


def units_of_customer(*, customer: Customer) -> QuerySet[Unit]:
    """Return a customer's units with product and sale, newest first."""
    return (
        Unit.objects.filter(customer=customer)
        .select_related("product", "product__category", "sale_line__sale")
        .order_by("-created_at", "-id")
    )
