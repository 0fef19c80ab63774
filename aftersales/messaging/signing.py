"""Signed one-click unsubscribe links: the token names the customer and the channel, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "aftersales.messaging.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeRequest:
    customer_id: int
    channel: str


def unsubscribe_token(*, customer_id: int, channel: str) -> str:
    """Return the signed token for a customer's unsubscribe link on a channel."""
    return signing.dumps({"c": customer_id, "ch": channel}, salt=SALT, compress=False)


def unsubscribe_url(*, customer_id: int, channel: str) -> str:
    """Return the absolute one-click unsubscribe link for a customer and channel."""
    path = reverse("messaging:unsubscribe", kwargs={"token": unsubscribe_token(customer_id=customer_id, channel=channel)})
    return f"{settings.SITE_URL}{path}"


def unsubscribe_read(token: str) -> UnsubscribeRequest | None:
    """Return what a token asks for, or None when it was tampered with or is malformed.

    Links never expire: an unsubscribe link in a years-old email must still work.
    """
    try:
        data = signing.loads(token, salt=SALT)
        return UnsubscribeRequest(customer_id=int(data["c"]), channel=str(data["ch"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
