"""Reads of returns and replacements: what each person may see, the RMA queue, a unit's replacement chain."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from aftersales.core.permissions import is_staff_member
from aftersales.sales.models import Unit
from aftersales.warranty.models import Replacement, ReturnEvent, ReturnPolicy, ReturnRequest, ReturnStatus


def returns_visible_to(user: Any) -> QuerySet[ReturnRequest]:
    """Return the return requests a user may see: all for staff with the permission, their own for a customer."""
    base = ReturnRequest.objects.select_related(
        "unit",
        "unit__product",
        "unit__product__category",
        "unit__sale_line__sale",
        "customer",
        "exchange_sale",
        "exchange_product",
    )
    if is_staff_member(user) and user.has_perm("warranty.view_returnrequest"):
        return base
    if user is not None and user.is_authenticated and user.is_active and not user.is_staff:
        return base.filter(customer__user=user)
    return base.none()


def returns_filtered(
    queryset: QuerySet[ReturnRequest],
    *,
    status: str = "",
    wish: str = "",
    customer_id: int | None = None,
    unit_id: int | None = None,
    text: str = "",
) -> QuerySet[ReturnRequest]:
    """Return requests narrowed by status, wish, customer, unit and a search on serial, customer or RMA number."""
    if status == "open":
        queryset = queryset.filter(
            status__in=(ReturnStatus.REQUESTED, ReturnStatus.AUTHORISED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED)
        )
    elif status:
        queryset = queryset.filter(status=status)
    if wish:
        queryset = queryset.filter(wish=wish)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    if unit_id:
        queryset = queryset.filter(unit_id=unit_id)
    text = (text or "").strip()
    if text:
        condition = Q(unit__serial__iexact=text) | Q(customer__name__icontains=text) | Q(customer__email__iexact=text)
        number = text.upper().removeprefix("RMA-").lstrip("0")
        if number.isdigit():
            condition |= Q(pk=int(number))
        queryset = queryset.filter(condition)
    return queryset


def return_history(request: ReturnRequest) -> QuerySet[ReturnEvent]:
    """Return a request's events, oldest first, with who did each."""
    return request.events.select_related("actor").order_by("at", "id")


def return_policies() -> QuerySet[ReturnPolicy]:
    """Return every return policy, the default first, with its category and condition rules."""
    return ReturnPolicy.objects.select_related("category").prefetch_related("conditions").order_by("-is_default", "name")


def replacements_of_unit(unit: Unit) -> QuerySet[Replacement]:
    """Return the replacements a unit took part in, as the old or the new unit."""
    return Replacement.objects.filter(Q(old_unit=unit) | Q(new_unit=unit)).select_related(
        "old_unit", "new_unit", "old_unit__product", "new_unit__product", "claim", "performed_by"
    )


def replacement_chain(unit: Unit) -> list[Unit]:
    """Return every unit in a unit's replacement chain, the first one sold first (A, B that replaced A, C…)."""
    first = unit
    seen = {unit.pk}
    while first.replaces_id is not None and first.replaces_id not in seen:
        seen.add(first.replaces_id)
        first = Unit.objects.select_related("product").get(pk=first.replaces_id)
    chain = [first]
    while True:
        following = Unit.objects.select_related("product").filter(replaces=chain[-1]).first()
        if following is None or following.pk in {u.pk for u in chain}:
            return chain
        chain.append(following)


MONEY = DecimalField(max_digits=14, decimal_places=2)


def refunded_on_sale() -> Coalesce:
    """Return, as an expression on a sale, the money paid back on its units."""
    refunded = Subquery(
        ReturnRequest.objects.filter(unit__sale_line__sale_id=OuterRef("pk"), refund_amount__isnull=False)
        .values("unit__sale_line__sale_id")
        .annotate(total=Sum("refund_amount"))
        .values("total"),
        output_field=MONEY,
    )
    return Coalesce(refunded, Value(Decimal("0")), output_field=MONEY)


def exchange_credit_of_sale() -> Coalesce:
    """Return, as an expression on a sale, what of it the returned unit paid when it is an exchange's sale.

    An exchange's sale is paid with the price of the unit given back (the return's ``price``); only what the
    customer added on top is new money. Zero for every other sale.
    """
    credit = Subquery(ReturnRequest.objects.filter(exchange_sale_id=OuterRef("pk")).values("price")[:1], output_field=MONEY)
    return Coalesce(credit, Value(Decimal("0")), output_field=MONEY)


def sale_net_spend() -> Greatest:
    """Return, as an expression on a sale, the customer's new money in it: its total less what was refunded on it
    and, for an exchange's sale, less what the returned unit paid of it; never below zero.

    What loyalty tiers and offer audiences count as a customer's spend.
    """
    paid_otherwise = refunded_on_sale() + exchange_credit_of_sale()
    return Greatest(F("total") - paid_otherwise, Value(Decimal("0")), output_field=MONEY)
