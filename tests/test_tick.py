"""Periodic sweeps: at most once per interval, never twice at once, failures recorded."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection

from aftersales.core import tick
from aftersales.core.models import SweepRun

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def registry(monkeypatch):
    """Give the test its own copy of the sweep registry, so test sweeps vanish afterwards."""
    monkeypatch.setattr(tick, "_SWEEPS", dict(tick._SWEEPS))
    return tick


@pytest.fixture
def hourly(registry):
    calls = []

    @registry.sweep_register("test.hourly", every=dt.timedelta(hours=1))
    def sweep() -> None:
        calls.append(dt.datetime.now(tz=dt.UTC))

    return calls


@pytest.mark.django_db
def test_a_sweep_runs_once_per_interval(hourly):
    with time_machine.travel(START, tick=False) as traveller:
        assert tick.tick_run(only="test.hourly") == {"test.hourly": "ran"}

        traveller.shift(dt.timedelta(minutes=59))
        assert tick.tick_run(only="test.hourly") == {"test.hourly": "skipped"}

        traveller.shift(dt.timedelta(minutes=1))
        assert tick.tick_run(only="test.hourly") == {"test.hourly": "ran"}

    assert hourly == [START, START + dt.timedelta(hours=1)]
    run = SweepRun.objects.get(name="test.hourly")
    assert run.last_started_at == run.last_finished_at == START + dt.timedelta(hours=1)


@pytest.mark.django_db
def test_a_failing_sweep_records_its_error_and_the_others_still_run(registry, hourly):
    @registry.sweep_register("test.broken", every=dt.timedelta(minutes=5))
    def broken() -> None:
        raise RuntimeError("mail server unreachable")

    with time_machine.travel(START, tick=False):
        outcome = {name: state for name, state in tick.tick_run().items() if name.startswith("test.")}

    assert outcome == {"test.broken": "failed", "test.hourly": "ran"}
    failed = SweepRun.objects.get(name="test.broken")
    assert "mail server unreachable" in failed.last_error
    assert failed.last_finished_at is None
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        assert tick.tick_run(only="test.broken") == {"test.broken": "failed"}


@pytest.mark.django_db(transaction=True)
def test_a_second_tick_skips_a_sweep_another_tick_is_running(registry):
    started, release = threading.Event(), threading.Event()
    runs = []

    @registry.sweep_register("test.slow", every=dt.timedelta(minutes=1))
    def slow() -> None:
        runs.append("slow")
        started.set()
        release.wait(timeout=10)

    outcomes = {}

    def first_tick() -> None:
        try:
            outcomes["first"] = tick.tick_run(only="test.slow")
        finally:
            connection.close()

    worker = threading.Thread(target=first_tick)
    worker.start()
    assert started.wait(timeout=10)

    # while the first tick is still inside the sweep, a second tick on another machine comes along
    outcomes["second"] = tick.tick_run(only="test.slow")
    release.set()
    worker.join(timeout=10)

    assert outcomes == {"first": {"test.slow": "ran"}, "second": {"test.slow": "skipped"}}
    assert runs == ["slow"]


@pytest.mark.django_db
def test_the_session_sweep_deletes_expired_sessions_only():
    fresh = SessionStore()
    fresh.create()
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=30), tick=False):
        stale = SessionStore()
        stale.set_expiry(60)
        stale.create()

    assert tick.tick_run(only="core.clear_expired_sessions") == {"core.clear_expired_sessions": "ran"}

    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]


@pytest.mark.django_db
def test_tick_command_reports_what_ran(hourly):
    out = io.StringIO()

    call_command("tick", only="test.hourly", stdout=out)
    call_command("tick", only="test.hourly", stdout=out)

    assert out.getvalue().splitlines() == ["test.hourly: ran"]
    assert len(hourly) == 1
