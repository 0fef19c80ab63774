"""Phone numbers normalised to E.164 with ``phonenumbers``."""

from __future__ import annotations

import functools

import phonenumbers
from django.conf import settings


class InvalidPhone(ValueError):
    """The text is not a valid phone number."""


def phone_normalize(raw: str, *, region: str | None = None) -> str:
    """Return a phone number in E.164 form, or "" for empty input; raise InvalidPhone otherwise."""
    text = (raw or "").strip()
    if not text:
        return ""
    return _phone_parse(text, region or settings.DEFAULT_PHONE_REGION)


# Imports see the same numbers again and again (one customer, many sales); parsing is the costly part.
@functools.lru_cache(maxsize=65_536)
def _phone_parse(text: str, region: str) -> str:
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(str(exc)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(f"{text!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
