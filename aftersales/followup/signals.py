"""Signals follow-up sends to capabilities above it.

``survey_requested`` is sent (inside the touch's transaction) when a step's action is "send a survey".
Arguments: ``touch``, ``customer``, ``unit`` (or None) and ``step``. The feedback capability subscribes in
its ``receivers.py`` and returns a true value when it created the survey; when no receiver answers
true the touch is recorded as skipped ("surveys are not available"), never as a survey sent.
"""

from __future__ import annotations

from django.dispatch import Signal

survey_requested = Signal()
