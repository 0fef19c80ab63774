"""Every write of repair orders: opening, status moves, diagnosis, part and labour lines, quotes."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Part
from aftersales.catalog.services import StockReason, part_stock_receive, part_stock_take
from aftersales.core import business_time
from aftersales.core.calendars import calendar_default, calendar_value
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.timeline import timeline_record
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Unit, UnitStatus
from aftersales.service.models import Ticket
from aftersales.warranty.coverage import coverage_on
from aftersales.warranty.models import (
    BILLABLE_EDIT_STATUSES,
    LINE_EDIT_STATUSES,
    OPEN_REPAIR_STATUSES,
    ClaimStatus,
    CostKind,
    CostSource,
    CoverBasis,
    FaultCode,
    QuoteChannel,
    QuoteStatus,
    RepairEvent,
    RepairEventKind,
    RepairLine,
    RepairLineKind,
    RepairOrder,
    RepairQuote,
    RepairStatus,
    WarrantyClaim,
)
from aftersales.warranty.services.costs import cost_record

if TYPE_CHECKING:
    from aftersales.core.models import User

TEXT_MAX = 5000
DESCRIPTION_MAX = 200
STATUS_NOTE_MAX = 500
LABOUR_MINUTES_MAX = 24 * 60
PART_QUANTITY_MAX = 999
CENT = Decimal("0.01")


def _fail(field: str, reason: Any, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(errors=[FieldError(field=field, reason=reason, code=code)])


def _who(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _event(order: RepairOrder, kind: str, *, actor: Any, data: dict[str, Any]) -> RepairEvent:
    return RepairEvent.objects.create(order=order, kind=kind, actor=_who(actor), data=data)


def _lock(order: RepairOrder) -> RepairOrder:
    return (
        RepairOrder.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__product", "customer", "claim")
        .get(pk=order.pk)
    )


def money_text(amount: Decimal, currency: str = "EUR", language: str | None = None) -> str:
    """Return an amount as people read it in a language (``1.234,50 EUR`` in Spanish)."""
    with translation.override(language or translation.get_language()):
        return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


def labour_rates() -> tuple[Decimal, Decimal]:
    """Return the labour cost and price per hour from the settings."""
    return Decimal(str(settings.REPAIR_LABOUR_COST_PER_HOUR)), Decimal(str(settings.REPAIR_LABOUR_PRICE_PER_HOUR))


def working_calendar() -> business_time.Calendar:
    """Return the calendar turnaround is counted in: the default business calendar, or every hour without one."""
    stored = calendar_default()
    return calendar_value(stored) if stored is not None else business_time.always_open(settings.TIME_ZONE)


def working_hours_between(start: dt.datetime, end: dt.datetime, calendar: business_time.Calendar | None = None) -> Decimal:
    """Return the working hours between two instants in the default business calendar (all hours without one)."""
    calendar = calendar or working_calendar()
    seconds = business_time.business_between(calendar, start, end).total_seconds()
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Totals --------------------------------------------------------------------------------------


def order_totals(order: RepairOrder) -> dict[str, Decimal]:
    """Return the split of a repair's active lines: covered cost and value, billable cost and price."""
    totals = {
        "covered_cost": Decimal("0"),
        "covered_price": Decimal("0"),
        "billable_cost": Decimal("0"),
        "billable_total": Decimal("0"),
    }
    rows = order.lines.filter(removed_at__isnull=True).values("covered").annotate(cost=Sum("cost"), price=Sum("price"))
    for row in rows:
        if row["covered"]:
            totals["covered_cost"] += row["cost"] or 0
            totals["covered_price"] += row["price"] or 0
        else:
            totals["billable_cost"] += row["cost"] or 0
            totals["billable_total"] += row["price"] or 0
    return {name: Decimal(value).quantize(CENT) for name, value in totals.items()}


def current_quote(order: RepairOrder) -> RepairQuote | None:
    """Return the quote waiting for an answer or approved, else the last one answered."""
    quotes = list(order.quotes.order_by("-number"))
    for quote in quotes:
        if quote.status in (QuoteStatus.PENDING, QuoteStatus.APPROVED):
            return quote
    return next((quote for quote in quotes if quote.status == QuoteStatus.DECLINED), None)


def _has_billable(order: RepairOrder) -> bool:
    return order.lines.filter(removed_at__isnull=True, covered=False).exists()


# --- Opening -------------------------------------------------------------------------------------


def _repeat_of(unit: Unit, received_at: dt.datetime) -> RepairOrder | None:
    # A repeat: the same unit back within N days (by calendar day) of a repair handed back repaired.
    received_day = timezone.localtime(received_at).date()
    since = received_day - dt.timedelta(days=settings.REPAIR_REPEAT_DAYS)
    candidates = RepairOrder.objects.filter(
        unit=unit, status=RepairStatus.RETURNED, unrepaired=False, returned_at__isnull=False, returned_at__lte=received_at
    ).order_by("-returned_at", "-id")
    earlier = candidates.first()
    if earlier is not None and timezone.localtime(earlier.returned_at).date() >= since:  # type: ignore[arg-type]
        return earlier
    return None


def _cover(unit: Unit, claim: WarrantyClaim | None, received_at: dt.datetime) -> tuple[bool, str, str]:
    # Explanations are stored in the business's language: staff read them, customers get them in messages.
    with translation.override(settings.LANGUAGE_CODE):
        if claim is not None and claim.status == ClaimStatus.APPROVED:
            text = str(interpolate(_("Warranty claim %(reference)s was approved"), reference=claim.reference))
            return True, CoverBasis.CLAIM, text
        coverage = coverage_on(unit=unit, on=timezone.localtime(received_at).date())
        return coverage.covered, CoverBasis.WARRANTY if coverage.covered else CoverBasis.NONE, coverage.explain()[:300]


@transaction.atomic
def repair_open(
    *,
    actor: User | None,
    unit: Unit,
    fault_description: str = "",
    claim: WarrantyClaim | None = None,
    ticket: Ticket | None = None,
    received_at: dt.datetime | None = None,
) -> RepairOrder:
    """Receive a unit for repair: decide whether it is covered, flag a repeat repair and tell the customer."""
    errors = []
    description = (fault_description or "").strip()
    if claim is not None and not description:
        description = claim.fault_description
    if len(description) > TEXT_MAX:
        errors.append(
            FieldError(field="fault_description", reason=interpolate(_("is longer than %(limit)s characters"), limit=TEXT_MAX))
        )
    if unit.status != UnitStatus.IN_SERVICE:
        errors.append(FieldError(field="unit", reason=_("is no longer in service"), code="unit_not_in_service"))
    if claim is not None:
        if claim.unit_id != unit.pk:
            errors.append(FieldError(field="claim", reason=_("concerns another unit")))
        elif claim.status != ClaimStatus.APPROVED:
            errors.append(FieldError(field="claim", reason=_("is not approved"), code="claim_not_approved"))
        elif claim.fault_code == FaultCode.DELIVERY_DAMAGE:
            errors.append(
                FieldError(
                    field="claim", reason=_("is for damage on arrival: the unit is replaced, not repaired"), code="replace"
                )
            )
        elif RepairOrder.objects.filter(claim=claim).exclude(status=RepairStatus.CANCELLED).exists():
            errors.append(FieldError(field="claim", reason=_("already has a repair order"), code="duplicate"))
    if ticket is not None and ticket.customer_id != unit.customer_id:
        errors.append(FieldError(field="ticket", reason=_("belongs to another customer")))
    when = received_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        errors.append(FieldError(field="received_at", reason=_("must not be in the future")))
    if errors:
        raise ValidationFailed(errors=errors)

    # One opening at a time per unit, so the repeat check sees the orders before it.
    unit = Unit.objects.select_for_update(of=("self",)).select_related("product", "customer").get(pk=unit.pk)
    covered, basis, explanation = _cover(unit, claim, when)
    order = RepairOrder.objects.create(
        unit=unit,
        customer=unit.customer,
        claim=claim,
        ticket=ticket if ticket is not None else (claim.ticket if claim is not None else None),
        fault_description=description,
        covered=covered,
        cover_basis=basis,
        cover_explanation=explanation,
        received_at=when,
        repeat_of=_repeat_of(unit, when),
        opened_by=_who(actor),
    )
    _event(
        order,
        RepairEventKind.OPENED,
        actor=actor,
        data={
            "claim_id": claim.pk if claim else None,
            "covered": covered,
            "repeat_of": order.repeat_of.reference if order.repeat_of else None,
        },
    )
    timeline_record(
        customer=order.customer,
        unit=unit,
        kind="repair_opened",
        actor=actor,
        data={"reference": order.reference, "repair_id": order.pk, "covered": "yes" if covered else "no"},
    )
    _notify(order, "repair_order_received", actor=actor, key=f"repair_order_received:{order.pk}")
    return order


# --- Status --------------------------------------------------------------------------------------


def _quote_blocks_repair(order: RepairOrder) -> Any:
    # Billable work needs the customer's yes to the current quote; the error says what is missing.
    if not _has_billable(order):
        return None
    quote = order.quotes.filter(status__in=(QuoteStatus.PENDING, QuoteStatus.APPROVED)).first()
    if quote is None:
        return _("The repair has billable lines: send the customer a quote and wait for their approval first.")
    if quote.status == QuoteStatus.PENDING:
        return _("The customer has not approved the quote yet: billable work cannot start.")
    return None


def _parts_back(order: RepairOrder, *, actor: Any, billable_only: bool) -> None:
    lines = order.lines.filter(removed_at__isnull=True, kind=RepairLineKind.PART)
    if billable_only:
        lines = lines.filter(covered=False)
    for line in lines.select_related("part"):
        _line_remove(order, line, actor=actor)


@transaction.atomic
def repair_move(*, actor: User | None, order: RepairOrder, status: str, note: str = "") -> RepairOrder:
    """Move a repair to its next status; billable work waits for the customer's approval of the quote."""
    order = _lock(order)
    text = (note or "").strip()
    if status not in RepairStatus.values:
        raise _fail("status", one_of(RepairStatus.values), "invalid_choice")
    if len(text) > STATUS_NOTE_MAX:
        raise _fail("note", interpolate(_("is longer than %(limit)s characters"), limit=STATUS_NOTE_MAX))
    if status not in order.next_statuses():
        raise Conflict(
            interpolate(
                _("A repair that is %(current)s cannot be moved to %(status)s."),
                current=RepairStatus(order.status).label,
                status=RepairStatus(status).label,
            )
        )
    declined = False
    if status == RepairStatus.REPAIRING:
        blocked = _quote_blocks_repair(order)
        if blocked is not None:
            raise ValidationFailed(errors=[FieldError(field="status", reason=blocked, code="quote_not_approved")])
    if status == RepairStatus.READY and order.status != RepairStatus.REPAIRING:
        # Ready without repairing: the customer declined the quote, or there is nothing to repair.
        declined = (
            order.quotes.filter(status=QuoteStatus.DECLINED).exists()
            and not order.quotes.filter(status__in=(QuoteStatus.PENDING, QuoteStatus.APPROVED)).exists()
        )
        if _has_billable(order) and not declined:
            raise ValidationFailed(
                errors=[
                    FieldError(
                        field="status",
                        reason=_(
                            "Billable work is on the order: the customer must decline the quote before it goes back unrepaired."
                        ),
                        code="quote_not_declined",
                    )
                ]
            )
        order.unrepaired = True
        # Billable parts that were never fitted go back on the shelf.
        _parts_back(order, actor=actor, billable_only=True)
    if status == RepairStatus.CANCELLED:
        _parts_back(order, actor=actor, billable_only=False)
    previous = order.status
    now = timezone.now()
    order.status = status
    if status == RepairStatus.READY:
        order.ready_at = now
    if status == RepairStatus.RETURNED:
        order.returned_at = now
        order.turnaround_hours = working_hours_between(order.received_at, now)
    order.save(update_fields=["status", "unrepaired", "ready_at", "returned_at", "turnaround_hours", "updated_at"])
    _event(order, RepairEventKind.STATUS, actor=actor, data={"from": previous, "to": status, "note": text})
    timeline_record(
        customer=order.customer,
        unit=order.unit,
        kind="repair_status",
        actor=actor,
        data={"reference": order.reference, "status": status, "repair_id": order.pk},
    )
    if status == RepairStatus.READY:
        occurrence = order.events.filter(kind=RepairEventKind.STATUS, data__to=RepairStatus.READY).count()
        _notify(order, "repair_order_ready", actor=actor, key=f"repair_order_ready:{order.pk}:{occurrence}")
    return order


@transaction.atomic
def repair_diagnose(*, actor: User, order: RepairOrder, diagnosis: str) -> RepairOrder:
    """Record what is wrong with the unit; a received order moves to diagnosing."""
    order = _lock(order)
    text = (diagnosis or "").strip()
    if not text:
        raise _fail("diagnosis", _("is required: say what is wrong"), "required")
    if len(text) > TEXT_MAX:
        raise _fail("diagnosis", interpolate(_("is longer than %(limit)s characters"), limit=TEXT_MAX))
    if not order.is_open or order.status == RepairStatus.READY:
        raise Conflict(
            interpolate(_("The repair is %(status)s: its diagnosis is closed."), status=RepairStatus(order.status).label)
        )
    order.diagnosis = text
    order.save(update_fields=["diagnosis", "updated_at"])
    _event(order, RepairEventKind.DIAGNOSED, actor=actor, data={"diagnosis": text[:200]})
    if order.status == RepairStatus.RECEIVED:
        repair_move(actor=actor, order=order, status=RepairStatus.DIAGNOSING)
        order.refresh_from_db()
    return order


# --- Lines ---------------------------------------------------------------------------------------


def _line_edit_check(order: RepairOrder, *, covered: bool) -> None:
    allowed = LINE_EDIT_STATUSES if covered else BILLABLE_EDIT_STATUSES
    if order.status not in allowed:
        if not covered and order.status == RepairStatus.REPAIRING:
            raise Conflict(_("Billable work is agreed in the quote: move the repair back to waiting for parts to change it."))
        raise Conflict(
            interpolate(_("The repair is %(status)s: its lines can no longer change."), status=RepairStatus(order.status).label)
        )


def _supersede_quote(order: RepairOrder, *, actor: Any) -> None:
    # Billable lines changed: a quote sent or approved no longer says what the customer pays.
    for quote in order.quotes.filter(status__in=(QuoteStatus.PENDING, QuoteStatus.APPROVED)):
        quote.status = QuoteStatus.SUPERSEDED
        quote.save(update_fields=["status", "updated_at"])
        _event(order, RepairEventKind.QUOTE_SUPERSEDED, actor=actor, data={"number": quote.number})


def _line_costs(order: RepairOrder, line: RepairLine, *, actor: Any) -> None:
    if line.cost == 0:
        return
    cost_record(
        actor=_who(actor),
        source=CostSource.REPAIR,
        kind=CostKind.PARTS if line.kind == RepairLineKind.PART else CostKind.LABOUR,
        amount=line.cost,
        unit=order.unit,
        source_id=order.pk,
        reference=order.reference,
        covered=line.covered,
        note=line.description[:300],
        idempotency_key=f"repair-line:{line.pk}:added",
    )


@transaction.atomic
def repair_part_add(*, actor: User, order: RepairOrder, part: Part, quantity: int = 1, covered: bool | None = None) -> RepairLine:
    """Take parts from stock for a repair, at today's cost and price; covered unless the repair is not."""
    order = _lock(order)
    is_covered = order.covered if covered is None else bool(covered)
    if not isinstance(quantity, int) or not 1 <= quantity <= PART_QUANTITY_MAX:
        raise _fail("quantity", interpolate(_("must be a whole number from 1 to %(max)s"), max=PART_QUANTITY_MAX))
    if not part.is_active:
        raise _fail("part_id", _("is no longer in use"), "inactive")
    _line_edit_check(order, covered=is_covered)
    part_stock_take(actor=actor, part=part, quantity=quantity, reference=order.reference)
    language = settings.LANGUAGE_CODE
    line = RepairLine.objects.create(
        order=order,
        kind=RepairLineKind.PART,
        part=part,
        description=f"{part.display_name(language)} ({part.sku})"[:DESCRIPTION_MAX],
        quantity=quantity,
        unit_cost=part.unit_cost,
        unit_price=part.unit_price,
        cost=(part.unit_cost * quantity).quantize(CENT),
        price=(part.unit_price * quantity).quantize(CENT),
        covered=is_covered,
        added_by=_who(actor),
    )
    return _line_added(order, line, actor=actor)


@transaction.atomic
def repair_labour_add(
    *, actor: User, order: RepairOrder, minutes: int, description: str = "", covered: bool | None = None
) -> RepairLine:
    """Record workshop time on a repair, costed and priced per minute at the labour rates."""
    order = _lock(order)
    is_covered = order.covered if covered is None else bool(covered)
    text = (description or "").strip() or str(_("Workshop labour"))
    errors = []
    if not isinstance(minutes, int) or not 1 <= minutes <= LABOUR_MINUTES_MAX:
        errors.append(
            FieldError(field="minutes", reason=interpolate(_("must be a whole number from 1 to %(max)s"), max=LABOUR_MINUTES_MAX))
        )
    if len(text) > DESCRIPTION_MAX:
        errors.append(
            FieldError(field="description", reason=interpolate(_("is longer than %(limit)s characters"), limit=DESCRIPTION_MAX))
        )
    if errors:
        raise ValidationFailed(errors=errors)
    _line_edit_check(order, covered=is_covered)
    cost_rate, price_rate = labour_rates()
    line = RepairLine.objects.create(
        order=order,
        kind=RepairLineKind.LABOUR,
        description=text,
        quantity=minutes,
        unit_cost=cost_rate,
        unit_price=price_rate,
        cost=(cost_rate * minutes / 60).quantize(CENT, rounding=ROUND_HALF_UP),
        price=(price_rate * minutes / 60).quantize(CENT, rounding=ROUND_HALF_UP),
        covered=is_covered,
        added_by=_who(actor),
    )
    return _line_added(order, line, actor=actor)


def _line_added(order: RepairOrder, line: RepairLine, *, actor: Any) -> RepairLine:
    _line_costs(order, line, actor=actor)
    if not line.covered:
        _supersede_quote(order, actor=actor)
    _event(
        order,
        RepairEventKind.LINE_ADDED,
        actor=actor,
        data={
            "line": line.pk,
            "kind": line.kind,
            "description": line.description,
            "quantity": line.quantity,
            "covered": line.covered,
            "price": str(line.price),
        },
    )
    return line


def _line_remove(order: RepairOrder, line: RepairLine, *, actor: Any) -> None:
    line.removed_at = timezone.now()
    line.removed_by = _who(actor)
    line.save(update_fields=["removed_at", "removed_by", "updated_at"])
    if line.part is not None:
        part_stock_receive(
            actor=_who(actor),
            part=line.part,
            quantity=line.quantity,
            reference=order.reference,
            reason=StockReason.RETURNED,  # type: ignore[arg-type]
        )
    if line.cost:
        cost_record(
            actor=_who(actor),
            source=CostSource.REPAIR,
            kind=CostKind.PARTS if line.kind == RepairLineKind.PART else CostKind.LABOUR,
            amount=-line.cost,
            unit=order.unit,
            source_id=order.pk,
            reference=order.reference,
            covered=line.covered,
            note=str(interpolate(_("Removed: %(line)s"), line=line.description))[:300],
            idempotency_key=f"repair-line:{line.pk}:removed",
        )
    if not line.covered:
        _supersede_quote(order, actor=actor)
    _event(order, RepairEventKind.LINE_REMOVED, actor=actor, data={"line": line.pk, "description": line.description})


@transaction.atomic
def repair_line_remove(*, actor: User, order: RepairOrder, line_id: int) -> RepairLine:
    """Take a line off a repair: its parts go back to stock and its cost is reversed."""
    order = _lock(order)
    line = order.lines.select_for_update(of=("self",)).select_related("part").filter(pk=line_id).first()
    if line is None:
        raise _fail("line_id", _("is not a line of this repair"), "not_found")
    if line.removed_at is not None:
        raise Conflict(_("This line was already removed."))
    _line_edit_check(order, covered=line.covered)
    _line_remove(order, line, actor=actor)
    return line


# --- Quotes --------------------------------------------------------------------------------------


@transaction.atomic
def repair_quote_send(*, actor: User, order: RepairOrder) -> RepairQuote:
    """Send the customer a quote for the billable lines; it replaces a quote still waiting for an answer."""
    from aftersales.warranty.repair_links import quote_link

    order = _lock(order)
    if order.status not in (RepairStatus.DIAGNOSING, RepairStatus.WAITING_FOR_PARTS):
        raise Conflict(interpolate(_("A repair that is %(status)s cannot be quoted."), status=RepairStatus(order.status).label))
    if not order.diagnosis:
        raise _fail("diagnosis", _("is required before a quote: the customer needs to know what is wrong"), "required")
    total = order_totals(order)["billable_total"]
    if total <= 0:
        raise _fail("lines", _("has nothing billable to quote"), "nothing_to_quote")
    if order.quotes.filter(status=QuoteStatus.APPROVED).exists():
        raise Conflict(_("The customer already approved the quote for these lines."))
    _supersede_quote(order, actor=actor)
    number = (order.quotes.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    quote = RepairQuote.objects.create(
        order=order, number=number, total=total, currency=settings.DEFAULT_CURRENCY, sent_by=_who(actor)
    )
    _event(order, RepairEventKind.QUOTE_SENT, actor=actor, data={"number": number, "total": str(total)})
    timeline_record(
        customer=order.customer,
        unit=order.unit,
        kind="repair_quote_sent",
        actor=actor,
        data={"reference": order.reference, "total": str(total), "repair_id": order.pk},
    )
    language = order.customer.language
    lines = order.lines.filter(removed_at__isnull=True, covered=False).select_related("part")
    expires = timezone.localdate() + dt.timedelta(days=settings.REPAIR_QUOTE_LINK_MAX_AGE_DAYS)
    with translation.override(language):
        extra = {
            "quote": {
                "number": number,
                "total": money_text(total, quote.currency, language),
                "lines": "\n".join(
                    f"- {_line_text(line, language)}: {money_text(line.price, quote.currency, language)}" for line in lines
                ),
                "link": quote_link(quote),
                "link_expires": formats.date_format(expires, "DATE_FORMAT"),
            }
        }
    _notify(order, "repair_order_quote", actor=actor, key=f"repair_order_quote:{order.pk}:{number}", extra=extra)
    return quote


@transaction.atomic
def repair_quote_decide(*, actor: User | None, quote: RepairQuote, approve: bool, via: str = QuoteChannel.PORTAL) -> RepairQuote:
    """Record the customer's answer to a quote waiting for one; approving lets billable work start."""
    order = _lock(quote.order)
    quote = RepairQuote.objects.select_for_update().get(pk=quote.pk)
    if via not in QuoteChannel.values:
        raise _fail("via", one_of(QuoteChannel.values), "invalid_choice")
    if quote.status != QuoteStatus.PENDING:
        raise Conflict(
            interpolate(_("This quote was already answered or replaced (%(status)s)."), status=QuoteStatus(quote.status).label)
        )
    if order.status not in (RepairStatus.DIAGNOSING, RepairStatus.WAITING_FOR_PARTS):
        raise Conflict(interpolate(_("The repair is %(status)s: the quote is closed."), status=RepairStatus(order.status).label))
    quote.status = QuoteStatus.APPROVED if approve else QuoteStatus.DECLINED
    quote.decided_at = timezone.now()
    quote.decided_via = via
    quote.decided_by = _who(actor)
    quote.save(update_fields=["status", "decided_at", "decided_via", "decided_by", "updated_at"])
    kind = RepairEventKind.QUOTE_APPROVED if approve else RepairEventKind.QUOTE_DECLINED
    _event(order, kind, actor=actor, data={"number": quote.number, "via": via, "total": str(quote.total)})
    timeline_record(
        customer=order.customer,
        unit=order.unit,
        kind="repair_quote_decided",
        actor=actor,
        data={"reference": order.reference, "result": quote.status, "repair_id": order.pk},
    )
    return quote


# --- Customer messages ---------------------------------------------------------------------------


def _line_text(line: RepairLine, language: str) -> str:
    # Parts are named in the customer's language; labour keeps the words the technician wrote.
    if line.part is not None:
        return f"{line.part.display_name(language)} ({line.part.sku})"
    return line.description


def _notify(order: RepairOrder, template_code: str, *, actor: Any, key: str, extra: dict[str, Any] | None = None) -> None:
    customer = order.customer
    language = customer.language
    totals = order_totals(order)
    with translation.override(language):
        context: dict[str, Any] = {
            "repair": {
                "reference": order.reference,
                "status": order.status,
                "status_label": str(RepairStatus(order.status).label),
                "covered": order.covered,
                "cover": _cover_for_customer(order, language),
                "diagnosis": order.diagnosis,
                "unrepaired": order.unrepaired,
                "billable_total": money_text(totals["billable_total"], settings.DEFAULT_CURRENCY, language)
                if totals["billable_total"] and not order.unrepaired
                else "",
            }
        }
    context.update(extra or {})
    message_enqueue(
        actor=_who(actor),
        customer=customer,
        unit=order.unit,
        template_code=template_code,
        channel=MessageChannel.EMAIL,
        context=context,
        idempotency_key=key,
    )


def _cover_for_customer(order: RepairOrder, language: str) -> str:
    # The stored explanation is in the business's language; rebuild it in the customer's.
    with translation.override(language):
        if order.cover_basis == CoverBasis.CLAIM and order.claim is not None:
            return str(interpolate(_("Warranty claim %(reference)s was approved"), reference=order.claim.reference))
        return coverage_on(unit=order.unit, on=timezone.localtime(order.received_at).date()).explain(language)


def open_repairs_of_unit(unit: Unit) -> bool:
    """Return whether a unit has a repair order still in the workshop."""
    return RepairOrder.objects.filter(unit=unit, status__in=OPEN_REPAIR_STATUSES).exists()
