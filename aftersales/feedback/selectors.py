"""Reads of feedback: scores with their intervals by period and dimension, recovery cases, my surveys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import User
from aftersales.feedback import scoring
from aftersales.feedback.models import (
    Answer,
    Invitation,
    InvitationStatus,
    QuestionKind,
    RecoveryCase,
    RecoveryEventKind,
    RecoveryOutcome,
    RecoveryStatus,
    Response,
)

# The dimensions scores are cut by: the invitation's field, and how a row is named.
DIMENSIONS: dict[str, tuple[str, Any]] = {
    "product": ("product", _("Product")),
    "category": ("category", _("Category")),
    "sales_rep": ("sales_rep", _("Sales rep")),
    "agent": ("agent", _("Agent")),
    "technician": ("technician", _("Technician")),
    "department": ("department", _("Department")),
    "trigger": ("trigger", _("Survey")),
}
MANAGE = "feedback.manage_recoverycases"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        start = timezone.make_aware(dt.datetime.combine(self.start, dt.time()))
        end = timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()))
        return start, end


@dataclass
class Scores:
    """Every score of a set of answers, each with its 95% interval (None when nothing was answered)."""

    nps: scoring.Score | None = None
    csat: scoring.Score | None = None
    effort: scoring.Score | None = None
    buy_again: scoring.Score | None = None
    response_rate: scoring.Score | None = None
    responses: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _answer_aggregates() -> dict[str, Any]:
    nps, csat, effort, again = (Q(kind=kind) for kind in ("nps", "csat", "effort", "buy_again"))
    return {
        "promoters": Count("pk", filter=nps & Q(value__gte=9)),
        "passives": Count("pk", filter=nps & Q(value__gte=7, value__lte=8)),
        "detractors": Count("pk", filter=nps & Q(value__lte=6)),
        "csat_n": Count("pk", filter=csat),
        "csat_ok": Count("pk", filter=csat & Q(value__gte=4)),
        "effort_n": Count("pk", filter=effort),
        "effort_sum": Sum("value", filter=effort),
        "effort_squares": Sum(F("value") * F("value"), filter=effort),
        "again_n": Count("pk", filter=again),
        "again_yes": Count("pk", filter=again & Q(value=1)),
        "responses": Count("response", distinct=True),
    }


def _scores_of(row: dict[str, Any]) -> Scores:
    return Scores(
        nps=scoring.nps(row["promoters"], row["passives"], row["detractors"]),
        csat=scoring.wilson(row["csat_ok"], row["csat_n"]),
        effort=scoring.mean_interval(float(row["effort_sum"] or 0), float(row["effort_squares"] or 0), row["effort_n"]),
        buy_again=scoring.wilson(row["again_yes"], row["again_n"]),
        responses=row["responses"],
        counts={
            key: row[key] or 0 for key in ("promoters", "passives", "detractors", "csat_n", "csat_ok", "effort_n", "again_n")
        },
    )


def _answers(period: Period | None, filters: dict[str, Any]) -> QuerySet[Answer]:
    answers = Answer.objects.all()
    if period is not None:
        start, end = period.bounds()
        answers = answers.filter(response__answered_at__gte=start, response__answered_at__lt=end)
    if filters:
        answers = answers.filter(**{f"response__invitation__{name}": value for name, value in filters.items()})
    return answers


def _invitations(period: Period | None, filters: dict[str, Any]) -> QuerySet[Invitation]:
    # The response rate counts invitations that went out (imports and skipped ones are not asked of anyone).
    invitations = Invitation.objects.filter(status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED])
    if period is not None:
        start, end = period.bounds()
        invitations = invitations.filter(created_at__gte=start, created_at__lt=end)
    return invitations.filter(**filters)


def scores_for(*, period: Period | None = None, **filters: Any) -> Scores:
    """Return the scores of the answers given in a period (all time when None), optionally for one dimension's value."""
    row = _answers(period, filters).aggregate(**_answer_aggregates())
    result = _scores_of(row)
    counted = _invitations(period, filters).aggregate(
        sent=Count("pk"), answered=Count("pk", filter=Q(status=InvitationStatus.ANSWERED))
    )
    result.response_rate = scoring.wilson(counted["answered"], counted["sent"])
    return result


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    scores: Scores


def _label(dimension: str, key: Any, names: dict[Any, str]) -> str:
    if key is None:
        return str(_("(none)"))
    return names.get(key, str(key))


def _names(dimension: str, keys: Iterable[Any], language: str) -> dict[Any, str]:
    from aftersales.catalog.models import Category, Product
    from aftersales.core.models import Department
    from aftersales.feedback.models import Trigger

    ids = [key for key in keys if key is not None]
    if dimension in ("sales_rep", "agent", "technician"):
        return {user.pk: str(user) for user in User.objects.filter(pk__in=ids)}
    if dimension == "product":
        return {product.pk: product.display_name(language) for product in Product.objects.filter(pk__in=ids)}
    if dimension == "category":
        return {category.pk: category.display_name(language) for category in Category.objects.filter(pk__in=ids)}
    if dimension == "department":
        return {department.pk: department.display_name(language) for department in Department.objects.filter(pk__in=ids)}
    return {value: str(label) for value, label in Trigger.choices}


def scores_by(*, dimension: str, period: Period | None = None, language: str = "en") -> list[Row]:
    """Return the scores per value of a dimension (product, category, sales rep, agent, technician, department, survey)."""
    field_name = DIMENSIONS[dimension][0]
    group = f"response__invitation__{field_name}"
    rows = list(_answers(period, {}).values(group).annotate(**_answer_aggregates()).order_by(group))
    sent = {
        row[field_name]: row
        for row in _invitations(period, {})
        .values(field_name)
        .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(status=InvitationStatus.ANSWERED)))
    }
    names = _names(dimension, [row[group] for row in rows], language)
    result = []
    for row in rows:
        scores = _scores_of(row)
        counted = sent.get(row[group])
        if counted:
            scores.response_rate = scoring.wilson(counted["answered"], counted["sent"])
        result.append(Row(key=row[group], label=_label(dimension, row[group], names), scores=scores))
    return sorted(result, key=lambda row: (-row.scores.responses, row.label))


def scores_trend(*, months: int = 12, today: dt.date | None = None) -> list[tuple[dt.date, Scores]]:
    """Return the scores of each of the last months, oldest first (a month without answers has empty scores)."""
    today = today or timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    period = Period(first, today)
    rows: dict[dt.date, dict[str, Any]] = {
        timezone.localtime(row["month"]).date() if isinstance(row["month"], dt.datetime) else row["month"]: dict(row)  # type: ignore[misc]
        for row in _answers(period, {})
        .annotate(month=TruncMonth("response__answered_at"))
        .values("month")
        .annotate(**_answer_aggregates())
        .order_by("month")
    }
    result = []
    month = first
    while month <= today:
        row = rows.get(month)
        result.append((month, _scores_of(row) if row else Scores()))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return result


@dataclass(frozen=True)
class WordOfMouth:
    satisfied: int
    dissatisfied: int
    hear_good_low: int
    hear_good_high: int
    hear_bad: int


def multipliers() -> tuple[float, float, float]:
    """Return how many people a satisfied customer tells (low, high) and a dissatisfied one tells, from the settings."""
    low, _sep, high = str(settings.FEEDBACK_WORD_OF_MOUTH_SATISFIED).partition("-")
    return float(low), float(high or low), float(settings.FEEDBACK_WORD_OF_MOUTH_DISSATISFIED)


def word_of_mouth(
    *,
    period: Period | None = None,
    satisfied_low: float | None = None,
    satisfied_high: float | None = None,
    dissatisfied: float | None = None,
) -> WordOfMouth:
    """Estimate how many people heard about us from the customers who answered in a period.

    A customer is satisfied when they answered NPS 9–10 or CSAT 4–5, dissatisfied when NPS 0–6 or CSAT 1–2
    (a customer with both counts as dissatisfied: the bad story travels).
    """
    default_low, default_high, default_bad = multipliers()
    low = default_low if satisfied_low is None else satisfied_low
    high = default_high if satisfied_high is None else satisfied_high
    bad = default_bad if dissatisfied is None else dissatisfied
    answers = _answers(period, {})
    unhappy = set(
        answers.filter(Q(kind=QuestionKind.NPS, value__lte=6) | Q(kind=QuestionKind.CSAT, value__lte=2)).values_list(
            "response__invitation__customer", flat=True
        )
    )
    happy = (
        set(
            answers.filter(Q(kind=QuestionKind.NPS, value__gte=9) | Q(kind=QuestionKind.CSAT, value__gte=4)).values_list(
                "response__invitation__customer", flat=True
            )
        )
        - unhappy
    )
    return WordOfMouth(
        satisfied=len(happy),
        dissatisfied=len(unhappy),
        hear_good_low=round(len(happy) * low),
        hear_good_high=round(len(happy) * high),
        hear_bad=round(len(unhappy) * bad),
    )


def recovery_cases_visible_to(user: Any) -> QuerySet[RecoveryCase]:
    """Return the recovery cases a staff member may see: all for managers, else those assigned to them."""
    cases = RecoveryCase.objects.select_related("customer", "assignee", "department", "response__invitation__survey")
    if user.has_perm(MANAGE):
        return cases
    return cases.filter(assignee=user)


def recovery_case_with_history(*, queryset: QuerySet[RecoveryCase], case_id: int) -> RecoveryCase | None:
    """Return one case of a queryset with its events and answers."""
    return queryset.prefetch_related("events__actor", "response__answers").filter(pk=case_id).first()


@dataclass(frozen=True)
class TeamRecovery:
    team: str
    cases: int
    resolved: int
    recovered: int
    on_time: int
    followed_up: int
    score_change: float | None

    @property
    def recovery_rate(self) -> scoring.Score | None:
        return scoring.wilson(self.recovered, self.resolved)


def recovery_report(*, period: Period | None = None, language: str = "en") -> list[TeamRecovery]:
    """Return per team (the assignee's department) the cases, how many were recovered and the mean score change."""
    cases = RecoveryCase.objects.select_related("department").prefetch_related("events")
    if period is not None:
        start, end = period.bounds()
        cases = cases.filter(opened_at__gte=start, opened_at__lt=end)
    teams: dict[str, list[RecoveryCase]] = {}
    for case in cases:
        name = case.department.display_name(language) if case.department else str(_("(no team)"))
        teams.setdefault(name, []).append(case)
    report = []
    for name, members in sorted(teams.items()):
        changes = []
        for case in members:
            for event in case.events.all():
                if event.kind == RecoveryEventKind.FOLLOW_UP_ANSWERED and event.data.get("before") is not None:
                    changes.append(event.data["after"] - event.data["before"])
        resolved = [case for case in members if case.status == RecoveryStatus.RESOLVED]
        report.append(
            TeamRecovery(
                team=name,
                cases=len(members),
                resolved=len(resolved),
                recovered=sum(case.outcome == RecoveryOutcome.RECOVERED for case in resolved),
                on_time=sum(
                    bool(case.first_contact_at and case.first_contact_at <= case.first_contact_due_at) for case in members
                ),
                followed_up=len(changes),
                score_change=sum(changes) / len(changes) if changes else None,
            )
        )
    return report


def invitations_of_customer(customer_id: int) -> QuerySet[Invitation]:
    """Return the surveys a customer was sent (or answered), newest first, for their portal."""
    return (
        Invitation.objects.filter(
            customer_id=customer_id, status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED, InvitationStatus.IMPORTED]
        )
        .select_related("survey")
        .prefetch_related("response__answers")
    )


def responses_recent(*, limit: int = 20) -> QuerySet[Response]:
    """Return the latest responses with their answers."""
    return Response.objects.select_related("invitation__customer", "invitation__survey").prefetch_related("answers")[:limit]
