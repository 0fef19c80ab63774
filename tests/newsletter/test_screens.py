"""Console screens (lists, articles, compose, preview, test-send, send) and the portal archive and subscription."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from aftersales.customers.services import customer_portal_user, segment_get_or_create
from aftersales.messaging.models import Message
from aftersales.newsletter import selectors, services
from aftersales.newsletter.models import Issue, IssueStatus
from tests.factories import CustomerFactory, ProductFactory
from tests.newsletter.conftest import agreed

pytestmark = pytest.mark.django_db


def sent_issue(newsletter_list, subject: str, text: str = "Hello.") -> Issue:
    issue = services.issue_create(actor=None, newsletter_list=newsletter_list, data={"subject": subject, "intro": text})
    services.issue_send(actor=None, issue=issue)
    services.issue_send_batch(issue_id=issue.pk)
    issue.refresh_from_db()
    return issue


def portal(client, customer):
    client.force_login(customer_portal_user(customer=customer))
    return client


# --- console ------------------------------------------------------------------------------------


def test_a_manager_creates_a_list_and_sees_its_member_count(signed_in, client, manager):
    agreed(name="Ann")
    agreed(name="Ben")
    console = signed_in(manager)

    response = console.post(reverse("console:newsletter_lists"), {"name": "News", "language": "en", "active": "on"}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "News" in page and '<td data-label="Members now" class="members">2</td>' in page


def test_the_list_form_names_the_refused_field(signed_in, manager, english_list):
    response = signed_in(manager).post(reverse("console:newsletter_lists"), {"name": "NEWS", "language": "en"})
    assert response.status_code == 200
    assert "another list has this name" in response.content.decode()


def test_compose_preview_test_send_and_send_from_the_console(
    signed_in, manager, english_list, django_capture_on_commit_callbacks, immediate_tasks
):
    agreed(name="Ann")
    product = ProductFactory(name="Quiet dishwasher")
    console = signed_in(manager)

    form = console.get(reverse("console:newsletter_issue_new") + f"?list={english_list.pk}").content.decode()
    assert "Quiet dishwasher" in form and "checked" in form  # the new product comes ticked
    response = console.post(
        reverse("console:newsletter_issue_new") + f"?list={english_list.pk}",
        {"subject": "Spring", "intro": "Welcome to <b>spring</b>.", "product_ids": [product.pk]},
    )
    issue = Issue.objects.get()
    assert response.status_code == 302

    page = console.get(reverse("console:newsletter_issue", args=[issue.pk])).content.decode()
    assert "Quiet dishwasher" in page
    assert "Welcome to &lt;b&gt;spring&lt;/b&gt;." in page  # shown as text, never as markup

    console.post(reverse("console:newsletter_issue_test", args=[issue.pk]))
    assert [message.to for message in mail.outbox] == [[manager.email]]

    with django_capture_on_commit_callbacks(execute=True):
        console.post(reverse("console:newsletter_issue_send", args=[issue.pk]))
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert Message.objects.count() == 1
    page = console.get(reverse("console:newsletter_issue", args=[issue.pk])).content.decode()
    assert 'id="queued-count">1<' in page


def test_a_rep_composes_but_cannot_send_and_a_technician_cannot_compose(signed_in, client, rep, technician, english_list):
    issue = services.issue_create(actor=None, newsletter_list=english_list, data={"subject": "Draft", "intro": "Hi"})
    console = signed_in(rep)
    assert console.get(reverse("console:newsletter_issue_new") + f"?list={english_list.pk}").status_code == 200
    assert "Send to" not in console.get(reverse("console:newsletter_issue", args=[issue.pk])).content.decode()
    assert console.post(reverse("console:newsletter_issue_send", args=[issue.pk])).status_code == 403
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT

    console = signed_in(technician)
    assert console.get(reverse("console:newsletter_issues")).status_code == 200
    assert console.get(reverse("console:newsletter_issue_new") + f"?list={english_list.pk}").status_code == 403


def test_articles_are_written_in_the_console(signed_in, rep):
    console = signed_in(rep)
    response = console.post(
        reverse("console:newsletter_article_new"),
        {"title": "Winter care", "language": "en", "body": "Para 1\n\n- a\n- b", "link": "ftp://nope"},
    )
    assert "must be a web address" in response.content.decode()
    console.post(reverse("console:newsletter_article_new"), {"title": "Winter care", "language": "en", "body": "Para 1"})
    assert "Winter care" in console.get(reverse("console:newsletter_articles")).content.decode()


# --- portal -------------------------------------------------------------------------------------


def test_the_archive_shows_only_sent_issues_in_the_customers_language(client, english_list, spanish_list):
    ana = agreed(name="Ana", language="es")
    english = sent_issue(english_list, "English news")
    spanish = sent_issue(spanish_list, "Noticias", "Hola <script>alert(1)</script>")
    draft = services.issue_create(actor=None, newsletter_list=spanish_list, data={"subject": "Borrador", "intro": "x"})

    page = portal(client, ana).get(reverse("portal:newsletter")).content.decode()

    assert "Noticias" in page
    assert "English news" not in page and "Borrador" not in page
    detail = client.get(reverse("portal:newsletter_issue", args=[spanish.pk]))
    assert detail.status_code == 200
    assert "&lt;script&gt;" in detail.content.decode() and "<script>alert" not in detail.content.decode()
    assert client.get(reverse("portal:newsletter_issue", args=[english.pk])).status_code == 404
    assert client.get(reverse("portal:newsletter_issue", args=[draft.pk])).status_code == 404


def test_a_segment_lists_issues_show_only_to_customers_in_its_segments(client):
    vip = segment_get_or_create(slug="vip", name="VIP")
    vip_list = services.list_create(actor=None, data={"name": "VIP preview", "language": "en", "segment_ids": [vip.pk]})
    insider, outsider = agreed(name="Insider"), agreed(name="Outsider")
    insider.segments.add(vip)
    preview = sent_issue(vip_list, "VIP early access")

    assert client.get(reverse("portal:newsletter_issue", args=[preview.pk])).status_code == 302  # not signed in
    assert portal(client, outsider).get(reverse("portal:newsletter_issue", args=[preview.pk])).status_code == 404
    assert "VIP early access" in portal(client, insider).get(reverse("portal:newsletter")).content.decode()


def test_a_customer_unsubscribes_and_subscribes_again_in_the_portal(client, english_list):
    ann = agreed(name="Ann")
    portal(client, ann)
    assert "You receive our newsletter" in client.get(reverse("portal:newsletter")).content.decode()

    client.post(reverse("portal:newsletter_subscription"), {"subscribe": "0"})
    assert selectors.list_member_count(english_list) == 0
    assert "Subscribe" in client.get(reverse("portal:newsletter")).content.decode()

    client.post(reverse("portal:newsletter_subscription"), {"subscribe": "1"})
    assert selectors.list_member_count(english_list) == 1


def test_staff_and_strangers_do_not_see_the_portal_archive(client, signed_in, agent):
    assert client.get(reverse("portal:newsletter")).status_code == 302
    assert signed_in(agent).get(reverse("portal:newsletter")).status_code == 403
    assert CustomerFactory
