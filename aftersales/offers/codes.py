"""Voucher codes: random, unambiguous, read in groups of four, typed back in any case with or without dashes."""

from __future__ import annotations

import re
import secrets

from aftersales.offers.models import CODE_ALPHABET, CODE_GROUP, CODE_LENGTH

_SEPARATORS = re.compile(r"[\s\-_.]+")


def code_generate() -> str:
    """Return a new code from the operating system's random source (``secrets``), as ``XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return code_format(raw)


def code_format(raw: str) -> str:
    """Return twelve characters in groups of four separated by dashes."""
    return "-".join(raw[start : start + CODE_GROUP] for start in range(0, len(raw), CODE_GROUP))


def code_normalise(text: str) -> str:
    """Return the stored form of a typed code (case, spaces and dashes ignored), or "" when it cannot be one."""
    raw = _SEPARATORS.sub("", text or "").upper()
    if len(raw) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return ""
    return code_format(raw)
