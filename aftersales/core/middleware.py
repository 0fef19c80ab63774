"""Language selection: staff choose theirs, customers' preferred language drives the portal."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import get_language_from_request

Handler = Callable[[HttpRequest], HttpResponse]


class UserLanguageMiddleware:
    """Activate the language chosen in the session or by the browser (before authentication)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get("language") or get_language_from_request(request)
        # The request's language ends with it, so a thread's next piece of work starts from the default.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ActivateUserLanguageMiddleware:
    """Once the user is known, use the language stored on their profile."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.session.get("language"):
            language = getattr(user, "language", "") or None
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers["Content-Language"] = translation.get_language()
        return response
