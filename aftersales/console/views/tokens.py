"""Personal API tokens: list, create (the raw value is shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.console.access import staff_view
from aftersales.console.forms import TokenForm
from aftersales.core.errors import NotFound
from aftersales.core.services import api_token_create, api_token_revoke


@staff_view()
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = api_token_create(actor=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        form = TokenForm()
    tokens = request.user.api_tokens.all()  # type: ignore[union-attr]
    return render(request, "console/tokens.html", {"section": "tokens", "form": form, "tokens": tokens, "raw": raw})


@staff_view()
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = api_token_revoke(actor=request.user, token_id=token_id)  # type: ignore[arg-type]
    except NotFound as missing:
        raise Http404(_("No such token.")) from missing
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("console:tokens")
