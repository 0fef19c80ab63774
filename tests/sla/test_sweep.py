"""The SLA sweep: warnings and breaches recorded once, escalation rules carried out, managers told."""

from __future__ import annotations

import time_machine
from django.core import mail

from aftersales.core.models import Notification, TimelineEvent
from aftersales.core.tick import tick_run
from aftersales.service.models import (
    EscalationRule,
    EscalationTrigger,
    Queue,
    SlaClock,
    SlaClockStatus,
    SlaMetric,
    TicketStatus,
)
from aftersales.service.services import ticket_set_status
from aftersales.service.sla import sla_sweep
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket
from tests.sla.conftest import madrid


def opened_at(text, **kwargs):
    with time_machine.travel(madrid(text), tick=False):
        return open_ticket(CustomerFactory(), **kwargs)


def sweep_at(text):
    with time_machine.travel(madrid(text), tick=False):
        return sla_sweep()


def test_a_warning_and_then_a_breach_are_recorded_once_each(desk):
    EscalationRule.objects.all().delete()
    ticket = opened_at("2025-03-03 10:00")  # first response due 18:00, warning at 16:24

    assert sweep_at("2025-03-03 16:00")["warned"] == 0
    assert sweep_at("2025-03-03 16:30")["warned"] == 1
    assert sweep_at("2025-03-03 16:31")["warned"] == 0
    assert sweep_at("2025-03-03 18:01")["breached"] == 1
    assert sweep_at("2025-03-03 18:02")["breached"] == 0

    first = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE)
    assert (first.status, first.warned_at, first.breached_at) == (
        SlaClockStatus.BREACHED,
        madrid("2025-03-03 16:30"),
        madrid("2025-03-03 18:01"),
    )
    assert list(ticket.events.filter(kind__startswith="sla_").values_list("kind", flat=True)) == ["sla_warning", "sla_breached"]
    breaches = TimelineEvent.objects.filter(kind="ticket_sla_breached")
    assert [(event.customer_id, event.unit_id, event.data["reference"]) for event in breaches] == [
        (ticket.customer_id, None, ticket.reference)
    ]


def test_the_tick_runs_the_sweep(desk):
    ticket = opened_at("2025-03-03 10:00")

    with time_machine.travel(madrid("2025-03-03 18:30"), tick=False):
        outcome = tick_run(only="service.sla_due")

    assert outcome == {"service.sla_due": "ran"}
    assert SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE).status == SlaClockStatus.BREACHED


def test_managers_are_told_when_an_unanswered_ticket_passes_its_first_response_target(
    desk, desk_agent, service_manager, immediate_tasks, django_capture_on_commit_callbacks
):
    ticket = opened_at("2025-03-03 10:00")

    with django_capture_on_commit_callbacks(execute=True):
        sweep_at("2025-03-03 18:01")

    notification = Notification.objects.get(user=service_manager)
    assert notification.verb == "sla_breached_first_response"
    assert notification.data["reference"] == ticket.reference
    assert not Notification.objects.filter(user=desk_agent, verb__startswith="sla_").exists()
    assert [message.to for message in mail.outbox if "first-response" in message.subject] == [["boss@shop.example"]]
    assert SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE).breach_handled_at is not None


def test_a_breach_rule_moves_the_ticket_raises_its_priority_and_escalates_it(
    desk, desk_agent, immediate_tasks, django_capture_on_commit_callbacks
):
    # given a rule for late resolutions and a ticket answered in time but not resolved
    specialists = Queue.objects.create(name="Specialists", department=desk.department)
    EscalationRule.objects.create(
        name="Late resolutions go to the specialists",
        trigger=EscalationTrigger.BREACH,
        metric=SlaMetric.RESOLUTION,
        move_to_queue=specialists,
        raise_priority=True,
        escalate_to_tier_2=True,
    )
    ticket = opened_at("2025-03-03 10:00")
    SlaClock.objects.filter(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE).update(status=SlaClockStatus.MET)

    # when the resolution target passes (45 working hours: Monday 10:00 a week later)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at("2025-03-10 10:05")

    # then the rule acted through the ticket services, and level 2's clocks started
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.priority, ticket.escalation_tier) == (specialists, "high", 2)
    assert SlaClock.objects.filter(ticket=ticket, tier=2).count() == 2
    escalation = ticket.events.get(kind="sla_escalation")
    assert escalation.data["done"] == ["moved", "priority_raised", "escalated"]
    assert {"queue", "priority", "escalated"} <= set(ticket.events.values_list("kind", flat=True))


def test_a_warning_rule_only_runs_on_warnings(desk, desk_agent, immediate_tasks, django_capture_on_commit_callbacks):
    EscalationRule.objects.all().delete()
    EscalationRule.objects.create(name="Warn the agent", trigger=EscalationTrigger.WARNING, notify_assignee=True)
    ticket = opened_at("2025-03-03 10:00")
    assert ticket.assignee == desk_agent  # the only agent of the desk's department

    with django_capture_on_commit_callbacks(execute=True):
        sweep_at("2025-03-03 16:30")
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at("2025-03-03 18:30")

    told = Notification.objects.filter(user=desk_agent, verb__startswith="sla_").values_list("verb", flat=True)
    assert list(told) == ["sla_warning_first_response"]


def test_paused_clocks_never_warn_or_breach(desk, desk_agent):
    ticket = opened_at("2025-03-03 10:00")
    with time_machine.travel(madrid("2025-03-03 11:00"), tick=False):
        ticket_set_status(actor=desk_agent, ticket=ticket, status=TicketStatus.WAITING_CUSTOMER)

    outcome = sweep_at("2025-04-30 12:00")

    assert (outcome["warned"], outcome["breached"]) == (0, 0)
    assert set(SlaClock.objects.filter(ticket=ticket).values_list("status", flat=True)) == {SlaClockStatus.PAUSED}


def test_an_escalation_whose_task_was_lost_is_handed_over_again(
    desk, service_manager, immediate_tasks, django_capture_on_commit_callbacks
):
    # given a breach recorded while the task queue refused work (its callbacks never ran)
    ticket = opened_at("2025-03-03 10:00")
    sweep_at("2025-03-03 18:01")
    assert not Notification.objects.filter(user=service_manager, verb__startswith="sla_").exists()

    # when a later tick finds it still unhandled
    with django_capture_on_commit_callbacks(execute=True):
        outcome = sweep_at("2025-03-03 18:30")

    # then the escalation runs, once
    assert outcome["escalations_requeued"] == 1
    assert (
        Notification.objects.filter(user=service_manager, verb__startswith="sla_", data__reference=ticket.reference).count() == 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_at("2025-03-03 19:00")["escalations_requeued"] == 0
