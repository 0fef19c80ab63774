"""``aftersales import-sales FILE.csv``: import sales history, all or nothing, with a progress bar."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from aftersales.core.models import User
from aftersales.sales.imports import ImportReport, sales_import


class Command(BaseCommand):
    help = "Import sales history from a CSV file (see docs/import.md). Nothing is written when any row is invalid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file: UTF-8 (with or without BOM) or Latin-1, comma or semicolon separated.")
        parser.add_argument("--actor", default="", help="Username of the staff member recorded as importing the sales.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_staff=True).first()
            if actor is None:
                raise CommandError(_("No staff member with username %(name)s.") % {"name": options["actor"]})
        try:
            source = open(path, "rb")  # noqa: SIM115 - closed below, after the import
        except OSError as exc:
            raise CommandError(
                _("No such file or not readable: %(path)s (%(reason)s)") % {"path": path, "reason": exc.strerror}
            ) from exc
        with (
            source,
            tqdm(
                total=os.fstat(source.fileno()).st_size,
                unit="B",
                unit_scale=True,
                desc=_("Importing"),
                file=sys.stderr,
                disable=options["no_progress"],
            ) as bar,
        ):
            report = sales_import(actor=actor, source=source, progress=bar.update)
        if not report.ok:
            self._errors_print(report)
            raise CommandError(
                ngettext(
                    "%(count)d error in %(rows)d rows; nothing was imported.",
                    "%(count)d errors in %(rows)d rows; nothing was imported.",
                    report.error_count,
                )
                % {"count": report.error_count, "rows": report.rows},
                returncode=1,
            )
        self.stdout.write(
            _(
                "%(rows)d rows read: %(created)d sales created, %(skipped)d already present; "
                "%(customers)d customers created, %(matched)d matched; %(units)d units created."
            )
            % {
                "rows": report.rows,
                "created": report.sales_created,
                "skipped": report.sales_skipped,
                "customers": report.customers_created,
                "matched": report.customers_matched,
                "units": report.units_created,
            }
        )

    def _errors_print(self, report: ImportReport) -> None:
        for error in report.errors:
            self.stderr.write(
                _("line %(line)s, column %(column)s: %(reason)s")
                % {"line": error.line, "column": error.field, "reason": error.reason}
            )
        hidden = report.error_count - len(report.errors)
        if hidden:
            self.stderr.write(_("… and %(count)d more errors.") % {"count": hidden})
