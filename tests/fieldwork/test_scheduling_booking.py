"""Booking, moving and cancelling visits: refusals that name the clash, history, invitations, links, reminders."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core import signing
from django.core.files.storage import default_storage

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.fieldwork import invites
from aftersales.fieldwork.models import TechnicianAbsence, WorkOrderStatus
from aftersales.fieldwork.services.scheduling import (
    reminders_send,
    work_order_cancel,
    work_order_confirm,
    work_order_mark_no_show,
    work_order_reschedule,
    work_order_schedule,
    work_order_unassign,
)
from aftersales.messaging.models import Message
from tests.factories import CategoryFactory
from tests.fieldwork.scheduling_helpers import madrid, order, technician, zone

pytestmark = pytest.mark.django_db

SUNDAY_EVENING = madrid(2026, 5, 31, 20)


@pytest.fixture
def setup():
    category = CategoryFactory()
    return category, technician(categories=[category])


def parse(message: Message) -> icalendar.Event:
    attachment = message.attachments[0]
    with default_storage.open(attachment["path"]) as handle:
        calendar = icalendar.Calendar.from_ical(handle.read())
    return calendar, next(iter(calendar.walk("VEVENT")))


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_second_booking_that_overlaps_is_refused_naming_the_visit_it_clashes_with(setup, agent):
    category, tech = setup
    first = work_order_schedule(
        actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10)
    )

    with pytest.raises(Conflict) as refused:
        work_order_schedule(
            actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10, 30)
        )

    assert first.reference in str(refused.value.message)
    assert "2026-06-01 10:00" in str(refused.value.message)


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_booking_outside_working_hours_on_a_day_off_or_without_certification_is_refused(setup, agent):
    category, tech = setup
    TechnicianAbsence.objects.create(technician=tech, starts_on=dt.date(2026, 6, 2), ends_on=dt.date(2026, 6, 2))

    with pytest.raises(ValidationFailed) as evening:
        work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 18))
    with pytest.raises(ValidationFailed) as off:
        work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 2, 10))
    with pytest.raises(ValidationFailed) as uncertified:
        work_order_schedule(actor=agent, work_order=order(), assignee=tech.user, start=madrid(2026, 6, 1, 10))

    assert "working hours" in str(evening.value.errors[0].reason)
    assert "off from 2026-06-02" in str(off.value.errors[0].reason)
    assert "not certified" in str(uncertified.value.errors[0].reason)
    assert {error.field for error in [*evening.value.errors, *off.value.errors, *uncertified.value.errors]} == {"assignee"}


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_booking_sends_an_invitation_that_calendar_programs_read(setup, agent):
    category, tech = setup
    work = order(category=category, language="es")

    booked = work_order_schedule(actor=agent, work_order=work, assignee=tech.user, start=madrid(2026, 6, 1, 10))

    message = Message.objects.get(customer=work.customer, template_code="fieldwork_visit_booked")
    calendar, event = parse(message)
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == invites.invitation_uid(booked)
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == madrid(2026, 6, 1, 10)
    assert event.decoded("dtend") == madrid(2026, 6, 1, 11)
    assert work.customer.email in str(event["attendee"])
    assert "lunes 1 de junio de 2026, 10:00" in message.subject  # the date in the customer's language
    assert "/portal/visits/link/" in message.body


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_rescheduling_keeps_the_uid_raises_the_sequence_and_records_who_asked(setup, agent):
    category, tech = setup
    work = work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))

    moved = work_order_reschedule(
        actor=agent, work_order=work, start=madrid(2026, 6, 2, 15), requested_by="customer", reason="Working late"
    )

    messages = Message.objects.filter(customer=work.customer, template_code="fieldwork_visit_booked").order_by("id")
    assert messages.count() == 2
    _calendar, first = parse(messages[0])
    _calendar, second = parse(messages[1])
    assert str(first["uid"]) == str(second["uid"])
    assert int(second["sequence"]) > int(first["sequence"])
    assert second.decoded("dtstart") == madrid(2026, 6, 2, 15)
    event = moved.events.get(kind="rescheduled")
    assert event.data["old_start"] == madrid(2026, 6, 1, 10).astimezone(dt.UTC).isoformat()
    assert event.data["start"] == madrid(2026, 6, 2, 15).astimezone(dt.UTC).isoformat()
    assert event.data["requested_by"] == "customer" and event.data["reason"] == "Working late"
    assert event.actor == agent
    assert TimelineEvent.objects.filter(customer=work.customer, kind="work_order_booked").count() == 2


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_cancelling_a_booked_visit_sends_a_cancel_invitation_and_frees_the_slot(setup, agent):
    category, tech = setup
    work = work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))

    work_order_cancel(actor=agent, work_order=work, reason="Customer sold the house")

    cancel = Message.objects.get(customer=work.customer, template_code="fieldwork_visit_cancelled")
    calendar, event = parse(cancel)
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == invites.invitation_uid(work)
    assert int(event["sequence"]) == 2
    other = work_order_schedule(
        actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10)
    )
    assert other.status == WorkOrderStatus.SCHEDULED


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_unassigning_puts_the_order_back_to_schedule(setup, agent):
    category, tech = setup
    work = work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))

    back = work_order_unassign(actor=agent, work_order=work)

    assert back.status == WorkOrderStatus.PROPOSED and back.assignee is None and back.scheduled_start is None
    assert back.events.filter(kind="unassigned").exists()


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_no_show_is_kept_in_the_history_and_the_order_can_be_booked_again(setup, agent):
    category, tech = setup
    work = work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))
    with pytest.raises(ValidationFailed):
        work_order_mark_no_show(actor=tech.user, work_order=work)  # not yet

    with time_machine.travel(madrid(2026, 6, 1, 10, 40), tick=False):
        missed = work_order_mark_no_show(actor=tech.user, work_order=work, note="Nobody at home")
        again = work_order_schedule(actor=agent, work_order=missed, assignee=tech.user, start=madrid(2026, 6, 3, 9))

    assert again.status == WorkOrderStatus.SCHEDULED
    no_show = again.events.get(kind="no_show")
    assert no_show.data["note"] == "Nobody at home"
    assert no_show.data["start"] == madrid(2026, 6, 1, 10).astimezone(dt.UTC).isoformat()
    assert list(again.events.values_list("kind", flat=True)) == ["created", "scheduled", "no_show", "scheduled"]


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_the_emailed_link_confirms_only_its_own_booking(setup, agent, client):
    category, tech = setup
    work = work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))
    old_token = invites.visit_token(work)
    work = work_order_reschedule(actor=agent, work_order=work, start=madrid(2026, 6, 1, 15))
    token = invites.visit_token(work)

    stale = client.post(f"/portal/visits/link/{old_token}/", {"action": "confirm"})
    page = client.get(f"/portal/visits/link/{token}/")
    confirmed = client.post(f"/portal/visits/link/{token}/", {"action": "confirm"})

    assert stale.status_code == 404
    assert page.status_code == 200 and work.reference in page.content.decode()
    assert confirmed.status_code == 302
    work.refresh_from_db()
    assert work.status == WorkOrderStatus.CONFIRMED
    assert work.events.get(kind="confirmed").data["via"] == "email_link"


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_a_tampered_or_expired_link_opens_nothing(setup, agent, client, settings):
    category, tech = setup
    work = work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))
    other = work_order_schedule(
        actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 15)
    )
    token = invites.visit_token(work)
    forged = signing.dumps({"w": other.pk, "r": other.ics_sequence}, salt="another.salt")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    assert client.get(f"/portal/visits/link/{tampered}/").status_code == 404
    assert client.get(f"/portal/visits/link/{forged}/").status_code == 404
    settings.FIELDWORK_LINK_MAX_AGE_DAYS = 30
    with time_machine.travel(SUNDAY_EVENING + dt.timedelta(days=31), tick=False):
        assert client.get(f"/portal/visits/link/{token}/").status_code == 404


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_the_customer_moves_the_visit_to_an_offered_slot_from_the_link(setup, agent, client):
    category, tech = setup
    work = work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))
    work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 15))
    slot = f"{tech.user_id}|{madrid(2026, 6, 2, 9).astimezone(dt.UTC).isoformat()}"
    taken = f"{tech.user_id}|{madrid(2026, 6, 1, 15, 30).astimezone(dt.UTC).isoformat()}"

    refused = client.post(f"/portal/visits/link/{invites.visit_token(work)}/", {"action": "pick", "slot": taken}, follow=True)
    moved = client.post(f"/portal/visits/link/{invites.visit_token(work)}/", {"action": "pick", "slot": slot})

    assert "no longer free" in refused.content.decode()
    assert moved.status_code == 302
    work.refresh_from_db()
    assert work.scheduled_start == madrid(2026, 6, 2, 9)
    assert work.events.get(kind="rescheduled").data["requested_by"] == "customer"


def test_the_reminder_goes_out_once_the_day_before_and_again_after_a_move(setup, agent):
    category, tech = setup
    with time_machine.travel(SUNDAY_EVENING - dt.timedelta(days=3), tick=False):
        work = work_order_schedule(
            actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10)
        )
        assert reminders_send() == 0  # three days ahead: not yet

    with time_machine.travel(madrid(2026, 5, 31, 9), tick=False):
        assert reminders_send() == 1
        assert reminders_send() == 0
        work_order_reschedule(actor=agent, work_order=work, start=madrid(2026, 6, 1, 15))
        assert reminders_send() == 1

    assert Message.objects.filter(customer=work.customer, template_code="fieldwork_visit_reminder").count() == 2


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_confirming_twice_changes_nothing_and_a_cancelled_visit_cannot_be_confirmed(setup, agent):
    category, tech = setup
    work = work_order_schedule(actor=agent, work_order=order(category=category), assignee=tech.user, start=madrid(2026, 6, 1, 10))

    work_order_confirm(actor=None, work_order=work)
    work_order_confirm(actor=None, work_order=work)
    assert work.events.filter(kind="confirmed").count() == 1
    work_order_cancel(actor=agent, work_order=work)
    with pytest.raises(Conflict):
        work_order_confirm(actor=None, work_order=work)


@time_machine.travel(SUNDAY_EVENING, tick=False)
def test_booking_in_another_zone_without_travel_time_is_refused(agent, settings):
    settings.FIELDWORK_TRAVEL_BUFFER_MINUTES = 45
    category = CategoryFactory()
    tech = technician(categories=[category], zones=[zone("madrid", "28"), zone("toledo", "45")])
    work_order_schedule(
        actor=agent, work_order=order(category=category, postal_code="45001"), assignee=tech.user, start=madrid(2026, 6, 1, 10)
    )

    with pytest.raises(Conflict) as refused:
        work_order_schedule(
            actor=agent,
            work_order=order(category=category, postal_code="28001"),
            assignee=tech.user,
            start=madrid(2026, 6, 1, 11, 30),
        )

    assert "45 minutes of travel" in str(refused.value.message)
