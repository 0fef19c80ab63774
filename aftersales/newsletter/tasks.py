"""Background tasks of newsletter: they take ids and call one service."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from aftersales.newsletter.services import issue_send_batch


@task()
def send_issue_batch(issue_id: int) -> dict[str, Any]:
    """Queue the next batch of an issue's members in the outbox."""
    return issue_send_batch(issue_id=issue_id)
