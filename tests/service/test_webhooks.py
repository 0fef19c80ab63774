"""Outgoing webhooks against a real HTTP server: signed bodies, retries through the task worker, the log."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.service.models import DeliveryStatus, TicketStatus, WebhookDelivery
from aftersales.service.services import ticket_set_status
from aftersales.service.webhooks import (
    signature_compute,
    signature_verify,
    webhook_deliveries_redispatch,
    webhook_endpoint_create,
)
from tests.service.helpers import open_ticket

# The worker commits on its own, as it does in production: these tests do not run inside one transaction.
worker_db = pytest.mark.django_db(transaction=True)


class Receiver:
    """A local HTTP endpoint that checks each request's signature, answering from a list of status codes."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.received: list[dict] = []
        self.secret = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = signature_verify(
                    secret=receiver.secret,
                    timestamp=self.headers["X-Aftersales-Timestamp"],
                    body=body,
                    signature=self.headers["X-Aftersales-Signature"],
                )
                receiver.received.append({"valid": valid, "json": json.loads(body), "event": self.headers["X-Aftersales-Event"]})
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status if valid else 401)
                self.end_headers()
                self.wfile.write(b"thanks" if status < 300 else b"try later")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_worker() -> None:
    """Run the database task worker once over every due task, as ``aftersales worker`` does."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_a_signature_covers_the_timestamp_and_the_body():
    signature = signature_compute(secret="whsec_x", timestamp="1700000000", body=b'{"a":1}')

    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert signature_verify(secret="whsec_x", timestamp="1700000000", body=b'{"a":1}', signature=signature)
    assert not signature_verify(secret="whsec_x", timestamp="1700000001", body=b'{"a":1}', signature=signature)
    assert not signature_verify(secret="whsec_y", timestamp="1700000000", body=b'{"a":1}', signature=signature)


@worker_db
def test_ticket_events_are_posted_signed_and_a_500_is_retried_by_the_worker(admin_user, desk, customer):
    with Receiver(answers=[500]) as receiver:
        _, receiver.secret = webhook_endpoint_create(actor=admin_user, data={"url": receiver.url})

        ticket = open_ticket(customer, subject="Broken hinge")
        run_worker()

        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
        assert delivery.response_status == 500 and delivery.last_error == "HTTP 500"
        assert receiver.received[0]["valid"] and receiver.received[0]["event"] == "ticket.created"

        # The retry waits for its backoff: a worker running now leaves it alone, one after it sends it.
        run_worker()
        assert len(receiver.received) == 1
        with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1), tick=True):
            run_worker()

        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 2
        assert delivery.response_status == 200 and delivery.delivered_at is not None
        assert [request["valid"] for request in receiver.received] == [True, True]
        body = receiver.received[1]["json"]
        assert body["event"] == "ticket.created" and body["id"] == delivery.pk
        assert body["ticket"]["reference"] == ticket.reference and body["ticket"]["subject"] == "Broken hinge"


@worker_db
def test_resolving_a_ticket_posts_ticket_resolved_only_to_endpoints_that_want_it(admin_user, manager, desk, customer):
    with Receiver(answers=[]) as everything, Receiver(answers=[]) as resolved_only:
        _, everything.secret = webhook_endpoint_create(actor=admin_user, data={"url": everything.url})
        _, resolved_only.secret = webhook_endpoint_create(
            actor=admin_user, data={"url": resolved_only.url, "events": ["ticket.resolved"]}
        )
        ticket = open_ticket(customer)
        ticket_set_status(actor=manager, ticket=ticket, status=TicketStatus.RESOLVED)
        run_worker()

    assert [request["event"] for request in everything.received] == ["ticket.created", "ticket.resolved"]
    assert [request["event"] for request in resolved_only.received] == ["ticket.resolved"]
    assert resolved_only.received[0]["json"]["ticket"]["status"] == "resolved"


@worker_db
def test_after_the_last_attempt_a_delivery_fails_and_the_sweep_recovers_lost_tasks(settings, admin_user, desk, customer):
    settings.SERVICE_WEBHOOK_MAX_ATTEMPTS = 1
    with Receiver(answers=[503]) as receiver:
        _, receiver.secret = webhook_endpoint_create(actor=admin_user, data={"url": receiver.url})
        open_ticket(customer)
        run_worker()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1

    # A pending delivery whose task vanished from the queue is handed to the workers again by the sweep.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, task_id="", next_attempt_at=timezone.now()
    )
    assert webhook_deliveries_redispatch() == {"redispatched": 1}
    delivery.refresh_from_db()
    assert DBTaskResult.objects.filter(id=delivery.task_id, status="READY").exists()
    assert webhook_deliveries_redispatch() == {"redispatched": 0}, "its task is waiting now"


@worker_db
def test_a_webhook_url_must_be_http(admin_user):
    from aftersales.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        webhook_endpoint_create(actor=admin_user, data={"url": "file:///etc/passwd", "events": ["ticket.exploded"]})

    assert {error.field for error in refused.value.errors} == {"url", "events"}


@pytest.mark.django_db
def test_the_secret_is_shown_once_through_the_api(api_as, admin_user):
    client = api_as(admin_user)

    created = client.post("/api/v1/webhooks", {"url": "https://crm.example/hooks"})
    listed = client.get("/api/v1/webhooks")

    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    assert "secret" not in listed.json()[0]
