"""Signals feedback sends to capabilities above it.

``promoter_answered`` is sent after commit when a customer answers a survey as a promoter (NPS 9–10), with
``response_id``, ``customer_id`` and ``invitation_id``. It is the hook for referral invitations: the loyalty
capability subscribes in its ``receivers.py`` and invites the customer to refer a friend. Feedback itself
only sends the review request.

``survey_completed`` is sent after commit once a customer's answer to a survey has been evaluated (not for
imported results), with ``response_id``, ``customer_id`` and ``invitation_id``: the hook for loyalty's bonus
points and contests' entries. Receivers must be idempotent (key on ``response_id``).
"""

from __future__ import annotations

from django.dispatch import Signal

promoter_answered = Signal()
survey_completed = Signal()
