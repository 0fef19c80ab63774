"""The staff inbox: kinds of notification and how each reads.

A capability registers its kinds with :func:`notification_kind_register` (in its ``kinds.py``) and
sends with ``core.services.notification_send``; rows store the code and its data, and read in the
recipient's language whenever they are shown or emailed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from aftersales.core.models import Notification


@dataclass(frozen=True)
class NotificationKind:
    code: str
    sentence: Promise


_KINDS: dict[str, NotificationKind] = {}


class _Defaulting(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


def notification_kind_register(code: str, *, sentence: Promise) -> NotificationKind:
    """Register a kind of notification with the sentence that renders its data (``%(reference)s``)."""
    kind = NotificationKind(code=code, sentence=sentence)
    _KINDS[code] = kind
    return kind


def notification_kind_known(code: str) -> bool:
    """Return whether a notification kind is registered."""
    return code in _KINDS


def notification_describe(notification: Notification) -> str:
    """Return a notification as a sentence in the active language."""
    kind = _KINDS.get(notification.verb)
    if kind is None:
        return str((notification.data or {}).get("text", notification.verb))
    return str(kind.sentence) % _Defaulting(notification.data or {})
