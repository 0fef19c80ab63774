"""Composing an issue from new products and articles, and sending it through the outbox in resumable batches."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.messaging.models import Message, MessageStatus
from aftersales.newsletter import selectors, services
from aftersales.newsletter.models import Issue, IssueStatus
from aftersales.newsletter.tasks import send_issue_batch
from tests.factories import CustomerFactory, ProductFactory
from tests.newsletter.conftest import agreed

pytestmark = pytest.mark.django_db


def article(language="en", **fields):
    data = {
        "title": "Caring for your boiler",
        "body": "Bleed the radiators.\n\n- Once a year\n- Before winter",
        "language": language,
    }
    return services.article_create(actor=None, data={**data, **fields})


def sent(issue: Issue, *, batch_size: int = 200) -> Issue:
    """Start sending an issue and run its batches in place of the workers until it is done."""
    services.issue_send(actor=None, issue=issue)
    for _ in range(100):
        result = services.issue_send_batch(issue_id=issue.pk, batch_size=batch_size)
        if result["status"] != IssueStatus.SENDING:
            break
    issue.refresh_from_db()
    return issue


def test_an_issue_offers_the_products_added_since_the_lists_previous_issue(english_list):
    with time_machine.travel(dt.datetime(2025, 1, 10, 9, tzinfo=dt.UTC)):
        ProductFactory(sku="OLD-1")
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)):
        ProductFactory(sku="MARCH-1")
        ProductFactory(sku="MARCH-OFF", is_active=False)  # not on sale
        first = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "March", "intro": "Hi"})
    assert sorted(first.products.values_list("sku", flat=True)) == ["MARCH-1"]  # the last 30 days without an earlier issue
    with time_machine.travel(dt.datetime(2025, 3, 2, 9, tzinfo=dt.UTC)):
        sent(first)
    with time_machine.travel(dt.datetime(2025, 3, 20, 9, tzinfo=dt.UTC)):
        ProductFactory(sku="APRIL-1")
        second = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "April", "intro": "Hi"})
        chosen = services.issue_create(
            actor=None, newsletter_list=english_list, data={"subject": "Chosen", "product_ids": [], "intro": "Hi"}
        )

    assert list(second.products.values_list("sku", flat=True)) == ["APRIL-1"]
    assert chosen.products.count() == 0  # the pre-selection is only a default


def test_articles_must_be_in_the_lists_language(english_list):
    spanish = article("es", title="Cuidados")
    with pytest.raises(ValidationFailed) as refused:
        services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "S", "article_ids": [spanish.pk]})
    assert [error.field for error in refused.value.errors] == ["article_ids"]


def test_the_preview_is_the_email_in_the_lists_language(spanish_list):
    product = ProductFactory(name="Boiler", name_es="Caldera")
    issue = services.issue_create(
        actor=None,
        newsletter_list=spanish_list,
        data={
            "subject": "Novedades de marzo",
            "intro": "Hola a todos.",
            "product_ids": [product.pk],
            "article_ids": [article("es").pk],
        },
    )

    preview = services.issue_preview(issue=issue)

    assert preview.subject == "Novedades de marzo"
    assert "Estimado/a" in preview.body
    assert "Nuevos productos" in preview.body
    assert "Caldera" in preview.body and "Boiler" not in preview.body
    assert "Bleed the radiators" in preview.body
    assert "darse de baja" in preview.body


def test_sending_queues_one_marketing_message_per_member_and_counts_the_refused(english_list):
    members = [agreed(name=f"Member {n}") for n in range(5)]
    agreed(name="Spanish", language="es")
    capped = members[0]
    issue = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "News", "intro": "Hello."})
    # One member's message is refused by the outbox (here: the marketing cap is already reached for them).
    with mock.patch("aftersales.messaging.services._cap_reached", side_effect=lambda customer, now: customer.pk == capped.pk):
        issue = sent(issue, batch_size=2)

    assert issue.status == IssueStatus.SENT and issue.sent_at is not None
    assert (issue.queued_count, issue.suppressed_count) == (4, 1)
    messages = Message.objects.order_by("customer_id")
    assert [message.customer_id for message in messages] == [member.pk for member in members]
    assert {message.purpose for message in messages} == {"marketing"}
    assert {message.idempotency_key for message in messages} == {f"newsletter:{issue.pk}:{member.pk}" for member in members}
    assert messages.get(customer=capped).status == MessageStatus.SUPPRESSED
    assert all("/u/" in message.body for message in messages)  # every message carries its unsubscribe link
    assert TimelineEvent.objects.filter(kind="newsletter_sent").count() == 4


def test_a_crash_in_a_batch_is_resumed_without_duplicates(english_list):
    members = [agreed(name=f"Member {n}") for n in range(5)]
    issue = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "News", "intro": "Hello."})
    services.issue_send(actor=None, issue=issue)
    services.issue_send_batch(issue_id=issue.pk, batch_size=2)  # the first two are queued

    real_enqueue = services.message_enqueue
    calls = []

    def crash_on_fourth(**kwargs):
        calls.append(kwargs["customer"].pk)
        if kwargs["customer"].pk == members[3].pk:
            raise RuntimeError("worker killed")
        return real_enqueue(**kwargs)

    with (
        mock.patch("aftersales.newsletter.services.message_enqueue", side_effect=crash_on_fourth),
        pytest.raises(RuntimeError),
    ):
        services.issue_send_batch(issue_id=issue.pk, batch_size=2)
    assert Message.objects.count() == 2  # the batch in flight left nothing behind

    for _ in range(3):  # the task runs again (and once more than needed)
        send_issue_batch.call(issue.pk)

    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert sorted(Message.objects.values_list("customer_id", flat=True)) == sorted(member.pk for member in members)
    assert TimelineEvent.objects.filter(kind="newsletter_sent").count() == 5


def test_sending_runs_in_the_background_once_committed(english_list, immediate_tasks, django_capture_on_commit_callbacks):
    for n in range(3):
        agreed(name=f"Member {n}")
    issue = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "News", "intro": "Hello."})

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send(actor=None, issue=issue)
        services.issue_send(actor=None, issue=issue)  # a double click

    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert Message.objects.count() == 3


def test_a_sent_issue_is_frozen(english_list):
    agreed(name="Ann")
    text = article(body="Original text.")
    issue = services.issue_create(
        actor=None, newsletter_list=english_list, data={"subject": "News", "intro": "Hello.", "article_ids": [text.pk]}
    )
    sent(issue)

    services.article_update(actor=None, article=text, data={"body": "Rewritten later."})
    with pytest.raises(Conflict):
        services.issue_update(actor=None, issue=issue, data={"subject": "Changed"})

    issue.refresh_from_db()
    assert "Original text." in issue.rendered_body
    assert "Original text." in services.issue_preview(issue=issue).body
    assert "Rewritten" not in issue.rendered_body


def test_an_empty_issue_is_not_sent(english_list):
    issue = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "Nothing", "product_ids": []})
    with pytest.raises(ValidationFailed) as refused:
        services.issue_send(actor=None, issue=issue)
    assert [error.field for error in refused.value.errors] == ["intro"]
    assert Issue.objects.get().status == IssueStatus.DRAFT


def test_the_unsubscribe_link_in_an_issue_takes_the_customer_off_the_list(client, english_list):
    ann = agreed(name="Ann")
    agreed(name="Ben")
    sent(services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "News", "intro": "Hello."}))
    body = Message.objects.get(customer=ann).body
    link = re.search(r"https?://\S+/u/\S+/", body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    response = client.post(f"/{path}")

    assert response.status_code == 200
    assert [customer.name for customer in selectors.list_members(english_list)] == ["Ben"]
    ann.refresh_from_db()
    assert not selectors.is_subscribed(ann)


def test_a_stalled_sending_is_handed_back_to_the_workers(english_list, django_capture_on_commit_callbacks):
    agreed(name="Ann")
    issue = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "News", "intro": "Hello."})
    services.issue_send(actor=None, issue=issue)  # its task is never run (on_commit is not executed here)
    Issue.objects.filter(pk=issue.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1), task_id="")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.issues_resume_stalled() == 1
    assert len(callbacks) == 1
    assert services.issues_resume_stalled() == 0  # just handed over: not stalled


def test_the_test_copy_goes_to_the_staff_member_only(english_list, manager):
    agreed(name="Ann")
    issue = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "News", "intro": "Hello."})

    assert services.issue_test_send(actor=manager, issue=issue) == manager.email

    assert [message.to for message in mail.outbox] == [[manager.email]]
    assert mail.outbox[0].subject == "[TEST] News"
    assert Message.objects.count() == 0
    assert reverse("console:newsletter_issue", args=[issue.pk])
    assert CustomerFactory  # factories stay importable for the other modules
