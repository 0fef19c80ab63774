"""Signals the sales capability sends to capabilities above it.

``sales_recorded`` is sent after commit whenever sales were recorded:

- by ``sale_create``, with ``sale_ids=[the new sale's id]``;
- by a committed sales import, with ``sale_ids=None`` (possibly a million sales: receivers then run their own
  set-based catch-up — for example "sales not yet credited with points" — rather than iterate ids).

Receivers must be idempotent: the same sale may reach them twice (a signal and a later catch-up sweep).
"""

from __future__ import annotations

from django.dispatch import Signal

sales_recorded = Signal()
