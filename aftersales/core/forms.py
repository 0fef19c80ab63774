"""Form pieces both screens (console and portal) share: several files in one field, service errors on fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from aftersales.core.errors import ValidationFailed


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once and cleans to a list (empty when none was sent)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


def form_field_of(form: forms.Form, field: str) -> str | None:
    """Return the form field a service error names: ``attachments[2]`` belongs to ``attachments``; None when none does."""
    name = field.split("[", 1)[0].split(".", 1)[0]
    return name if name in form.fields else None


def errors_attach(form: forms.Form, failure: ValidationFailed, *, renames: Mapping[str, str] | None = None) -> None:
    """Show each refused field's reason next to the field (or above the form when it has none).

    ``renames`` maps a service's field name to the form's when they differ (``due_at`` → ``callback_at``).
    """
    for error in failure.errors:
        field = (renames or {}).get(error.field, error.field)
        form.add_error(form_field_of(form, field), str(error.reason))
