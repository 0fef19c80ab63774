"""Quiet hours in the customer's own time zone, across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from aftersales.messaging.models import MessageStatus
from aftersales.messaging.rules import next_allowed_moment
from aftersales.messaging.services import message_enqueue
from tests.factories import CustomerFactory

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _quiet_hours(settings):
    settings.MESSAGING_QUIET_HOURS = (21, 8)
    settings.TIME_ZONE = "Europe/Madrid"


def sms_at(moment, customer, code="warranty_ending", channel="sms"):
    with time_machine.travel(moment, tick=False):
        return message_enqueue(
            actor=None,
            customer=customer,
            template_code=code,
            channel=channel,
            idempotency_key=f"{code}:{channel}:{moment.isoformat()}",
        )


def fan(time_zone=""):
    return CustomerFactory(
        consent_sms_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        consent_email_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        time_zone=time_zone,
    )


@pytest.mark.django_db
def test_an_sms_at_night_in_madrid_waits_for_eight_the_morning_after_the_clocks_go_forward():
    # 29 March 2025, 22:30 in Madrid (CET, UTC+1); that night the clocks go forward to CEST (UTC+2).
    message = sms_at(dt.datetime(2025, 3, 29, 22, 30, tzinfo=MADRID), fan("Europe/Madrid"))
    assert message.status == MessageStatus.QUEUED
    assert message.scheduled_for == dt.datetime(2025, 3, 30, 6, 0, tzinfo=dt.UTC)  # 08:00 CEST
    assert message.scheduled_for.astimezone(MADRID).hour == 8


@pytest.mark.django_db
def test_an_sms_at_night_waits_for_eight_the_morning_after_the_clocks_go_back():
    message = sms_at(dt.datetime(2025, 10, 25, 23, 0, tzinfo=MADRID), fan("Europe/Madrid"))
    assert message.scheduled_for == dt.datetime(2025, 10, 26, 7, 0, tzinfo=dt.UTC)  # 08:00 CET


@pytest.mark.django_db
def test_a_new_york_customer_is_texted_on_new_york_time():
    # 14:00 in Madrid is 08:00 in New York on 3 March 2025 (EST): not quiet there any more.
    customer = fan("America/New_York")
    assert sms_at(dt.datetime(2025, 3, 3, 13, 0, tzinfo=dt.UTC), customer).scheduled_for == dt.datetime(
        2025, 3, 3, 13, 0, tzinfo=dt.UTC
    )
    # 06:30 in New York on the day US clocks go forward (9 March 2025): wait until 08:00 EDT = 12:00 UTC.
    message = sms_at(dt.datetime(2025, 3, 9, 6, 30, tzinfo=NEW_YORK), customer)
    assert message.scheduled_for == dt.datetime(2025, 3, 9, 12, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_without_a_time_zone_the_business_time_zone_counts():
    message = sms_at(dt.datetime(2025, 6, 2, 6, 0, tzinfo=MADRID), fan(""))
    assert message.scheduled_for == dt.datetime(2025, 6, 2, 8, 0, tzinfo=MADRID)


@pytest.mark.django_db
def test_daytime_messages_and_transactional_email_go_at_once():
    customer = fan("Europe/Madrid")
    noon = dt.datetime(2025, 6, 2, 12, 0, tzinfo=MADRID)
    assert sms_at(noon, customer).scheduled_for == noon
    midnight = dt.datetime(2025, 6, 2, 23, 45, tzinfo=MADRID)
    assert sms_at(midnight, customer, code="welcome", channel="email").scheduled_for == midnight
    assert sms_at(midnight, customer, code="birthday", channel="email").scheduled_for == dt.datetime(2025, 6, 3, 8, tzinfo=MADRID)


ZONES = st.sampled_from(["Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"])
MOMENTS = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(dt.UTC))


@hypothesis_settings(max_examples=300, deadline=None)
@given(moment=MOMENTS, zone_name=ZONES)
def test_the_next_allowed_moment_is_the_first_moment_outside_quiet_hours(moment, zone_name):
    zone = zoneinfo.ZoneInfo(zone_name)
    allowed = next_allowed_moment(moment, zone=zone)

    def quiet(instant):
        hour = instant.astimezone(zone).hour
        return hour >= 21 or hour < 8

    assert allowed >= moment
    assert not quiet(allowed)
    assert allowed - moment < dt.timedelta(hours=12)
    if not quiet(moment):
        assert allowed == moment
    else:
        assert quiet(allowed - dt.timedelta(minutes=1))


@pytest.mark.parametrize("value", ["21:00-08:00", "25-8", "8-8", "21"])
def test_unreadable_quiet_hours_are_reported_by_the_system_check(settings, value):
    from aftersales.messaging.rules import settings_check

    settings.MESSAGING_QUIET_HOURS = value
    [problem] = settings_check()
    assert "MESSAGING_QUIET_HOURS" in problem.msg


def test_quiet_hours_read_from_the_environment_form(settings):
    from aftersales.messaging.rules import quiet_hours, settings_check

    settings.MESSAGING_QUIET_HOURS = "22-7"
    assert quiet_hours() == (22, 7)
    settings.MESSAGING_MARKETING_CAP = "three a month"
    [problem] = settings_check()
    assert "MESSAGING_MARKETING_CAP" in problem.msg
