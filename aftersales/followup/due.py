"""Which occurrences of a playbook step fall due in a window of days, found in SQL over the whole installed base.

One query per step: the trigger names the rows (sales, units, customers or timeline events) and the
day each occurrence hangs on (its *anchor*: the delivery day, the warranty's last day, the birthday…);
conditions become ``Exists`` filters; repetitions ("every 6 months", every maintenance interval,
every birthday) are computed with the SQL date arithmetic of ``core.dates_sql``. Nothing loops over
customers or units in Python: Python only turns the due rows into ``Occurrence`` values.

The sweep asks for the window [today − catch-up, today]; the agenda asks for [today, today + 30] with
the very same code, which is why the agenda always shows what the sweep will do.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from aftersales.catalog.models import Category, WarrantyStart
from aftersales.contracts.models import ContractStatus, ContractUnit, MaintenanceContract
from aftersales.core.dates_sql import AddDays, AddMonths, DayOfMonth, MonthIndex, UtcDay
from aftersales.core.models import TimelineEvent
from aftersales.customers.models import Customer
from aftersales.followup.models import PlaybookStep, Touch, Trigger
from aftersales.sales.models import Sale, Unit, UnitStatus

# The timeline kind the service desk writes when a ticket is resolved; its ``data`` may carry ``ticket_id``.
TICKET_RESOLVED_KIND = "ticket_resolved"
# Timeline kinds that mean we were in touch with the customer ("no contact for N days" counts from the latest).
# A logged call outcome counts only when the customer was reached (``data.reached``).
CONTACT_KINDS = ("sale_recorded", "message_sent", "portal_sign_in", "delivered", "installed", TICKET_RESOLVED_KIND)
# Triggers whose steps may repeat every N months; the others repeat by nature (birthday, maintenance) or not at all.
REPEATABLE_TRIGGERS = (Trigger.SALE, Trigger.DELIVERY, Trigger.INSTALLATION, Trigger.WARRANTY_END)


@dataclass(frozen=True)
class Window:
    """A range of days, both ends included."""

    first: dt.date
    last: dt.date

    def shifted(self, days: int) -> Window:
        return Window(self.first - dt.timedelta(days=days), self.last - dt.timedelta(days=days))


@dataclass(frozen=True)
class Occurrence:
    """One due occurrence of a step for a customer (and the unit it concerns)."""

    step_id: int
    customer_id: int
    unit_id: int | None
    anchor_on: dt.date
    due_on: dt.date
    key: str


@dataclass(frozen=True)
class Scope:
    """Who a step is for: each set of segments and of categories must match (the playbook's and the step's)."""

    segment_sets: tuple[frozenset[int], ...]
    category_sets: tuple[frozenset[int], ...]
    consent: str
    min_value: Decimal | None


def categories_with_descendants(ids: set[int]) -> frozenset[int]:
    """Return the categories and every category below them (a step for "appliances" covers "washing machines")."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), list(ids)
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return frozenset(found)


def step_scope(step: PlaybookStep) -> Scope:
    """Return the combined conditions of a step and its playbook."""
    segment_sets = []
    category_sets = []
    for owner in (step.playbook, step):
        segments = {segment.pk for segment in owner.segments.all()}
        if segments:
            segment_sets.append(frozenset(segments))
        categories = {category.pk for category in owner.categories.all()}
        if categories:
            category_sets.append(categories_with_descendants(categories))
    return Scope(tuple(segment_sets), tuple(category_sets), step.consent_channel, step.min_sale_value)


def local_midnight(day: dt.date) -> dt.datetime:
    """Return the first moment of a day in the business's time zone."""
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def local_day(field: str) -> TruncDate:
    """Return the calendar day of a stored moment in the business's time zone."""
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


# A function from a stored moment (a field name) to its day as SQL: ``local_day`` or a candidate for it.
DayOf = Callable[[str], Any]

# A moment's local day is its UTC day or a day on either side: no time zone is a whole day away from UTC (offsets
# run from −12 to +14 hours). SQLite computes a local day with a Python function, per row and per mention in the
# query, and the UTC day with built-in ones: there, queries over the installed base test the three candidate days
# first and compute the local day only for the rows that pass. The same day comes first, then the day after (zones
# east of UTC, such as the business's own), so that a CASE over the candidates mostly stops at its first test.
CANDIDATE_SHIFTS = (0, 1, -1)


def _candidates_first(queryset: QuerySet[Any]) -> bool:
    """Return whether to test candidate days before local days: only where a local day costs a Python call (SQLite).

    PostgreSQL computes a local day with a built-in function as cheaply as a candidate: the candidates only add work.
    """
    return connections[queryset.db].vendor == "sqlite"


def _utc_day_shifted(days: int) -> DayOf:
    def day(field: str) -> Any:
        return AddDays(UtcDay(field), Value(days))

    return day


@dataclass(frozen=True)
class MomentDay:
    """A day computed from the local day of a stored moment, which a cheap test can bound before it is computed.

    ``day`` builds it from the function that gives a moment's day, e.g. ``Coalesce(day("installed_at"),
    day("delivered_at"))``. Which moment it takes may depend on the moments' presence and on plain columns only,
    so that every candidate comes from the same moment as the local day. ``then`` is arithmetic from that day to
    the day wanted (the last day of a warranty from its first), done on the candidate equal to the local day.
    """

    day: Callable[[DayOf], Any]
    then: Callable[[Any], Any] = lambda day: day

    def exact(self) -> Any:
        return self.then(self.day(local_day))

    def any_candidate(self, test: Callable[[Any], Q]) -> Q:
        """Return a test that holds when it holds for the day computed from one of the candidates, in built-in SQL."""
        return reduce(operator.or_, (test(self.then(self.day(_utc_day_shifted(shift)))) for shift in CANDIDATE_SHIFTS))

    def exact_then(self, value: Callable[[Any], Any], output_field: Field[Any, Any]) -> Case:
        """Return arithmetic on the exact day that mentions the day many times, with the local day computed once.

        The arithmetic is done on the candidate equal to the exact day, so that it does not repeat the local day.
        """
        local = self.day(local_day)
        whens = []
        for shift in CANDIDATE_SHIFTS:
            candidate = self.day(_utc_day_shifted(shift))
            whens.append(When(Exact(local, candidate), then=value(self.then(candidate))))
        return Case(*whens, output_field=output_field)


# --- who: conditions as SQL -------------------------------------------------------------------------


def _customer_conditions(queryset: QuerySet[Any], scope: Scope, customer: str) -> QuerySet[Any]:
    """Filter by segments and consent through the path to the customer ("" when the rows are customers)."""
    through = Customer.segments.through
    reference = f"{customer}_id" if customer else "pk"
    for segments in scope.segment_sets:
        queryset = queryset.filter(Exists(through.objects.filter(customer_id=OuterRef(reference), segment_id__in=segments)))
    if scope.consent:
        prefix = f"{customer}__" if customer else ""
        queryset = queryset.filter(**{f"{prefix}consent_{scope.consent}_at__isnull": False})
    return queryset


def _customer_owns(queryset: QuerySet[Any], scope: Scope, reference: str) -> QuerySet[Any]:
    """Filter customers-level rows by the categories of the units they own and the value of their sales."""
    for categories in scope.category_sets:
        owned = Unit.objects.filter(
            customer_id=OuterRef(reference), status=UnitStatus.IN_SERVICE, product__category_id__in=categories
        )
        queryset = queryset.filter(Exists(owned))
    if scope.min_value is not None:
        queryset = queryset.filter(Exists(Sale.objects.filter(customer_id=OuterRef(reference), total__gte=scope.min_value)))
    return queryset


def _units(scope: Scope) -> QuerySet[Unit]:
    queryset = Unit.objects.filter(status=UnitStatus.IN_SERVICE)
    for categories in scope.category_sets:
        queryset = queryset.filter(product__category_id__in=categories)
    if scope.min_value is not None:
        queryset = queryset.filter(sale_line__sale__total__gte=scope.min_value)
    return _customer_conditions(queryset, scope, "customer")


def _sales(scope: Scope) -> QuerySet[Sale]:
    queryset = Sale.objects.all()
    for categories in scope.category_sets:
        queryset = queryset.filter(
            Exists(Unit.objects.filter(sale_line__sale_id=OuterRef("pk"), product__category_id__in=categories))
        )
    if scope.min_value is not None:
        queryset = queryset.filter(total__gte=scope.min_value)
    return queryset


def _contracts(scope: Scope) -> QuerySet[MaintenanceContract]:
    """Return the contracts that really end on their last day: signed and not renewed (active or lapsed)."""
    queryset = MaintenanceContract.objects.filter(status__in=(ContractStatus.ACTIVE, ContractStatus.EXPIRED))
    for categories in scope.category_sets:
        queryset = queryset.filter(
            Exists(ContractUnit.objects.filter(contract_id=OuterRef("pk"), unit__product__category_id__in=categories))
        )
    if scope.min_value is not None:
        queryset = queryset.filter(price__gte=scope.min_value)
    return _customer_conditions(queryset, scope, "customer")


def _customers(scope: Scope) -> QuerySet[Customer]:
    return _customer_owns(_customer_conditions(Customer.objects.all(), scope, ""), scope, "pk")


# --- when: anchors ----------------------------------------------------------------------------------


def warranty_start_expression(day: DayOf = local_day) -> Any:
    """Return the first day of a unit's standard warranty as SQL, as ``Unit.warranty_start`` computes it."""
    return Case(
        When(product__warranty_starts=WarrantyStart.INSTALLATION, then=day("installed_at")),
        default=Coalesce(day("delivered_at"), F("sale_line__sale__sold_on")),
        output_field=DateField(),
    )


def warranty_end_expression(start: Any = None) -> Any:
    """Return the last day of a unit's standard warranty as SQL, exactly as ``Unit.warranty_end`` computes it."""
    start = start if start is not None else warranty_start_expression()
    anniversary = AddMonths(start, F("product__warranty_months"))
    # 31 January + 1 month has no 31 February: the cover then runs to the month's last day, else to the day before.
    return Case(
        When(Exact(DayOfMonth(anniversary), DayOfMonth(start)), then=AddDays(anniversary, Value(-1))),
        default=anniversary,
        output_field=DateField(),
    )


def last_contact_expression() -> Any:
    """Return the moment of the customer's latest contact, or when they became a customer."""
    contact = Q(kind__in=CONTACT_KINDS) | Q(kind="followup_task_outcome", data__reached=True)
    latest = TimelineEvent.objects.filter(contact, customer_id=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    return Coalesce(Subquery(latest), F("created_at"))


@dataclass
class _Rows:
    """The due-row query of one step before grouping: what the rows are and how to read them."""

    queryset: QuerySet[Any]
    customer: str  # the expression naming the customer id
    unit: str | None  # the expression naming the unit id, if the rows are about units
    extra: tuple[str, ...] = ()


def _one_shot(queryset: QuerySet[Any], anchor: Any, window: Window, *, moment: str | None = None) -> QuerySet[Any]:
    """Keep the rows whose anchor falls in the window; ``moment`` is a stored datetime the anchor is the local day of."""
    if isinstance(anchor, MomentDay):
        if _candidates_first(queryset):
            # Only the rows whose anchor may fall in the window get the local day.
            queryset = queryset.filter(anchor.any_candidate(lambda day: _in_window(day, window)))
        anchor = anchor.exact()
    if moment:
        # A range on the stored moment itself can use an index; the day is computed for the survivors only.
        queryset = queryset.filter(
            **{
                f"{moment}__gte": local_midnight(window.first),
                f"{moment}__lt": local_midnight(window.last + dt.timedelta(days=1)),
            }
        )
        return queryset.annotate(anchor=anchor, occurrence=anchor, k=Value(0))
    return (
        queryset.annotate(anchor=anchor)
        .filter(anchor__gte=window.first, anchor__lte=window.last)
        .annotate(occurrence=F("anchor"), k=Value(0))
    )


def _in_window(day: Any, window: Window) -> Q:
    return Q(GreaterThanOrEqual(day, window.first), LessThanOrEqual(day, window.last))


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _repetition(anchor: Any, every: Any, window: Window) -> tuple[Q, Any, Any]:
    """Return an anchor's repetitions (anchor + k × every months) against the window, as SQL.

    That is: whether some repetition's month (k ≥ 1) falls in the window's months, a cheap test in whole months;
    the latest k whose repetition is not after the window's last day; that repetition.
    """
    last_index = _month_index(window.last)
    lag = ExpressionWrapper(Value(last_index) - MonthIndex(anchor), output_field=IntegerField())
    rest = ExpressionWrapper(lag % every, output_field=IntegerField())
    months_fit = Q(GreaterThanOrEqual(lag, every), LessThanOrEqual(rest, last_index - _month_index(window.first)))
    # The whole months from the anchor's month to the window's last month give the candidate repetition;
    # when that lands after the window's last day (a later day of the same month), the one before it is the latest.
    candidate = ExpressionWrapper(lag / every, output_field=IntegerField())
    k = Case(
        When(GreaterThan(AddMonths(anchor, candidate * every), window.last), then=candidate - 1),
        default=candidate,
        output_field=IntegerField(),
    )
    return months_fit, k, AddMonths(anchor, k * every)


def _repeating(queryset: QuerySet[Any], anchor: Any, months: Any, window: Window) -> QuerySet[Any]:
    """Keep the rows with a repetition (anchor + k × months, k ≥ 1) in the window, annotated with the latest such k."""
    queryset = queryset.annotate(every=months).filter(every__isnull=False).filter(every__gt=0)
    every = F("every")
    if isinstance(anchor, MomentDay) and _candidates_first(queryset):
        # Whole months of the candidates first: only the rows that may be due get the local day, and the day
        # arithmetic, which mentions the anchor many times, is done on the candidate equal to it.
        queryset = queryset.filter(anchor.any_candidate(lambda day: _repetition(day, every, window)[0])).annotate(
            anchor=anchor.exact(),
            k=anchor.exact_then(lambda day: _repetition(day, every, window)[1], IntegerField()),
            occurrence=anchor.exact_then(lambda day: _repetition(day, every, window)[2], DateField()),
        )
    else:
        anchor = anchor.exact() if isinstance(anchor, MomentDay) else anchor
        months_fit, k, occurrence = _repetition(F("anchor"), every, window)
        # A cheap test first, in whole months, so that the day arithmetic runs only for the few rows that can be due.
        queryset = queryset.annotate(anchor=anchor).filter(anchor__isnull=False).filter(months_fit)
        queryset = queryset.annotate(k=k, occurrence=occurrence)
    return queryset.filter(k__gte=1).filter(occurrence__gte=window.first)


def _rows(step: PlaybookStep, scope: Scope, window: Window) -> _Rows | None:
    """Return the query of a step's candidate rows whose occurrence (before the offset) falls in the window."""
    trigger, every = step.trigger, step.repeat_months
    if trigger == Trigger.SALE and every:
        # Repeating after a sale counts from the customer's latest qualifying sale: a new purchase restarts the clock.
        # The anchor stays a plain column (the sale's date) and "latest" is a NOT EXISTS, checked last, for the
        # few sales whose months already fit.
        sales = _customer_conditions(_sales(scope), scope, "customer")
        later = _sales(scope).filter(customer_id=OuterRef("customer_id"), sold_on__gt=OuterRef("sold_on"))
        rows = _repeating(sales, F("sold_on"), Value(every), window).filter(~Exists(later))
        return _Rows(rows, "customer_id", "lines__units__id")
    if trigger == Trigger.SALE:
        sales = _customer_conditions(_sales(scope), scope, "customer")
        return _Rows(_one_shot(sales, F("sold_on"), window), "customer_id", "lines__units__id")
    if trigger == Trigger.PURCHASE_ANNIVERSARY:
        # Every sale keeps its own anniversary, year after year, whatever the customer bought since.
        sales = _customer_conditions(_sales(scope), scope, "customer")
        return _Rows(_repeating(sales, F("sold_on"), Value(12), window), "customer_id", "lines__units__id")
    if trigger == Trigger.FIRST_PURCHASE:
        # The customer's first sale of all (not the first one in the step's scope), on its day only.
        earlier = Sale.objects.filter(customer_id=OuterRef("customer_id"), sold_on__lt=OuterRef("sold_on"))
        sales = _customer_conditions(_sales(scope), scope, "customer").filter(~Exists(earlier))
        return _Rows(_one_shot(sales, F("sold_on"), window), "customer_id", "lines__units__id")
    if trigger in (Trigger.DELIVERY, Trigger.INSTALLATION):
        moment = "delivered_at" if trigger == Trigger.DELIVERY else "installed_at"
        if every:
            anchor = MomentDay(lambda day: day(moment))
            return _Rows(_repeating(_units(scope), anchor, Value(every), window), "customer_id", "pk")
        return _Rows(_one_shot(_units(scope), local_day(moment), window, moment=moment), "customer_id", "pk")
    if trigger == Trigger.WARRANTY_END:
        units = _units(scope)
        cover_end = MomentDay(warranty_start_expression, then=warranty_end_expression)
        if every:
            return _Rows(_repeating(units, cover_end, Value(every), window), "customer_id", "pk")

        def ends_in_window_months(start: Any) -> Q:
            # The window's months, or the month after: a cover that starts on a 1st ends the day before.
            end_month = ExpressionWrapper(MonthIndex(start) + F("product__warranty_months"), output_field=IntegerField())
            return Q(
                GreaterThanOrEqual(end_month, _month_index(window.first)),
                LessThanOrEqual(end_month, _month_index(window.last) + 1),
            )

        # Only units whose warranty ends in the window's months need the days.
        cover_start = MomentDay(warranty_start_expression)
        if _candidates_first(units):
            units = units.filter(cover_start.any_candidate(ends_in_window_months))
        else:
            units = units.filter(ends_in_window_months(cover_start.exact()))
        return _Rows(_one_shot(units, cover_end, window), "customer_id", "pk")
    if trigger == Trigger.MAINTENANCE:
        anchor = MomentDay(lambda day: Coalesce(day("installed_at"), day("delivered_at")))
        units = _units(scope).filter(product__maintenance_interval_months__isnull=False)
        return _Rows(_repeating(units, anchor, F("product__maintenance_interval_months"), window), "customer_id", "pk")
    if trigger == Trigger.EXCHANGE_WINDOW:
        closing = MomentDay(
            lambda day: AddDays(Coalesce(day("delivered_at"), F("sale_line__sale__sold_on")), F("product__exchange_window_days"))
        )
        units = _units(scope).filter(product__exchange_window_days__gt=0)
        return _Rows(_one_shot(units, closing, window), "customer_id", "pk")
    if trigger == Trigger.BIRTHDAY:
        return _Rows(_repeating(_customers(scope), F("birthday"), Value(12), window), "pk", None)
    if trigger == Trigger.NO_CONTACT:
        customers = _customers(scope).annotate(last_contact=last_contact_expression())
        return _Rows(_one_shot(customers, local_day("last_contact"), window, moment="last_contact"), "pk", None)
    if trigger == Trigger.TICKET_RESOLVED:
        events: QuerySet[Any] = TimelineEvent.objects.filter(kind=TICKET_RESOLVED_KIND)
        events = _customer_owns(_customer_conditions(events, scope, "customer"), scope, "customer_id")
        rows = _one_shot(events, local_day("occurred_at"), window, moment="occurred_at")
        return _Rows(rows, "customer_id", "unit_id", extra=("pk", "data"))
    if trigger == Trigger.CONTRACT_END:
        return _Rows(_one_shot(_contracts(scope), F("ends_on"), window), "customer_id", "lines__unit_id")
    return None


def _occurrence_key(step: PlaybookStep, anchor: dt.date, occurrence: dt.date, k: int, row: dict[str, Any]) -> str:
    if step.trigger == Trigger.TICKET_RESOLVED:
        ticket = (row.get("data") or {}).get("ticket_id") if isinstance(row.get("data"), dict) else None
        return f"ticket:{ticket}" if ticket else f"event:{row['pk']}"
    if step.trigger == Trigger.BIRTHDAY:
        return str(occurrence.year)
    if k:
        return f"{anchor.isoformat()}#{k}"
    return anchor.isoformat()


def _due_rows(
    step: PlaybookStep, window: Window, *, customers: QuerySet[Customer] | None, unrecorded_only: bool
) -> QuerySet[Any] | None:
    """Return the query of a step's occurrences in the window, one row per customer and anchor day (None: cannot occur)."""
    rows = _rows(step, step_scope(step), window.shifted(step.offset_days))
    if rows is None:
        return None
    queryset = rows.queryset
    if customers is not None:
        queryset = queryset.filter(**{f"{rows.customer}__in": customers.values("pk")})
    if unrecorded_only:
        recorded = Touch.objects.filter(
            step_id=step.pk,
            customer_id=OuterRef(rows.customer),
            anchor_on=OuterRef("anchor"),
            due_on=AddDays(OuterRef("occurrence"), Value(step.offset_days)),
        )
        queryset = queryset.filter(~Exists(recorded))
    if rows.unit and not rows.extra:
        # Several units of one customer on the same day make one occurrence, named after the first unit. The day
        # is grouped on first: grouped on the customer first, SQLite read the whole table in customer order through
        # its index, a random lookup per row, two to three times slower than reading the table itself.
        return queryset.values(anchor_on=F("anchor"), customer_ref=F(rows.customer), repeat=F("k")).annotate(
            unit_ref=Min(rows.unit), occurrence_on=Min("occurrence")
        )
    fields: dict[str, Any] = {
        "customer_ref": F(rows.customer),
        "anchor_on": F("anchor"),
        "repeat": F("k"),
        "occurrence_on": F("occurrence"),
    }
    if rows.unit:
        fields["unit_ref"] = F(rows.unit)
    return queryset.values(*rows.extra, **fields)


def step_occurrences(
    step: PlaybookStep, window: Window, *, customers: QuerySet[Customer] | None = None, unrecorded_only: bool = True
) -> Iterator[Occurrence]:
    """Yield the occurrences of a step whose due day falls in the window, one per customer and anchor day."""
    grouped = _due_rows(step, window, customers=customers, unrecorded_only=unrecorded_only)
    if grouped is None:
        return
    offset = dt.timedelta(days=step.offset_days)
    # The due rows of a window of days are few: read them with an ordinary cursor. Through a server-side cursor
    # (``iterator()``) PostgreSQL plans for the first rows and picked nested loops over whole tables, 5–10 × slower.
    for row in grouped.order_by():
        anchor, occurrence, k = row["anchor_on"], row["occurrence_on"], row["repeat"] or 0
        yield Occurrence(
            step_id=step.pk,
            customer_id=row["customer_ref"],
            unit_id=row.get("unit_ref"),
            anchor_on=anchor,
            due_on=occurrence + offset,
            key=_occurrence_key(step, anchor, occurrence, k, row),
        )


def step_occurrences_count(
    step: PlaybookStep, window: Window, *, customers: QuerySet[Customer] | None = None, unrecorded_only: bool = True
) -> int:
    """Return how many occurrences of a step fall due in the window, counted in the database."""
    grouped = _due_rows(step, window, customers=customers, unrecorded_only=unrecorded_only)
    return 0 if grouped is None else grouped.order_by().count()
