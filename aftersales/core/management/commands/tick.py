"""Run the periodic sweeps once, or every N seconds with --every."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules


class Command(BaseCommand):
    help = "Run due periodic sweeps. Safe to run on several machines at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds until stopped.")
        parser.add_argument("--only", default=None, help="Run only the sweep with this name.")

    def handle(self, *args: Any, **options: Any) -> None:
        from aftersales.core.tick import tick_run

        autodiscover_modules("sweeps")
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        # Ctrl-C and a supervisor's SIGTERM both let the running sweep finish, then stop.
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            outcome = tick_run(only=options["only"])
            ran = [name for name, state in outcome.items() if state != "skipped"]
            if ran or options["verbosity"] > 1:
                self.stdout.write(", ".join(f"{name}: {outcome[name]}" for name in ran) or "nothing due")
            if not options["every"] or stopping:
                return
            for _ in range(options["every"]):
                if stopping:
                    return
                time.sleep(1)
