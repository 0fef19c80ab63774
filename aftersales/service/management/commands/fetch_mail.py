"""``aftersales fetch-mail``: take in service desk email from the IMAP mailboxes, a mail server pipe or a Maildir."""

from __future__ import annotations

import mailbox as maildir_module
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext as _

from aftersales.service.mail_in import FetchResult, mail_receive, mailbox_fetch, maildir_fetch
from aftersales.service.models import Mailbox, MailSource, Queue

# sysexits.h: a mail server keeps a message and tries again later when a delivery command exits with this.
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = (
        "Take in service desk email: poll the active IMAP mailboxes (default), read one raw message from "
        "standard input (--stdin, for a mail server pipe) or every message of a Maildir (--maildir PATH)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--stdin", action="store_true", help="Read one raw RFC 5322 message from standard input.")
        source.add_argument("--maildir", metavar="PATH", help="Read every message of a Maildir; new ones are marked seen.")
        source.add_argument("--mailbox", type=int, metavar="ID", help="Poll only this mailbox (also when inactive).")
        parser.add_argument(
            "--queue", help="Queue (name or id) of new tickets from --stdin or --maildir; default: routing rules."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queue = self._queue(options["queue"]) if options["queue"] else None
        if options["queue"] and not (options["stdin"] or options["maildir"]):
            raise CommandError(_("--queue goes with --stdin or --maildir; a mailbox brings its own queue."))
        if options["stdin"]:
            self._stdin(queue)
        elif options["maildir"]:
            try:
                result = maildir_fetch(path=options["maildir"], queue=queue)
            except (OSError, maildir_module.Error) as error:
                raise CommandError(
                    _("Cannot read the Maildir %(path)s: %(reason)s") % {"path": options["maildir"], "reason": error}
                ) from error
            self._report(options["maildir"], result)
        else:
            mailboxes = Mailbox.objects.select_related("queue").order_by("pk")
            if options["mailbox"]:
                mailboxes = mailboxes.filter(pk=options["mailbox"])
                if not mailboxes.exists():
                    raise CommandError(_("No mailbox with id %(id)s.") % {"id": options["mailbox"]})
            else:
                mailboxes = mailboxes.filter(active=True, queue__active=True)
            failed = 0
            for mailbox in mailboxes:
                result = mailbox_fetch(mailbox=mailbox)
                self._report(str(mailbox), result)
                failed += 1 if result.error else 0
            if failed:
                raise CommandError(_("%(count)s mailbox(es) could not be read.") % {"count": failed}, returncode=1)

    def _queue(self, value: str) -> Queue:
        queue = Queue.objects.filter(Q(name=value) | Q(pk=int(value) if value.isdigit() else None)).first()
        if queue is None:
            raise CommandError(_("No queue named %(name)s.") % {"name": value})
        return queue

    def _stdin(self, queue: Queue | None) -> None:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError(_("Standard input is empty: no message to take in."))
        try:
            received = mail_receive(raw=raw, source=MailSource.PIPE, queue=queue)
        except Exception as error:
            # The message is not stored: let the mail server keep it and try again.
            raise CommandError(str(error), returncode=EX_TEMPFAIL) from error
        inbound = received.inbound
        state = inbound.get_outcome_display() if received.new else _("already taken in")
        ticket = f" #{inbound.ticket.number}" if inbound.ticket_id and inbound.ticket else ""
        self.stdout.write(f"{inbound.message_id or inbound.fingerprint}: {state}{ticket}")

    def _report(self, source: str, result: FetchResult) -> None:
        if result.error:
            self.stderr.write(f"{source}: {result.error}")
            return
        outcomes = ", ".join(f"{outcome} {count}" for outcome, count in sorted(result.outcomes.items()))
        self.stdout.write(
            _("%(source)s: %(taken)s taken in (%(outcomes)s), %(duplicates)s already known")
            % {"source": source, "taken": result.taken, "outcomes": outcomes or "-", "duplicates": result.duplicates}
        )
