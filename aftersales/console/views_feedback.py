"""Console screens of customer feedback: the scores dashboard with its intervals, trend and word of mouth, the
recovery cases (list, a case with its history and actions) and the recovery report per team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.console.access import forbidden, staff_view
from aftersales.console.views.common import page_of, refused
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import User
from aftersales.feedback import scoring, selectors, services
from aftersales.feedback.models import RecoveryCase, RecoveryOutcome, RecoveryStatus

SCORES = "feedback.view_feedback_scores"
VIEW_CASES = "feedback.view_recoverycase"
WORK_CASES = "feedback.work_recoverycase"
MANAGE_CASES = "feedback.manage_recoverycases"

# Below this many answers a score is shown with "too few answers": its interval is too wide to act on.
MIN_ANSWERS = 10
DEFAULT_DAYS = 90
# The dimensions a manager can break the scores down by on the dashboard.
BREAKDOWNS = ("product", "category", "sales_rep", "agent", "technician", "department")


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label=gettext_lazy("Break down by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by = self.fields["by"]
        assert isinstance(by, forms.ChoiceField)
        by.choices = [(key, selectors.DIMENSIONS[key][1]) for key in BREAKDOWNS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("must not be before the first day"))
        return data


@dataclass(frozen=True)
class Figure:
    """One score as the dashboard shows it: its value, its interval and whether there are enough answers."""

    label: str
    score: scoring.Score | None
    unit: str
    places: int = 0

    @property
    def enough(self) -> bool:
        return self.score is not None and self.score.n >= MIN_ANSWERS


def _figures(scores: selectors.Scores) -> list[Figure]:
    return [
        Figure(_("NPS"), scores.nps, ""),
        Figure(_("Satisfaction (CSAT)"), scores.csat, "%"),
        Figure(_("Effort (1–7, higher is easier)"), scores.effort, "", 1),
        Figure(_("Would buy again"), scores.buy_again, "%"),
        Figure(_("Response rate"), scores.response_rate, "%"),
    ]


def _period(form: PeriodForm) -> tuple[selectors.Period, str]:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    end = data.get("end") or today
    start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    return selectors.Period(start, end), data.get("by") or "product"


@staff_view(SCORES)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period, dimension = _period(form)
    language = getattr(request, "LANGUAGE_CODE", "en")
    scores = selectors.scores_for(period=period)
    low, high, bad = selectors.multipliers()
    context = {
        "section": "feedback",
        "form": form,
        "period": period,
        "figures": _figures(scores),
        "responses": scores.responses,
        "min_answers": MIN_ANSWERS,
        "dimension_label": selectors.DIMENSIONS[dimension][1],
        "rows": [
            (row, _figures(row.scores)) for row in selectors.scores_by(dimension=dimension, period=period, language=language)
        ],
        "trend": selectors.scores_trend(months=12),
        "word_of_mouth": selectors.word_of_mouth(period=period),
        "multipliers": {"satisfied_low": low, "satisfied_high": high, "dissatisfied": bad},
    }
    return render(request, "console/feedback/dashboard.html", context)


class CaseFilterForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Cases"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("Show"), required=False)

    def __init__(self, *args: Any, manager: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope, state = self.fields["scope"], self.fields["state"]
        assert isinstance(scope, forms.ChoiceField) and isinstance(state, forms.ChoiceField)
        # Managers start from every case, everyone else from their own.
        scope.choices = [("all", _("All")), ("mine", _("Mine"))] if manager else [("mine", _("Mine"))]
        state.choices = [
            ("", _("Any")),
            ("open", _("Not resolved")),
            ("overdue", _("First contact overdue")),
            ("resolved", _("Resolved")),
        ]


@staff_view(VIEW_CASES)
def recovery_list(request: HttpRequest) -> HttpResponse:
    manager = request.user.has_perm(MANAGE_CASES)
    form = CaseFilterForm(request.GET or None, manager=manager)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    cases = selectors.recovery_cases_visible_to(request.user)
    if data.get("scope", "mine" if not manager else "all") == "mine":
        cases = cases.filter(assignee_id=request.user.pk)
    state = data.get("state", "")
    if state == "open":
        cases = cases.exclude(status=RecoveryStatus.RESOLVED)
    elif state == "overdue":
        cases = cases.exclude(status=RecoveryStatus.RESOLVED).filter(
            first_contact_at__isnull=True, first_contact_due_at__lt=timezone.now()
        )
    elif state == "resolved":
        cases = cases.filter(status=RecoveryStatus.RESOLVED)
    context = {"section": "feedback", "form": form, "page": page_of(request, cases)}
    return render(request, "console/feedback/recovery_list.html", context)


def _case(request: HttpRequest, case_id: int) -> RecoveryCase:
    case = selectors.recovery_case_with_history(queryset=selectors.recovery_cases_visible_to(request.user), case_id=case_id)
    if case is None:
        raise Http404(_("No such recovery case."))
    return case


def _case_context(request: HttpRequest, case: RecoveryCase) -> dict[str, Any]:
    manager = request.user.has_perm(MANAGE_CASES)
    return {
        "section": "feedback",
        "case": case,
        "answers": list(case.response.answers.all()),
        "events": sorted(case.events.all(), key=lambda event: (event.at, event.pk)),
        "outcomes": [(value, label) for value, label in RecoveryOutcome.choices if value],
        "staff": list(User.objects.filter(is_active=True, is_staff=True).order_by("first_name", "last_name", "username"))
        if manager
        else [],
        "can_work": request.user.has_perm(WORK_CASES) or manager,
        "can_reassign": manager,
    }


@staff_view(VIEW_CASES)
def recovery_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    return render(request, "console/feedback/recovery_detail.html", _case_context(request, case))


def _after_action(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        # The case panel is redrawn in place, with the new history line and the forms that still apply.
        return render(request, "console/feedback/_case.html", _case_context(request, _case(request, case_id)))
    return redirect("console:feedback_case", case_id)


@require_POST
@staff_view(VIEW_CASES)
def recovery_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = _case(request, case_id)
    user = request.user
    assert isinstance(user, User)
    manager = user.has_perm(MANAGE_CASES)
    if not (manager or user.has_perm(WORK_CASES)) or (action == "reassign" and not manager):
        return forbidden(request, _("Your role does not allow you to do this."))
    note = request.POST.get("note", "")
    try:
        if action == "contact":
            services.recovery_case_contact(actor=user, case=case, note=note)
            messages.success(request, _("Contact recorded."))
        elif action == "note":
            services.recovery_case_note(actor=user, case=case, note=note)
            messages.success(request, _("Note added."))
        elif action == "reassign":
            assignee = User.objects.filter(pk=request.POST.get("assignee") or 0).first()
            if assignee is None:
                messages.error(request, _("Choose who takes the case over."))
            else:
                services.recovery_case_reassign(actor=user, case=case, assignee=assignee)
                messages.success(request, _("Case handed over."))
        elif action == "resolve":
            services.recovery_case_resolve(actor=user, case=case, outcome=request.POST.get("outcome", ""), note=note)
            messages.success(request, _("Case resolved; a follow-up survey went to the customer."))
        else:
            raise Http404(_("No such action."))
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    return _after_action(request, case_id)


@staff_view(MANAGE_CASES)
def recovery_report(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period, _dimension = _period(form)
    language = getattr(request, "LANGUAGE_CODE", "en")
    context = {
        "section": "feedback",
        "form": form,
        "period": period,
        "teams": selectors.recovery_report(period=period, language=language),
    }
    return render(request, "console/feedback/recovery_report.html", context)
