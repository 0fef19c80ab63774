"""The service desk's extension points.

``ticket_changed`` is sent INSIDE the transaction by every ticket service, after the change and its
event are written, with ``ticket=``, ``change=`` (a :class:`Change` code), ``actor=`` (a user or None)
and ``data=`` (a dict of codes and ids). Receivers that must act atomically with the change (SLA clocks)
write directly; receivers with side effects outside the database (mail) wrap them in
``transaction.on_commit``. A receiver that raises rolls the change back.

``ticket_committed`` is sent after the transaction commits, with the same arguments, for webhooks and
higher apps (followup, feedback) that react to what is already true.
"""

from __future__ import annotations

from django.db import models
from django.dispatch import Signal


class Change(models.TextChoices):
    # The ticket was opened (data: message_id of its first message, or None).
    CREATED = "created"
    # Its status changed (data: from, to).
    STATUS = "status"
    # Staff replied publicly (data: message_id, first, status — where the reply leaves the ticket).
    PUBLIC_REPLY = "public_reply"
    # The customer wrote (data: message_id, reopened).
    CUSTOMER_REPLY = "customer_reply"
    # Staff added an internal note (data: message_id).
    INTERNAL_NOTE = "internal_note"
    # The assignee changed (data: from, to — user ids or None).
    ASSIGNED = "assigned"
    # The priority changed (data: from, to).
    PRIORITY = "priority"
    # The queue changed (data: from, to — queue ids).
    QUEUE = "queue"
    # This ticket absorbed another, or was absorbed (data: source, target — ticket ids).
    MERGED = "merged"
    # It moved to another escalation tier (data: from, to).
    ESCALATED = "escalated"
    # Tags, followers or kind changed (data: what).
    DETAILS = "details"


ticket_changed = Signal()
ticket_committed = Signal()
