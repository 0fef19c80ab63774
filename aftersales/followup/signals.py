"""Signals follow-up sends to capabilities above it.

``survey_requested`` is sent (inside the touch's transaction) when a step's action is "send a survey".
Arguments: ``touch``, ``customer``, ``unit`` (or None) and ``step``. The feedback capability subscribes in
its ``receivers.py`` and returns a true value when it created the survey; when no receiver answers
true the touch is recorded as skipped ("surveys are not available"), never as a survey sent.

``touch_gift_requested`` is sent (inside the touch's transaction, before its message is queued) when a step
carries a gift voucher (a birthday card with a gift, a thank-you note after a first purchase…). Arguments:
``touch``, ``customer``, ``step``, ``value`` (a Decimal, the voucher's fixed value) and ``valid_days``.
The vouchers capability (``aftersales.offers``) subscribes and returns a mapping to merge into the
message's context — ``voucher_code``, ``voucher_value`` and ``voucher_valid_until`` — issuing the voucher
once per touch (idempotency key ``followup:gift:<touch id>``); when no receiver answers, the message goes
without a gift.
"""

from __future__ import annotations

from django.dispatch import Signal

survey_requested = Signal()
touch_gift_requested = Signal()
