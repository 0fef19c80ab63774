"""The recovery loop through a real worker process on PostgreSQL: the click only records the score; the worker
evaluates it, opens the recovery case for the selling rep and tells them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from aftersales.core.models import Notification
from aftersales.feedback.models import RecoveryCase, RecoveryReason, RecoveryStatus
from tests.factories import CustomerFactory, SaleFactory, SaleLineFactory, UnitFactory
from tests.feedback.helpers import invite, links_in, path_of
from tests.messaging.test_workers_postgres import database_url, stop

REPO = Path(__file__).resolve().parents[2]
DEADLINE = 60

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real worker processes need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_worker_process_turns_an_unhappy_click_into_a_case_for_the_selling_rep(client, tmp_path, rep):
    # given a customer whose unit the rep sold, and the survey email she received
    customer = CustomerFactory(name="Lucía Fernández", email="lucia@example.com")
    unit = UnitFactory(sale_line=SaleLineFactory(sale=SaleFactory(customer=customer, sales_rep=rep)), customer=customer)
    links = links_in(invite(customer, unit=unit).message)

    # when she clicks "1": the answer is recorded and its evaluation waits in the task queue
    client.get(path_of(links["1 · Very dissatisfied"]))
    assert not RecoveryCase.objects.exists()

    # and a real worker process takes the queue
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
            while not Notification.objects.filter(user=rep).exists() and time.monotonic() - started < DEADLINE:
                time.sleep(0.2)
            time.sleep(0.5)
        finally:
            stop(worker)
    output = (tmp_path / "worker.out").read_text()[-3000:]

    # then the worker opened one case for the rep, due within a business day, and told them
    case = RecoveryCase.objects.get()
    assert (case.reason, case.assignee, case.status) == (RecoveryReason.LOW_CSAT, rep, RecoveryStatus.OPEN), output
    assert case.first_contact_due_at is not None and case.first_contact_due_at > case.created_at
    assert Notification.objects.filter(user=rep, verb="feedback_recovery_assigned").count() == 1, output
