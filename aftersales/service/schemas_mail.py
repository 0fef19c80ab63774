"""API shapes of the service desk's mailboxes and inbound mail log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class MailboxIn(Schema):
    queue_id: int
    host: str
    port: int = 993
    security: str = Field("ssl", description="ssl (IMAPS, the default), starttls or none (a server on the same machine).")
    ssl_verify: bool = True
    username: str
    password_variable: str = Field(
        description="Name of the SERVICE_MAILBOX_PASSWORDS key or environment variable holding the password. "
        "The password itself is never sent to or stored by Aftersales."
    )
    folder: str = "INBOX"
    active: bool = True


class MailboxPatch(Schema):
    queue_id: int | None = None
    host: str | None = None
    port: int | None = None
    security: str | None = None
    ssl_verify: bool | None = None
    username: str | None = None
    password_variable: str | None = None
    folder: str | None = None
    active: bool | None = None


class MailboxOut(Schema):
    id: int
    queue_id: int
    host: str
    port: int
    security: str
    ssl_verify: bool
    username: str
    password_variable: str
    folder: str
    active: bool
    uid_validity: int | None
    last_uid: int
    last_checked_at: dt.datetime | None
    last_error: str


class FetchOut(Schema):
    taken: int
    duplicates: int
    outcomes: dict[str, int]
    error: str


class InboundMailOut(Schema):
    id: int
    message_id: str
    source: str
    mailbox_id: int | None
    queue_id: int | None
    sender: str
    subject: str
    received_at: dt.datetime
    outcome: str
    reason: str
    detail: str
    ticket_id: int | None
    ticket_reference: str | None = None
    bounced_message_id: int | None

    @staticmethod
    def resolve_ticket_reference(obj: Any) -> str | None:
        return obj.ticket.reference if obj.ticket_id and obj.ticket else None


class InboundFilter(Schema):
    outcome: str = Field("", description="opened, replied, noted, automatic, bounce, rejected or failed.")
    mailbox_id: int | None = None
    ticket_id: int | None = None
