"""The ``aftersales`` command: Django's management commands under one name, with friendlier aliases."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aftersales import cli


@pytest.fixture
def executed(monkeypatch):
    """Capture the argv that would reach Django's command dispatcher."""
    calls: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", calls.append)
    return calls


@pytest.mark.parametrize(
    ("typed", "runs"),
    [
        (["worker", "--no-reload"], ["db_worker", "--no-reload"]),
        (["import-sales", "sales.csv"], ["import_sales", "sales.csv"]),
        (["demo", "--customers", "10"], ["demo", "--customers", "10"]),
        (["create-superuser"], ["create_superuser"]),
        (["tick", "--every", "60"], ["tick", "--every", "60"]),
        (["--help"], ["--help"]),
    ],
)
def test_commands_are_mapped_to_django_commands(executed, typed, runs):
    cli.main(["aftersales", *typed])

    assert executed == [["aftersales", *runs]]


def test_without_a_command_django_prints_its_help(executed):
    cli.main(["aftersales"])

    assert executed == [["aftersales"]]


def test_the_settings_module_defaults_to_the_product_settings(executed, monkeypatch):
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)

    cli.main(["aftersales", "check"])

    assert os.environ["DJANGO_SETTINGS_MODULE"] == "aftersales.config.settings"


def test_settings_chosen_by_the_operator_are_kept(executed, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "somewhere.else")

    cli.main(["aftersales", "check"])

    assert os.environ["DJANGO_SETTINGS_MODULE"] == "somewhere.else"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AFTERSALES_ALLOW_INSECURE_KEY": "1"}
    return subprocess.run([sys.executable, "-m", "aftersales", *args], capture_output=True, text=True, env=env, timeout=60)


def test_the_worker_alias_reaches_the_task_worker():
    result = run("worker", "--help")

    assert result.returncode == 0, result.stderr
    assert "db_worker" in result.stdout
    assert "--queue-name" in result.stdout


def test_the_demo_command_documents_its_options():
    result = run("demo", "--help")

    assert result.returncode == 0, result.stderr
    for option in ("--customers", "--seed", "--append"):
        assert option in result.stdout


def test_an_unknown_command_fails_with_its_name():
    result = run("no-such-thing")

    assert result.returncode != 0
    assert "no_such_thing" in result.stderr
