"""``aftersales contest-verify <contest> [--seed HEX] [--entries FILE]``: re-run a contest's draw and check it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.contests.services import contest_get
from aftersales.contests.verify import contest_verify
from aftersales.core.errors import NotFound


class Command(BaseCommand):
    help = (
        "Verify a contest's draw: the seed against the hash published before entries closed, the entry list "
        "against its digest, and the winners against a fresh run of the draw. Exits non-zero on any mismatch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contest", help="The contest's code or id")
        parser.add_argument("--seed", help="The seed in hex (default: the seed the contest published after its draw)")
        parser.add_argument("--entries", help="The published entry list as CSV (default: the entries in the database)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            contest = contest_get(contest_ref=options["contest"])
        except NotFound as error:
            raise CommandError(f"{options['contest']}: {error.message}") from None
        entries_text = None
        if options.get("entries"):
            try:
                entries_text = Path(options["entries"]).read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"{options['entries']}: {error.strerror}") from None
        result = contest_verify(contest=contest, seed_hex=options.get("seed"), entries_text=entries_text)
        for check in result.checks:
            self.stdout.write(f"OK  {check}")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"FAIL  {problem}")
            raise CommandError(f"The draw of {contest.code} could not be verified.")
        self.stdout.write(self.style.SUCCESS(f"The draw of {contest.code} is verified."))
