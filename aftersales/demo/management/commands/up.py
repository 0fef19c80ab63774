"""Start the whole system on one machine: web server, worker and tick, stopped together on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# How long the web server may take to collect static files and start listening.
WEB_START_SECONDS = 120
# How long each process may take to finish its current request, task or sweep once asked to stop.
STOP_SECONDS = 15


class Command(BaseCommand):
    help = (
        "Migrate, load the demo company when the database is empty, then run the web server, the background "
        "worker and the scheduler (tick) together until Ctrl-C, which stops all three."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"), help="Address the web server listens on.")
        parser.add_argument("--demo-customers", type=int, default=200, help="Customers in the demo company (default 200).")
        parser.add_argument("--no-demo", action="store_true", help="Never load the demo company.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The supervisor decides when everything stops, even when started with Ctrl-C ignored (in the background).
        for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop_signal, _interrupt)
        processes: dict[str, subprocess.Popen[bytes]] = {}
        try:
            self._prepare(demo_customers=None if options["no_demo"] else options["demo_customers"])
            processes = _start(options["bind"])
            _wait_until_listening(options["bind"], processes)
            self.stdout.write(
                self.style.SUCCESS(f"\nAftersales is running on http://{options['bind']}/  (Ctrl-C stops everything)")
            )
            self._print_sign_ins(options["bind"])
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = ", ".join(name for name, process in processes.items() if process.poll() is not None)
            raise CommandError(f"{stopped} stopped on its own; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            _stop(processes)
        self.stdout.write("Stopped.")

    def _prepare(self, *, demo_customers: int | None) -> None:
        """Bring the database up to date and load the demo company into an empty one."""
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)  # the embedded database lives there
        call_command("migrate", interactive=False, verbosity=0)
        from aftersales.customers.models import Customer

        if demo_customers is not None and not Customer.objects.exists():
            self.stdout.write("Empty database: loading the demo company…")
            call_command("demo", customers=demo_customers, seed=1, stdout=self.stdout)

    def _print_sign_ins(self, bind: str) -> None:
        from aftersales.demo.builder import DEMO_PASSWORD, demo_sign_ins

        rows = demo_sign_ins()
        if not rows:
            return
        width = max(len(role) for role, _who in rows) + 2
        self.stdout.write(f"\nDemo sign-ins (password for staff: {DEMO_PASSWORD}):")
        for role, who in rows:
            self.stdout.write(f"  {role:<{width}}{who}")
        self.stdout.write(f"\n  Staff console:   http://{bind}/login/")
        mail = (
            f"; it is written to {settings.EMAIL_FILE_PATH}/" if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend") else ""
        )
        self.stdout.write(f"  Customer portal: http://{bind}/portal/ — ask for a sign-in link with a customer's email{mail}")
        self.stdout.write(f"  API:             http://{bind}/api/docs\n")


def _interrupt(signum: int, frame: Any) -> None:
    # Stop once: a terminal or ``timeout`` may deliver the signal twice, and stopping has its own deadline.
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, signal.SIG_IGN)
    raise KeyboardInterrupt


def _start(bind: str) -> dict[str, subprocess.Popen[bytes]]:
    """Start the three processes in their own process group, so that Ctrl-C reaches only this supervisor."""
    me = [sys.executable, "-m", "aftersales"]
    commands = {
        "web": [*me, "serve", "--bind", bind],
        "worker": [*me, "worker", "--no-reload", "--interval", "1"],
        "tick": [*me, "tick", "--every", "60"],
    }
    return {
        name: subprocess.Popen(argv, env=os.environ.copy(), process_group=0, preexec_fn=_die_with_parent)  # noqa: S603 - our own argv, no shell
        for name, argv in commands.items()
    }


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM to the child if the supervisor itself is killed outright."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait_until_listening(bind: str, processes: dict[str, subprocess.Popen[bytes]]) -> None:
    host, _, port = bind.rpartition(":")
    deadline = time.monotonic() + WEB_START_SECONDS
    while time.monotonic() < deadline:
        stopped = [name for name, process in processes.items() if process.poll() is not None]
        if stopped:
            raise CommandError(f"{', '.join(stopped)} stopped while starting; see the messages above.")
        with contextlib.suppress(OSError), socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=1):
            return
        time.sleep(0.3)
    raise CommandError(f"The web server did not start listening on {bind} within {WEB_START_SECONDS} s.")


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """Ask every process to finish what it is doing, then kill those that do not stop in time."""
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
