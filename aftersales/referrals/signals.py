"""Signals referrals send to capabilities above them.

``referral_converted`` is sent after commit when a referred prospect made their first purchase and the
referral was rewarded, with ``referral_id``, ``referrer_id`` (the referring customer) and
``referred_id`` (the new customer): the hook for contests' entries. Receivers must be idempotent (key on
``referral_id``).
"""

from __future__ import annotations

from django.dispatch import Signal

referral_converted = Signal()
