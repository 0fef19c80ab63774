"""Signed survey links. An answer token names one invitation and one answer value; a form token names one
invitation. Nothing else is in them, so a link can record that one answer or show that one survey, never read
any other record. Both expire ``FEEDBACK_LINK_DAYS`` after they were made, and the salts keep one kind of token
from being used as the other (or as an unsubscribe token).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

ANSWER_SALT = "aftersales.feedback.answer"
FORM_SALT = "aftersales.feedback.form"


@dataclass(frozen=True)
class AnswerLink:
    invitation_id: int
    value: int


def _max_age() -> int:
    return settings.FEEDBACK_LINK_DAYS * 86_400


def answer_token(*, invitation_id: int, value: int) -> str:
    """Return the signed token of a one-click answer."""
    return signing.dumps({"i": invitation_id, "v": value}, salt=ANSWER_SALT, compress=False)


def form_token(*, invitation_id: int) -> str:
    """Return the signed token of an invitation's survey page."""
    return signing.dumps({"i": invitation_id}, salt=FORM_SALT, compress=False)


def answer_url(*, invitation_id: int, value: int) -> str:
    """Return the absolute one-click link that answers an invitation's first question with a value."""
    path = reverse("feedback:answer", kwargs={"token": answer_token(invitation_id=invitation_id, value=value)})
    return f"{settings.SITE_URL}{path}"


def form_url(*, invitation_id: int) -> str:
    """Return the absolute link of an invitation's survey page."""
    path = reverse("feedback:form", kwargs={"token": form_token(invitation_id=invitation_id)})
    return f"{settings.SITE_URL}{path}"


def answer_read(token: str) -> AnswerLink | None:
    """Return what an answer token asks, or None when it is expired, tampered with or malformed."""
    try:
        data = signing.loads(token, salt=ANSWER_SALT, max_age=_max_age())
        if set(data) != {"i", "v"}:
            return None
        return AnswerLink(invitation_id=int(data["i"]), value=int(data["v"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def form_read(token: str) -> int | None:
    """Return the invitation a form token names, or None when it is expired, tampered with or malformed."""
    try:
        data = signing.loads(token, salt=FORM_SALT, max_age=_max_age())
        if set(data) != {"i"}:
            return None
        return int(data["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
