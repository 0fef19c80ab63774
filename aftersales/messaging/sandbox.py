"""Render message templates safely: a restricted engine over plain data, never model instances.

Templates are written by staff in the console, so they are treated as untrusted: the engine knows only
the formatting tags of :mod:`aftersales.messaging.template_library`, has no loaders, and the context
holds strings, numbers and dates (Django already refuses names starting with an underscore).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, ValidationFailed, interpolate

MAX_TEMPLATE_CHARS = 20_000


class SandboxEngine(Engine):
    # Django's default builtins include {% load %}, {% include %} and {% extends %}: start from nothing.
    default_builtins: list[str] = []


ENGINE = SandboxEngine(
    builtins=["aftersales.messaging.template_library"],
    libraries={},
    loaders=[],
    autoescape=False,
    string_if_invalid="",
)

_PLAIN = (str, int, float, bool, Decimal, dt.date, dt.datetime, dt.time, type(None))


def context_clean(data: Mapping[str, Any], *, field: str = "context", depth: int = 0) -> dict[str, Any]:
    """Return a copy of template data holding only plain values; refuse objects and private names."""
    if depth > 4:
        raise ValidationFailed(errors=[FieldError(field=field, reason=_("is nested too deeply"))])
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key)
        if not name or name.startswith("_"):
            raise ValidationFailed(errors=[FieldError(field=f"{field}.{name}", reason=_("names must not start with _"))])
        cleaned[name] = _value_clean(value, field=f"{field}.{name}", depth=depth)
    return cleaned


def _value_clean(value: Any, *, field: str, depth: int) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Mapping):
        return context_clean(value, field=field, depth=depth + 1)
    if isinstance(value, list | tuple):
        return [_value_clean(item, field=field, depth=depth + 1) for item in value]
    raise ValidationFailed(
        errors=[FieldError(field=field, reason=interpolate(_("must be plain data, not %(kind)s"), kind=type(value).__name__))]
    )


def template_check(source: str, *, field: str) -> None:
    """Raise ValidationFailed naming the field when a template is too long or does not compile in the sandbox."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise ValidationFailed(
            errors=[
                FieldError(field=field, reason=interpolate(_("is longer than %(limit)s characters"), limit=MAX_TEMPLATE_CHARS))
            ]
        )
    try:
        ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise ValidationFailed(errors=[FieldError(field=field, reason=str(error), code="template_syntax")]) from error


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(*, subject: str, body: str, context: Mapping[str, Any], language: str) -> Rendered:
    """Render a subject and body in a language (dates and numbers follow it)."""
    for name, source in (("subject", subject), ("body", body)):
        template_check(source, field=name)
    with translation.override(language):
        data = Context(dict(context), autoescape=False, use_l10n=True, use_tz=settings.USE_TZ)
        rendered_subject = ENGINE.from_string(subject).render(data)
        rendered_body = ENGINE.from_string(body).render(data)
    # A subject is one line: a template must not be able to inject mail headers.
    return Rendered(subject=" ".join(rendered_subject.split())[:300], body=rendered_body.strip() + "\n")
