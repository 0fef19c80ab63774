"""The demo company's customer feedback: surveys answered over the last months (promoters, passives and
detractors, some comments in English and Spanish), the recovery cases the unhappy answers opened (one resolved
with its follow-up answered, the rest still open) so the dashboard, its trend and the recovery screens show data.

Everything goes through the feedback services, each step at its moment in the past, so invitations, outbox
messages, timeline entries and recovery cases are the real ones. The same seed gives the same answers.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from aftersales.core.models import User
from aftersales.customers.models import Customer
from aftersales.demo.service_desk import demo_clock
from aftersales.feedback.models import (
    Invitation,
    InvitationStatus,
    RecoveryCase,
    RecoveryOutcome,
    RecoveryStatus,
    ResponseChannel,
    Trigger,
)
from aftersales.feedback.services import (
    invitation_send,
    recovery_case_contact,
    recovery_case_resolve,
    response_evaluate,
    response_record,
    survey_for,
)
from aftersales.sales.models import Unit

DEMO_ANSWERS = 40
MONTHS_BACK = 6
# (NPS, CSAT, comment in English, comment in Spanish): a promoter, a passive or a detractor and what they wrote.
PROMOTER = [
    (10, 5, "Great service, the technician was quick and friendly.", "Servicio excelente, el técnico fue rápido y amable."),
    (9, 5, "", ""),
    (10, 4, "Delivery on time and everything worked.", "Entrega puntual y todo funcionó."),
]
PASSIVE = [(8, 4, "", ""), (7, 3, "It was fine, a bit slow to answer.", "Correcto, aunque tardaron en responder.")]
DETRACTOR = [
    (
        3,
        1,
        "Terrible: the repair took three weeks and nobody called me.",
        "Fatal: la reparación tardó tres semanas y nadie me llamó.",
    ),
    (5, 2, "The delivery was late and the box was damaged.", "La entrega llegó tarde y la caja estaba dañada."),
]


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(rng.randint(9, 19), rng.randint(0, 59)), tzinfo=zone)


def _kind(rng: random.Random, index: int) -> tuple[int, int, str, str]:
    # The first few are fixed so that a small demo still shows each kind of answer and opens recovery cases.
    if index < 3:
        return (DETRACTOR, PROMOTER, DETRACTOR)[index][index % 2]
    roll = rng.random()
    group = PROMOTER if roll < 0.5 else PASSIVE if roll < 0.8 else DETRACTOR
    return rng.choice(group)


def feedback_build(*, staff: dict[str, User], seed: int, today: dt.date) -> int:
    """Have customers answer surveys over the last months and work two of the recovery cases; return the answers."""
    rng = random.Random(f"feedback-{seed}")
    relationship, delivery = survey_for(Trigger.RELATIONSHIP), survey_for(Trigger.DELIVERY)
    if relationship is None or delivery is None:
        return 0
    surveyed = set(Invitation.objects.values_list("customer_id", flat=True))
    units = [
        unit
        for unit in Unit.objects.filter(customer__isnull=False, sale_line__isnull=False)
        .exclude(customer__email="")
        .select_related("customer", "product", "sale_line__sale")
        .order_by("pk")
        if unit.customer_id not in surveyed
    ]
    chosen: dict[int, Unit] = {}
    for unit in units:
        chosen.setdefault(unit.customer_id, unit)
    picked = sorted(chosen.values(), key=lambda unit: unit.pk)[:DEMO_ANSWERS]
    agents = [staff["agent.tom"], staff["agent.carmen"]]
    answered = 0
    # Oldest first, the three fixed answers last (the most recent): one detractor's case gets resolved below.
    days = sorted((today - dt.timedelta(days=rng.randint(2, 30 * MONTHS_BACK)) for _ in picked), reverse=True)
    for index, (unit, day) in enumerate(zip(picked, days, strict=True)):
        customer: Customer = unit.customer  # type: ignore[assignment]
        nps, csat, comment_en, comment_es = _kind(rng, len(picked) - 1 - index)
        comment = comment_es if customer.language == "es" else comment_en
        moment = _moment(rng, day)
        with demo_clock(moment):
            invitation = invitation_send(
                actor=None,
                survey=relationship,
                customer=customer,
                subject_key=f"relationship:{day:%Y-%m}",
                unit=unit,
                agent=rng.choice(agents),
            )
            scores: dict[str, int] = {"nps": nps, "buy_again": int(nps >= 7)}
            if invitation.status != InvitationStatus.SENT:
                # No marketing consent: the relationship survey was not sent, ask about the delivery instead.
                invitation = invitation_send(
                    actor=None, survey=delivery, customer=customer, subject_key=f"delivery:{unit.pk}", unit=unit
                )
                scores = {"csat": csat, "buy_again": int(csat >= 3)}
            if invitation.status != InvitationStatus.SENT:
                continue
        if index < len(picked) - 3 and rng.random() < 0.2:
            continue  # about one customer in five never answers: the response rate is not 100%
        with demo_clock(moment + dt.timedelta(hours=rng.randint(1, 12))):
            response = response_record(invitation=invitation, channel=ResponseChannel.FORM, scores=scores, comment=comment)
            response_evaluate(response_id=response.pk)
        answered += 1
    _recovery_work(staff, today)
    return answered


def _recovery_work(staff: dict[str, User], today: dt.date) -> None:
    """Resolve the oldest case (contacted the next day, recovered) and answer its follow-up; leave the rest open."""
    case = RecoveryCase.objects.filter(status=RecoveryStatus.OPEN).order_by("opened_at", "pk").first()
    if case is None or RecoveryCase.objects.filter(status=RecoveryStatus.OPEN).count() < 2:
        return
    actor = case.assignee or staff["manager"]
    contacted = case.opened_at + dt.timedelta(hours=20)
    with demo_clock(contacted):
        note = "Called the customer and apologised; offered a free check-up visit."
        recovery_case_contact(actor=actor, case=case, note=note)
    with demo_clock(contacted + dt.timedelta(days=2)):
        recovery_case_resolve(
            actor=actor, case=case, outcome=RecoveryOutcome.RECOVERED, note="Visit done, the customer is happy now."
        )
    follow_up = case.follow_up_invitations.filter(status=InvitationStatus.SENT).first()
    answered_at = contacted + dt.timedelta(days=4)
    if follow_up is not None and answered_at.date() < today:
        with demo_clock(answered_at):
            kind = case.initial_kind or "csat"
            response = response_record(
                invitation=follow_up, channel=ResponseChannel.FORM, scores={kind: 9 if kind == "nps" else 4}
            )
            response_evaluate(response_id=response.pk)
