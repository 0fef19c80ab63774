"""The demo company's field service: zones, two technicians with hours, languages and certifications (one about
to expire), visits proposed after recent sales, and a few of them booked this week.

Everything goes through the field-service services, so bookings carry their history, timeline entries,
invitations and customer emails as real ones do.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aftersales.catalog.models import Category
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import User
from aftersales.customers.models import Customer
from aftersales.fieldwork.models import ServiceZone, Technician, WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.fieldwork.services import scheduling, technicians
from aftersales.fieldwork.services.after_sale import after_sale_propose
from aftersales.fieldwork.services.orders import work_order_create
from aftersales.fieldwork.slots import slots_propose
from aftersales.sales.models import Unit

ZONES = [
    ("madrid", "Madrid", "Madrid", "28"),
    ("barcelona", "Barcelona", "Barcelona", "08"),
    ("london", "London", "Londres", "SW N E SE NW W"),
    ("manchester", "Manchester", "Mánchester", "M"),
]
MORNING_AND_AFTERNOON = [(dt.time(8), dt.time(14)), (dt.time(15), dt.time(18))]
OFFICE_DAY = [(dt.time(9), dt.time(17, 30))]
# Visits the demo books in the coming week, out of the ones proposed.
DEMO_BOOKINGS = 6


def _technician(user: User, *, zones: list[ServiceZone], languages: list[str], hours: list[tuple[dt.time, dt.time]]) -> None:
    technician = technicians.technician_create(
        actor=None, user=user, data={"zone_ids": [zone.pk for zone in zones], "home_zone_id": zones[0].pk, "languages": languages}
    )
    technicians.technician_shifts_set(
        actor=None,
        technician=technician,
        rows=[{"weekday": day, "starts_at": start, "ends_at": end} for day in range(5) for start, end in hours],
    )


def fieldwork_build(*, staff: dict[str, User], today: dt.date) -> int:
    """Set up zones and technicians, propose visits after recent sales, book a few; return the visits booked."""
    manager = staff["manager"]
    luis, sarah = staff["tech.luis"], staff["tech.sarah"]
    if Technician.objects.filter(user__in=[luis, sarah]).exists():
        # Appending to an existing demo: the setup is there; only new sales get their visits.
        after_sale_propose(today=today)
        return 0
    zones = {
        code: ServiceZone.objects.filter(code=code).first()
        or technicians.zone_create(actor=None, data={"code": code, "name": name, "name_es": name_es, "postal_prefixes": prefixes})
        for code, name, name_es, prefixes in ZONES
    }
    _technician(luis, zones=[zones["madrid"], zones["barcelona"]], languages=["es", "en"], hours=MORNING_AND_AFTERNOON)
    _technician(sarah, zones=[zones["london"], zones["manchester"]], languages=["en"], hours=OFFICE_DAY)
    now = timezone.localdate()
    certified_on = now - dt.timedelta(days=365)
    for user, slugs in ((luis, ["appliances", "machinery", "bicycles"]), (sarah, ["appliances", "electronics", "furniture"])):
        for slug in slugs:
            category = Category.objects.filter(slug=slug).first()
            if category is None:
                continue
            # Luis's machinery certificate runs out in three weeks: the screens warn about it.
            expires = now + dt.timedelta(days=21) if slug == "machinery" else now + dt.timedelta(days=730)
            technicians.certification_add(
                actor=manager,
                technician=user.technician,
                category=category,
                certified_on=certified_on,
                expires_on=expires,
                reference=f"CERT-{slug[:4].upper()}-{user.username.split('.')[-1].upper()}",
            )
    technicians.technician_absence_add(
        actor=manager,
        technician=sarah.technician,
        starts_on=now + dt.timedelta(days=14),
        ends_on=now + dt.timedelta(days=18),
        reason="Annual leave",
    )
    after_sale_propose(today=today)
    # A couple of repairs reported by customers in the covered zones.
    for customer in Customer.objects.filter(postal_code__regex=r"^(28|08|SW|M)").order_by("email")[:3]:
        unit = Unit.objects.filter(customer=customer).select_related("product").order_by("pk").first()
        if unit is not None:
            work_order_create(
                actor=manager,
                kind=WorkOrderKind.REPAIR,
                customer=customer,
                units=[unit],
                description="The customer reports a fault; diagnose and repair on site.",
                duration_minutes=90,
            )
    booked = 0
    start_day = max(today, now) + dt.timedelta(days=1)
    for order in WorkOrder.objects.filter(status=WorkOrderStatus.PROPOSED).order_by("pk"):
        if booked >= DEMO_BOOKINGS:
            break
        offered = slots_propose(order, start_day, days=7, limit=1)
        if not offered:
            continue
        person = User.objects.get(pk=offered[0].assignee_id)
        try:
            scheduling.work_order_schedule(actor=manager, work_order=order, assignee=person, start=offered[0].start)
        except (ValidationFailed, Conflict):
            continue
        booked += 1
    return booked
