"""The customer and unit timeline: append-only, newest first, rendered through registered kinds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import (
    event_describe,
    event_label,
    kind_get,
    kind_register,
    timeline_build,
    timeline_for_customer,
    timeline_for_unit,
    timeline_record,
)
from aftersales.sales.services import unit_mark_delivered, unit_set_status
from tests.factories import CustomerFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _at(day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, 3, day, 12, 0))


# --- append-only ---------------------------------------------------------------------------------


def test_a_recorded_event_cannot_be_changed(customer):
    event = timeline_record(customer=customer, kind="customer_created")
    event.kind = "sold"

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    assert TimelineEvent.objects.get(pk=event.pk).kind == "customer_created"


def test_a_recorded_event_cannot_be_deleted(customer):
    event = timeline_record(customer=customer, kind="customer_created")

    with pytest.raises(ValueError, match="append-only"):
        event.delete()

    assert TimelineEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_rewritten_or_removed_in_bulk(customer):
    timeline_record(customer=customer, kind="customer_created")

    with pytest.raises(ValueError, match="append-only"):
        TimelineEvent.objects.filter(customer=customer).update(kind="sold")
    with pytest.raises(ValueError, match="append-only"):
        TimelineEvent.objects.filter(customer=customer).delete()
    with pytest.raises(ValueError, match="append-only"):
        customer.timeline_events.all().delete()

    assert list(TimelineEvent.objects.values_list("kind", flat=True)) == ["customer_created"]


def test_an_unregistered_kind_is_refused_and_nothing_is_written(customer):
    with pytest.raises(ValueError, match="Unregistered"):
        timeline_record(customer=customer, kind="made_up")

    assert not TimelineEvent.objects.exists()


# --- who and when --------------------------------------------------------------------------------


def test_the_actor_and_the_moment_are_recorded(customer, agent):
    event = timeline_record(customer=customer, kind="customer_created", actor=agent, occurred_at=_at(3))

    event.refresh_from_db()
    assert event.actor == agent
    assert event.occurred_at == _at(3)
    assert event.recorded_at <= timezone.now()


def test_an_anonymous_actor_is_recorded_as_nobody(customer):
    event = timeline_record(customer=customer, kind="customer_created", actor=AnonymousUser())

    assert event.actor is None


def test_the_moment_defaults_to_now(customer):
    before = timezone.now()

    event = timeline_record(customer=customer, kind="customer_created")

    assert before <= event.occurred_at <= timezone.now()


def test_data_is_copied_not_shared(customer):
    data = {"channel": "Email"}
    event = timeline_record(customer=customer, kind="consent_changed", data=data)
    data["channel"] = "SMS"

    event.refresh_from_db()
    assert event.data == {"channel": "Email"}


# --- reading ---------------------------------------------------------------------------------------


def test_customer_timeline_is_newest_first_whatever_the_order_of_recording(customer):
    timeline_record(customer=customer, kind="customer_created", occurred_at=_at(1))
    timeline_record(customer=customer, kind="portal_sign_in", occurred_at=_at(10))
    timeline_record(customer=customer, kind="consent_changed", occurred_at=_at(5))
    timeline_record(customer=CustomerFactory(), kind="customer_created", occurred_at=_at(7))

    kinds = [e.kind for e in timeline_for_customer(customer_id=customer.pk)]

    assert kinds == ["portal_sign_in", "consent_changed", "customer_created"]


def test_events_at_the_same_moment_list_the_later_recorded_first(customer):
    first = timeline_record(customer=customer, kind="customer_created", occurred_at=_at(2))
    second = timeline_record(customer=customer, kind="portal_sign_in", occurred_at=_at(2))

    assert [e.pk for e in timeline_for_customer(customer_id=customer.pk)] == [second.pk, first.pk]


def test_unit_timeline_holds_only_that_units_events(customer, technician):
    washer = UnitFactory(sale_line__sale__customer=customer)
    dryer = UnitFactory(sale_line__sale__customer=customer)
    timeline_record(customer=customer, kind="customer_created")
    unit_mark_delivered(actor=technician, unit=washer, delivered_at=_at(5))
    unit_mark_delivered(actor=technician, unit=dryer, delivered_at=_at(6))
    unit_set_status(actor=technician, unit=washer, status="returned")

    washer_events = list(timeline_for_unit(unit_id=washer.pk))
    customer_events = list(timeline_for_customer(customer_id=customer.pk))

    assert [e.kind for e in washer_events] == ["unit_status_changed", "delivered"]
    assert {e.unit_id for e in washer_events} == {washer.pk}
    assert all(e.actor == technician for e in washer_events)
    assert len(customer_events) == 4


def test_events_built_for_bulk_insertion_land_on_the_timeline(customer):
    unit = UnitFactory(sale_line__sale__customer=customer)
    events = [
        timeline_build(customer=customer, kind="sold", unit=unit, occurred_at=_at(1), data={"serial": unit.serial}),
        timeline_build(customer=customer, kind="delivered", unit=unit, occurred_at=_at(2), data={"serial": unit.serial}),
    ]
    assert all(e.pk is None for e in events)

    TimelineEvent.objects.bulk_create(events)

    assert [e.kind for e in timeline_for_unit(unit_id=unit.pk)] == ["delivered", "sold"]


# --- rendering -------------------------------------------------------------------------------------


def test_an_event_is_described_by_its_kinds_sentence(customer):
    event = timeline_record(customer=customer, kind="sold", data={"product": "Washer 800", "serial": "WM-1", "sale": "S-9"})

    assert event_describe(event) == "Bought Washer 800 (serial WM-1) on sale S-9"
    assert event_label(event) == "Sold"


def test_missing_data_shows_a_placeholder_instead_of_failing(customer):
    event = timeline_record(customer=customer, kind="sold", data={"product": "Washer"})

    assert event_describe(event) == "Bought Washer (serial ?) on sale ?"


def test_an_event_of_a_kind_no_longer_registered_shows_its_code(customer):
    event = timeline_record(customer=customer, kind="customer_created")
    event.kind = "retired_kind"

    assert event_describe(event) == "retired_kind"
    assert event_label(event) == "retired_kind"


def test_capabilities_register_their_own_kinds(customer):
    kind = kind_register("test_ticket_opened", label=_("Ticket"), sentence=_("Ticket %(number)s opened"))

    event = timeline_record(customer=customer, kind="test_ticket_opened", data={"number": "T-1"})

    assert kind_get("test_ticket_opened") == kind
    assert event_describe(event) == "Ticket T-1 opened"


def test_coded_values_are_shown_in_the_readers_language_whenever_the_event_is_read(customer, agent):
    from django.utils import translation

    from aftersales.core.timeline import event_describe
    from aftersales.customers.services import customer_set_consent

    # given consent recorded while the staff member worked in English
    with translation.override("en"):
        customer_set_consent(actor=agent, customer=customer, channel="sms", given=True)
    event = customer.timeline_events.get(kind="consent_changed")

    # then the event stores codes, and each reader sees words of their own language
    assert event.data == {"channel": "sms", "state": "given"}
    with translation.override("en"):
        assert event_describe(event) == "Consent for SMS given"
    with translation.override("es"):
        assert event_describe(event) == "Consentimiento otorgado: SMS"


def test_a_name_written_in_both_languages_is_shown_in_the_readers(customer):
    from django.utils import translation

    kind_register("test_step_done", label=_("Step"), sentence=_("Step “%(step)s” of %(playbook)s"))
    both = timeline_record(
        customer=customer,
        kind="test_step_done",
        data={"step": "Courtesy call", "step_es": "Llamada de cortesía", "playbook": "Delivery", "playbook_es": ""},
    )
    english_only = timeline_record(customer=customer, kind="test_step_done", data={"step": "Check-in", "playbook": "Care"})

    with translation.override("es"):
        assert event_describe(both) == "Step “Llamada de cortesía” of Delivery"  # no Spanish playbook name: English
        assert event_describe(english_only) == "Step “Check-in” of Care"
    with translation.override("en"):
        assert event_describe(both) == "Step “Courtesy call” of Delivery"
