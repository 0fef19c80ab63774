"""Parallel booking requests on PostgreSQL: one person is never booked twice at once."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from aftersales.core.errors import Conflict
from aftersales.fieldwork.models import WorkOrder, WorkOrderStatus
from aftersales.fieldwork.services.scheduling import work_order_schedule
from tests.concurrency import at_once
from tests.factories import CategoryFactory
from tests.fieldwork.scheduling_helpers import madrid, order, technician, templates_ensure

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

SUNDAY_EVENING = madrid(2026, 5, 31, 20)


@pytest.fixture(autouse=True)
def _templates():
    templates_ensure()


@time_machine.travel(SUNDAY_EVENING, tick=True)
def test_six_overlapping_bookings_at_once_leave_exactly_one_and_refuse_the_rest_naming_it():
    category = CategoryFactory()
    tech = technician(categories=[category])
    orders = [order(category=category) for _ in range(6)]
    starts = [madrid(2026, 6, 1, 10, 0), madrid(2026, 6, 1, 10, 30)] * 3  # every pair overlaps

    results = at_once(6, lambda n: work_order_schedule(actor=None, work_order=orders[n], assignee=tech.user, start=starts[n]).pk)

    won = [result for result in results if isinstance(result, int)]
    refused = [result for result in results if isinstance(result, Conflict)]
    assert len(won) == 1, results
    assert len(refused) == 5, results
    winner = WorkOrder.objects.get(pk=won[0])
    assert all(winner.reference in str(conflict.message) for conflict in refused)
    assert WorkOrder.objects.filter(assignee=tech.user, status=WorkOrderStatus.SCHEDULED).count() == 1


@time_machine.travel(SUNDAY_EVENING, tick=True)
def test_parallel_requests_through_the_api_answer_one_200_and_409s(api_as, agent):
    category = CategoryFactory()
    tech = technician(categories=[category])
    orders = [order(category=category) for _ in range(4)]
    clients = [api_as(agent) for _ in range(4)]
    start = "2026-06-01T10:00:00+02:00"

    answers = at_once(
        4,
        lambda n: clients[n].post(
            f"/api/v1/fieldwork/work-orders/{orders[n].pk}/schedule", {"assignee_id": tech.user_id, "start": start}
        ),
    )

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 409, 409, 409], [getattr(answer, "content", answer) for answer in answers]
    winner = next(answer.json()["reference"] for answer in answers if answer.status_code == 200)
    assert all(winner in answer.json()["detail"] for answer in answers if answer.status_code == 409)
