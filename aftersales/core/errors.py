"""Domain errors, raised by services and mapped to HTTP once, in ``aftersales.core.api``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One reason a piece of input was refused."""

    field: str
    reason: str
    line: int | None = None
    code: str = "invalid"

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "reason": self.reason, "code": self.code}
        if self.line is not None:
            data["line"] = self.line
        return data


class DomainError(Exception):
    """Base for errors that a service raises on purpose."""

    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ValidationFailed(DomainError):
    """Input broke a business rule; each problem names its field."""

    errors: list[FieldError] = field(default_factory=list)
    message: str = "Validation failed."
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
