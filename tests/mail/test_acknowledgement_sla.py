"""With SLA policies installed, the acknowledgement promises the due time of the ticket's first-response clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from aftersales.service.mail_in import mail_receive
from aftersales.service.models import MailSource
from tests.factories import CustomerFactory
from tests.mail.helpers import email_bytes, outbox_send_all

pytestmark = [
    pytest.mark.django_db,
    # The SLA clocks come with the SLA capability of this app; without them the setting's test covers the promise.
    pytest.mark.skipif("slaclock" not in apps.all_models["service"], reason="SLA clocks are not installed"),
]


@time_machine.travel(dt.datetime(2025, 5, 5, 7, 0, tzinfo=dt.UTC), tick=False)
def test_the_acknowledgement_promises_the_first_response_clocks_due_time(desk, settings, django_capture_on_commit_callbacks):
    settings.SERVICE_FIRST_RESPONSE_HOURS = 999  # not what the customer is told while a clock runs
    CustomerFactory(email="ana@example.com", language="en", time_zone="Europe/Madrid")

    with django_capture_on_commit_callbacks(execute=True):
        ticket = mail_receive(raw=email_bytes(sender="ana@example.com"), source=MailSource.PIPE).inbound.ticket
    [email] = outbox_send_all()

    clock = ticket.sla_clocks.get(metric="first_response", tier=1)
    assert ticket.events.get(kind="mail_acknowledged").data["due_at"] == clock.due_at.isoformat()
    local = clock.due_at.astimezone(ZoneInfo("Europe/Madrid"))
    assert f"{local.day} {local:%B}, {local:%H:%M}" in email.body
