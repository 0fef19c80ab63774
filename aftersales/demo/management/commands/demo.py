"""Load the demo company: ``aftersales demo --customers N --seed S``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.core.errors import DomainError, ValidationFailed


class Command(BaseCommand):
    help = (
        "Build a realistic, deterministic, bilingual demo company: staff for every role, five categories with "
        "different warranty terms, and three years of sales with units by serial. The same --seed gives the same "
        "data. Refuses a database that already holds customers, sales or products unless --append is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=200, help="How many customers to create (default 200).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed builds the same company.")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Build the history as seen on this day (YYYY-MM-DD, default today).",
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="Add the customers to a database that already holds data, reusing staff and catalogue.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from aftersales.demo.builder import demo_build

        try:
            summary = demo_build(
                customers=options["customers"],
                seed=options["seed"],
                today=options["today"],
                stdout=self.stdout,
                append=options["append"],
            )
        except ValidationFailed as error:
            raise CommandError("; ".join(f"--{item.field} {item.reason}" for item in error.errors)) from error
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(summary.line()))
