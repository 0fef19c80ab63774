"""Sending at the same moment on PostgreSQL: workers racing over one issue queue each member exactly once."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection

from aftersales.core.models import TimelineEvent
from aftersales.messaging.models import Message
from aftersales.newsletter import services
from aftersales.newsletter.models import Issue, IssueStatus
from tests.concurrency import at_once
from tests.newsletter.conftest import agreed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def issue():
    # Transactional tests empty every table: install the issue template again.
    import_module("aftersales.newsletter.migrations.0002_newsletter_template").create(apps, None)
    newsletter_list = services.list_create(actor=None, data={"name": "News", "language": "en"})
    for n in range(7):
        agreed(name=f"Member {n}")
    return services.issue_create(actor=None, newsletter_list=newsletter_list, data={"subject": "News", "intro": "Hello."})


def test_four_workers_racing_over_the_batches_queue_each_member_once(issue):
    services.issue_send(actor=None, issue=issue)

    def work(_n: int) -> list[str]:
        seen = []
        for _ in range(10):
            seen.append(services.issue_send_batch(issue_id=issue.pk, batch_size=2)["status"])
        return seen

    results = at_once(4, work)

    assert not [result for result in results if isinstance(result, Exception)], results
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert Message.objects.count() == 7
    assert Message.objects.values("customer_id").distinct().count() == 7
    assert TimelineEvent.objects.filter(kind="newsletter_sent").count() == 7
    assert (issue.queued_count, issue.suppressed_count) == (7, 0)


def test_five_clicks_on_send_at_once_start_one_sending(issue):
    results = at_once(5, lambda n: services.issue_send(actor=None, issue=Issue.objects.get(pk=issue.pk)))

    assert all(isinstance(result, Issue) for result in results), results
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING
    assert len({result.send_started_at for result in results}) == 1
