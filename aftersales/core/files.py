"""Checks for uploaded files: size and what the content really is (magic bytes, never the name)."""

from __future__ import annotations

from collections.abc import Collection
from typing import IO, Protocol

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, Text, interpolate

# How much of a file is read to decide what it is; text must be UTF-8 throughout this much.
SNIFF_BYTES = 4096
# Bytes no plain text holds: control characters other than tab, line feed, form feed and carriage return.
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13} | {127}


class Upload(Protocol):
    size: int | None

    def read(self, size: int = ..., /) -> bytes: ...

    def seek(self, offset: int, /) -> object: ...


def content_type_sniff(head: bytes) -> str:
    """Return the content type the first bytes of a file show, or "" when it is none we accept."""
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head and not _CONTROL.intersection(head):
        try:
            # A multi-byte character may be cut at the end of the sample: ignore an incomplete tail only.
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 3:
                return ""
        return "text/plain"
    return ""


def upload_check(
    upload: Upload | IO[bytes] | None,
    *,
    field: str,
    max_bytes: int,
    content_types: Collection[str],
    type_reason: Text,
) -> tuple[str, list[FieldError]]:
    """Return the sniffed content type of an upload and why it is refused (too large, a type not allowed)."""
    if upload is None:
        return "", []
    errors = []
    size = getattr(upload, "size", None)
    if size and size > max_bytes:
        errors.append(
            FieldError(
                field=field,
                reason=interpolate(_("is larger than %(size)s MB"), size=max(1, max_bytes // (1024 * 1024))),
                code="too_large",
            )
        )
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = content_type_sniff(head)
    if kind not in content_types:
        errors.append(FieldError(field=field, reason=type_reason, code="file_type"))
    return kind, errors
