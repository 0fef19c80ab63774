"""Carrying out a visit: checklists, start, parts, time, photos, the report with its sign-off and what follows."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.catalog.models import PartMovement
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.core.roles import Role
from aftersales.fieldwork import services
from aftersales.fieldwork.models import (
    VisitPhoto,
    VisitReport,
    WorkOrderEvent,
    WorkOrderKind,
    WorkOrderPart,
    WorkOrderStatus,
)
from aftersales.messaging.models import Message
from aftersales.service.models import Ticket
from aftersales.warranty.coverage import coverage_on
from aftersales.warranty.models import CostEntry, CostKind, CostSource
from tests.factories import CategoryFactory, CustomerFactory, staff
from tests.fieldwork.visits_helpers import (
    PNG,
    VISIT_DAY,
    booked,
    covered_unit,
    part_in_stock,
    sold_unit,
    template_with,
    uncovered_unit,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _visit_day(settings):
    settings.MESSAGING_QUIET_HOURS = None
    with time_machine.travel(VISIT_DAY, tick=False):
        yield


def started(order, actor):
    return services.visit_start(actor=actor, order=order)


def complete(order, actor, **overrides):
    fields = {"findings": "Pump blocked by a coin.", "work_done": "Cleared the pump.", "signed_by_name": "Ana García"}
    fields.update(overrides)
    return services.visit_complete(actor=actor, order=order, **fields)


# --- checklists -----------------------------------------------------------------------------------


def test_the_category_template_beats_the_one_for_all_categories(technician):
    washers = CategoryFactory(slug="washers")
    template_with(kind=WorkOrderKind.INSTALLATION, steps=["Generic step"], name="Any installation")
    template_with(kind=WorkOrderKind.INSTALLATION, steps=["Level the washer", "Remove transit bolts"], category=washers)
    template_with(kind=WorkOrderKind.REPAIR, steps=["Repair step"], category=washers)

    order = booked(assignee=technician, units=[covered_unit(category=washers)], kind=WorkOrderKind.INSTALLATION)

    assert [item.text for item in order.checklist.all()] == ["Level the washer", "Remove transit bolts"]
    assert order.checklist.first().text_es == "ES Level the washer"


def test_a_parent_category_template_applies_and_otherwise_the_generic_one(technician):
    appliances = CategoryFactory(slug="appliances")
    fridges = CategoryFactory(slug="fridges", parent=appliances)
    template_with(kind=WorkOrderKind.MAINTENANCE, steps=["Generic"], name="Any maintenance")
    template_with(kind=WorkOrderKind.MAINTENANCE, steps=["Clean the condenser"], category=appliances)

    fridge_visit = booked(assignee=technician, units=[covered_unit(category=fridges)], kind=WorkOrderKind.MAINTENANCE)
    bike_visit = booked(assignee=technician, units=[covered_unit(category=CategoryFactory())], kind=WorkOrderKind.MAINTENANCE)

    assert [item.text for item in fridge_visit.checklist.all()] == ["Clean the condenser"]
    assert [item.text for item in bike_visit.checklist.all()] == ["Generic"]


def test_a_template_written_after_booking_reaches_the_order_when_the_visit_starts(technician):
    order = booked(assignee=technician, units=[covered_unit()])
    assert not order.checklist.exists()
    template_with(kind=WorkOrderKind.REPAIR, steps=["Check the hoses"])

    started(order, technician)

    assert [item.text for item in order.checklist.all()] == ["Check the hoses"]


def test_ticking_a_step_records_who_when_and_the_note_and_untick_clears_it(technician):
    template_with(kind=WorkOrderKind.REPAIR, steps=["Check the hoses"])
    order = booked(assignee=technician, units=[covered_unit()])
    item = order.checklist.get()
    with pytest.raises(Conflict):
        services.checklist_item_tick(actor=technician, item=item, done=True)
    started(order, technician)

    item = services.checklist_item_tick(actor=technician, item=item, done=True, note="Hose replaced last year")

    assert item.done and item.done_by == technician and item.done_at == VISIT_DAY and item.note == "Hose replaced last year"
    item = services.checklist_item_tick(actor=technician, item=item, done=False)
    assert not item.done and item.done_by is None and item.done_at is None
    assert list(order.events.filter(kind__in=("checklist_ticked", "checklist_unticked")).values_list("kind", flat=True)) == [
        "checklist_ticked",
        "checklist_unticked",
    ]


# --- starting -------------------------------------------------------------------------------------


def test_the_assignee_starts_a_booked_visit_and_it_shows_on_the_timelines(technician):
    unit = covered_unit()
    order = booked(assignee=technician, units=[unit])

    order = started(order, technician)

    assert order.status == WorkOrderStatus.IN_PROGRESS and order.started_at == VISIT_DAY
    assert order.events.filter(kind="started", actor=technician).exists()
    assert TimelineEvent.objects.filter(unit=unit, customer=unit.customer, kind="work_order_started").exists()


def test_another_technician_cannot_act_on_the_visit_but_a_manager_can(technician, manager):
    other = staff(Role.TECHNICIAN)
    order = booked(assignee=technician, units=[covered_unit()])

    with pytest.raises(PermissionDenied):
        started(order, other)
    assert started(order, manager).status == WorkOrderStatus.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        services.visit_time_add(actor=other, order=order, minutes=30)
    with pytest.raises(PermissionDenied):
        complete(order, other)


def test_an_agent_who_books_visits_cannot_carry_them_out(agent, technician):
    order = booked(assignee=agent, units=[covered_unit()])
    with pytest.raises(PermissionDenied):
        started(order, agent)


@pytest.mark.parametrize("status", [WorkOrderStatus.PROPOSED, WorkOrderStatus.CANCELLED, WorkOrderStatus.NO_SHOW])
def test_only_a_scheduled_or_confirmed_visit_can_be_started(technician, status):
    order = booked(assignee=technician, units=[covered_unit()], status=status)
    with pytest.raises(Conflict):
        started(order, technician)
    order.refresh_from_db()
    assert order.status == status and order.started_at is None


# --- parts ----------------------------------------------------------------------------------------


def test_a_part_on_a_unit_under_warranty_is_covered_and_on_an_old_unit_billable(technician):
    pump = part_in_stock(stock=5, cost="12.50")
    under_warranty = started(booked(assignee=technician, units=[covered_unit()]), technician)
    out_of_warranty = started(booked(assignee=technician, units=[uncovered_unit()]), technician)

    covered = services.visit_part_add(actor=technician, order=under_warranty, part=pump, quantity=2)
    billable = services.visit_part_add(actor=technician, order=out_of_warranty, part=pump, quantity=1)

    assert covered.covered and not billable.covered
    pump.refresh_from_db()
    assert pump.stock_on_hand == 2
    entries = CostEntry.objects.filter(source=CostSource.VISIT, kind=CostKind.PARTS).order_by("id")
    assert [(entry.source_id, entry.amount, entry.covered) for entry in entries] == [
        (under_warranty.pk, Decimal("25.00"), True),
        (out_of_warranty.pk, Decimal("12.50"), False),
    ]
    assert TimelineEvent.objects.filter(kind="work_order_part_used", unit=under_warranty.units.get()).exists()


def test_an_out_of_stock_part_is_refused_and_nothing_is_half_written(technician):
    pump = part_in_stock(stock=1)
    order = started(booked(assignee=technician, units=[covered_unit()]), technician)
    events_before = order.events.count()

    with pytest.raises(ValidationFailed) as refused:
        services.visit_part_add(actor=technician, order=order, part=pump, quantity=3)

    assert refused.value.errors[0].field == "quantity" and refused.value.errors[0].code == "out_of_stock"
    pump.refresh_from_db()
    assert pump.stock_on_hand == 1
    assert not WorkOrderPart.objects.exists()
    assert not CostEntry.objects.exists()
    assert not PartMovement.objects.exists()
    assert order.events.count() == events_before
    assert not TimelineEvent.objects.filter(kind="work_order_part_used").exists()


def test_removing_a_part_puts_it_back_in_stock_and_reverses_its_cost(technician):
    pump = part_in_stock(stock=5, cost="10.00")
    order = started(booked(assignee=technician, units=[uncovered_unit()]), technician)
    used = services.visit_part_add(actor=technician, order=order, part=pump, quantity=2)

    services.visit_part_remove(actor=technician, used=used)

    pump.refresh_from_db()
    assert pump.stock_on_hand == 5
    assert not order.parts_used.exists()
    assert sorted(CostEntry.objects.values_list("amount", flat=True)) == [Decimal("-20.00"), Decimal("20.00")]


def test_a_part_for_a_unit_not_on_the_visit_is_refused(technician):
    order = started(booked(assignee=technician, units=[covered_unit()]), technician)
    with pytest.raises(ValidationFailed) as refused:
        services.visit_part_add(actor=technician, order=order, part=part_in_stock(), quantity=1, unit=covered_unit())
    assert refused.value.errors[0].field == "unit_id"


# --- time -----------------------------------------------------------------------------------------


def test_time_spent_costs_labour_at_the_hourly_rate_shared_among_the_units(technician, settings):
    settings.FIELDWORK_LABOUR_RATE = "50.00"
    customer = CustomerFactory()
    new, old = covered_unit(customer=customer), uncovered_unit(customer=customer)
    order = started(booked(assignee=technician, units=[new, old]), technician)

    entry = services.visit_time_add(actor=technician, order=order, minutes=25, note="Diagnosis")

    assert entry.minutes == 25 and entry.user == technician
    labour = {cost.unit_id: (cost.amount, cost.covered) for cost in CostEntry.objects.filter(kind=CostKind.LABOUR)}
    # 25 minutes at 50.00 an hour is 20.83, split as 10.42 + 10.41.
    assert labour == {new.pk: (Decimal("10.42"), True), old.pk: (Decimal("10.41"), False)}


def test_time_needs_a_positive_number_of_minutes(technician):
    order = started(booked(assignee=technician, units=[covered_unit()]), technician)
    with pytest.raises(ValidationFailed) as refused:
        services.visit_time_add(actor=technician, order=order, minutes=0)
    assert refused.value.errors[0].field == "minutes"
    assert not order.time_entries.exists() and not CostEntry.objects.exists()


# --- photos ---------------------------------------------------------------------------------------


def test_a_photo_is_kept_privately_and_a_file_that_is_no_photo_is_refused(technician):
    order = started(booked(assignee=technician, units=[covered_unit()]), technician)

    photo = services.visit_photo_add(
        actor=technician, order=order, upload=SimpleUploadedFile("meter.png", PNG), caption="Meter reading"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.visit_photo_add(actor=technician, order=order, upload=SimpleUploadedFile("evil.png", b"MZ\x90\x00" * 20))

    assert photo.content_type == "image/png" and photo.file.name.startswith("fieldwork/photos/")
    assert "meter" not in photo.file.name
    assert refused.value.errors[0].field == "photo" and refused.value.errors[0].code == "file_type"
    assert VisitPhoto.objects.count() == 1


def test_a_photo_larger_than_the_limit_is_refused(technician, settings):
    settings.FIELDWORK_PHOTO_MAX_BYTES = 50
    order = started(booked(assignee=technician, units=[covered_unit()]), technician)
    with pytest.raises(ValidationFailed) as refused:
        services.visit_photo_add(actor=technician, order=order, upload=SimpleUploadedFile("big.png", PNG))
    assert refused.value.errors[0].code == "too_large"


# --- completing -----------------------------------------------------------------------------------


def test_completing_needs_the_customers_sign_off_or_the_reason_there_is_none(technician):
    order = started(booked(assignee=technician, units=[covered_unit()]), technician)

    with pytest.raises(ValidationFailed) as refused:
        complete(order, technician, signed_by_name="  ")
    assert [(error.field, error.code) for error in refused.value.errors] == [("signed_by_name", "signature_required")]
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.IN_PROGRESS and not VisitReport.objects.exists()

    report = complete(order, technician, signed_by_name="", unsigned_reason="Customer not present; neighbour let us in")
    assert report.signed_at is None and report.unsigned_reason.startswith("Customer not present")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.COMPLETED and order.completed_at == VISIT_DAY


def test_a_signed_report_completes_the_visit_and_emails_the_customer_in_their_language(technician):
    unit = covered_unit(customer=CustomerFactory(language="es", name="Ana García"))
    order = started(booked(assignee=technician, units=[unit]), technician)
    services.visit_part_add(actor=technician, order=order, part=part_in_stock(), quantity=1)

    report = complete(order, technician)

    assert report.signed_by_name == "Ana García" and report.signed_at == VISIT_DAY and report.written_by == technician
    message = Message.objects.get(template_code="visit_report", customer=unit.customer)
    assert message.language == "es"
    assert order.reference in message.subject and "Lo que encontramos" in message.body
    assert "Pump blocked by a coin." in message.body and "Bomba de desagüe" in message.body
    assert TimelineEvent.objects.filter(kind="work_order_completed", unit=unit).exists()
    assert order.events.filter(kind="completed").exists()


def test_a_follow_up_opens_one_ticket_even_when_the_completion_is_retried(technician, rep):
    unit = covered_unit()
    order = started(booked(assignee=technician, units=[unit]), technician)

    complete(order, technician, follow_up_needed=True, follow_up_note="Order a new door seal and come back.")
    complete(order, technician, follow_up_needed=True, follow_up_note="Order a new door seal and come back.")

    order.refresh_from_db()
    ticket = Ticket.objects.get()
    assert order.follow_up_ticket == ticket
    assert ticket.customer == unit.customer and ticket.unit == unit
    assert "Order a new door seal" in ticket.messages.first().body
    assert VisitReport.objects.count() == 1 and Message.objects.filter(template_code="visit_report").count() == 1
    assert WorkOrderEvent.objects.filter(work_order=order, kind="follow_up_opened").count() == 1
    assert TimelineEvent.objects.filter(kind="work_order_follow_up", unit=unit).count() == 1


def test_a_follow_up_needs_a_note(technician):
    order = started(booked(assignee=technician, units=[covered_unit()]), technician)
    with pytest.raises(ValidationFailed) as refused:
        complete(order, technician, follow_up_needed=True)
    assert refused.value.errors[0].field == "follow_up_note"
    assert not Ticket.objects.exists()


def test_completing_an_installation_marks_the_unit_installed_and_starts_its_warranty(technician):
    unit = sold_unit(starts="installation", delivered_at=None)
    assert coverage_on(unit=unit, on=VISIT_DAY.date()).reason == "not_started_installation"
    order = started(booked(assignee=technician, units=[unit], kind=WorkOrderKind.INSTALLATION), technician)

    complete(order, technician)

    unit.refresh_from_db()
    assert unit.installed_at == VISIT_DAY and unit.delivered_at == VISIT_DAY
    coverage = coverage_on(unit=unit, on=VISIT_DAY.date())
    assert coverage.covered and coverage.reason == "standard_installation" and coverage.valid_from == VISIT_DAY.date()
    assert TimelineEvent.objects.filter(kind="installed", unit=unit).exists()


def test_completing_a_delivery_visit_marks_undelivered_units_delivered(rep):
    unit = sold_unit(delivered_at=None)
    order = started(booked(assignee=rep, units=[unit], kind=WorkOrderKind.DELIVERY), rep)

    complete(order, rep)

    unit.refresh_from_db()
    assert unit.delivered_at == VISIT_DAY and unit.installed_at is None


def test_a_visit_that_is_not_started_cannot_be_completed(technician):
    order = booked(assignee=technician, units=[covered_unit()])
    with pytest.raises(Conflict):
        complete(order, technician)
    assert not VisitReport.objects.exists()


def test_completing_a_visit_tells_the_capabilities_above_once_it_is_committed(technician, django_capture_on_commit_callbacks):
    # Feedback sends its survey about the visit from this signal; it must not fire for a rolled-back completion.
    from aftersales.fieldwork.signals import work_order_completed

    received: list[int] = []

    def listener(sender, work_order_id, **kwargs):
        received.append(work_order_id)

    work_order_completed.connect(listener, dispatch_uid="test-listener")
    try:
        order = started(booked(assignee=technician, units=[covered_unit()]), technician)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            complete(order, technician)
        assert received == []
        for callback in callbacks:
            callback()
        assert received == [order.pk]
    finally:
        work_order_completed.disconnect(dispatch_uid="test-listener")
