"""Routing rules and automatic assignment: round robin, least loaded, shifts, languages, availability."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.core.models import Department
from aftersales.core.roles import Role
from aftersales.service.models import AssignmentMode, Queue, RoutingRule, TicketChannel, TicketKind, TicketStatus
from aftersales.service.services import (
    agent_profile_set,
    agent_shifts_set,
    queue_create,
    routing_rule_create,
    ticket_set_status,
)
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, UnitFactory, staff
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims_queue(manager, db):
    department = Department.objects.create(code="claims", name="Claims")
    return queue_create(actor=manager, data={"name": "Claims", "department": department, "assignment_mode": "manual"})


def test_the_first_matching_rule_wins_and_blank_conditions_match_anything(manager, desk, claims_queue, customer):
    routing_rule_create(
        actor=manager, data={"name": "Claims", "kind": TicketKind.CLAIM, "queue": claims_queue, "priority": "high"}
    )
    routing_rule_create(actor=manager, data={"name": "Everything by phone", "channel": TicketChannel.PHONE, "queue": desk})

    claim_by_phone = open_ticket(customer, kind=TicketKind.CLAIM, channel=TicketChannel.PHONE)
    question_by_phone = open_ticket(customer, kind=TicketKind.QUESTION, channel=TicketChannel.PHONE)

    assert claim_by_phone.queue == claims_queue and claim_by_phone.department.code == "claims"
    assert claim_by_phone.priority == "high", "the rule's priority applies when the caller gives none"
    assert question_by_phone.queue == desk and question_by_phone.priority == "normal"


def test_a_caller_given_priority_beats_the_rules(manager, claims_queue, customer):
    routing_rule_create(
        actor=manager, data={"name": "Claims", "kind": TicketKind.CLAIM, "queue": claims_queue, "priority": "high"}
    )

    assert open_ticket(customer, kind=TicketKind.CLAIM, priority="urgent").priority == "urgent"


def test_a_category_rule_takes_units_of_its_subcategories_too(manager, desk, claims_queue):
    appliances = CategoryFactory(slug="appliances")
    washers = CategoryFactory(slug="washers", parent=appliances)
    unit = UnitFactory(product=ProductFactory(category=washers), sale_line__product=ProductFactory(category=washers))
    routing_rule_create(actor=manager, data={"name": "Appliances", "category": appliances.pk, "queue": claims_queue})

    assert open_ticket(unit.customer, unit=unit).queue == claims_queue
    assert open_ticket(unit.customer).queue == desk, "no unit, no category: the rule does not match"


def test_a_language_rule_routes_spanish_speakers(manager, desk, claims_queue):
    routing_rule_create(actor=manager, data={"name": "Spanish", "language": "es", "queue": claims_queue})

    assert open_ticket(CustomerFactory(language="es")).queue == claims_queue
    assert open_ticket(CustomerFactory(language="en")).queue == desk


def test_an_inactive_rule_is_skipped(manager, desk, claims_queue, customer):
    routing_rule_create(actor=manager, data={"name": "Off", "queue": claims_queue, "active": False})

    assert open_ticket(customer).queue == desk


def test_round_robin_takes_turns_among_the_queues_agents(desk, service_department, customer):
    first = staff(Role.SUPPORT_AGENT, department=service_department)
    second = staff(Role.SUPPORT_AGENT, department=service_department)
    staff(Role.SUPPORT_AGENT)  # another department: never picked
    staff(Role.SALES_REP, department=service_department)  # does not work tickets: never picked

    picked = [open_ticket(customer).assignee for _ in range(4)]

    assert picked == [first, second, first, second]


def test_least_loaded_picks_whoever_has_fewest_active_tickets(manager, desk, service_department, customer):
    desk.assignment_mode = AssignmentMode.LEAST_LOADED
    desk.save()
    busy = staff(Role.SUPPORT_AGENT, department=service_department)
    idle = staff(Role.SUPPORT_AGENT, department=service_department)
    for _ in range(2):
        ticket = open_ticket(customer)
        ticket.assignee = busy
        ticket.save()
    resolved = open_ticket(customer)
    resolved.assignee = idle
    resolved.save()
    ticket_set_status(actor=manager, ticket=resolved, status=TicketStatus.RESOLVED)

    assert open_ticket(customer).assignee == idle
    assert open_ticket(customer).assignee == idle, "idle now holds 1 active ticket against busy's 2"
    assert open_ticket(customer).assignee in (busy, idle)


def test_only_agents_on_shift_now_are_picked(manager, desk, service_department, customer):
    morning = staff(Role.SUPPORT_AGENT, department=service_department, time_zone="Europe/Madrid")
    evening = staff(Role.SUPPORT_AGENT, department=service_department, time_zone="Europe/Madrid")
    agent_shifts_set(actor=manager, user=morning, shifts=[(0, dt.time(8), dt.time(14))])
    agent_shifts_set(actor=manager, user=evening, shifts=[(0, dt.time(14), dt.time(22))])

    # Monday 2 June 2025, 09:30 in Madrid (07:30 UTC, summer time).
    with time_machine.travel(dt.datetime(2025, 6, 2, 7, 30, tzinfo=dt.UTC)):
        assert open_ticket(customer).assignee == morning
    with time_machine.travel(dt.datetime(2025, 6, 2, 13, 30, tzinfo=dt.UTC)):
        assert open_ticket(customer).assignee == evening
    # Tuesday: nobody has a shift, so the ticket waits unassigned in the queue.
    with time_machine.travel(dt.datetime(2025, 6, 3, 9, tzinfo=dt.UTC)):
        assert open_ticket(customer).assignee is None


def test_only_agents_speaking_the_customers_language_are_picked(manager, desk, service_department):
    english_only = staff(Role.SUPPORT_AGENT, department=service_department, language="en")
    bilingual = staff(Role.SUPPORT_AGENT, department=service_department, language="en")
    agent_profile_set(actor=manager, user=bilingual, languages=["en", "es"])

    spanish = CustomerFactory(language="es")
    picked = {open_ticket(spanish).assignee for _ in range(3)}

    assert picked == {bilingual}
    assert english_only not in picked


def test_an_agent_marked_away_gets_no_new_tickets(manager, desk, service_department, customer):
    away = staff(Role.SUPPORT_AGENT, department=service_department)
    present = staff(Role.SUPPORT_AGENT, department=service_department)
    agent_profile_set(actor=manager, user=away, available=False)

    assert {open_ticket(customer).assignee for _ in range(3)} == {present}


def test_a_manual_queue_assigns_nobody(desk, service_department, customer):
    desk.assignment_mode = AssignmentMode.MANUAL
    desk.save()
    staff(Role.SUPPORT_AGENT, department=service_department)

    assert open_ticket(customer).assignee is None


def test_the_default_queue_is_unique(manager, desk, claims_queue):
    queue_create(actor=manager, data={"name": "New default", "department": desk.department_id, "is_default": True})

    assert list(Queue.objects.filter(is_default=True).values_list("name", flat=True)) == ["New default"]
    assert RoutingRule.objects.count() == 0
