"""Points for purchases: the rate per category, one sale at a time or a set-based catch-up after imports."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat

from aftersales.catalog.models import Category
from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import timeline_build, timeline_record
from aftersales.customers.models import Customer
from aftersales.loyalty.models import EarnReason, EarnRule, EntryKind, PointsAccount, PointsEntry, Programme
from aftersales.loyalty.services.ledger import account_lock, default_expiry, programme_get
from aftersales.sales.models import Sale
from aftersales.warranty.selectors_returns import exchange_credit_of_sale

logger = logging.getLogger(__name__)

# Sales credited per transaction of the catch-up.
CATCH_UP_BATCH = 2000
MONEY = DecimalField(max_digits=20, decimal_places=4)


def purchase_key(sale_id: int) -> str:
    return f"purchase:{sale_id}"


def category_rates(*, programme: Programme) -> dict[int, Decimal]:
    """Return the points per currency unit of each category with a rule of its own or of an ancestor.

    The nearest rule up the tree wins: a rule on "washing machines" overrides one on "appliances".
    """
    rules = {rule.category_id: rule for rule in EarnRule.objects.filter(active=True)}
    if not rules:
        return {}
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    rates: dict[int, Decimal] = {}
    for category_id in parents:
        current: int | None = category_id
        seen: set[int] = set()
        while current is not None and current not in rules and current not in seen:
            seen.add(current)
            current = parents.get(current)
        if current is not None and current in rules:
            rule = rules[current]
            rates[category_id] = programme.points_per_unit * rule.multiplier + rule.extra_per_unit
    return rates


def _line_rate(rates: dict[int, Decimal], base: Decimal) -> Any:
    by_rate: dict[Decimal, list[int]] = {}
    for category_id, rate in rates.items():
        if rate != base:
            by_rate.setdefault(rate, []).append(category_id)
    whens = [When(lines__product__category_id__in=ids, then=Value(rate)) for rate, ids in by_rate.items()]
    if not whens:
        return Value(base, output_field=MONEY)
    return Case(*whens, default=Value(base), output_field=MONEY)


def sales_with_points(sales: QuerySet[Sale], *, programme: Programme) -> Any:
    """Annotate sales with ``line_points`` (their lines' amounts at each line's rate), the customer's tier multiplier
    and ``exchange_credit`` (what a returned unit paid of an exchange's sale, which earns nothing again).

    A sale without lines earns on its total at the programme's rate.
    """
    base = programme.points_per_unit
    rate = _line_rate(category_rates(programme=programme), base)
    multiplier = Subquery(
        PointsAccount.objects.filter(customer_id=OuterRef("customer_id"), tier__isnull=False).values("tier__multiplier")[:1],
        output_field=MONEY,
    )
    return sales.annotate(
        line_points=Sum(ExpressionWrapper(F("lines__quantity") * F("lines__unit_price") * rate, output_field=MONEY)),
        tier_multiplier=Coalesce(multiplier, Value(Decimal("1")), output_field=MONEY),
        exchange_credit=exchange_credit_of_sale(),
    )


def _points_of(line_points: Decimal | None, total: Decimal, base: Decimal, multiplier: Decimal, credit: Decimal) -> int:
    raw = line_points if line_points is not None else total * base
    if credit and total > 0:
        # An exchange's sale earns only on what the customer added to the returned unit's price.
        raw = raw * max(total - credit, Decimal("0")) / total
    return max(int((raw * multiplier).to_integral_value(rounding=ROUND_FLOOR)), 0)


def _earning_sales(programme: Programme) -> QuerySet[Sale]:
    sales = Sale.objects.all()
    if programme.starts_on:
        sales = sales.filter(sold_on__gte=programme.starts_on)
    return sales


def purchase_points_award(*, sale_id: int) -> PointsEntry | None:
    """Credit the customer of a sale with its points, once (None: the programme is off or the sale earns nothing)."""
    programme = programme_get()
    if not programme.active:
        return None
    row = (
        sales_with_points(_earning_sales(programme).filter(pk=sale_id), programme=programme)
        .values("pk", "customer_id", "sold_on", "total", "line_points", "tier_multiplier", "exchange_credit")
        .first()
    )
    if row is None:
        return None
    points = _points_of(
        row["line_points"], row["total"], programme.points_per_unit, row["tier_multiplier"], row["exchange_credit"]
    )
    if points <= 0:
        return None
    key = purchase_key(sale_id)
    with transaction.atomic():
        customer = Customer.objects.get(pk=row["customer_id"])
        account = account_lock(customer=customer)
        existing = PointsEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        sale = Sale.objects.only("number").get(pk=sale_id)
        from aftersales.loyalty.services.ledger import _write

        entry = _write(
            account=account,
            customer=customer,
            kind=EntryKind.EARN,
            points=points,
            key=key,
            actor=None,
            reason=EarnReason.PURCHASE,
            source_ref=f"sale:{sale_id}",
            note=sale.number,
            occurred_on=row["sold_on"],
            expires_on=default_expiry(on=row["sold_on"], programme=programme),
        )
        timeline_record(
            customer=customer,
            kind="points_earned",
            data={"points": points, "reason": EarnReason.PURCHASE, "balance": account.balance, "entry_id": entry.pk},
        )
        return entry


def _uncredited(programme: Programme) -> QuerySet[Sale]:
    credited = PointsEntry.objects.filter(
        idempotency_key=Concat(Value("purchase:"), Cast(OuterRef("pk"), output_field=CharField()))
    )
    return _earning_sales(programme).filter(total__gt=0).exclude(Exists(credited))


def purchases_catch_up(*, batch: int = CATCH_UP_BATCH) -> int:
    """Credit every sale since the programme's start that has no purchase entry yet; return the entries written.

    Set-based: each batch is one read of sales with their points computed by the database, one bulk insert of
    entries and timeline events, and one UPDATE of the batch's balances, with the batch's accounts locked.
    """
    programme = programme_get()
    if not programme.active:
        return 0
    written, last_pk = 0, 0
    while True:
        rows = list(
            sales_with_points(_uncredited(programme).filter(pk__gt=last_pk), programme=programme)
            .order_by("pk")
            .values_list(
                "pk",
                "customer_id",
                "sold_on",
                "total",
                "line_points",
                "tier_multiplier",
                "exchange_credit",
                "number",
                "created_at",
            )[:batch]
        )
        if not rows:
            return written
        last_pk = rows[-1][0]
        written += _credit_batch(rows, programme)


def _credit_batch(rows: Iterable[tuple[Any, ...]], programme: Programme) -> int:
    earned = []
    recorded_at = {}
    for pk, customer_id, sold_on, total, line_points, multiplier, credit, number, created_at in rows:
        points = _points_of(line_points, total, programme.points_per_unit, multiplier, credit)
        if points > 0:
            earned.append((pk, customer_id, sold_on, points, number))
            recorded_at[pk] = created_at
    if not earned:
        return 0
    customer_ids = sorted({row[1] for row in earned})
    with transaction.atomic():
        PointsAccount.objects.bulk_create([PointsAccount(customer_id=pk) for pk in customer_ids], ignore_conflicts=True)
        # Lock in a fixed order so two catch-ups (or a catch-up and a live sale) cannot deadlock.
        list(
            PointsAccount.objects.select_for_update()
            .filter(customer_id__in=customer_ids)
            .order_by("customer_id")
            .values_list("pk")
        )
        done = set(
            PointsEntry.objects.filter(idempotency_key__in=[purchase_key(row[0]) for row in earned]).values_list(
                "idempotency_key", flat=True
            )
        )
        entries = [
            PointsEntry(
                customer_id=customer_id,
                kind=EntryKind.EARN,
                reason=EarnReason.PURCHASE,
                points=points,
                expires_on=default_expiry(on=sold_on, programme=programme),
                source_ref=f"sale:{pk}",
                note=number[:300],
                idempotency_key=purchase_key(pk),
                occurred_on=sold_on,
            )
            for pk, customer_id, sold_on, points, number in earned
            if purchase_key(pk) not in done
        ]
        if not entries:
            return 0
        PointsEntry.objects.bulk_create(entries)
        touched = sorted({entry.customer_id for entry in entries})
        PointsAccount.objects.filter(customer_id__in=touched).update(
            balance=Coalesce(
                Subquery(
                    PointsEntry.objects.filter(customer_id=OuterRef("customer_id"))
                    .values("customer_id")
                    .annotate(total=Sum("points"))
                    .values("total"),
                    output_field=IntegerField(),
                ),
                Value(0),
            )
        )
        balances = dict(PointsAccount.objects.filter(customer_id__in=touched).values_list("customer_id", "balance"))
        events: list[TimelineEvent] = []
        for entry in entries:
            # The points were earned when the sale was recorded.
            sale_id = int(entry.idempotency_key.removeprefix("purchase:"))
            event = timeline_build(
                customer=Customer(pk=entry.customer_id),
                kind="points_earned",
                occurred_at=recorded_at[sale_id],
                data={"points": entry.points, "reason": EarnReason.PURCHASE, "balance": balances[entry.customer_id]},
            )
            events.append(event)
        TimelineEvent.objects.bulk_create(events)
        return len(entries)
