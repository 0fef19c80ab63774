"""Escalation through the real task worker on PostgreSQL: a tick records the breach, a worker process acts on it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from aftersales.core.models import Notification
from aftersales.service.models import EscalationRule, EscalationTrigger, SlaClock, SlaMetric, Ticket
from aftersales.service.sla import sla_sweep
from tests.factories import CustomerFactory
from tests.messaging.test_workers_postgres import database_url, stop
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid

REPO = Path(__file__).resolve().parents[2]
DEADLINE = 60

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real worker processes need PostgreSQL"),
]


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_the_escalation_of_a_breach_once(tmp_path, data_migrations, service_manager):
    # given an unanswered ticket, the default "tell the managers" rule and a rule raising late tickets to level 2
    EscalationRule.objects.create(
        name="Late first responses go to level 2",
        trigger=EscalationTrigger.BREACH,
        metric=SlaMetric.FIRST_RESPONSE,
        raise_priority=True,
        escalate_to_tier_2=True,
    )
    with time_machine.travel(madrid("2025-03-03 10:00"), tick=False):
        ticket = open_ticket(CustomerFactory())

    # when the tick records the breach twice (the second finds nothing) and a real worker runs the queued task
    late = madrid("2025-03-03 18:30")
    assert sla_sweep(now=late)["breached"] == 1
    assert sla_sweep(now=late)["breached"] == 0
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "AFTERSALES_ALLOW_INSECURE_KEY": "1",
        "AFTERSALES_VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(REPO),
    }
    with (tmp_path / "worker.out").open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "aftersales", "worker", "--no-reload", "--interval", "0.1", "--no-startup-delay"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            started = time.monotonic()
            clock = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE, tier=1)
            while clock.breach_handled_at is None and time.monotonic() - started < DEADLINE:
                time.sleep(0.2)
                clock.refresh_from_db()
            # let the worker finish the transaction it holds, then stop it
            time.sleep(0.5)
        finally:
            stop(worker)
    output = (tmp_path / "worker.out").read_text()[-3000:]

    # then the worker carried out both rules, once
    assert clock.breach_handled_at is not None, output
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.priority, ticket.escalation_tier) == ("high", 2), output
    assert SlaClock.objects.filter(ticket=ticket, tier=2).count() == 2
    assert Notification.objects.filter(user=service_manager, verb="sla_breached_first_response").count() == 1
    assert ticket.events.filter(kind="sla_escalation").count() == 2
