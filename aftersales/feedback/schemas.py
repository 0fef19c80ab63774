"""Shapes of the feedback API."""

import datetime as dt
from typing import Any

from ninja import Field, Schema


class ScoreOut(Schema):
    value: float = Field(description="The score: NPS −100…100, CSAT / buy-again / response rate in %, effort 1–7.")
    low: float = Field(description="Lower end of the 95% confidence interval.")
    high: float = Field(description="Upper end of the 95% confidence interval.")
    n: int = Field(description="How many answers (or invitations, for the response rate) it rests on.")


class ScoresOut(Schema):
    nps: ScoreOut | None
    csat: ScoreOut | None
    effort: ScoreOut | None
    buy_again: ScoreOut | None
    response_rate: ScoreOut | None
    responses: int


class ScoreRowOut(Schema):
    key: int | str | None = Field(description="The id (or code) of the product, rep, department… None for answers without one.")
    label: str
    scores: ScoresOut


class TrendOut(Schema):
    month: dt.date
    scores: ScoresOut


class WordOfMouthOut(Schema):
    satisfied: int = Field(description="Customers who answered NPS 9–10 or CSAT 4–5 (and nothing unhappy).")
    dissatisfied: int = Field(description="Customers who answered NPS 0–6 or CSAT 1–2.")
    hear_good_low: int
    hear_good_high: int
    hear_bad: int


class RecoveryEventOut(Schema):
    kind: str
    at: dt.datetime
    actor_id: int | None
    note: str
    data: dict


class RecoveryCaseOut(Schema):
    id: int
    reference: str
    customer_id: int
    customer_name: str = Field(alias="customer.name")
    reason: str
    status: str
    assignee_id: int | None
    opened_at: dt.datetime
    first_contact_due_at: dt.datetime
    first_contact_at: dt.datetime | None
    escalated_at: dt.datetime | None
    resolved_at: dt.datetime | None
    outcome: str
    outcome_note: str
    initial_kind: str
    initial_score: int | None
    comment: str = Field(alias="response.comment")
    sentiment: str = Field(alias="response.sentiment")
    topics: list[str] = Field(alias="response.topics")


class RecoveryCaseDetailOut(RecoveryCaseOut):
    events: list[RecoveryEventOut]

    @staticmethod
    def resolve_events(case: Any) -> list[Any]:
        return list(case.events.all())


class NoteIn(Schema):
    note: str = ""


class ResolveIn(Schema):
    outcome: str = Field(description="recovered, partly, not_recovered or unreachable.")
    note: str = ""


class ReassignIn(Schema):
    assignee_id: int


class FeedbackImportOut(Schema):
    rows: int
    imported: int
    skipped: int = Field(description="Rows already imported before (same customer, date, kind, score and comment).")
