"""The ``aftersales`` command: Django's management commands under one name, with friendlier aliases."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                children.append(int(stat.parent.name))
    return children


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_up_serves_the_demo_company_and_stops_every_process_on_ctrl_c(tmp_path):
    # given a fresh var directory and a free port
    port = _free_port()
    env = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "DEBUG"}}
    env |= {"AFTERSALES_ALLOW_INSECURE_KEY": "1", "AFTERSALES_VAR_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "aftersales", "up", "--bind", f"127.0.0.1:{port}", "--demo-customers", "8"]
    up = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert up.stdout is not None
        for line in up.stdout:
            output.append(line)
            if line.strip().startswith("API:"):
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(timeout=180), "".join(output)
        children = _children_of(up.pid)
        base = f"http://127.0.0.1:{port}"

        # then the demo sign-ins are printed and the web app answers with its static files collected
        text = "".join(output)
        assert "Service manager" in text and "manager" in text and "Customer (Spanish)" in text
        assert (tmp_path / "aftersales.sqlite3").exists()
        with urllib.request.urlopen(f"{base}/login/", timeout=10) as response:
            login = response.read().decode()
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', login)
        assert stylesheet, login
        for path in (stylesheet.group(1), "/api/docs", "/api/openapi.json", "/portal/sign-in/"):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.status == 200, path
        assert len(children) == 3  # web server, worker, scheduler

        # when Ctrl-C reaches the supervisor
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=60) == 0, "".join(output)
    finally:
        if up.poll() is None:
            up.kill()
    reader.join(timeout=10)

    # then every process it started is gone
    assert "Stopped." in "".join(output)
    assert not [pid for pid in children if _alive(pid)]
