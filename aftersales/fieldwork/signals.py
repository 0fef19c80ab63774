"""Signals field service sends to capabilities above it.

``work_order_completed`` is sent after commit (``transaction.on_commit``) when a visit is completed, with
``work_order_id``. Feedback subscribes to send the customer a survey about the visit.
"""

from __future__ import annotations

from django.dispatch import Signal

work_order_completed = Signal()
