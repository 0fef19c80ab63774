"""Configuring the mailboxes the service desk polls, and reading what came in through them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import User
from aftersales.service.models import InboundMail, InboundOutcome, Mailbox, MailSecurity, Queue

# An environment variable's name: letters, digits and underscores, not starting with a digit.
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAILBOX_FIELDS = ("queue", "host", "port", "security", "ssl_verify", "username", "password_variable", "folder", "active")


def _mailbox_fill(mailbox: Mailbox, data: Mapping[str, Any], errors: list[FieldError]) -> None:
    for name in ("host", "username", "folder"):
        if name in data or mailbox.pk is None:
            value = str(data.get(name) or ("INBOX" if name == "folder" else "")).strip()
            if not value:
                errors.append(FieldError(field=name, reason=_("is required"), code="required"))
            elif len(value) > 255:
                errors.append(FieldError(field=name, reason=interpolate(_("is longer than %(limit)s characters"), limit=255)))
            setattr(mailbox, name, value)
    if "password_variable" in data or mailbox.pk is None:
        variable = str(data.get("password_variable") or "").strip()
        if not VARIABLE_NAME.match(variable) or len(variable) > 100:
            errors.append(
                FieldError(
                    field="password_variable",
                    reason=_("must be the name of a setting or environment variable (letters, digits, _), not the password"),
                )
            )
        mailbox.password_variable = variable
    if "port" in data:
        port = data["port"]
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            errors.append(FieldError(field="port", reason=_("must be a number from 1 to 65535")))
        else:
            mailbox.port = port
    if "security" in data:
        if data["security"] not in MailSecurity.values:
            errors.append(FieldError(field="security", reason=one_of(MailSecurity.values)))
        else:
            mailbox.security = data["security"]
    for flag in ("ssl_verify", "active"):
        if flag in data and data[flag] is not None:
            setattr(mailbox, flag, bool(data[flag]))
    if "queue" in data or mailbox.pk is None:
        queue = data.get("queue")
        queue = queue if isinstance(queue, Queue) else Queue.objects.filter(pk=queue).first() if queue else None
        if queue is None or not queue.active:
            errors.append(FieldError(field="queue_id", reason=_("must be an active queue")))
        else:
            mailbox.queue = queue


def _mailbox_save(mailbox: Mailbox, errors: list[FieldError]) -> Mailbox:
    if errors:
        raise ValidationFailed(errors=errors)
    try:
        with transaction.atomic():
            mailbox.save()
    except IntegrityError as error:
        raise ValidationFailed(
            errors=[FieldError(field="username", reason=_("this mailbox and folder are already polled"), code="duplicate")]
        ) from error
    return mailbox


def mailbox_errors(*, instance: Mailbox, data: Mapping[str, Any]) -> list[FieldError]:
    """Return why mailbox fields would be refused, without changing the mailbox."""
    errors: list[FieldError] = []
    copy = Mailbox(pk=instance.pk, **{name: getattr(instance, name) for name in ("host", "port", "username", "folder")})
    _mailbox_fill(copy, data, errors)
    return errors


@transaction.atomic
def mailbox_create(*, actor: User, data: Mapping[str, Any]) -> Mailbox:
    """Add a mailbox to poll for a queue; its password stays in the settings or the environment, named by the row."""
    mailbox = Mailbox()
    errors: list[FieldError] = []
    _mailbox_fill(mailbox, data, errors)
    return _mailbox_save(mailbox, errors)


@transaction.atomic
def mailbox_update(*, actor: User, mailbox: Mailbox, data: Mapping[str, Any]) -> Mailbox:
    """Change a mailbox; a new server, user or folder starts reading it from its first message again."""
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    before = (mailbox.host, mailbox.port, mailbox.username, mailbox.folder)
    errors: list[FieldError] = []
    _mailbox_fill(mailbox, data, errors)
    if (mailbox.host, mailbox.port, mailbox.username, mailbox.folder) != before:
        # Another folder numbers its messages differently; Message-IDs keep mail from being taken twice.
        mailbox.uid_validity, mailbox.last_uid = None, 0
    return _mailbox_save(mailbox, errors)


@transaction.atomic
def mailbox_delete(*, actor: User, mailbox: Mailbox) -> None:
    """Stop polling a mailbox for good; the mail it brought in stays."""
    mailbox.delete()


def inbound_mail_filtered(
    *, outcome: str = "", mailbox_id: int | None = None, ticket_id: int | None = None
) -> QuerySet[InboundMail]:
    """Return the inbound mail log, newest first, optionally one outcome, mailbox or ticket."""
    queryset = InboundMail.objects.select_related("mailbox", "queue", "ticket")
    if outcome:
        if outcome not in InboundOutcome.values:
            raise ValidationFailed(errors=[FieldError(field="outcome", reason=one_of(InboundOutcome.values))])
        queryset = queryset.filter(outcome=outcome)
    if mailbox_id is not None:
        queryset = queryset.filter(mailbox_id=mailbox_id)
    if ticket_id is not None:
        queryset = queryset.filter(ticket_id=ticket_id)
    return queryset.order_by("-received_at", "-id")
