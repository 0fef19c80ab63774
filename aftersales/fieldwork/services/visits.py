"""Carrying out a visit: start it, record parts, time and photos, and complete it with a signed report."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Part
from aftersales.catalog.services import StockReason, part_stock_receive, part_stock_take
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate
from aftersales.core.files import upload_check
from aftersales.core.timeline import timeline_record
from aftersales.fieldwork.models import (
    PartBilling,
    VisitPhoto,
    VisitReport,
    WorkOrder,
    WorkOrderKind,
    WorkOrderPart,
    WorkOrderStatus,
    WorkOrderTime,
)
from aftersales.fieldwork.services.checklists import visit_perform_check, work_order_checklist_copy
from aftersales.fieldwork.services.orders import work_order_event
from aftersales.fieldwork.signals import work_order_completed
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Unit
from aftersales.sales.services import unit_mark_delivered, unit_mark_installed
from aftersales.service.models import Ticket, TicketChannel, TicketKind
from aftersales.service.services import ticket_open
from aftersales.warranty.coverage import coverage_on, date_in_words
from aftersales.warranty.models import CostKind, CostSource
from aftersales.warranty.services import cost_record

if TYPE_CHECKING:
    from aftersales.core.models import User

__all__ = [
    "visit_complete",
    "visit_part_add",
    "visit_part_remove",
    "visit_perform_check",
    "visit_photo_add",
    "visit_start",
    "visit_time_add",
]

# Orders that may be started: booked with someone on a date.
STARTABLE_STATUSES = (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED)
PART_QUANTITY_MAX = 100
MINUTES_MAX = 12 * 60
TEXT_MAX = 5000
NOTE_MAX = 300
NAME_MAX = 200
# The kind of follow-up ticket each kind of visit opens.
FOLLOW_UP_TICKET_KIND = {
    WorkOrderKind.INSTALLATION: TicketKind.INSTALLATION,
    WorkOrderKind.DELIVERY: TicketKind.QUESTION,
    WorkOrderKind.MAINTENANCE: TicketKind.MAINTENANCE,
    WorkOrderKind.REPAIR: TicketKind.REPAIR,
    WorkOrderKind.INSPECTION: TicketKind.REPAIR,
    WorkOrderKind.TRAINING: TicketKind.TRAINING,
}
# Photo file suffixes by the content the file really holds.
PHOTO_SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}


def labour_rate() -> Decimal:
    """Return what an hour of field work costs the company (``FIELDWORK_LABOUR_RATE``)."""
    return Decimal(str(settings.FIELDWORK_LABOUR_RATE))


def _too_long(field: str, limit: int) -> FieldError:
    return FieldError(field, interpolate(_("Keep it under %(max)s characters."), max=limit), code="too_long")


def _locked(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().select_related("customer").get(pk=order.pk)


def _under_way(actor: User, order: WorkOrder) -> WorkOrder:
    """Lock a visit the actor may work on and that is in progress."""
    order = _locked(order)
    visit_perform_check(actor, order)
    if order.status != WorkOrderStatus.IN_PROGRESS:
        raise Conflict(
            interpolate(
                _("Visit %(reference)s is %(status)s: only a visit in progress takes parts, time and photos."),
                reference=order.reference,
                status=WorkOrderStatus(order.status).label,
            )
        )
    return order


def _units(order: WorkOrder) -> list[Unit]:
    return list(order.units.select_related("product", "customer").order_by("id"))


def _timeline(order: WorkOrder, kind: str, *, actor: User | None, data: dict[str, Any], units: list[Unit] | None = None) -> None:
    """Write a step on the customer's timeline and on each unit's (one row when there is one unit)."""
    units = _units(order) if units is None else units
    data = {"reference": order.reference, "work_order_id": order.pk, **data}
    if len(units) == 1:
        timeline_record(customer=order.customer, unit=units[0], kind=kind, actor=actor, data=data)
        return
    timeline_record(customer=order.customer, kind=kind, actor=actor, data=data)
    for unit in units:
        timeline_record(customer=order.customer, unit=unit, kind=kind, actor=actor, data=data)


@transaction.atomic
def visit_start(*, actor: User, order: WorkOrder) -> WorkOrder:
    """Start a booked visit on site: only its assignee or a manager; a visit already started stays as it is."""
    order = _locked(order)
    visit_perform_check(actor, order)
    if order.status == WorkOrderStatus.IN_PROGRESS:
        return order
    if order.status not in STARTABLE_STATUSES:
        raise Conflict(
            interpolate(
                _("Visit %(reference)s is %(status)s: only a scheduled or confirmed visit can be started."),
                reference=order.reference,
                status=WorkOrderStatus(order.status).label,
            )
        )
    order.status = WorkOrderStatus.IN_PROGRESS
    order.started_at = timezone.now()
    order.save(update_fields=["status", "started_at", "updated_at"])
    # A template written after the order was created still reaches it here.
    work_order_checklist_copy(order=order, actor=actor)
    work_order_event(order, "started", actor=actor, data={"at": order.started_at.isoformat()})
    by = actor.get_full_name() or actor.get_username()
    _timeline(order, "work_order_started", actor=actor, data={"kind": order.kind, "by": by})
    return order


def _unit_pick(order: WorkOrder, unit: Unit | None, errors: list[FieldError]) -> Unit | None:
    units = _units(order)
    if unit is None:
        if not units:
            errors.append(FieldError("unit_id", _("This visit has no unit to fit the part to."), code="required"))
            return None
        return units[0]
    if unit.pk not in {candidate.pk for candidate in units}:
        errors.append(FieldError("unit_id", _("is not one of this visit's units"), code="not_on_visit"))
        return None
    return unit


@transaction.atomic
def visit_part_add(*, actor: User, order: WorkOrder, part: Part, quantity: int, unit: Unit | None = None) -> WorkOrderPart:
    """Fit spare parts taken from stock; covered when the unit is under warranty or contract that day, else billable."""
    order = _under_way(actor, order)
    errors: list[FieldError] = []
    if not part.is_active:
        errors.append(FieldError("part_id", _("This part is no longer in use."), code="inactive"))
    if not 0 < quantity <= PART_QUANTITY_MAX:
        errors.append(FieldError("quantity", interpolate(_("must be between 1 and %(max)s"), max=PART_QUANTITY_MAX)))
    unit = _unit_pick(order, unit, errors)
    if errors or unit is None:
        raise ValidationFailed(errors=errors)
    # Refuses when stock is short; the surrounding transaction then leaves nothing written.
    part = part_stock_take(actor=actor, part=part, quantity=quantity, reference=order.reference)
    covered = coverage_on(unit=unit, on=timezone.localdate()).covered
    used = WorkOrderPart.objects.create(
        work_order=order, part=part, quantity=quantity, unit_cost=part.unit_cost, covered=covered, added_by=actor
    )
    amount = (part.unit_cost * quantity).quantize(Decimal("0.01"))
    if amount:
        cost_record(
            actor=actor,
            source=CostSource.VISIT,
            kind=CostKind.PARTS,
            amount=amount,
            unit=unit,
            source_id=order.pk,
            reference=order.reference,
            covered=covered,
            note=f"{quantity} × {part.sku}",
            idempotency_key=f"visit-part:{used.pk}",
        )
    billing = PartBilling.COVERED if covered else PartBilling.BILLABLE
    data = {"part_id": part.pk, "sku": part.sku, "quantity": quantity, "unit_id": unit.pk, "covered": covered}
    work_order_event(order, "part_added", actor=actor, data={**data, "row_id": used.pk, "unit_cost": str(part.unit_cost)})
    timeline_record(
        customer=order.customer,
        unit=unit,
        kind="work_order_part_used",
        actor=actor,
        data={"reference": order.reference, "work_order_id": order.pk, "part": part.name, "billing": billing, **data},
    )
    return used


@transaction.atomic
def visit_part_remove(*, actor: User, used: WorkOrderPart) -> None:
    """Take a part off a visit in progress: it goes back to stock and its cost is reversed."""
    order = _under_way(actor, used.work_order)
    used = WorkOrderPart.objects.select_for_update().select_related("part").get(pk=used.pk)
    charged = order.units.filter(cost_entries__idempotency_key=f"visit-part:{used.pk}").first()
    part_stock_receive(
        actor=actor, part=used.part, quantity=used.quantity, reference=order.reference, reason=StockReason.RETURNED
    )
    amount = (used.unit_cost * used.quantity).quantize(Decimal("0.01"))
    if amount and charged is not None:
        # The ledger is append-only: a correction is an entry with the opposite amount.
        cost_record(
            actor=actor,
            source=CostSource.VISIT,
            kind=CostKind.PARTS,
            amount=-amount,
            unit=charged,
            source_id=order.pk,
            reference=order.reference,
            covered=used.covered,
            note=f"-{used.quantity} × {used.part.sku}",
            idempotency_key=f"visit-part:{used.pk}:removed",
        )
    data = {"part_id": used.part_id, "sku": used.part.sku, "quantity": used.quantity, "row_id": used.pk}
    used.delete()
    work_order_event(order, "part_removed", actor=actor, data=data)
    _timeline(
        order,
        "work_order_part_removed",
        actor=actor,
        data={"part": used.part.name, **data},
        units=[charged] if charged is not None else None,
    )


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    """Return an amount split in equal shares to the cent, the first shares taking the odd cents."""
    cents = int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))
    share, extra = divmod(cents, parts)
    return [Decimal(share + (1 if index < extra else 0)) / 100 for index in range(parts)]


@transaction.atomic
def visit_time_add(*, actor: User, order: WorkOrder, minutes: int, note: str = "") -> WorkOrderTime:
    """Record time spent on site; its labour cost at the hourly rate is shared among the visit's units."""
    order = _under_way(actor, order)
    note = note.strip()
    errors: list[FieldError] = []
    if not 0 < minutes <= MINUTES_MAX:
        errors.append(FieldError("minutes", interpolate(_("must be between 1 and %(max)s"), max=MINUTES_MAX)))
    if len(note) > NOTE_MAX:
        errors.append(_too_long("note", NOTE_MAX))
    if errors:
        raise ValidationFailed(errors=errors)
    entry = WorkOrderTime.objects.create(work_order=order, user=actor, minutes=minutes, note=note)
    units = _units(order)
    total = (labour_rate() * minutes / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    today = timezone.localdate()
    if units and total:
        for unit, amount in zip(units, _split(total, len(units)), strict=True):
            if not amount:
                continue
            cost_record(
                actor=actor,
                source=CostSource.VISIT,
                kind=CostKind.LABOUR,
                amount=amount,
                unit=unit,
                source_id=order.pk,
                reference=order.reference,
                covered=coverage_on(unit=unit, on=today).covered,
                note=f"{minutes} min",
                idempotency_key=f"visit-time:{entry.pk}:{unit.pk}",
            )
    work_order_event(order, "time_added", actor=actor, data={"minutes": minutes, "note": note, "entry_id": entry.pk})
    _timeline(order, "work_order_time_spent", actor=actor, data={"minutes": minutes}, units=units)
    return entry


@transaction.atomic
def visit_photo_add(*, actor: User, order: WorkOrder, upload: Any, caption: str = "") -> VisitPhoto:
    """Keep a photo taken on a visit in progress, checked by content and size, under a private name."""
    order = _under_way(actor, order)
    caption = caption.strip()
    kind, errors = upload_check(
        upload,
        field="photo",
        max_bytes=settings.FIELDWORK_PHOTO_MAX_BYTES,
        content_types=settings.FIELDWORK_PHOTO_CONTENT_TYPES,
        type_reason=_("must be a photo (JPEG, PNG, WebP or GIF)"),
    )
    if upload is None:
        errors.append(FieldError("photo", _("Choose a photo."), code="required"))
    elif not getattr(upload, "size", 0):
        errors.append(FieldError("photo", _("is empty"), code="empty"))
    if len(caption) > NAME_MAX:
        errors.append(_too_long("caption", NAME_MAX))
    if order.photos.count() >= settings.FIELDWORK_PHOTOS_PER_VISIT:
        errors.append(
            FieldError(
                "photo",
                interpolate(_("A visit keeps at most %(max)s photos."), max=settings.FIELDWORK_PHOTOS_PER_VISIT),
                code="too_many",
            )
        )
    if errors:
        raise ValidationFailed(errors=errors)
    photo = VisitPhoto(work_order=order, content_type=kind, caption=caption, uploaded_by=actor)
    name = f"photo{PHOTO_SUFFIX.get(kind, '')}"
    photo.file.save(name, upload if isinstance(upload, File) else File(upload, name=name), save=False)
    photo.save()
    work_order_event(order, "photo_added", actor=actor, data={"photo_id": photo.pk, "caption": caption})
    _timeline(order, "work_order_photo_added", actor=actor, data={"photo_id": photo.pk})
    return photo


def _report_check(
    *, findings: str, work_done: str, follow_up_needed: bool, follow_up_note: str, signed_by_name: str, unsigned_reason: str
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not findings:
        errors.append(FieldError("findings", _("Write what you found."), code="required"))
    for field, value, limit in (
        ("findings", findings, TEXT_MAX),
        ("work_done", work_done, TEXT_MAX),
        ("follow_up_note", follow_up_note, TEXT_MAX),
        ("signed_by_name", signed_by_name, NAME_MAX),
        ("unsigned_reason", unsigned_reason, NOTE_MAX),
    ):
        if len(value) > limit:
            errors.append(_too_long(field, limit))
    if follow_up_needed and not follow_up_note:
        errors.append(FieldError("follow_up_note", _("Say what should follow."), code="required"))
    if not signed_by_name and not unsigned_reason:
        errors.append(
            FieldError(
                "signed_by_name",
                _("Have the customer type their name to sign, or record why nobody could sign."),
                code="signature_required",
            )
        )
    return errors


def _follow_up_open(order: WorkOrder, report: VisitReport, units: list[Unit], *, actor: User) -> Ticket:
    customer = order.customer
    with translation.override(customer.language or settings.LANGUAGE_CODE):
        subject = gettext("Follow-up after visit %(reference)s") % {"reference": order.reference}
        body = "\n\n".join(
            part
            for part in (
                report.follow_up_note,
                gettext("Findings: %(text)s") % {"text": report.findings},
                gettext("Work done: %(text)s") % {"text": report.work_done} if report.work_done else "",
            )
            if part
        )
    return ticket_open(
        actor=actor,
        customer=customer,
        unit=units[0] if units else None,
        subject=subject[:200],
        body=body,
        kind=FOLLOW_UP_TICKET_KIND.get(WorkOrderKind(order.kind), TicketKind.QUESTION),
        channel=TicketChannel.IN_PERSON,
        language=customer.language or None,
        # One ticket per visit, however often the completion is retried.
        idempotency_key=f"work-order:{order.pk}:follow-up",
    )


def _units_moment(order: WorkOrder, units: list[Unit], *, actor: User, at: Any) -> None:
    """Mark the units installed (installation) or delivered (delivery visit) unless they already are."""
    for unit in units:
        if order.kind == WorkOrderKind.INSTALLATION and unit.installed_at is None:
            unit_mark_installed(actor=actor, unit=unit, installed_at=at)
        elif order.kind == WorkOrderKind.DELIVERY and unit.delivered_at is None:
            unit_mark_delivered(actor=actor, unit=unit, delivered_at=at)


def _customer_tell(order: WorkOrder, report: VisitReport, units: list[Unit], *, actor: User) -> None:
    customer = order.customer
    language = customer.language or settings.LANGUAGE_CODE
    parts = order.parts_used.select_related("part")
    with translation.override(language):
        visit = {
            "reference": order.reference,
            "kind": order.kind,
            "kind_label": str(WorkOrderKind(order.kind).label),
            "day": date_in_words(timezone.localtime(order.completed_at).date()),
            "technician": (actor.get_full_name() or actor.get_username()),
            "units": ", ".join(f"{unit.product.display_name(language)} ({unit.serial})" for unit in units),
            "findings": report.findings,
            "work_done": report.work_done,
            "parts": ", ".join(f"{used.quantity} × {used.part.display_name(language)}" for used in parts),
            "follow_up": report.follow_up_note if report.follow_up_needed else "",
            "follow_up_ticket": order.follow_up_ticket.number if order.follow_up_ticket else "",
            "signed_by": report.signed_by_name,
            "signed_at": timezone.localtime(report.signed_at).strftime("%H:%M") if report.signed_at else "",
        }
    message_enqueue(
        actor=actor,
        customer=customer,
        unit=units[0] if len(units) == 1 else None,
        template_code="visit_report",
        channel=MessageChannel.EMAIL,
        context={"visit": visit},
        idempotency_key=f"visit_report:{order.pk}",
    )


@transaction.atomic
def visit_complete(
    *,
    actor: User,
    order: WorkOrder,
    findings: str,
    work_done: str = "",
    follow_up_needed: bool = False,
    follow_up_note: str = "",
    signed_by_name: str = "",
    unsigned_reason: str = "",
) -> VisitReport:
    """Complete a visit with its report and the customer's typed sign-off (or why nobody signed); retries change nothing.

    A follow-up opens one service-desk ticket; an installation marks its units installed, a delivery
    visit delivered; the customer is sent the report.
    """
    order = _locked(order)
    visit_perform_check(actor, order)
    if order.status == WorkOrderStatus.COMPLETED and hasattr(order, "report"):
        return order.report
    if order.status != WorkOrderStatus.IN_PROGRESS:
        raise Conflict(
            interpolate(
                _("Visit %(reference)s is %(status)s: start it before completing it."),
                reference=order.reference,
                status=WorkOrderStatus(order.status).label,
            )
        )
    findings, work_done, follow_up_note = findings.strip(), work_done.strip(), follow_up_note.strip()
    signed_by_name, unsigned_reason = " ".join(signed_by_name.split()), unsigned_reason.strip()
    errors = _report_check(
        findings=findings,
        work_done=work_done,
        follow_up_needed=follow_up_needed,
        follow_up_note=follow_up_note,
        signed_by_name=signed_by_name,
        unsigned_reason=unsigned_reason,
    )
    if errors:
        raise ValidationFailed(errors=errors)
    now = timezone.now()
    report = VisitReport.objects.create(
        work_order=order,
        findings=findings,
        work_done=work_done,
        follow_up_needed=follow_up_needed,
        follow_up_note=follow_up_note if follow_up_needed else "",
        signed_by_name=signed_by_name,
        signed_at=now if signed_by_name else None,
        unsigned_reason="" if signed_by_name else unsigned_reason,
        written_by=actor,
    )
    order.status = WorkOrderStatus.COMPLETED
    order.completed_at = now
    units = _units(order)
    _units_moment(order, units, actor=actor, at=now)
    if follow_up_needed:
        order.follow_up_ticket = _follow_up_open(order, report, units, actor=actor)
    order.save(update_fields=["status", "completed_at", "follow_up_ticket", "updated_at"])
    work_order_event(
        order,
        "completed",
        actor=actor,
        data={
            "signed_by": signed_by_name,
            "unsigned_reason": report.unsigned_reason,
            "follow_up_needed": follow_up_needed,
            "follow_up_ticket_id": order.follow_up_ticket_id,
        },
    )
    summary = findings if len(findings) <= 140 else findings[:139] + "…"
    _timeline(order, "work_order_completed", actor=actor, data={"kind": order.kind, "findings": summary}, units=units)
    if order.follow_up_ticket is not None:
        ticket = order.follow_up_ticket
        work_order_event(order, "follow_up_opened", actor=actor, data={"ticket_id": ticket.pk, "number": ticket.number})
        _timeline(
            order, "work_order_follow_up", actor=actor, data={"ticket": ticket.reference, "ticket_id": ticket.pk}, units=units
        )
    _customer_tell(order, report, units, actor=actor)
    # Capabilities above field service (the feedback survey) act once the completion is committed.
    order_id = order.pk
    transaction.on_commit(lambda: work_order_completed.send(sender=WorkOrder, work_order_id=order_id))
    return report
