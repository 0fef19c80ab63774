"""The demo company's service desk: queues, routing rules, canned replies, macros and a few dozen tickets.

Everything goes through the service desk's services, so tickets carry their events, timeline entries
and notifications as real ones do. The services stamp "now", so each ticket is opened (and later answered,
resolved…) under :func:`demo_clock` set to a moment of the last three weeks: the unanswered queue, the
SLA states (on time, close to the target, breached) and the reports look like a desk in use. The same seed
picks the same customers, kinds, texts, ages and outcomes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.utils import timezone
from django.utils import timezone as django_timezone

from aftersales.core.models import Department, User
from aftersales.customers.models import Customer
from aftersales.sales.models import Unit
from aftersales.service import services
from aftersales.service.models import (
    AssignmentMode,
    CannedReply,
    Macro,
    Queue,
    RoutingRule,
    Ticket,
    TicketChannel,
    TicketKind,
    TicketStatus,
)

# Most tickets the demo opens; fewer when the demo company has fewer customers.
DEMO_TICKETS = 32
# How far back the demo's tickets go.
DEMO_HISTORY = dt.timedelta(days=21)
# The newest tickets, left unanswered so the queue shows targets still on time or close to them.
FRESH_AGES = (dt.timedelta(minutes=15), dt.timedelta(minutes=50), dt.timedelta(hours=6, minutes=30))

QUEUES = [
    # (name, assignment mode, languages, mailbox)
    ("Claims and complaints", AssignmentMode.LEAST_LOADED, [], "claims@shop.example.com"),
    ("Installations and repairs", AssignmentMode.ROUND_ROBIN, [], "workshop@shop.example.com"),
]

RULES = [
    # (name, kind, queue name, priority)
    ("Complaints", TicketKind.COMPLAINT, "Claims and complaints", "high"),
    ("Warranty claims", TicketKind.CLAIM, "Claims and complaints", ""),
    ("Installation requests", TicketKind.INSTALLATION, "Installations and repairs", ""),
    ("Repair requests", TicketKind.REPAIR, "Installations and repairs", ""),
    ("Maintenance requests", TicketKind.MAINTENANCE, "Installations and repairs", "low"),
]

CANNED = [
    (
        "Thanks, we are on it",
        "Dear {{ customer_first_name }},\n\nthank you for your message about {{ ticket_subject }}. "
        "We are looking into it and will come back to you shortly.\n\n{{ agent_name }}",
        "Estimado/a {{ customer_first_name }}:\n\nle agradecemos su mensaje sobre «{{ ticket_subject }}». "
        "Lo estamos revisando y le responderemos en breve.\n\n{{ agent_name }}",
    ),
    (
        "Ask for the serial number",
        "Dear {{ customer_first_name }},\n\ncould you send us the serial number printed on the label "
        "at the back of the appliance? It helps us find your warranty.\n\n{{ agent_name }}",
        "Estimado/a {{ customer_first_name }}:\n\n¿podría enviarnos el número de serie que figura en la etiqueta "
        "de la parte trasera del aparato? Nos ayuda a localizar su garantía.\n\n{{ agent_name }}",
    ),
    (
        "Ask for a photo",
        "Dear {{ customer_first_name }},\n\nplease attach a photo of the problem to this ticket ({{ ticket_reference }}), "
        "or reply to this email with the photo.\n\n{{ agent_name }}",
        "Estimado/a {{ customer_first_name }}:\n\nle rogamos que adjunte una foto del problema a esta incidencia "
        "({{ ticket_reference }}) o que responda a este correo con la foto.\n\n{{ agent_name }}",
    ),
    (
        "Technician visit booked",
        "Dear {{ customer_first_name }},\n\na technician will visit you to look at your {{ product_name }} "
        "(serial {{ unit_serial }}). We will call you the day before.\n\n{{ agent_name }}",
        "Estimado/a {{ customer_first_name }}:\n\nun técnico le visitará para revisar su {{ product_name }} "
        "(n.º de serie {{ unit_serial }}). Le llamaremos el día anterior.\n\n{{ agent_name }}",
    ),
]

# (kind, channel, English subject and body, Spanish subject and body)
REQUESTS: list[tuple[str, str, tuple[str, str], tuple[str, str]]] = [
    (
        TicketKind.QUESTION,
        TicketChannel.EMAIL,
        ("How do I descale it?", "The display says to descale. Which product should I use?"),
        ("¿Cómo se descalcifica?", "La pantalla indica que hay que descalcificar. ¿Qué producto debo usar?"),
    ),
    (
        TicketKind.COMPLAINT,
        TicketChannel.EMAIL,
        ("Nobody came to the appointment", "I waited all morning and the technician never came."),
        ("No vino nadie a la cita", "Esperé toda la mañana y el técnico no se presentó."),
    ),
    (
        TicketKind.CLAIM,
        TicketChannel.PORTAL,
        ("Stopped working after two months", "It does not switch on any more. It is under warranty."),
        ("Dejó de funcionar a los dos meses", "Ya no se enciende. Está en garantía."),
    ),
    (
        TicketKind.INSTALLATION,
        TicketChannel.PHONE,
        ("Installation appointment", "Customer asks when the installation can be done."),
        ("Cita de instalación", "El cliente pregunta cuándo se puede hacer la instalación."),
    ),
    (
        TicketKind.REPAIR,
        TicketChannel.EMAIL,
        ("Leaking water", "There is water on the floor after every wash."),
        ("Pierde agua", "Hay agua en el suelo después de cada lavado."),
    ),
    (
        TicketKind.MAINTENANCE,
        TicketChannel.PORTAL,
        ("Yearly maintenance", "I would like to book the yearly maintenance visit."),
        ("Mantenimiento anual", "Quisiera reservar la visita de mantenimiento anual."),
    ),
    (
        TicketKind.EXCHANGE,
        TicketChannel.IN_PERSON,
        ("Wrong colour delivered", "Customer came to the shop: ordered white, received black."),
        ("Color equivocado", "El cliente vino a la tienda: pidió blanco y recibió negro."),
    ),
    (
        TicketKind.REFUND,
        TicketChannel.EMAIL,
        ("Refund for the returned unit", "I returned it last week. When will I get my money back?"),
        ("Reembolso de la devolución", "Lo devolví la semana pasada. ¿Cuándo recibiré el dinero?"),
    ),
    (
        TicketKind.TRAINING,
        TicketChannel.API,
        ("Training for our staff", "Our kitchen staff needs a session on the new oven."),
        ("Formación para el personal", "Nuestro personal de cocina necesita una sesión sobre el horno nuevo."),
    ),
]

REPLIES = {
    "en": "Thank you, we have looked into it and this should be sorted now.",
    "es": "Gracias, lo hemos revisado y ya debería estar solucionado.",
}
CUSTOMER_FOLLOW_UPS = {"en": "Thanks, but it happened again this morning.", "es": "Gracias, pero ha vuelto a pasar esta mañana."}


def _setup(staff: dict[str, User]) -> dict[str, Queue]:
    manager = staff["manager"]
    service = Department.objects.get(code="service")
    queues = {queue.name: queue for queue in Queue.objects.all()}
    for name, mode, languages, mailbox in QUEUES:
        if name not in queues:
            data = {
                "name": name,
                "department": service,
                "assignment_mode": mode,
                "languages": languages,
                "email_address": mailbox,
            }
            queues[name] = services.queue_create(actor=manager, data=data)
    if not RoutingRule.objects.exists():
        for name, kind, queue_name, priority in RULES:
            services.routing_rule_create(
                actor=manager, data={"name": name, "kind": kind, "queue": queues[queue_name], "priority": priority}
            )
    if not CannedReply.objects.exists():
        for title, body_en, body_es in CANNED:
            services.canned_reply_create(actor=manager, data={"title": title, "body_en": body_en, "body_es": body_es})
    if not Macro.objects.exists():
        photo = CannedReply.objects.get(title="Ask for a photo")
        services.macro_create(
            actor=manager,
            data={"name": "Ask for a photo and wait", "status": "waiting_customer", "canned_reply": photo, "tags": ["photo"]},
        )
        services.macro_create(
            actor=manager,
            data={"name": "Escalate to the workshop", "priority": "high", "queue": queues["Installations and repairs"]},
        )
    services.agent_profile_set(actor=manager, user=staff["agent.carmen"], languages=["es", "en"])
    services.agent_profile_set(actor=manager, user=staff["agent.tom"], languages=["en"])
    return queues


def _customers_with_units(rng: random.Random, count: int) -> list[tuple[Customer, Unit | None]]:
    units = list(Unit.objects.select_related("customer", "product").order_by("serial")[: count * 20])
    customers = list(Customer.objects.order_by("email")[: count * 20])
    picked: list[tuple[Customer, Unit | None]] = []
    for index in range(count):
        if units and rng.random() < 0.75:
            unit = rng.choice(units)
            picked.append((unit.customer, unit))
        elif customers:
            picked.append((customers[index % len(customers)], None))
    return picked


@contextmanager
def demo_clock(moment: dt.datetime) -> Iterator[None]:
    """Make ``timezone.now()`` (and every field defaulting to it) return a moment while the demo writes history.

    Demo building only: ``timezone.now`` reads the ``datetime`` class of ``django.utils.timezone``, and model
    fields keep a reference to ``timezone.now`` itself, so replacing that class reaches both.
    """
    real = django_timezone.datetime  # type: ignore[attr-defined]

    class _Frozen(real):  # type: ignore[valid-type,misc]
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    django_timezone.datetime = _Frozen  # type: ignore[attr-defined]
    try:
        yield
    finally:
        django_timezone.datetime = real  # type: ignore[attr-defined]


def _ages(rng: random.Random, count: int) -> list[dt.timedelta]:
    """Return how long ago each ticket was opened, oldest first: a few fresh ones, the rest over three weeks."""
    fresh = list(FRESH_AGES[: max(0, min(len(FRESH_AGES), count - 1))])
    spread = [dt.timedelta(hours=12) + (DEMO_HISTORY - dt.timedelta(hours=12)) * rng.random() for _ in range(count - len(fresh))]
    return sorted(spread + fresh, reverse=True)


def service_desk_build(*, staff: dict[str, User], seed: int, customers: int) -> int:
    """Set up the demo service desk and open up to ``DEMO_TICKETS`` tickets over the last weeks; return how many."""
    _setup(staff)
    rng = random.Random(f"service-desk-{seed}")
    agents = [staff["agent.tom"], staff["agent.carmen"], staff["manager"]]
    now = timezone.now()
    picked = _customers_with_units(rng, min(DEMO_TICKETS, customers))
    ages = _ages(rng, len(picked))
    opened = 0
    for (customer, unit), age in zip(picked, ages, strict=True):
        kind, channel, english, spanish = rng.choice(REQUESTS)
        subject, body = spanish if customer.language == "es" else english
        actor: Any = rng.choice(agents) if channel in (TicketChannel.PHONE, TicketChannel.IN_PERSON) else None
        opened_at = now - age
        with demo_clock(opened_at):
            if channel in (TicketChannel.PHONE, TicketChannel.IN_PERSON):
                ticket = services.call_log(
                    actor=actor, customer=customer, body=body, subject=subject, kind=kind, unit=unit, channel=channel
                )
            else:
                ticket = services.ticket_open(
                    actor=actor, customer=customer, subject=subject, body=body, kind=kind, channel=channel, unit=unit
                )
        opened += 1
        if age in FRESH_AGES:
            continue  # the newest wait for their first answer
        # Answered within minutes or a couple of working days, as a busy desk does.
        answered_at = min(now, opened_at + dt.timedelta(minutes=rng.randint(20, 60 * 30)))
        with demo_clock(answered_at):
            _advance(ticket, rng=rng, agents=agents, language=customer.language)
    return opened


def _advance(ticket: Ticket, *, rng: random.Random, agents: Sequence[User], language: str) -> None:
    """Move a ticket along a plausible path: left unanswered, answered, waiting, resolved, reopened or closed."""
    outcome = rng.choices(
        ["unanswered", "answered", "waiting", "resolved", "reopened", "closed", "callback"], weights=[5, 3, 2, 3, 1, 2, 1]
    )[0]
    agent = ticket.assignee or rng.choice(agents)
    if outcome == "unanswered":
        return
    if outcome == "callback":
        services.callback_schedule(actor=agent, ticket=ticket, due_at=timezone.now() + dt.timedelta(hours=rng.randint(2, 30)))
        return
    reply = REPLIES.get(language, REPLIES["en"])
    status = {
        "answered": TicketStatus.OPEN,
        "waiting": TicketStatus.WAITING_CUSTOMER,
        "resolved": TicketStatus.RESOLVED,
        "reopened": TicketStatus.RESOLVED,
        "closed": TicketStatus.CLOSED,
    }[outcome]
    services.ticket_reply(actor=agent, ticket=ticket, body=reply, status=status)
    if outcome == "reopened":
        services.ticket_customer_reply(
            ticket=ticket, body=CUSTOMER_FOLLOW_UPS.get(language, CUSTOMER_FOLLOW_UPS["en"]), channel=TicketChannel.EMAIL
        )
