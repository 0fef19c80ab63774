"""Background tasks of the outbox: they take ids and call one service."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from aftersales.messaging.services import message_deliver


@task()
def deliver_message(message_id: int) -> str:
    """Send one message from the outbox (a no-op when it is not due or another worker has it)."""
    return message_deliver(message_id=message_id, worker_id=f"{socket.gethostname()}:{os.getpid()}")
