"""Outbox settings shared by the test modules that send messages."""

from __future__ import annotations


def outbox_settings_apply(settings, folder) -> None:
    """Point the outbox at test folders and predictable rules (no quiet hours, a cap of 3 in 30 days)."""
    settings.SMS_FILE_PATH = folder / "sms"
    settings.LETTERS_PATH = folder / "letters"
    settings.MESSAGING_SMS_BACKEND = "aftersales.messaging.backends.FileSmsBackend"
    settings.MESSAGING_QUIET_HOURS = None
    settings.MESSAGING_MARKETING_CAP = "3/30"
    settings.MESSAGING_MAX_ATTEMPTS = 5
    settings.SMS_WEBHOOK_SECRET = "webhook-secret"
    settings.DEFAULT_FROM_EMAIL = "Service <service@shop.example>"
