"""Start the whole system on one machine: web server, worker and tick, stopped together on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, load the demo company when the database is empty, and run web + worker + tick."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--demo-customers", type=int, default=200)
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        from aftersales.customers.models import Customer

        if not options["no_demo"] and not Customer.objects.exists():
            self.stdout.write("Empty database: loading the demo company…")
            call_command("demo", customers=options["demo_customers"], seed=1)
        me = [sys.executable, "-m", "aftersales"]
        commands = {
            "web": [*me, "serve", "--bind", options["bind"]],
            "worker": [*me, "worker", "--no-reload", "--interval", "1"],
            "tick": [*me, "tick", "--every", "60"],
        }
        processes = {
            name: subprocess.Popen(argv, env=os.environ.copy())  # noqa: S603 - our own argv, no shell
            for name, argv in commands.items()
        }
        self.stdout.write(self.style.SUCCESS(f"\nAftersales is running on http://{options['bind']}/  (Ctrl-C stops everything)"))
        self._print_sign_ins()

        def shutdown(*_: Any) -> None:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()

        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            failed = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"{', '.join(failed)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            shutdown()

    def _print_sign_ins(self) -> None:
        from aftersales.demo.builder import DEMO_PASSWORD, demo_sign_ins

        rows = demo_sign_ins()
        if not rows:
            return
        self.stdout.write(f"\nDemo sign-ins (password for staff: {DEMO_PASSWORD}):")
        for role, who in rows:
            self.stdout.write(f"  {role:<18} {who}")
        self.stdout.write(
            "  Customer portal: http://127.0.0.1:8000/portal/ — ask for a sign-in link; it is written to var/mail/\n"
        )
