"""Serve the web app with gunicorn (the production server)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Aftersales with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--no-collectstatic", action="store_true", help="Skip collecting static files.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.management import call_command

        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "aftersales.config.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            *_without_control_socket(),
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell


def _without_control_socket() -> list[str]:
    """Return the flag that keeps gunicorn from opening its control socket in the home directory.

    Two servers on one machine would fight over that one path, and nothing here uses it.
    """
    from gunicorn.config import make_settings

    setting = make_settings().get("control_socket_disable")
    return list(setting.cli) if setting is not None else []
