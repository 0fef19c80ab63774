"""Every write of maintenance contracts: drafting, activation, renewal, cancellation, payments and the sweeps."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.models import (
    BILLING_MONTHS,
    IN_FORCE_STATUSES,
    BillingLine,
    BillingPeriod,
    ContractPlan,
    ContractStatus,
    ContractUnit,
    ContractVisit,
    MaintenanceContract,
    RepairCover,
)
from aftersales.core.dates import add_months, period_last_day
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer
from aftersales.fieldwork.models import WorkOrderKind
from aftersales.fieldwork.services import work_order_create
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Unit, UnitStatus
from aftersales.warranty.coverage import date_in_words

if TYPE_CHECKING:
    from aftersales.core.models import User

logger = logging.getLogger(__name__)

# Renewal reminders go this many days before a contract's last day, each once.
REMINDER_DAYS = (60, 30, 7)
RENEWAL_TEMPLATE = "contract_renewal_reminder"
MAX_MONTHS = 120
MAX_RESPONSE_HOURS = 2080
NOTES_MAX = 2000
REASON_MAX = 300
# Due visits locked, loaded and given their work orders per transaction of the visits sweep.
SWEEP_BATCH = 200


def _today() -> dt.date:
    return timezone.localdate()


def _person(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _fail(field: str, reason: Any, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(errors=[FieldError(field=field, reason=reason, code=code)])


def visit_dates(*, starts_on: dt.date, ends_on: dt.date, every_months: int | None) -> list[dt.date]:
    """Return the days a contract's maintenance visits fall due: its first day, then every N months within the term."""
    if not every_months:
        return []
    days, k = [], 0
    while (day := add_months(starts_on, k * every_months)) <= ends_on:
        days.append(day)
        k += 1
    return days


def billing_schedule(*, starts_on: dt.date, months: int, price: Decimal, period: str) -> list[tuple[dt.date, Decimal]]:
    """Return the instalments of a term's price: equal amounts, the last one taking the rounding remainder."""
    step = BILLING_MONTHS[BillingPeriod(period)]
    count = months // step if step else 1
    each = (price / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    lines = [(add_months(starts_on, index * step), each) for index in range(count)]
    lines[-1] = (lines[-1][0], price - each * (count - 1))
    return lines


# --- input checks ---------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _terms_check(
    *,
    errors: list[FieldError],
    months: Any,
    price: Any,
    billing_period: Any,
    visit_every_months: Any,
    response_hours: Any,
    repair_cover: Any,
) -> None:
    """Add a reason to ``errors`` for each term of a contract or plan that cannot be used."""
    if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        errors.append(FieldError("months", interpolate(_("must be a whole number of months from 1 to %(max)s"), max=MAX_MONTHS)))
        months = None
    amount = _decimal(price)
    if amount is None or amount < 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e10"):  # type: ignore[operator]
        errors.append(FieldError("price", _("must be an amount of money of 0 or more, with at most 2 decimals")))
    if billing_period not in BillingPeriod.values:
        errors.append(FieldError("billing_period", one_of(BillingPeriod.values), code="invalid_choice"))
    elif months:
        step = BILLING_MONTHS[BillingPeriod(billing_period)]
        if step and months % step:
            reason = interpolate(_("does not divide a term of %(months)s months into whole instalments"), months=months)
            errors.append(FieldError("billing_period", reason, code="uneven"))
    if visit_every_months is not None and (
        not isinstance(visit_every_months, int) or not 1 <= visit_every_months <= (months or MAX_MONTHS)
    ):
        reason = interpolate(_("must be a whole number of months from 1 to the term (%(max)s)"), max=months or MAX_MONTHS)
        errors.append(FieldError("visit_every_months", reason))
    if response_hours is not None and (not isinstance(response_hours, int) or not 1 <= response_hours <= MAX_RESPONSE_HOURS):
        reason = interpolate(_("must be a whole number of working hours from 1 to %(max)s"), max=MAX_RESPONSE_HOURS)
        errors.append(FieldError("response_hours", reason))
    if repair_cover not in RepairCover.values:
        errors.append(FieldError("repair_cover", one_of(RepairCover.values), code="invalid_choice"))


def _units_check(errors: list[FieldError], customer: Customer, units: Sequence[Unit]) -> None:
    if not units:
        errors.append(FieldError("units", _("choose at least one unit"), code="required"))
    foreign = [unit.serial for unit in units if unit.customer_id != customer.pk]
    if foreign:
        reason = interpolate(_("%(serials)s not owned by this customer"), serials=", ".join(foreign))
        errors.append(FieldError("units", reason, code="not_owned"))
    retired = [unit.serial for unit in units if unit.status != UnitStatus.IN_SERVICE]
    if retired:
        reason = interpolate(_("%(serials)s no longer in service"), serials=", ".join(retired))
        errors.append(FieldError("units", reason, code="unit_not_in_service"))


def overlapping_contracts(
    *, units: Iterable[Unit], starts_on: dt.date, ends_on: dt.date, exclude: MaintenanceContract | None = None
) -> list[ContractUnit]:
    """Return the covered-unit rows of contracts in force that share a unit and a day with the period."""
    rows = ContractUnit.objects.filter(
        unit__in=[unit.pk for unit in units],
        contract__status__in=IN_FORCE_STATUSES,
        contract__starts_on__lte=ends_on,
        contract__ends_on__gte=starts_on,
    ).select_related("contract", "unit")
    if exclude is not None and exclude.pk:
        rows = rows.exclude(contract=exclude)
    return list(rows.order_by("unit_id", "contract_id"))


def _overlap_check(contract: MaintenanceContract, units: Sequence[Unit]) -> None:
    """Refuse a period that overlaps another contract in force on one of the units (the units are locked)."""
    # Locking the units (in id order, so two activations never wait on each other crosswise) makes two
    # activations over a shared unit run one after the other; the second then sees the first.
    locked = Unit.objects.filter(pk__in=[unit.pk for unit in units]).order_by("pk")
    if connection.features.has_select_for_update:
        locked = locked.select_for_update(of=("self",))
    list(locked.values_list("pk", flat=True))
    clashes = overlapping_contracts(units=units, starts_on=contract.starts_on, ends_on=contract.ends_on, exclude=contract)
    if clashes:
        reason = interpolate(
            _("%(serial)s is already covered by %(reference)s from %(starts_on)s to %(ends_on)s"),
            serial=clashes[0].unit.serial,
            reference=clashes[0].contract.reference,
            starts_on=clashes[0].contract.starts_on.isoformat(),
            ends_on=clashes[0].contract.ends_on.isoformat(),
        )
        raise _fail("units", reason, code="overlap")


def _timeline(contract: MaintenanceContract, kind: str, *, actor: Any, data: dict[str, Any]) -> None:
    """Write an event on the customer's timeline and on each covered unit's."""
    data = {"reference": contract.reference, "contract_id": contract.pk, **data}
    units = list(contract.units.all())
    timeline_record(customer=contract.customer, kind=kind, actor=_person(actor), data=data)
    for unit in units:
        timeline_record(customer=contract.customer, unit=unit, kind=kind, actor=_person(actor), data=data)


def _period(contract: MaintenanceContract) -> dict[str, str]:
    return {"starts_on": contract.starts_on.isoformat(), "ends_on": contract.ends_on.isoformat()}


# --- contracts ------------------------------------------------------------------------------------


@transaction.atomic
def contract_create(
    *,
    actor: User | None,
    customer: Customer,
    units: Iterable[Unit],
    starts_on: dt.date | None = None,
    plan: ContractPlan | None = None,
    months: int | None = None,
    price: Decimal | None = None,
    billing_period: str | None = None,
    visit_every_months: int | None = None,
    response_hours: int | None = None,
    repair_cover: str | None = None,
    notes: str = "",
    activate: bool = False,
) -> MaintenanceContract:
    """Draft a contract for some of a customer's units, its terms taken from a plan unless given; activate it if asked."""
    units = list(units)
    starts_on = starts_on or _today()
    if plan is not None:
        months = plan.months if months is None else months
        price = plan.price if price is None else price
        billing_period = billing_period or plan.billing_period
        visit_every_months = plan.visit_every_months if visit_every_months is None else visit_every_months
        response_hours = plan.response_hours if response_hours is None else response_hours
        repair_cover = repair_cover or plan.repair_cover
    errors: list[FieldError] = []
    _units_check(errors, customer, units)
    _terms_check(
        errors=errors,
        months=months if months is not None else 12,
        price=price if price is not None else "",
        billing_period=billing_period or BillingPeriod.YEARLY,
        visit_every_months=visit_every_months,
        response_hours=response_hours,
        repair_cover=repair_cover or RepairCover.PARTS_AND_LABOUR,
    )
    if len(notes or "") > NOTES_MAX:
        errors.append(FieldError("notes", interpolate(_("is longer than %(limit)s characters"), limit=NOTES_MAX)))
    if errors:
        raise ValidationFailed(errors=errors)
    months = months or 12
    contract = MaintenanceContract.objects.create(
        customer=customer,
        plan=plan,
        status=ContractStatus.DRAFT,
        starts_on=starts_on,
        months=months,
        ends_on=period_last_day(starts_on, months),
        price=Decimal(str(price)),
        currency=settings.DEFAULT_CURRENCY,
        billing_period=billing_period or BillingPeriod.YEARLY,
        visit_every_months=visit_every_months,
        response_hours=response_hours,
        repair_cover=repair_cover or RepairCover.PARTS_AND_LABOUR,
        notes=(notes or "").strip(),
        sold_by=_person(actor),
    )
    ContractUnit.objects.bulk_create(ContractUnit(contract=contract, unit=unit) for unit in units)
    _timeline(contract, "contract_created", actor=actor, data=_period(contract))
    if activate:
        contract = contract_activate(actor=actor, contract=contract)
    return contract


_EDITABLE = ("starts_on", "months", "price", "billing_period", "visit_every_months", "response_hours", "repair_cover", "notes")


@transaction.atomic
def contract_update(
    *, actor: User | None, contract: MaintenanceContract, units: Iterable[Unit] | None = None, data: dict[str, Any]
) -> MaintenanceContract:
    """Change the units or terms of a draft contract (a signed contract's terms are fixed: renew or cancel it)."""
    contract = MaintenanceContract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.DRAFT:
        raise Conflict(_("Only a draft contract can be changed."))
    values = {name: data.get(name, getattr(contract, name)) for name in _EDITABLE}
    unit_list = list(units) if units is not None else list(contract.units.all())
    errors: list[FieldError] = []
    _units_check(errors, contract.customer, unit_list)
    _terms_check(
        errors=errors,
        months=values["months"],
        price=values["price"],
        billing_period=values["billing_period"],
        visit_every_months=values["visit_every_months"],
        response_hours=values["response_hours"],
        repair_cover=values["repair_cover"],
    )
    if not isinstance(values["starts_on"], dt.date):
        errors.append(FieldError("starts_on", _("must be a date like 2025-06-01")))
    if len(values["notes"] or "") > NOTES_MAX:
        errors.append(FieldError("notes", interpolate(_("is longer than %(limit)s characters"), limit=NOTES_MAX)))
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in values.items():
        setattr(contract, name, value)
    contract.price = Decimal(str(values["price"]))
    contract.notes = (values["notes"] or "").strip()
    contract.ends_on = period_last_day(contract.starts_on, contract.months)
    contract.save()
    if units is not None:
        contract.lines.exclude(unit__in=unit_list).delete()
        have = set(contract.lines.values_list("unit_id", flat=True))
        ContractUnit.objects.bulk_create(ContractUnit(contract=contract, unit=unit) for unit in unit_list if unit.pk not in have)
    return contract


def _plan_schedule(contract: MaintenanceContract) -> None:
    """Write the contract's planned visits and billing lines."""
    ContractVisit.objects.bulk_create(
        ContractVisit(contract=contract, due_on=day)
        for day in visit_dates(starts_on=contract.starts_on, ends_on=contract.ends_on, every_months=contract.visit_every_months)
    )
    BillingLine.objects.bulk_create(
        BillingLine(contract=contract, due_on=day, amount=amount)
        for day, amount in billing_schedule(
            starts_on=contract.starts_on, months=contract.months, price=contract.price, period=contract.billing_period
        )
    )


@transaction.atomic
def contract_activate(*, actor: User | None, contract: MaintenanceContract) -> MaintenanceContract:
    """Sign a draft contract: no covered unit may have another contract in force on any day of its term."""
    contract = MaintenanceContract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
    if contract.status != ContractStatus.DRAFT:
        raise Conflict(_("Only a draft contract can be activated."))
    units = list(contract.units.all())
    errors: list[FieldError] = []
    _units_check(errors, contract.customer, units)
    if errors:
        raise ValidationFailed(errors=errors)
    _overlap_check(contract, units)
    contract.status = ContractStatus.ACTIVE
    contract.activated_at = timezone.now()
    if contract.sold_by_id is None:
        contract.sold_by = _person(actor)
    contract.save(update_fields=["status", "activated_at", "sold_by", "updated_at"])
    _plan_schedule(contract)
    _timeline(contract, "contract_activated", actor=actor, data=_period(contract))
    return contract


@transaction.atomic
def contract_renew(
    *, actor: User | None, contract: MaintenanceContract, price: Decimal | None = None, months: int | None = None
) -> MaintenanceContract:
    """Create and activate the next period of a contract, starting the day after it ends (or today, once lapsed)."""
    contract = MaintenanceContract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.EXPIRED):
        raise Conflict(_("Only an active or lapsed contract can be renewed."))
    if MaintenanceContract.objects.filter(previous=contract).exists():
        raise Conflict(_("This contract was already renewed."))
    starts_on = contract.ends_on + dt.timedelta(days=1)
    if contract.status == ContractStatus.EXPIRED:
        starts_on = max(starts_on, _today())
    units = [unit for unit in contract.units.all() if unit.status == UnitStatus.IN_SERVICE]
    if not units:
        raise _fail("units", _("none of the contract's units is still in service"), code="unit_not_in_service")
    following = contract_create(
        actor=actor,
        customer=contract.customer,
        units=units,
        starts_on=starts_on,
        plan=contract.plan,
        months=contract.months if months is None else months,
        price=contract.price if price is None else price,
        billing_period=contract.billing_period,
        visit_every_months=contract.visit_every_months,
        response_hours=contract.response_hours,
        repair_cover=contract.repair_cover,
        notes=contract.notes,
    )
    following.previous = contract
    following.save(update_fields=["previous", "updated_at"])
    following = contract_activate(actor=actor, contract=following)
    contract.status = ContractStatus.RENEWED
    contract.save(update_fields=["status", "updated_at"])
    _timeline(
        contract,
        "contract_renewed",
        actor=actor,
        data={"next_reference": following.reference, "next_id": following.pk, "next_ends_on": following.ends_on.isoformat()},
    )
    return following


@transaction.atomic
def contract_cancel(*, actor: User | None, contract: MaintenanceContract, reason: str) -> MaintenanceContract:
    """Cancel a draft or active contract with a reason; visits whose work order was not created yet are dropped."""
    contract = MaintenanceContract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise _fail("reason", interpolate(_("is required (at most %(limit)s characters)"), limit=REASON_MAX), code="required")
    if contract.status not in (ContractStatus.DRAFT, ContractStatus.ACTIVE):
        raise Conflict(_("Only a draft or active contract can be cancelled."))
    contract.status = ContractStatus.CANCELLED
    contract.cancelled_at = timezone.now()
    contract.cancel_reason = reason
    contract.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    contract.visits.filter(work_order__isnull=True).delete()
    _timeline(contract, "contract_cancelled", actor=actor, data={"reason": reason})
    return contract


@transaction.atomic
def billing_line_record_payment(
    *, actor: User | None, line: BillingLine, paid: bool = True, paid_on: dt.date | None = None, reference: str = ""
) -> BillingLine:
    """Record that an instalment was paid (on a day, with the payment's reference), or undo a mistaken record."""
    line = BillingLine.objects.select_for_update().select_related("contract").get(pk=line.pk)
    if line.contract.status == ContractStatus.DRAFT:
        raise Conflict(_("A draft contract has nothing to pay yet."))
    if len(reference or "") > 100:
        raise _fail("reference", interpolate(_("is longer than %(limit)s characters"), limit=100))
    if paid:
        day = paid_on or _today()
        if day > _today():
            raise _fail("paid_on", _("cannot be in the future"))
        line.paid_on, line.payment_reference = day, (reference or "").strip()
    else:
        line.paid_on, line.payment_reference = None, ""
    line.recorded_by = _person(actor)
    line.save(update_fields=["paid_on", "payment_reference", "recorded_by"])
    return line


# --- plans ----------------------------------------------------------------------------------------


@transaction.atomic
def plan_save(*, actor: User | None, plan: ContractPlan | None = None, data: dict[str, Any]) -> ContractPlan:
    """Create or change a contract plan; contracts already written keep the terms they were signed with."""
    plan = plan or ContractPlan()
    values = {
        name: data.get(name, getattr(plan, name))
        for name in (
            "code",
            "name",
            "name_es",
            "description",
            "months",
            "price",
            "billing_period",
            "visit_every_months",
            "response_hours",
            "repair_cover",
            "active",
        )
    }
    errors: list[FieldError] = []
    for name in ("code", "name"):
        if not (values[name] or "").strip():
            errors.append(FieldError(name, _("is required"), code="required"))
    code = (values["code"] or "").strip()
    if code and ContractPlan.objects.filter(code=code).exclude(pk=plan.pk).exists():
        errors.append(FieldError("code", _("another plan has this code"), code="duplicate"))
    _terms_check(
        errors=errors,
        months=values["months"],
        price=values["price"],
        billing_period=values["billing_period"],
        visit_every_months=values["visit_every_months"],
        response_hours=values["response_hours"],
        repair_cover=values["repair_cover"],
    )
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in values.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    plan.price = Decimal(str(values["price"]))
    plan.save()
    return plan


# --- sweeps ---------------------------------------------------------------------------------------


def _still_pending(today: dt.date) -> Q:
    """Return the condition of a visit still waiting for its work order: none yet, its contract in force."""
    return Q(work_order__isnull=True, contract__status__in=IN_FORCE_STATUSES, contract__ends_on__gte=today)


def visits_pending(*, today: dt.date, horizon: dt.date) -> QuerySet[ContractVisit]:
    """Return the visits of contracts in force that are due by the horizon and have no work order yet."""
    return ContractVisit.objects.filter(_still_pending(today), due_on__lte=horizon)


def visits_due_keys(*, today: dt.date, horizon: dt.date) -> list[int]:
    """Return the keys of the visits pending a work order by the horizon, in the order they fall due."""
    return list(visits_pending(today=today, horizon=horizon).order_by("due_on", "pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class PendingVisit:
    """A due visit locked for its work order, with its contract's units still in service."""

    visit: ContractVisit
    units: list[Unit]


# The attribute the batch load puts each contract's units in service in.
_UNITS_IN_SERVICE = "units_in_service"


def visits_batch_lock(*, keys: Sequence[int], today: dt.date) -> list[PendingVisit]:
    """Lock and return those of the given due visits still pending a work order, with what their orders need.

    Run inside the transaction that creates the orders. Whether a visit still waits for its order is
    checked again under the lock (its due day never changes): a visit another tick took meanwhile, or whose
    contract was cancelled or ended, is left out, and one another tick holds locked right now is skipped
    where the database can skip locked rows. The visits are found by key, so each batch reads only its own
    rows; each comes with its contract and customer, and the contract's units in service in one query for
    the batch.
    """
    batch = ContractVisit.objects.filter(_still_pending(today), pk__in=keys)
    if connection.features.has_select_for_update_skip_locked:
        batch = batch.select_for_update(skip_locked=True, of=("self",))
    in_service = Unit.objects.filter(status=UnitStatus.IN_SERVICE)
    units = Prefetch("contract__units", queryset=in_service, to_attr=_UNITS_IN_SERVICE)
    visits = batch.select_related("contract", "contract__customer").prefetch_related(units).order_by("due_on", "pk")
    return [PendingVisit(visit=visit, units=getattr(visit.contract, _UNITS_IN_SERVICE)) for visit in visits]


def visit_orders_create(*, keys: Sequence[int], today: dt.date) -> int:
    """Create the work orders of the given due visits, a locked batch at a time; return how many were created."""
    created = 0
    for start in range(0, len(keys), SWEEP_BATCH):
        with transaction.atomic():
            for pending in visits_batch_lock(keys=keys[start : start + SWEEP_BATCH], today=today):
                _visit_order_create(pending.visit, pending.units)
                created += 1
    return created


def contract_visits_generate(*, today: dt.date | None = None, lead_days: int | None = None) -> int:
    """Create the maintenance work order of every visit due within the lead days; return how many were created.

    The due visits' keys are read once, in the order they fall due; then each batch of ``SWEEP_BATCH`` is
    locked and loaded in its own transaction and its orders created. Each visit's work order carries the
    origin key ``contract_visit:<id>``, so a rerun (or two ticks at once) finds the order already there
    instead of creating a second one. A visit another tick holds locked is left to that tick (or, should
    it fail, to the next one).
    """
    today = today or _today()
    lead = settings.CONTRACTS_VISIT_LEAD_DAYS if lead_days is None else lead_days
    horizon = today + dt.timedelta(days=lead)
    return visit_orders_create(keys=visits_due_keys(today=today, horizon=horizon), today=today)


def _visit_order_create(visit: ContractVisit, units: list[Unit]) -> None:
    contract = visit.contract
    # Staff read work orders: their description is in the business's language.
    with translation.override(settings.LANGUAGE_CODE):
        description = str(
            interpolate(
                _("Maintenance visit of contract %(reference)s, due on %(due_on)s."),
                reference=contract.reference,
                due_on=date_in_words(visit.due_on),
            )
        )
    order = work_order_create(
        actor=None,
        kind=WorkOrderKind.MAINTENANCE,
        customer=contract.customer,
        units=units,
        description=description,
        origin_key=f"contract_visit:{visit.pk}",
    )
    ContractVisit.objects.filter(pk=visit.pk, work_order__isnull=True).update(work_order=order, generated_at=timezone.now())


def _reminder_context(contract: MaintenanceContract, days: int) -> dict[str, Any]:
    customer = contract.customer
    with translation.override(customer.language):
        units = [f"{unit.product.display_name(customer.language)} ({unit.serial})" for unit in contract.units.all()]
        return {
            "contract": {
                "reference": contract.reference,
                "ends_on": date_in_words(contract.ends_on),
                "days": days,
                "units": ", ".join(units),
                "price": f"{contract.price} {contract.currency}",
            },
            "portal_url": f"{settings.SITE_URL}/portal/contracts/{contract.pk}/",
        }


def contract_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind customers of a contract ending in 60, 30 and 7 days, each reminder once; return how many were queued.

    A contract is due the reminder of the smallest threshold it has reached; a reminder missed while no
    tick ran is sent late, but one overtaken by a smaller threshold is skipped (no 60-day reminder a week before).
    """
    today = today or _today()
    sent = 0
    thresholds = sorted(REMINDER_DAYS)
    for index, days in enumerate(thresholds):
        closer = thresholds[index - 1] if index else -1
        due = MaintenanceContract.objects.filter(
            status=ContractStatus.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=today + dt.timedelta(days=days),
            ends_on__gt=today + dt.timedelta(days=closer),
        ).filter(Q(reminded_days__isnull=True) | Q(reminded_days__gt=days))
        for contract_id in list(due.values_list("pk", flat=True)):
            try:
                sent += _reminder_send(contract_id, days)
            except ValidationFailed as failure:
                # A missing template must not hold up the other contracts; this one is tried again next tick.
                logger.warning("Renewal reminder of contract %s not queued: %s", contract_id, failure.errors)
    return sent


@transaction.atomic
def _reminder_send(contract_id: int, days: int) -> int:
    """Queue one contract's reminder for a threshold unless it went already; return 1 when queued."""
    claimed = (
        MaintenanceContract.objects.filter(pk=contract_id)
        .filter(Q(reminded_days__isnull=True) | Q(reminded_days__gt=days))
        .update(reminded_days=days)
    )
    if not claimed:
        return 0
    contract = MaintenanceContract.objects.select_related("customer").get(pk=contract_id)
    message_enqueue(
        actor=None,
        customer=contract.customer,
        template_code=RENEWAL_TEMPLATE,
        channel=MessageChannel.EMAIL,
        context=_reminder_context(contract, days),
        idempotency_key=f"contract_renewal:{contract.pk}:{days}",
    )
    return 1


def contracts_lapse(*, today: dt.date | None = None) -> int:
    """Mark active contracts lapsed the day after their last day when they were not renewed; return how many."""
    today = today or _today()
    now = timezone.now()
    lapsed = 0
    with transaction.atomic():
        due = MaintenanceContract.objects.filter(status=ContractStatus.ACTIVE, ends_on__lt=today)
        if connection.features.has_select_for_update_skip_locked:
            # A concurrent tick takes other rows or none: no contract gets two "lapsed" events.
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.order_by("pk").values_list("pk", flat=True))
        if not ids:
            return 0
        lapsed = MaintenanceContract.objects.filter(pk__in=ids, status=ContractStatus.ACTIVE).update(
            status=ContractStatus.EXPIRED, lapsed_at=now
        )
        for contract in MaintenanceContract.objects.filter(pk__in=ids).select_related("customer").prefetch_related("units"):
            _timeline(contract, "contract_lapsed", actor=None, data={"ends_on": contract.ends_on.isoformat()})
    return lapsed
