"""Every write to the outbox: templates, enqueueing, delivery, delivery reports and unsubscribes.

Delivery is exactly-once as far as our side can make it: a message is claimed by a conditional
``UPDATE`` with a lease before it is handed to a provider, and marked sent right after. The one window
left is between the provider accepting a message and our commit of ``sent``: a worker killed exactly
there leaves the message ``sending``; once its lease runs out the retry sweep hands it to another
worker, which sends it again with the same Message-ID / idempotency key, so providers and mail clients
that honour those drop the repeat. See docs/user-guide/messaging.md, "Delivery guarantees".
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, FieldError, NotFound, ValidationFailed, interpolate, one_of
from aftersales.core.models import Language, User
from aftersales.core.tasks import task_enqueue_on_commit, tasks_waiting
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_set_consent
from aftersales.messaging import backends, rules
from aftersales.messaging.models import (
    CONSENT_FOR_CHANNEL,
    Message,
    MessageChannel,
    MessageEvent,
    MessageStatus,
    MessageTemplate,
    Purpose,
    SuppressedReason,
    Unsubscribe,
)
from aftersales.messaging.sandbox import render, template_check
from aftersales.messaging.selectors import body_with_unsubscribe, message_context, template_choose
from aftersales.messaging.signing import unsubscribe_read, unsubscribe_url
from aftersales.sales.models import Sale, Unit

logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = ("code", "channel", "language", "purpose", "description", "description_es", "subject", "body")


# --- templates ------------------------------------------------------------------------------------


def template_clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Return normalised template fields and the reasons any of them is refused."""
    cleaned = {name: str(data[name]).strip() if data[name] is not None else "" for name in TEMPLATE_FIELDS if name in data}
    errors: list[FieldError] = []
    if "code" in cleaned:
        if not cleaned["code"]:
            errors.append(FieldError(field="code", reason=_("is required")))
        elif slugify(cleaned["code"]) != cleaned["code"] or len(cleaned["code"]) > 60:
            errors.append(FieldError(field="code", reason=_("must be lowercase letters, digits, - or _ (at most 60)")))
    choices = {"channel": MessageChannel.values, "language": Language.values, "purpose": Purpose.values}
    for name, allowed in choices.items():
        if name in cleaned and cleaned[name] not in allowed:
            errors.append(FieldError(field=name, reason=one_of(allowed)))
    if "body" in cleaned and not cleaned["body"]:
        errors.append(FieldError(field="body", reason=_("is required")))
    for name in ("subject", "description", "description_es"):
        if len(cleaned.get(name, "")) > 200:
            errors.append(FieldError(field=name, reason=interpolate(_("is longer than %(limit)s characters"), limit=200)))
    for name in ("subject", "body"):
        if cleaned.get(name):
            try:
                template_check(cleaned[name], field=name)
            except ValidationFailed as failed:
                errors.extend(failed.errors)
    return cleaned, errors


def _template_validate(template: MessageTemplate, errors: list[FieldError]) -> None:
    if template.channel in (MessageChannel.EMAIL, MessageChannel.LETTER) and not template.subject:
        errors.append(
            FieldError(
                field="subject",
                reason=interpolate(_("is required for the %(channel)s channel"), channel=MessageChannel(template.channel).label),
            )
        )
    clash = MessageTemplate.objects.filter(code=template.code, channel=template.channel, language=template.language)
    if template.pk:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        errors.append(
            FieldError(field="code", reason=_("a template with this code, channel and language already exists"), code="duplicate")
        )
    if errors:
        raise ValidationFailed(errors=errors)


@transaction.atomic
def template_create(*, actor: User | None, data: Mapping[str, Any]) -> MessageTemplate:
    """Create a message template; code, channel and language together must be new and the text must compile."""
    cleaned, errors = template_clean({"code": "", "channel": "", "body": "", **data})
    template = MessageTemplate(**cleaned, updated_by=actor if actor and actor.is_authenticated else None)
    _template_validate(template, errors)
    template.save()
    return template


@transaction.atomic
def template_update(*, actor: User | None, template: MessageTemplate, data: Mapping[str, Any]) -> MessageTemplate:
    """Change a template and raise its version; messages already queued keep the text they were rendered with."""
    cleaned, errors = template_clean(data)
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    for name, value in cleaned.items():
        setattr(template, name, value)
    _template_validate(template, errors)
    template.version += 1
    template.updated_by = actor if actor and actor.is_authenticated else None
    template.save()
    return template


@transaction.atomic
def template_delete(*, actor: User | None, template: MessageTemplate) -> None:
    """Delete a template; messages sent with it keep their text and its code."""
    template.delete()


# --- enqueueing -----------------------------------------------------------------------------------


def _address(customer: Customer, channel: str) -> str:
    if channel == MessageChannel.EMAIL:
        return customer.email
    if channel in (MessageChannel.SMS, MessageChannel.CALL):
        return customer.phone
    if channel == MessageChannel.LETTER:
        return customer.address if customer.address_line1 and (customer.city or customer.postal_code) else ""
    return ""


def _consent_reason(customer: Customer, channel: str) -> str:
    """Return why marketing may not go to the customer on a channel, or "" when it may."""
    if customer.has_consent(CONSENT_FOR_CHANNEL[MessageChannel(channel)]):
        return ""
    if Unsubscribe.objects.filter(customer=customer, channel=channel).exists():
        return SuppressedReason.UNSUBSCRIBED
    return SuppressedReason.NO_CONSENT


def _cap_reached(customer: Customer, now: dt.datetime) -> bool:
    cap = rules.marketing_cap()
    if cap is None:
        return False
    recent = (
        Message.objects.filter(customer=customer, purpose=Purpose.MARKETING, created_at__gte=now - dt.timedelta(days=cap.days))
        .exclude(status__in=[MessageStatus.SUPPRESSED, MessageStatus.FAILED])
        .count()
    )
    return recent >= cap.messages


def _quiet_hours_apply(channel: str, purpose: str) -> bool:
    # Texts buzz a phone, so they always wait; marketing email waits too. A transactional email
    # (a sign-in link the customer just asked for) goes at once; letters and calls keep office hours anyway.
    return channel == MessageChannel.SMS or (channel == MessageChannel.EMAIL and purpose == Purpose.MARKETING)


def _default_assignee(customer: Customer) -> User | None:
    """Return who calls a customer by default: the rep of their latest sale."""
    sale = Sale.objects.filter(customer=customer, sales_rep__isnull=False).select_related("sales_rep").order_by("-sold_on", "-id")
    latest = sale.first()
    return latest.sales_rep if latest else None


def _event(message: Message, status: str, detail: str = "", actor: User | None = None) -> None:
    MessageEvent.objects.create(
        message=message, status=status, detail=detail, actor=actor if actor and actor.is_authenticated else None
    )


def _timeline(message: Message, kind: str, *, reason: str = "", actor: User | None = None) -> None:
    timeline_record(
        customer=message.customer,
        # A message that was never sent stays off the unit's history, which the customer sees in the portal.
        unit=None if kind == "message_suppressed" else message.unit,
        kind=kind,
        actor=actor,
        data={
            "channel": message.channel,
            "subject": message.subject or message.template_code,
            "recipient": message.recipient.split(",")[0],
            "reason": reason,
            "message_id": message.pk,
            "unit_id": message.unit_id,
            "template": message.template_code,
        },
    )


MAX_EMAIL_ATTACHMENTS = 10
MAX_HEADER_CHARS = 4000


def _email_extras_check(
    channel: str, headers: Mapping[str, str], attachments: Sequence[backends.EmailAttachment]
) -> list[FieldError]:
    """Return why the extra headers or files of a message are refused: email only, known headers, one line each."""
    errors: list[FieldError] = []
    if (headers or attachments) and channel != MessageChannel.EMAIL:
        errors.append(FieldError(field="headers" if headers else "attachments", reason=_("only email messages carry them")))
        return errors
    for name, value in headers.items():
        if name not in backends.EMAIL_EXTRA_HEADERS:
            errors.append(FieldError(field=f"headers.{name}", reason=one_of(backends.EMAIL_EXTRA_HEADERS)))
        elif not isinstance(value, str) or "\r" in value or "\n" in value or len(value) > MAX_HEADER_CHARS:
            # A line break would let the value start a header of its own.
            errors.append(
                FieldError(
                    field=f"headers.{name}",
                    reason=interpolate(_("must be one line of at most %(limit)s characters"), limit=MAX_HEADER_CHARS),
                )
            )
    if len(attachments) > MAX_EMAIL_ATTACHMENTS:
        errors.append(
            FieldError(
                field="attachments", reason=interpolate(_("at most %(count)s files per message"), count=MAX_EMAIL_ATTACHMENTS)
            )
        )
    for index, attachment in enumerate(attachments):
        if not attachment.name or not default_storage.exists(attachment.path):
            errors.append(FieldError(field=f"attachments[{index}]", reason=_("is not a stored file"), code="missing"))
    return errors


def _dispatch_on_commit(message_id: int, run_after: dt.datetime) -> None:
    """Hand a message to the workers once the transaction that queued it has committed."""
    task_enqueue_on_commit(_deliver_task, record=Message, pk=message_id, run_after=run_after)


def _deliver_task() -> Any:
    from aftersales.messaging.tasks import deliver_message

    return deliver_message


@transaction.atomic
def message_enqueue(
    *,
    actor: User | None,
    customer: Customer,
    template_code: str,
    channel: str,
    context: Mapping[str, Any] | None = None,
    idempotency_key: str,
    purpose: str | None = None,
    unit: Unit | None = None,
    send_after: dt.datetime | None = None,
    assignee: User | None = None,
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[backends.EmailAttachment] = (),
) -> Message:
    """Put a message in the outbox once per idempotency key, honouring consent, unsubscribes, the cap and quiet hours.

    An email may carry extra headers (``Message-ID``, ``In-Reply-To``, ``References``, ``Reply-To``) and
    files already in the private storage.
    """
    key = (idempotency_key or "").strip()
    errors = _email_extras_check(channel, headers or {}, attachments)
    if not key or len(key) > 200:
        errors.append(FieldError(field="idempotency_key", reason=_("is required (at most 200 characters)")))
    if channel not in MessageChannel.values:
        errors.append(FieldError(field="channel", reason=one_of(MessageChannel.values)))
    if purpose is not None and purpose not in Purpose.values:
        errors.append(FieldError(field="purpose", reason=one_of(Purpose.values)))
    if unit is not None and unit.customer_id != customer.pk:
        errors.append(FieldError(field="unit", reason=_("belongs to another customer")))
    if send_after is not None and timezone.is_naive(send_after):
        errors.append(FieldError(field="send_after", reason=_("must include a time zone, e.g. 2025-06-01T09:00:00+02:00")))
    if errors:
        raise ValidationFailed(errors=errors)

    existing = Message.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    # One enqueue per customer at a time, so two triggers cannot both slip under the cap. NO KEY UPDATE:
    # rows that merely refer to the customer (a ticket being opened) are not held up, which would deadlock
    # with a caller that already locked such a row (a ticket reply).
    customer = Customer.objects.select_for_update(no_key=True).get(pk=customer.pk)
    template = template_choose(code=template_code, channel=channel, language=customer.language)
    if template is None:
        raise ValidationFailed(
            errors=[
                FieldError(
                    field="template_code",
                    reason=interpolate(
                        _("no %(channel)s template %(code)r in any language"), channel=channel, code=template_code
                    ),
                )
            ]
        )
    # A marketing template stays marketing whatever the caller says; a caller may only make a message stricter.
    effective_purpose = Purpose.MARKETING if Purpose.MARKETING in (purpose, template.purpose) else Purpose.TRANSACTIONAL
    now = timezone.now()

    recipient = _address(customer, channel)
    reason = ""
    if not recipient:
        reason = SuppressedReason.NO_ADDRESS
    elif effective_purpose == Purpose.MARKETING:
        reason = _consent_reason(customer, channel) or (SuppressedReason.FREQUENCY_CAP if _cap_reached(customer, now) else "")

    extra = dict(context or {})
    link = ""
    if effective_purpose == Purpose.MARKETING:
        link = unsubscribe_url(customer_id=customer.pk, channel=channel)
        extra["unsubscribe_url"] = link
    data = message_context(customer=customer, language=template.language, unit=unit, extra=extra)
    rendered = render(subject=template.subject, body=template.body, context=data, language=template.language)
    body = body_with_unsubscribe(rendered.body, link=link, language=template.language)

    scheduled_for = max(now, send_after) if send_after else now
    if _quiet_hours_apply(channel, effective_purpose):
        scheduled_for = rules.next_allowed_moment(scheduled_for, zone=rules.customer_zone(customer.time_zone))
    if channel == MessageChannel.CALL and assignee is None:
        assignee = _default_assignee(customer)

    extra_headers = dict(headers or {})
    message = Message(
        customer=customer,
        unit=unit,
        channel=channel,
        purpose=effective_purpose,
        template=template,
        template_code=template.code,
        template_version=template.version,
        language=template.language,
        subject=rendered.subject,
        body=body,
        recipient=recipient,
        idempotency_key=key,
        status=MessageStatus.SUPPRESSED if reason else MessageStatus.QUEUED,
        suppressed_reason=reason,
        assignee=assignee if channel == MessageChannel.CALL else None,
        created_by=actor if actor and actor.is_authenticated else None,
        scheduled_for=scheduled_for,
        dispatched_at=None if reason or channel == MessageChannel.CALL else now,
        email_message_id=(extra_headers.pop("Message-ID", "") or backends.email_message_id(key))
        if channel == MessageChannel.EMAIL
        else "",
        headers=extra_headers,
        attachments=[asdict(attachment) for attachment in attachments],
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # Another process queued the same key a moment ago: theirs is the message.
        return Message.objects.get(idempotency_key=key)

    if reason:
        label = str(SuppressedReason(reason).label)
        _event(message, MessageStatus.SUPPRESSED, f"Not sent: {label}.", actor)
        _timeline(message, "message_suppressed", reason=reason, actor=actor)
    elif channel == MessageChannel.CALL:
        who = str(message.assignee) if message.assignee else "nobody yet"
        _event(message, MessageStatus.QUEUED, f"Call task for {who}.", actor)
    else:
        later = scheduled_for.astimezone(dt.UTC)
        when = "now" if scheduled_for <= now else f"after {later:%Y-%m-%d %H:%M} UTC (quiet hours or requested time)"
        _event(message, MessageStatus.QUEUED, f"Queued to send {when}.", actor)
        _dispatch_on_commit(message.pk, scheduled_for)
    return message


# --- delivery -------------------------------------------------------------------------------------


def _claim(message_id: int, claim: str, now: dt.datetime) -> bool:
    """Take the message for this attempt if it is due, or if the worker that held it ran out of lease."""
    due = Q(status=MessageStatus.QUEUED, scheduled_for__lte=now) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(status=MessageStatus.SENDING, claimed_until__lt=now, attempts__lt=rules.max_attempts())
    with transaction.atomic():
        taken = (
            Message.objects.filter(pk=message_id)
            .exclude(channel=MessageChannel.CALL)
            .filter(due | abandoned)
            .update(
                status=MessageStatus.SENDING,
                claimed_by=claim,
                claimed_until=now + rules.lease(),
                attempts=F("attempts") + 1,
                updated_at=now,
            )
        )
        if taken:
            message = Message.objects.get(pk=message_id)
            _event(message, MessageStatus.SENDING, f"Attempt {message.attempts} by {claim}.")
    return bool(taken)


def _hand_over(message: Message) -> str:
    """Give the message to its channel's backend; return the provider's id."""
    if message.channel == MessageChannel.EMAIL:
        link = (
            unsubscribe_url(customer_id=message.customer_id, channel=message.channel)
            if message.purpose == Purpose.MARKETING
            else ""
        )
        return backends.email_send(
            backends.OutgoingEmail(
                to=message.recipient,
                subject=message.subject,
                body=message.body,
                idempotency_key=message.idempotency_key,
                unsubscribe_url=link,
                outbox_id=message.pk,
                message_id=message.email_message_id,
                headers=message.headers,
                attachments=[backends.EmailAttachment(**attachment) for attachment in message.attachments],
            )
        )
    if message.channel == MessageChannel.SMS:
        return backends.sms_backend().send(
            backends.OutgoingSms(to=message.recipient, body=message.body, idempotency_key=message.idempotency_key)
        )
    if message.channel == MessageChannel.LETTER:
        return backends.LetterBackend().send(
            backends.OutgoingLetter(
                recipient_name=message.customer.name,
                address=message.recipient,
                subject=message.subject,
                body=message.body,
                idempotency_key=message.idempotency_key,
                language=message.language,
            )
        )
    raise backends.PermanentDeliveryError(f"The {message.channel} channel has no backend.")


def message_deliver(*, message_id: int, worker_id: str) -> str:
    """Send a due message once: claim it with a lease, hand it to its channel, record the outcome.

    Not one transaction on purpose: the claim must be committed before the provider is called, and
    the outcome committed right after, so that no lock is held while talking to the network.
    """
    now = timezone.now()
    claim = f"{worker_id}/{secrets.token_hex(4)}"[:120]
    if not _claim(message_id, claim, now):
        return "skipped"
    message = Message.objects.select_related("customer", "unit").get(pk=message_id)
    if message.purpose == Purpose.MARKETING:
        # Consent may have been withdrawn while the message waited (quiet hours, retries).
        reason = _consent_reason(message.customer, message.channel)
        if reason:
            return _finish_suppressed(message, claim, reason)
    try:
        provider_id = _hand_over(message)
    except backends.PermanentDeliveryError as error:
        return _finish_failed(message, claim, str(error), permanent=True)
    except Exception as error:
        logger.warning("Sending message %s failed: %s", message_id, error)
        return _finish_failed(message, claim, str(error) or error.__class__.__name__, permanent=False)
    return _finish_sent(message, claim, provider_id)


@transaction.atomic
def _finish_sent(message: Message, claim: str, provider_id: str) -> str:
    now = timezone.now()
    updated = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claimed_by=claim).update(
        status=MessageStatus.SENT,
        sent_at=now,
        provider_message_id=provider_id[:255],
        claimed_until=None,
        next_attempt_at=None,
        last_error="",
        updated_at=now,
    )
    if not updated:
        # Our lease ran out while the provider was busy and another worker took the message over.
        logger.error("Message %s was sent by %s after its lease ran out.", message.pk, claim)
        _event(message, MessageStatus.SENT, f"Sent by {claim} after its lease ran out (provider id {provider_id}).")
        return "lease_lost"
    message.refresh_from_db()
    _event(message, MessageStatus.SENT, f"Accepted by the provider, id {provider_id}.")
    _timeline(message, "message_sent")
    return "sent"


@transaction.atomic
def _finish_failed(message: Message, claim: str, error: str, *, permanent: bool) -> str:
    now = timezone.now()
    current = Message.objects.select_for_update().filter(pk=message.pk, status=MessageStatus.SENDING, claimed_by=claim).first()
    if current is None:
        logger.error("Message %s failed after its lease ran out: %s", message.pk, error)
        return "lease_lost"
    current.last_error = error[:4000]
    current.claimed_by, current.claimed_until = "", None
    if permanent or current.attempts >= rules.max_attempts():
        current.status, current.next_attempt_at = MessageStatus.FAILED, None
        current.save()
        why = "permanent error" if permanent else f"gave up after {current.attempts} attempts"
        _event(current, MessageStatus.FAILED, f"{why}: {error}")
        _timeline(current, "message_failed", reason=error[:200])
        return "failed"
    current.status = MessageStatus.QUEUED
    retry_at = now + rules.retry_delay(current.attempts)
    current.next_attempt_at = retry_at
    current.dispatched_at = now
    current.save()
    _event(current, MessageStatus.QUEUED, f"Attempt {current.attempts} failed ({error}); next try after {retry_at:%H:%M:%S} UTC.")
    _dispatch_on_commit(current.pk, retry_at)
    return "retry"


@transaction.atomic
def _finish_suppressed(message: Message, claim: str, reason: str) -> str:
    updated = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claimed_by=claim).update(
        status=MessageStatus.SUPPRESSED, suppressed_reason=reason, claimed_by="", claimed_until=None, updated_at=timezone.now()
    )
    if updated:
        label = str(SuppressedReason(reason).label)
        message.refresh_from_db()
        _event(message, MessageStatus.SUPPRESSED, f"Not sent: {label} (withdrawn while queued).")
        _timeline(message, "message_suppressed", reason=reason)
    return "suppressed"


def _tasks_waiting(task_ids: list[str]) -> set[str]:
    """Return which of the delivery tasks still wait to run in the database queue."""
    return tasks_waiting(_deliver_task(), task_ids)


@transaction.atomic
def messages_redispatch_due(*, limit: int = 1000) -> dict[str, int]:
    """Hand due messages whose delivery task is missing, and those whose worker died, back to the workers."""
    now = timezone.now()
    stale = now - rules.lease()
    exhausted = list(
        Message.objects.select_for_update(skip_locked=True)
        .filter(status=MessageStatus.SENDING, claimed_until__lt=now, attempts__gte=rules.max_attempts())
        .order_by("pk")[:limit]
    )
    for message in exhausted:
        message.status, message.claimed_by, message.claimed_until = MessageStatus.FAILED, "", None
        message.last_error = "The worker stopped while sending and no attempts are left; it may or may not have been sent."
        message.save()
        _event(message, MessageStatus.FAILED, message.last_error)
        _timeline(message, "message_failed", reason="no attempts left")

    abandoned = Q(status=MessageStatus.SENDING, claimed_until__lt=now) & (
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=F("claimed_until")) | Q(dispatched_at__lt=stale)
    )
    forgotten = (
        Q(status=MessageStatus.QUEUED, scheduled_for__lt=stale)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=stale))
        & (Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
    )
    candidates = list(
        Message.objects.filter(abandoned | forgotten)
        .exclude(channel=MessageChannel.CALL)
        .order_by("dispatched_at", "pk")
        .values_list("pk", "status", "task_id")[: limit * 5]
    )
    # A message whose task still waits in the queue is only behind a backlog, not lost.
    waiting = _tasks_waiting([task_id for _pk, _status, task_id in candidates if task_id])
    due = [(pk, status) for pk, status, task_id in candidates if task_id not in waiting][:limit]
    Message.objects.filter(pk__in=[pk for pk, _status in due]).update(dispatched_at=now)
    for pk, _status in due:
        _dispatch_on_commit(pk, now)
    return {
        "failed": len(exhausted),
        "abandoned": sum(1 for _pk, status in due if status == MessageStatus.SENDING),
        "requeued": sum(1 for _pk, status in due if status == MessageStatus.QUEUED),
    }


# --- calls ----------------------------------------------------------------------------------------


@transaction.atomic
def call_message_reassign(*, actor: User | None, message: Message, assignee: User | None) -> Message:
    """Give a queued call to another staff member (or to nobody yet)."""
    message = Message.objects.select_for_update(of=("self",)).select_related("customer", "unit").get(pk=message.pk)
    if message.channel != MessageChannel.CALL or message.status != MessageStatus.QUEUED:
        raise Conflict(_("Only a queued call can be given to someone else."))
    message.assignee = assignee
    message.save(update_fields=["assignee", "updated_at"])
    _event(message, MessageStatus.QUEUED, f"Call task for {assignee or 'nobody yet'}.", actor)
    return message


@transaction.atomic
def call_message_close(*, actor: User | None, message: Message, reached: bool, detail: str = "") -> Message:
    """Record how a call ended: made (the customer was reached) or given up; a closed call stays as it is."""
    message = Message.objects.select_for_update(of=("self",)).select_related("customer", "unit").get(pk=message.pk)
    if message.channel != MessageChannel.CALL:
        raise Conflict(_("Only a call can be closed by its outcome."))
    if message.status != MessageStatus.QUEUED:
        return message
    now = timezone.now()
    message.attempts += 1
    if reached:
        message.status, message.sent_at = MessageStatus.SENT, now
        message.save(update_fields=["status", "sent_at", "attempts", "updated_at"])
        _event(message, MessageStatus.SENT, detail or "The customer was reached.", actor)
    else:
        message.status, message.last_error = MessageStatus.FAILED, (detail or "The customer was not reached.")[:4000]
        message.save(update_fields=["status", "last_error", "attempts", "updated_at"])
        _event(message, MessageStatus.FAILED, message.last_error, actor)
    # No timeline line here: whoever logs the call's outcome writes it, in words about the call, not a delivery.
    return message


# --- delivery reports -----------------------------------------------------------------------------


@transaction.atomic
def message_mark_delivered(*, message: Message, detail: str = "", at: dt.datetime | None = None) -> Message:
    """Record that the provider delivered a sent message; repeated reports change nothing."""
    message = Message.objects.select_for_update(of=("self",)).select_related("customer", "unit").get(pk=message.pk)
    if message.status in (MessageStatus.DELIVERED, MessageStatus.BOUNCED):
        return message
    if message.status != MessageStatus.SENT:
        raise Conflict(interpolate(_("A %(status)s message cannot be marked delivered."), status=message.status))
    message.status, message.delivered_at = MessageStatus.DELIVERED, at or timezone.now()
    message.save(update_fields=["status", "delivered_at", "updated_at"])
    _event(message, MessageStatus.DELIVERED, detail or "Delivery confirmed by the provider.")
    return message


@transaction.atomic
def message_mark_bounced(*, message: Message, detail: str = "") -> Message:
    """Record that a sent message was rejected by the recipient's side; repeated reports change nothing."""
    message = Message.objects.select_for_update(of=("self",)).select_related("customer", "unit").get(pk=message.pk)
    if message.status == MessageStatus.BOUNCED:
        return message
    if message.status not in (MessageStatus.SENT, MessageStatus.DELIVERED):
        raise Conflict(interpolate(_("A %(status)s message cannot bounce."), status=message.status))
    message.status, message.last_error = MessageStatus.BOUNCED, detail[:4000]
    message.save(update_fields=["status", "last_error", "updated_at"])
    _event(message, MessageStatus.BOUNCED, detail or "Rejected by the recipient's network.")
    _timeline(message, "message_failed", reason=detail[:200] or "bounced")
    return message


DELIVERED_REPORTS = {"delivered"}
BOUNCED_REPORTS = {"failed", "undelivered", "undeliverable", "rejected", "bounced", "expired"}
INTERIM_REPORTS = {"accepted", "queued", "sent", "buffered", "enroute"}


@transaction.atomic
def sms_report_apply(*, provider_message_id: str, status: str, detail: str = "") -> Message:
    """Apply an SMS gateway's delivery report to the message it sent."""
    message = Message.objects.filter(channel=MessageChannel.SMS, provider_message_id=provider_message_id).first()
    if not provider_message_id or message is None:
        raise NotFound(_("No text message with this provider id."))
    state = status.strip().lower()
    if state in DELIVERED_REPORTS:
        return message_mark_delivered(message=message, detail=detail)
    if state in BOUNCED_REPORTS:
        return message_mark_bounced(message=message, detail=detail or f"Gateway reported {state}.")
    if state in INTERIM_REPORTS:
        return message
    known = sorted(DELIVERED_REPORTS | BOUNCED_REPORTS | INTERIM_REPORTS)
    raise ValidationFailed(errors=[FieldError(field="status", reason=one_of(known))])


EMAIL_DELIVERED = {"delivered"}
EMAIL_BOUNCED = {"bounced", "rejected", "failed"}
EMAIL_OPT_OUTS = {"complained", "unsubscribed"}


@transaction.atomic
def email_report_apply(
    *, event_type: str, provider_message_id: str = "", outbox_id: str = "", detail: str = ""
) -> Message | None:
    """Apply an email provider's report: delivered, bounced, or an opt-out that withdraws email consent."""
    query = Message.objects.filter(channel=MessageChannel.EMAIL)
    if outbox_id.isdigit():
        message = query.filter(pk=int(outbox_id)).first()
    else:
        message = query.filter(provider_message_id=provider_message_id).first() if provider_message_id else None
    if message is None:
        return None
    try:
        if event_type in EMAIL_DELIVERED:
            return message_mark_delivered(message=message, detail=detail)
        if event_type in EMAIL_BOUNCED:
            return message_mark_bounced(message=message, detail=detail or f"The provider reported the email {event_type}.")
    except Conflict:
        logger.warning("Ignored a %s report for message %s in status %s.", event_type, message.pk, message.status)
        return message
    if event_type in EMAIL_OPT_OUTS:
        # A spam complaint or the provider's own unsubscribe means: no more marketing email.
        customer = Customer.objects.select_for_update().get(pk=message.customer_id)
        if customer.has_consent("email"):
            customer_set_consent(actor=None, customer=customer, channel="email", given=False)
            Unsubscribe.objects.create(customer=customer, channel=MessageChannel.EMAIL)
        _event(message, message.status, f"The recipient {event_type} (reported by the email provider); email consent withdrawn.")
    return message


@transaction.atomic
def email_bounce_apply(*, message_ids: Iterable[str], detail: str = "") -> Message | None:
    """Mark the email a bounce report quotes as bounced; return it, or None when none of ours matches."""
    ids = [value.strip() for value in message_ids if value and value.strip()]
    if not ids:
        return None
    message = (
        Message.objects.filter(channel=MessageChannel.EMAIL)
        .filter(Q(email_message_id__in=ids) | Q(provider_message_id__in=ids))
        .order_by("-pk")
        .first()
    )
    if message is None:
        return None
    try:
        return message_mark_bounced(message=message, detail=detail or "The recipient's mail server returned the email.")
    except Conflict:
        logger.warning("Ignored a bounce for message %s in status %s.", message.pk, message.status)
        return message


# --- unsubscribe ----------------------------------------------------------------------------------


@transaction.atomic
def unsubscribe_apply(*, token: str) -> Unsubscribe:
    """Withdraw the customer's marketing consent on the channel a signed link names."""
    request = unsubscribe_read(token)
    if request is None or request.channel not in MessageChannel.values:
        raise NotFound(_("This unsubscribe link is not valid."))
    customer = Customer.objects.select_for_update().filter(pk=request.customer_id).first()
    if customer is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    consent = CONSENT_FOR_CHANNEL[MessageChannel(request.channel)]
    latest = Unsubscribe.objects.filter(customer=customer, channel=request.channel).order_by("-created_at").first()
    if latest is not None and not customer.has_consent(consent):
        return latest  # a second click, or a mail client's one-click POST after the person's own
    customer_set_consent(actor=None, customer=customer, channel=consent, given=False)
    return Unsubscribe.objects.create(customer=customer, channel=request.channel)


@transaction.atomic
def marketing_unsubscribe(*, actor: User | None, customer: Customer) -> list[Unsubscribe]:
    """Stop all marketing to a customer: withdraw consent on every channel and record each opt-out."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    recorded = []
    for channel in MessageChannel.values:
        consent = CONSENT_FOR_CHANNEL[MessageChannel(channel)]
        had_consent = customer.has_consent(consent)
        if had_consent:
            customer_set_consent(actor=actor, customer=customer, channel=consent, given=False)
        # A channel already opted out of (and not agreed again since) keeps its first opt-out.
        if had_consent or not Unsubscribe.objects.filter(customer=customer, channel=channel).exists():
            recorded.append(Unsubscribe.objects.create(customer=customer, channel=channel))
    if recorded:
        timeline_record(
            customer=customer,
            kind="marketing_unsubscribed",
            actor=actor,
            data={"channels": [unsubscribe.channel for unsubscribe in recorded]},
        )
    return recorded
