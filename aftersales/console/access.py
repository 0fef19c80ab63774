"""Who may open a console screen: signed-in staff holding the screen's permissions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from aftersales.core.errors import Text
from aftersales.core.permissions import is_staff_member

View = Callable[..., HttpResponseBase]


def forbidden(request: HttpRequest, message: Text) -> HttpResponse:
    """Render the console's 403 page with the reason."""
    return render(request, "console/forbidden.html", {"message": message}, status=403)


def staff_view(*perms: str) -> Callable[[View], View]:
    """Let a view through only for active staff holding every permission; anonymous users go to sign-in."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_member(user):
                return forbidden(request, _("The console is for staff. Customers sign in to the customer portal."))
            if not user.has_perms(perms):
                return forbidden(request, _("Your role does not allow you to open this page."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
