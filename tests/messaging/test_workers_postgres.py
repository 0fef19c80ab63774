"""Real processes on PostgreSQL: three workers and two concurrent ticks send 200 messages while one worker
is killed with SIGKILL in the middle of a send. Every message must end up sent, each exactly once.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from aftersales.messaging.backends import email_message_id
from aftersales.messaging.models import Message, MessageStatus
from aftersales.messaging.services import message_enqueue, template_create
from tests.factories import CustomerFactory

REPO = Path(__file__).resolve().parents[2]
MESSAGES = 200
SEND_PAUSE = 0.1  # seconds each send takes, so that a send has a middle to be killed in
DEADLINE = 60

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real worker processes need PostgreSQL"),
]


def database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def read_log(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().splitlines() if line.strip()]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_workers_and_ticks_deliver_every_message_exactly_once_when_a_worker_is_killed(tmp_path):
    # given: 200 queued emails (their delivery tasks are in the database queue once each commit lands)
    template_create(
        actor=None, data={"code": "load_test", "channel": "email", "subject": "Hi {{ customer.name }}", "body": "Hello"}
    )
    customers = [CustomerFactory() for _ in range(MESSAGES // 2)]
    keys = []
    for number in range(MESSAGES):
        key = f"load_test:{customers[number % len(customers)].pk}:{number}"
        message_enqueue(
            actor=None,
            customer=customers[number % len(customers)],
            template_code="load_test",
            channel="email",
            idempotency_key=key,
        )
        keys.append(key)
    assert Message.objects.filter(status=MessageStatus.QUEUED).count() == MESSAGES

    keylog = tmp_path / "sent.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "AFTERSALES_ALLOW_INSECURE_KEY": "1",
        "AFTERSALES_VAR_DIR": str(tmp_path),
        "EMAIL_BACKEND": "tests.messaging.helpers.KeyLogEmailBackend",
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "KEYLOG_PATH": str(keylog),
        "KEYLOG_SLEEP": str(SEND_PAUSE),
        "MESSAGING_LEASE_SECONDS": "3",
        "MESSAGING_SWEEP_SECONDS": "1",
        "MESSAGING_QUIET_HOURS": "",
        "PYTHONPATH": str(REPO),
    }
    me = [sys.executable, "-m", "aftersales"]
    logs = {}

    def start(name: str, *argv: str) -> subprocess.Popen:
        logs[name] = (tmp_path / f"{name}.out").open("w")
        return subprocess.Popen([*me, *argv], env=env, cwd=REPO, stdout=logs[name], stderr=subprocess.STDOUT)

    workers = [
        start(f"worker{n}", "worker", "--no-reload", "--interval", "0.1", "--no-startup-delay", "--worker-id", f"worker{n}")
        for n in range(3)
    ]
    ticks = [start(f"tick{n}", "tick", "--every", "1") for n in range(2)]
    victim = workers[0]
    killed_id = None
    try:
        # when: the first worker is killed while it is inside a send (it logged "begin" and is pausing)
        started = time.monotonic()
        while killed_id is None and time.monotonic() - started < DEADLINE:
            lines = read_log(keylog)
            mine = [line for line in lines if line[2] == str(victim.pid)]
            sent_by_victim = sum(1 for line in mine if line[0] == "sent")
            if mine and sent_by_victim >= 5 and mine[-1][0] == "begin" and time.time() - float(mine[-1][3]) < SEND_PAUSE / 2:
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                killed_id = mine[-1][1]
            time.sleep(0.005)
        assert killed_id is not None, "the victim never started a send"

        # then: the others finish everything, including the killed send once its lease runs out
        while time.monotonic() - started < DEADLINE:
            if Message.objects.filter(status=MessageStatus.SENT).count() == MESSAGES:
                break
            time.sleep(0.25)
    finally:
        for process in [*workers, *ticks]:
            stop(process)
        for handle in logs.values():
            handle.close()

    finished = time.monotonic() - started
    outputs = "\n".join(f"== {name}\n{(tmp_path / f'{name}.out').read_text()[-3000:]}" for name in logs)
    statuses = collections.Counter(Message.objects.values_list("status", flat=True))
    assert statuses == {MessageStatus.SENT: MESSAGES}, f"{statuses}\n{outputs}"

    lines = read_log(keylog)
    sent = collections.Counter(line[1] for line in lines if line[0] == "sent")
    expected = {email_message_id(key) for key in keys}
    assert set(sent) == expected, "a message is missing from the mail log"
    assert [message_id for message_id, times in sent.items() if times > 1] == [], "a message was sent twice"

    # the killed send really was cut off, and another worker took the message over after the lease
    assert not any(line[0] == "sent" and line[1] == killed_id and line[2] == str(victim.pid) for line in lines)
    taken_over = Message.objects.get(provider_message_id=killed_id)
    attempts = list(taken_over.events.filter(status=MessageStatus.SENDING).values_list("detail", flat=True))
    assert len(attempts) == 2, attempts
    assert f":{victim.pid}/" in attempts[0]
    assert f":{victim.pid}/" not in attempts[1]
    assert taken_over.attempts == 2
    print(f"{MESSAGES} messages sent once each in {finished:.1f} s; worker {victim.pid} killed during {killed_id}")
