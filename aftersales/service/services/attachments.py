"""Files sent with ticket messages: checked by content and size, stored under a private random name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, ValidationFailed, interpolate
from aftersales.core.files import upload_check
from aftersales.service.models import TicketAttachment, TicketMessage

# A message carries at most this many files.
MAX_ATTACHMENTS = 10


def attachments_check(attachments: Sequence[Any], *, field: str = "attachments") -> list[tuple[Any, str]]:
    """Return each file with its content type; raise ValidationFailed naming every refused file and why."""
    errors: list[FieldError] = []
    if len(attachments) > MAX_ATTACHMENTS:
        errors.append(
            FieldError(field=field, reason=interpolate(_("at most %(count)s files per message"), count=MAX_ATTACHMENTS))
        )
    checked = []
    for index, upload in enumerate(attachments):
        kind, problems = upload_check(
            upload,
            field=f"{field}[{index}]",
            max_bytes=settings.SERVICE_ATTACHMENT_MAX_BYTES,
            content_types=settings.SERVICE_ATTACHMENT_CONTENT_TYPES,
            type_reason=_("must be an image (JPEG, PNG, GIF, WebP), a PDF or plain text"),
        )
        if not getattr(upload, "size", 0):
            problems.append(FieldError(field=f"{field}[{index}]", reason=_("is empty"), code="empty"))
        errors.extend(problems)
        checked.append((upload, kind))
    if errors:
        raise ValidationFailed(errors=errors)
    return checked


def attachments_save(*, message: TicketMessage, checked: Sequence[tuple[Any, str]]) -> list[TicketAttachment]:
    """Store checked files with a message."""
    saved = []
    for upload, kind in checked:
        name = PurePath(str(getattr(upload, "name", "") or "file")).name[:255] or "file"
        attachment = TicketAttachment(
            ticket_id=message.ticket_id, message=message, file_name=name, content_type=kind, size=upload.size
        )
        attachment.file.save(name, upload if isinstance(upload, File) else File(upload, name=name), save=False)
        attachment.save()
        saved.append(attachment)
    return saved
