"""Agents of the service desk for managers: the languages they speak, whether they take tickets, their shifts.

Automatic assignment reads these (``service.services.routing``); a night shift's end comes before its start.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from aftersales.console.access import staff_view
from aftersales.console.forms_agents import AgentForm, ShiftFormSet
from aftersales.core.errors import ValidationFailed
from aftersales.core.models import User
from aftersales.service.services import agent_profile_set, agent_shifts_set
from aftersales.service.services.routing import agent_languages, staff_holding

CONFIGURE = "service.configure_service"


def _agents() -> Any:
    return staff_holding("service.work_ticket").select_related("agent_profile", "department").prefetch_related("shifts")


@staff_view(CONFIGURE, "service.view_agentprofile")
def agent_list(request: HttpRequest) -> HttpResponse:
    """List the staff who work tickets with their languages, availability and weekly shifts."""
    rows = [
        {
            "agent": agent,
            "languages": sorted(agent_languages(agent)),
            "available": getattr(getattr(agent, "agent_profile", None), "available", True),
            "shifts": list(agent.shifts.all()),
        }
        for agent in _agents().order_by("first_name", "last_name", "username")
    ]
    return render(request, "console/tickets/agents/list.html", {"section": "setup", "rows": rows})


def _shift_errors(formset: Any, failure: ValidationFailed, rows: list[int]) -> None:
    """Show a refused shift's reason on its row (``shifts[2].ends_at`` is the third filled row)."""
    for error in failure.errors:
        field = error.field
        if field.startswith("shifts[") and "]." in field:
            index, name = field[len("shifts[") :].split("].", 1)
            form = formset.forms[rows[int(index)]] if index.isdigit() and int(index) < len(rows) else None
            if form is not None:
                form.add_error(name if name in form.fields else None, str(error.reason))
                continue
        formset.forms[0].add_error(None, str(error.reason))


@staff_view(CONFIGURE, "service.change_agentprofile")
def agent_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change an agent's languages, availability and shifts at once; nothing is saved if a shift is refused."""
    agent = _agents().filter(pk=user_id).first()
    if agent is None:
        raise Http404(_("No such agent."))
    profile = getattr(agent, "agent_profile", None)
    initial_shifts = [
        {"weekday": shift.weekday, "starts_at": shift.starts_at, "ends_at": shift.ends_at} for shift in agent.shifts.all()
    ]
    form = AgentForm(
        request.POST or None,
        initial={"languages": sorted(agent_languages(agent)), "available": profile.available if profile else True},
    )
    formset = ShiftFormSet(request.POST or None, initial=initial_shifts, prefix="shifts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        filled = [(index, shift_form.shift()) for index, shift_form in enumerate(formset.forms)]
        rows = [index for index, shift in filled if shift is not None]
        shifts = [shift for _index, shift in filled if shift is not None]
        try:
            with transaction.atomic():
                agent_profile_set(
                    actor=request.user,  # type: ignore[arg-type]
                    user=agent,
                    languages=form.cleaned_data["languages"],
                    available=form.cleaned_data["available"],
                )
                agent_shifts_set(actor=request.user, user=agent, shifts=shifts)  # type: ignore[arg-type]
        except ValidationFailed as failure:
            _shift_errors(formset, failure, rows)
        else:
            messages.success(request, _("%(agent)s saved.") % {"agent": _name(agent)})
            return redirect("console:agents")
    failed = request.method == "POST"
    context = {"section": "setup", "agent": agent, "name": _name(agent), "form": form, "formset": formset}
    return render(request, "console/tickets/agents/edit.html", context, status=400 if failed else 200)


def _name(user: User) -> str:
    return user.get_full_name() or user.username
