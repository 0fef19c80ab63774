"""Each trigger and condition finds the right customers on the right day, computed in SQL over the installed base."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.core.models import TimelineEvent
from aftersales.customers.services import segment_get_or_create
from aftersales.messaging.models import Message
from tests.factories import CategoryFactory, CustomerFactory
from tests.followup.helpers import (
    BIRTHDAY,
    CHECK_IN,
    EXCHANGE,
    MAINTENANCE,
    WARRANTY_OFFER,
    at,
    bought,
    custom_step,
    only_steps,
    sweep_on,
    touches,
)

pytestmark = pytest.mark.django_db


def due_days(step_name: str | None = None) -> list[tuple[str, dt.date]]:
    return [(touch.customer.name, touch.due_on) for touch in touches(step_name)]


def test_the_warranty_offer_goes_thirty_days_before_the_last_day_of_the_warranty():
    only_steps(WARRANTY_OFFER)
    customer = CustomerFactory(name="Ann", consent_email_at=at(dt.date(2024, 1, 1)))
    # delivered 31 January 2024 with 24 months: covered up to 30 January 2026 inclusive
    unit = bought(customer, sold_on=dt.date(2024, 1, 30), delivered_on=dt.date(2024, 1, 31), warranty_months=24)
    assert unit.warranty_end == dt.date(2026, 1, 30)

    sweep_on(dt.date(2025, 12, 30))
    assert due_days() == []
    sweep_on(dt.date(2025, 12, 31))
    assert due_days() == [("Ann", dt.date(2025, 12, 31))]
    assert Message.objects.get().template_code == "warranty_ending"


def test_a_birthday_on_29_february_is_greeted_on_28_february_in_other_years():
    only_steps(BIRTHDAY)
    CustomerFactory(name="Leap", birthday=dt.date(1984, 2, 29), consent_email_at=at(dt.date(2024, 1, 1)))
    CustomerFactory(name="March", birthday=dt.date(1990, 3, 1), consent_email_at=at(dt.date(2024, 1, 1)))

    for day in (dt.date(2025, 2, 27), dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2028, 2, 29)):
        sweep_on(day)

    assert due_days() == [("Leap", dt.date(2025, 2, 28)), ("March", dt.date(2025, 3, 1)), ("Leap", dt.date(2028, 2, 29))]
    assert [touch.occurrence_key for touch in touches()] == ["2025", "2025", "2028"]


def test_maintenance_reminders_come_at_every_interval_from_installation():
    only_steps(MAINTENANCE)
    customer = CustomerFactory(name="Boiler owner")
    bought(
        customer,
        sold_on=dt.date(2024, 8, 28),
        delivered_on=dt.date(2024, 8, 29),
        installed_on=dt.date(2024, 8, 31),
        maintenance_interval_months=6,
    )
    bought(CustomerFactory(name="No maintenance"), sold_on=dt.date(2024, 8, 31), delivered_on=dt.date(2024, 8, 31))

    day = dt.date(2024, 9, 1)
    while day <= dt.date(2025, 9, 5):
        sweep_on(day)
        day += dt.timedelta(days=1)

    # 31 August + 6 months is 28 February; + 12 months is 31 August again
    assert due_days() == [("Boiler owner", dt.date(2025, 2, 28)), ("Boiler owner", dt.date(2025, 8, 31))]


def test_the_exchange_reminder_comes_before_the_window_closes():
    only_steps(EXCHANGE)  # five days before
    customer = CustomerFactory(name="Exchanger")
    bought(customer, sold_on=dt.date(2025, 4, 1), delivered_on=dt.date(2025, 4, 2), exchange_window_days=30)
    bought(
        CustomerFactory(name="No window"), sold_on=dt.date(2025, 4, 1), delivered_on=dt.date(2025, 4, 2), exchange_window_days=0
    )

    sweep_on(dt.date(2025, 4, 27))

    # delivered 2 April, exchangeable for 30 days: until 2 May; the reminder names that day
    assert due_days() == [("Exchanger", dt.date(2025, 4, 27))]
    message = Message.objects.get()
    assert message.template_code == "exchange_window_closing"
    assert touches()[0].anchor_on == dt.date(2025, 5, 2)
    assert "2025" in message.subject and "May" in message.subject


def test_high_value_check_ins_come_every_six_months_from_the_latest_big_sale():
    only_steps(CHECK_IN)  # every 6 months after a sale of 2,000 or more
    big = CustomerFactory(name="Big")
    small = CustomerFactory(name="Small")
    bought(big, sold_on=dt.date(2024, 1, 15), total="2500.00")
    bought(small, sold_on=dt.date(2024, 1, 15), total="1999.99")
    sweep_on(dt.date(2024, 7, 15))

    bought(big, sold_on=dt.date(2024, 9, 1), total="3000.00")  # a new big purchase restarts the clock
    for day in (dt.date(2025, 1, 15), dt.date(2025, 3, 1), dt.date(2025, 9, 1)):
        sweep_on(day)

    assert due_days() == [("Big", dt.date(2024, 7, 15)), ("Big", dt.date(2025, 3, 1)), ("Big", dt.date(2025, 9, 1))]


def test_no_contact_for_ninety_days_counts_from_the_latest_contact():
    custom_step(name="Silent customers", trigger="no_contact", offset_days=90)
    quiet = CustomerFactory(name="Quiet", created_at=at(dt.date(2024, 1, 1)))
    recent = CustomerFactory(name="Recent", created_at=at(dt.date(2024, 1, 1)))
    CustomerFactory(name="Never", created_at=at(dt.date(2025, 1, 2)))
    for customer, day in ((quiet, dt.date(2025, 1, 1)), (recent, dt.date(2025, 3, 1))):
        TimelineEvent.objects.create(customer=customer, kind="message_sent", occurred_at=at(day), data={})
    # logging an unanswered call is not contact
    TimelineEvent.objects.create(
        customer=quiet, kind="followup_task_outcome", occurred_at=at(dt.date(2025, 2, 1)), data={"reached": False}
    )

    sweep_on(dt.date(2025, 4, 1))
    sweep_on(dt.date(2025, 4, 2))

    assert due_days() == [("Quiet", dt.date(2025, 4, 1)), ("Never", dt.date(2025, 4, 2))]


def test_a_resolved_ticket_triggers_a_step_from_the_service_desks_timeline_event():
    custom_step(name="After a repair", trigger="ticket_resolved", offset_days=2)
    customer = CustomerFactory(name="Repaired")
    TimelineEvent.objects.create(
        customer=customer, kind="ticket_resolved", occurred_at=at(dt.date(2025, 5, 5)), data={"ticket_id": 77}
    )

    sweep_on(dt.date(2025, 5, 6))
    sweep_on(dt.date(2025, 5, 7))

    [touch] = touches()
    assert (touch.due_on, touch.occurrence_key) == (dt.date(2025, 5, 7), "ticket:77")


def test_a_category_scope_covers_the_categories_below_it_and_nothing_else():
    bikes = CategoryFactory(slug="bikes")
    ebikes = CategoryFactory(slug="e-bikes", parent=bikes)
    appliances = CategoryFactory(slug="appliances")
    step = custom_step(name="Bike check", trigger="delivery", offset_days=3, category_ids=[bikes.pk])
    for name, category in (("Cyclist", ebikes), ("Cook", appliances)):
        bought(CustomerFactory(name=name), sold_on=dt.date(2025, 5, 1), delivered_on=dt.date(2025, 5, 1), category=category)
    assert step.categories.count() == 1

    sweep_on(dt.date(2025, 5, 4))

    assert due_days() == [("Cyclist", dt.date(2025, 5, 4))]


def test_segment_consent_and_sale_value_conditions_must_all_hold():
    vip = segment_get_or_create(slug="vip", name="VIP")
    custom_step(
        name="VIP texts",
        trigger="sale",
        offset_days=1,
        segment_ids=[vip.pk],
        consent_channel="sms",
        min_sale_value="1000",
    )
    consent = {"consent_sms_at": at(dt.date(2024, 1, 1))}
    everyone = CustomerFactory(name="Everything", **consent)
    no_consent = CustomerFactory(name="No consent")
    not_vip = CustomerFactory(name="Not VIP", **consent)
    small = CustomerFactory(name="Small sale", **consent)
    for customer in (everyone, no_consent, small):
        customer.segments.add(vip)
    for customer in (everyone, no_consent, not_vip):
        bought(customer, sold_on=dt.date(2025, 6, 1), total="1500.00")
    bought(small, sold_on=dt.date(2025, 6, 1), total="999.00")

    sweep_on(dt.date(2025, 6, 2))

    assert due_days() == [("Everything", dt.date(2025, 6, 2))]


def test_a_returned_unit_gets_no_more_reminders():
    only_steps(MAINTENANCE)
    unit = bought(
        CustomerFactory(), sold_on=dt.date(2025, 1, 10), delivered_on=dt.date(2025, 1, 10), maintenance_interval_months=1
    )
    unit.status = "returned"
    unit.save()

    sweep_on(dt.date(2025, 2, 10))

    assert touches() == []
