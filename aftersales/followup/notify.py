"""Telling staff about follow-up work that needs them (overdue tasks, problems found on calls).

A seam: until the shared staff notifications (``core.notification_send``) exist, staff are told by
email through Django's mail backends, in each person's own language. Replace the body of
:func:`staff_notify` with a call to ``notification_send`` when it lands; callers stay the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from aftersales.core.models import User

logger = logging.getLogger(__name__)


def staff_notify(*, users: Iterable[User], subject: Callable[[], str], body: Callable[[], str]) -> int:
    """Tell each staff member something by email in their language; return how many were told.

    ``subject`` and ``body`` are called once per person with their language active.
    """
    told = 0
    for user in users:
        if not user.email or not user.is_active:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            try:
                send_mail(subject(), body(), None, [user.email])
            except Exception:
                logger.exception("Could not email %s about follow-up work", user.email)
                continue
        told += 1
    return told
