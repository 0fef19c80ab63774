"""Creating work orders and writing their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.timeline import timeline_record
from aftersales.fieldwork.models import ServiceZone, WorkOrder, WorkOrderEvent, WorkOrderKind
from aftersales.fieldwork.services.checklists import work_order_checklist_copy

if TYPE_CHECKING:
    from aftersales.core.models import User
    from aftersales.customers.models import Customer
    from aftersales.sales.models import Sale, Unit
    from aftersales.service.models import Ticket
    from aftersales.warranty.models import RepairOrder

DESCRIPTION_MAX = 5000
DURATION_MAX_MINUTES = 12 * 60


def work_order_event(
    work_order: WorkOrder, kind: str, *, actor: User | None, data: Mapping[str, Any] | None = None
) -> WorkOrderEvent:
    """Append a fact to a work order's history."""
    return WorkOrderEvent.objects.create(work_order=work_order, kind=kind, actor=actor, data=dict(data or {}))


def zone_for_postal_code(postal_code: str) -> ServiceZone | None:
    """Return the zone whose longest postal-code prefix matches, if any."""
    code = postal_code.replace(" ", "").upper()
    if not code:
        return None
    best: tuple[int, ServiceZone] | None = None
    for zone in ServiceZone.objects.exclude(postal_prefixes=""):
        for prefix in zone.prefixes:
            if code.startswith(prefix.upper()) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), zone)
    return best[1] if best else None


def work_order_create(
    *,
    actor: User | None,
    kind: str,
    customer: Customer,
    units: Iterable[Unit] = (),
    sale: Sale | None = None,
    ticket: Ticket | None = None,
    repair_order: RepairOrder | None = None,
    description: str = "",
    duration_minutes: int = 60,
    address: str | None = None,
    postal_code: str | None = None,
    origin_key: str | None = None,
) -> WorkOrder:
    """Create a work order to be scheduled, for units of one customer; one per origin key."""
    if origin_key:
        existing = WorkOrder.objects.filter(origin_key=origin_key).first()
        if existing is not None:
            return existing
    units = list(units)
    errors: list[FieldError] = []
    if kind not in WorkOrderKind.values:
        errors.append(FieldError("kind", one_of(WorkOrderKind.values), code="invalid_choice"))
    foreign = [u.serial for u in units if u.customer_id != customer.pk]
    if foreign:
        errors.append(
            FieldError(
                "units", interpolate(_("%(serials)s not owned by this customer"), serials=", ".join(foreign)), code="not_owned"
            )
        )
    if sale is not None and sale.customer_id != customer.pk:
        errors.append(FieldError("sale", _("belongs to another customer"), code="not_owned"))
    if ticket is not None and ticket.customer_id != customer.pk:
        errors.append(FieldError("ticket", _("belongs to another customer"), code="not_owned"))
    if repair_order is not None and repair_order.customer_id != customer.pk:
        errors.append(FieldError("repair_order", _("belongs to another customer"), code="not_owned"))
    if not 0 < duration_minutes <= DURATION_MAX_MINUTES:
        errors.append(FieldError("duration_minutes", interpolate(_("must be between 1 and %(max)s"), max=DURATION_MAX_MINUTES)))
    if len(description) > DESCRIPTION_MAX:
        errors.append(FieldError("description", interpolate(_("Keep it under %(max)s characters."), max=DESCRIPTION_MAX)))
    if errors:
        raise ValidationFailed(errors=errors)
    postal_code = customer.postal_code if postal_code is None else postal_code
    try:
        with transaction.atomic():
            order = WorkOrder.objects.create(
                kind=kind,
                customer=customer,
                sale=sale,
                ticket=ticket,
                repair_order=repair_order,
                description=description,
                duration_minutes=duration_minutes,
                address=customer.address if address is None else address,
                postal_code=postal_code,
                zone=zone_for_postal_code(postal_code),
                origin_key=origin_key or None,
                created_by=actor,
            )
            order.units.set(units)
            # The checklist is copied when the order is created (and again at the start if it had none).
            work_order_checklist_copy(order=order, actor=actor)
            work_order_event(order, "created", actor=actor, data={"kind": kind, "units": [u.pk for u in units]})
            data = {"reference": order.reference, "kind": kind, "work_order_id": order.pk}
            if len(units) == 1:
                timeline_record(customer=customer, unit=units[0], kind="work_order_created", actor=actor, data=data)
            else:
                timeline_record(customer=customer, kind="work_order_created", actor=actor, data=data)
                for unit in units:
                    timeline_record(customer=customer, unit=unit, kind="work_order_created", actor=actor, data=data)
    except IntegrityError:
        if origin_key:
            return WorkOrder.objects.get(origin_key=origin_key)
        raise
    return order
