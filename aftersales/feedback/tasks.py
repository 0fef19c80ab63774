"""Background tasks of feedback: they take ids and call one service."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from aftersales.feedback.services import response_evaluate


@task()
def evaluate_response(response_id: int) -> dict[str, Any]:
    """Analyse a response and act on it: recovery case, review request."""
    return response_evaluate(response_id=response_id)
