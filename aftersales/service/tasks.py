"""Background tasks of the service desk: they take ids and call one service."""

from __future__ import annotations

from django_tasks import task

from aftersales.service.webhooks import webhook_deliver


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Post one webhook delivery (a no-op when it is not due or another worker has it)."""
    return webhook_deliver(delivery_id=delivery_id)
