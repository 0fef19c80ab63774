"""Writes of the shared kernel: API tokens, staff users and their notifications."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed, one_of
from aftersales.core.models import ApiToken, Language, Notification, User
from aftersales.core.notifications import notification_describe, notification_kind_known

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "as_"  # noqa: S105 - a public prefix, not a secret


def token_digest(raw: str) -> str:
    """Return the SHA-256 digest under which a token is stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name.strip()[:100] or "token", prefix=raw[:10], digest=token_digest(raw))
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens."""
    token = ApiToken.objects.filter(user=actor, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(_("No such token."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(raw: str) -> User | None:
    """Return the active user owning a live token, recording its use."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Throttle the write: once a minute is precise enough for "last used".
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_set_language(*, actor: User, user: User, language: str) -> User:
    """Store the language a person reads the screens in; only English and Spanish exist."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied(_("Only the user can choose their own language."))
    if language not in Language.values:
        raise ValidationFailed(errors=[FieldError(field="language", reason=one_of(Language.values))])
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def notification_send(*, user: User, kind: str, data: Mapping[str, Any] | None = None, link: str = "") -> Notification:
    """Put a line in a staff member's inbox and email it to them (after commit) when they have an address."""
    if not notification_kind_known(kind):
        raise ValueError(f"Unregistered notification kind: {kind!r}")
    notification = Notification.objects.create(user=user, verb=kind, data=dict(data or {}), link=link)
    if user.email and user.is_active:
        transaction.on_commit(lambda: _notification_email(notification.pk))
    return notification


def _notification_email(notification_id: int) -> None:
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return
    user = notification.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = notification_describe(notification)
        link = notification.link
        if link.startswith("/"):
            link = f"{settings.SITE_URL}{link}"
        body = f"{text}\n\n{link}\n" if link else f"{text}\n"
        subject = " ".join(text.split())[:150]
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:
        # The inbox row is the notification; the email is a courtesy that must not break the caller.
        logger.exception("Could not email notification %s to user %s", notification_id, user.pk)
        return
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())


@transaction.atomic
def notification_mark_read(*, actor: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the actor's unread notifications as read; return how many changed."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
