"""HTTP plumbing shared by every router: authentication, error mapping, pagination."""

from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from aftersales.core import services
from aftersales.core.errors import DomainError, FieldError, ValidationFailed
from aftersales.core.notifications import notification_describe
from aftersales.core.permissions import require_staff


class TokenAuth(HttpBearer):
    """``Authorization: Bearer as_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    """``X-API-Key: as_…`` for clients that cannot send a bearer header."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        user = services.api_token_authenticate(key)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser session of a signed-in user (CSRF enforced on writes)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing for CSRF to protect: answer 401, not a CSRF 403.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


API_AUTH = [TokenAuth(), TokenHeaderAuth(), ActiveSessionAuth(csrf=True)]


class FieldErrorOut(Schema):
    field: str
    reason: str
    code: str = "invalid"
    line: int | None = None


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut] = []


_LOCATIONS = ("body", "query", "path", "form", "file", "header", "cookie")


def _ninja_field(location: list[Any]) -> str:
    # ninja reports ("body", "payload", "lines", 0, "sku"); clients get "lines[0].sku", as the services name it.
    parts = list(location)
    where = parts.pop(0) if parts and parts[0] in _LOCATIONS else None
    if where == "body" and parts:
        parts.pop(0)  # the name of the body parameter itself
    field = ""
    for part in parts:
        field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else str(part)
    return field or "body"


def errors_install(api: NinjaAPI) -> None:
    """Map domain and validation errors to JSON responses with the right 4xx, once."""

    @api.exception_handler(ValidationFailed)
    def _validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        return api.create_response(
            request, {"detail": str(exc.message), "errors": [e.as_dict() for e in exc.errors]}, status=exc.status_code
        )

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(
            request, {"detail": str(exc.message) or exc.__class__.__name__, "errors": []}, status=exc.status_code
        )

    @api.exception_handler(NinjaValidationError)
    def _schema(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            FieldError(
                field=_ninja_field(list(err.get("loc", []))),
                reason=str(err.get("msg", "invalid")),
                code=str(err.get("type", "invalid")),
            ).as_dict()
            for err in exc.errors
        ]
        return api.create_response(request, {"detail": _("The request is not valid."), "errors": errors}, status=422)

    @api.exception_handler(IntegrityError)
    def _integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A concurrent request won the race past the service's checks; the transaction was rolled back.
        detail = _("The change clashes with a record saved at the same time; reload and try again.")
        return api.create_response(request, {"detail": detail, "errors": []}, status=409)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": _("Authentication required."), "errors": []}, status=401)

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc), "errors": []}, status=exc.status_code)


# --- personal API tokens -------------------------------------------------------------------

router = Router(tags=["tokens"])


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: Any
    last_used_at: Any | None = None
    revoked_at: Any | None = None


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/tokens", response=list[TokenOut])
def token_list(request: HttpRequest) -> Any:
    require_staff(request.user)
    return request.user.api_tokens.all()  # type: ignore[union-attr]


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    require_staff(request.user)
    token, raw = services.api_token_create(actor=request.user, name=payload.name)  # type: ignore[arg-type]
    return 201, {**TokenOut.from_orm(token).dict(), "token": raw}


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> Any:
    require_staff(request.user)
    services.api_token_revoke(actor=request.user, token_id=token_id)  # type: ignore[arg-type]
    return 204, None


# --- the staff inbox -------------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    link: str
    created_at: Any
    read_at: Any | None = None

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.verb)

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return notification_describe(obj)


class NotificationsReadIn(Schema):
    ids: list[int] | None = None


class NotificationsReadOut(Schema):
    marked: int


@router.get("/notifications", response=list[NotificationOut], tags=["notifications"])
def notification_list(request: HttpRequest, unread: bool = False) -> Any:
    """The caller's inbox, newest first (at most 200)."""
    require_staff(request.user)
    inbox = request.user.notifications.all()  # type: ignore[union-attr]
    return (inbox.filter(read_at__isnull=True) if unread else inbox)[:200]


@router.post("/notifications/read", response=NotificationsReadOut, tags=["notifications"])
def notification_read(request: HttpRequest, payload: NotificationsReadIn) -> Any:
    """Mark some notifications (``ids``) or all of them as read."""
    require_staff(request.user)
    return {"marked": services.notification_mark_read(actor=request.user, notification_ids=payload.ids)}  # type: ignore[arg-type]
