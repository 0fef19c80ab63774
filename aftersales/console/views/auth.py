"""Signing in and out of the console, and choosing its language."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from aftersales.console.forms import LanguageForm, StaffAuthenticationForm
from aftersales.core.models import User
from aftersales.core.permissions import is_staff_member
from aftersales.core.services import user_set_language

SESSION_LANGUAGE = "language"


class SignInView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = StaffAuthenticationForm

    def form_valid(self, form: StaffAuthenticationForm) -> HttpResponse:
        # A language picked on the sign-in page becomes the staff member's own choice.
        chosen = self.request.session.pop(SESSION_LANGUAGE, None)
        response = super().form_valid(form)
        user = form.get_user()
        if chosen and isinstance(user, User):
            user_set_language(actor=user, user=user, language=chosen)
        return response


class SignOutView(auth_views.LogoutView):
    next_page = "console:login"


@require_POST
def language_choose(request: HttpRequest) -> HttpResponseBase:
    """Store the chosen language on the staff member, or in the session before signing in."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    if form.is_valid():
        language = form.cleaned_data["language"]
        user = request.user
        if is_staff_member(user) and isinstance(user, User):
            user_set_language(actor=user, user=user, language=language)
            request.session.pop(SESSION_LANGUAGE, None)
        else:
            request.session[SESSION_LANGUAGE] = language
    return redirect(target)
