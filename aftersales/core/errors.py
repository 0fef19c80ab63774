"""Domain errors, raised by services and mapped to HTTP once, in ``aftersales.core.api``.

Reasons and messages are English source strings marked for translation; they are translated when
shown (``str()``), not when raised, so the API answers in the request's language and the screens in
the reader's, whichever thread found the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

# Words for a person: plain text, or text marked for translation that is translated when shown.
Text = str | Promise


def _interpolate(message: Text, params: Mapping[str, object]) -> str:
    # ``%`` on a lazy plural (``ngettext_lazy(..., "count")``) picks the form from the named number.
    return str(message % params)


_interpolate_lazy = lazy(_interpolate, str)


def interpolate(message: Text, /, **params: object) -> Text:
    """Return a message whose placeholders are filled in when it is shown, in the reader's language."""
    return _interpolate_lazy(message, params)


def one_of(codes: Iterable[str]) -> Text:
    """Return the reason a value outside a fixed list of codes is refused."""
    return interpolate(_("must be one of %(codes)s"), codes=", ".join(codes))


@dataclass(frozen=True)
class FieldError:
    """One reason a piece of input was refused."""

    field: str
    reason: Text
    line: int | None = None
    code: str = "invalid"

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "reason": str(self.reason), "code": self.code}
        if self.line is not None:
            data["line"] = self.line
        return data


class DomainError(Exception):
    """Base for errors that a service raises on purpose."""

    status_code = 400

    def __init__(self, message: Text = "") -> None:
        super().__init__(message)
        self.message = message


_VALIDATION_FAILED = _("Validation failed.")


@dataclass
class ValidationFailed(DomainError):
    """Input broke a business rule; each problem names its field."""

    errors: list[FieldError] = field(default_factory=list)
    message: Text = _VALIDATION_FAILED
    status_code = 400

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)


class NotFound(DomainError):
    """The record does not exist or is not visible to the actor."""

    status_code = 404


class PermissionDenied(DomainError):
    """The actor's role does not allow this."""

    status_code = 403


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, a stale update)."""

    status_code = 409


class TooManyRequests(DomainError):
    """The caller asked too often in a short time (guessing protection); they may try again later."""

    status_code = 429
