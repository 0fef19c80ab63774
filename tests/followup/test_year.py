"""A year in two customers' lives: every touch of the default playbook happens once, on its day, in their language.

Time travels day by day from the sale to the first anniversary of the delivery. Each morning ``aftersales
tick`` runs every periodic sweep, as it does in production; messages go through the real outbox and
its delivery task (run in-process), so emails land in Django's mailbox; the rep works the calls and
visits the playbook gives them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from aftersales.core.models import TimelineEvent
from aftersales.followup.models import StaffTask, TaskKind, TaskOutcome, TaskStatus, TouchResult, TouchStatus
from aftersales.followup.services import task_log_outcome
from aftersales.messaging.models import Message, MessageStatus
from aftersales.sales.services import sale_create, unit_mark_delivered, unit_mark_installed
from tests.factories import CustomerFactory, ProductFactory, staff
from tests.followup.helpers import (
    BIRTHDAY,
    CHECK_IN,
    COURTESY_CALL,
    DELIVERY_VISIT,
    EXCHANGE,
    MAINTENANCE,
    SURVEY,
    USAGE_TIPS,
    WARRANTY_OFFER,
    at,
    touches,
)

pytestmark = pytest.mark.django_db

SOLD = dt.date(2025, 1, 8)
DELIVERED = dt.date(2025, 1, 10)
INSTALLED = dt.date(2025, 1, 11)
LAST_DAY = dt.date(2026, 1, 12)
D = dt.timedelta


def expected(birthday: dt.date) -> list[tuple[str, dt.date, str]]:
    return sorted(
        [
            (DELIVERY_VISIT, DELIVERED, TouchResult.TASK_CREATED),
            (COURTESY_CALL, DELIVERED + D(days=7), TouchResult.TASK_CREATED),
            (USAGE_TIPS, DELIVERED + D(days=14), TouchResult.MESSAGE_QUEUED),
            # exchangeable for 30 days after delivery (until 9 February); reminded five days before
            (EXCHANGE, dt.date(2025, 2, 4), TouchResult.MESSAGE_QUEUED),
            (SURVEY, DELIVERED + D(days=30), TouchResult.SURVEY_REQUESTED),
            (BIRTHDAY, birthday, TouchResult.MESSAGE_QUEUED),
            # a sale of 2,500: a check-in call every six months
            (CHECK_IN, dt.date(2025, 7, 8), TouchResult.TASK_CREATED),
            (CHECK_IN, dt.date(2026, 1, 8), TouchResult.TASK_CREATED),
            # maintenance every six months from installation
            (MAINTENANCE, dt.date(2025, 7, 11), TouchResult.MESSAGE_QUEUED),
            (MAINTENANCE, dt.date(2026, 1, 11), TouchResult.MESSAGE_QUEUED),
            # twelve months of warranty from delivery end on 9 January 2026; the offer comes 30 days before
            (WARRANTY_OFFER, dt.date(2025, 12, 10), TouchResult.MESSAGE_QUEUED),
        ],
        key=lambda row: (row[1], row[0]),
    )


SUBJECTS = {
    "en": {
        "usage_tips_training": "Getting the most out of your Lavanda WM8 washing machine",
        "exchange_window_closing": "You can exchange your Lavanda WM8 washing machine until Feb. 9, 2025",
        "birthday": "Happy birthday, Alex!",
        "maintenance_reminder": "Your Lavanda WM8 washing machine is due for maintenance",
        "warranty_ending": "The warranty of your Lavanda WM8 washing machine ends on Jan. 9, 2026",
        # the playbook's survey step, and the yearly relationship survey of the feedback capability
        "survey": "How is your new product?",
        "relationship_survey": "Would you recommend us?",
    },
    "es": {
        "usage_tips_training": "Saque el máximo partido a su Lavadora Lavanda WM8",
        "exchange_window_closing": "Puede cambiar su Lavadora Lavanda WM8 hasta el 9 de febrero de 2025",
        "birthday": "¡Feliz cumpleaños, Ana!",
        "maintenance_reminder": "Su Lavadora Lavanda WM8 necesita su mantenimiento",
        "warranty_ending": "La garantía de su Lavadora Lavanda WM8 termina el 9 de enero de 2026",
        "survey": "¿Qué tal su nuevo producto?",
        "relationship_survey": "¿Nos recomendaría?",
    },
}


def test_a_year_in_the_life_of_an_english_and_a_spanish_customer(immediate_tasks, django_capture_on_commit_callbacks):
    rep = staff("sales_rep")
    product = ProductFactory(
        name="Lavanda WM8 washing machine",
        name_es="Lavadora Lavanda WM8",
        warranty_months=12,
        maintenance_interval_months=6,
        exchange_window_days=30,
        needs_installation=True,
    )
    consent = {f"consent_{channel}_at": at(dt.date(2024, 12, 1)) for channel in ("email", "sms", "phone", "post")}
    alex = CustomerFactory(name="Alex Morgan", language="en", birthday=dt.date(1985, 6, 15), **consent)
    ana = CustomerFactory(name="Ana García", language="es", birthday=dt.date(1979, 9, 2), **consent)
    people = {alex.pk: alex, ana.pk: ana}

    day = SOLD
    while day <= LAST_DAY:
        with time_machine.travel(at(day, 9), tick=False):
            if day == SOLD:
                for customer in (alex, ana):
                    sale_create(
                        actor=rep,
                        customer=customer,
                        number=f"S-{customer.pk}",
                        sold_on=day,
                        sales_rep=rep,
                        lines=[{"sku": product.sku, "unit_price": Decimal("2500.00"), "serials": [f"WM8-{customer.pk}"]}],
                    )
            for unit in product.units.all():
                if day == DELIVERED:
                    unit_mark_delivered(actor=rep, unit=unit)
                if day == INSTALLED:
                    unit_mark_installed(actor=rep, unit=unit)
        # the test runs in one transaction: run what production runs when each of the tick's transactions commits
        with time_machine.travel(at(day, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
            call_command("tick")
        with time_machine.travel(at(day, 16), tick=False):
            # the rep works the day's calls and visits
            for task in StaffTask.objects.filter(status=TaskStatus.OPEN, assignee=rep):
                task_log_outcome(actor=rep, task=task, outcome=TaskOutcome.REACHED_FINE, note="All good")
        day += D(days=1)

    # every touch once, on its day, acted on that very morning
    for customer in (alex, ana):
        mine = [touch for touch in touches() if touch.customer_id == customer.pk]
        assert [(touch.step.name, touch.due_on, touch.result) for touch in mine] == expected(customer.birthday.replace(year=2025))
        assert all(timezone.localdate(touch.acted_at) == touch.due_on for touch in mine)
        assert all(touch.status in (TouchStatus.DONE, TouchStatus.SKIPPED) for touch in mine)
    assert TimelineEvent.objects.filter(kind="followup_touch").count() == 2 * len(expected(dt.date(2025, 6, 15)))

    # every email sent exactly once, in the customer's own language
    sent = Counter((message.to[0], message.subject) for message in mail.outbox)
    assert all(
        count == 1 for (_to, subject), count in sent.items() if "maintenance" not in subject and "mantenimiento" not in subject
    )
    for customer in (alex, ana):
        subjects = SUBJECTS[customer.language]
        expected_subjects = {
            code: text.replace("Alex", customer.name.split()[0]).replace("Ana", customer.name.split()[0])
            for code, text in subjects.items()
        }
        mine = sorted(subject for to, subject in sent.elements() if to == customer.email)
        assert mine == sorted([*expected_subjects.values(), expected_subjects["maintenance_reminder"]])
    emails = Message.objects.filter(channel="email")
    assert emails.count() == len(mail.outbox) == 16
    assert all(
        message.status == MessageStatus.SENT and message.language == people[message.customer_id].language for message in emails
    )

    # the calls and visits were the rep's, one task each, with the script in the customer's language
    tasks = StaffTask.objects.order_by("created_at", "pk")
    assert Counter(task.kind for task in tasks) == {TaskKind.VISIT: 2, TaskKind.CALL: 6}
    assert all(task.assignee == rep and task.status == TaskStatus.DONE for task in tasks)
    calls = Message.objects.filter(channel="call")
    assert calls.count() == 6
    assert all(call.status == MessageStatus.SENT for call in calls)
    assert {call.subject for call in calls if call.customer_id == ana.pk} == {
        "Llamada de cortesía a Ana García",
        "Llamada de seguimiento a Ana García",
    }
