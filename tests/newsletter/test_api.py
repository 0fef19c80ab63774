"""The newsletter API: lists with member counts, articles, issues (create, preview, send, get), and who may do what."""

from __future__ import annotations

import pytest

from aftersales.messaging.models import Message
from aftersales.newsletter.models import Issue, IssueStatus
from tests.newsletter.conftest import agreed

pytestmark = pytest.mark.django_db

BASE = "/api/v1/newsletter"


def test_a_manager_builds_a_list_writes_an_article_and_sends_an_issue(
    api_as, manager, django_capture_on_commit_callbacks, immediate_tasks
):
    api = api_as(manager)
    agreed(name="Ann")
    agreed(name="Bea", language="es")

    created = api.post(f"{BASE}/lists", {"name": "News", "language": "en"})
    assert created.status_code == 201, created.content
    list_id = created.json()["id"]
    assert created.json()["member_count"] == 1
    assert [row["member_count"] for row in api.get(f"{BASE}/lists").json()] == [1]

    article = api.post(f"{BASE}/articles", {"title": "Tips", "body": "Descale monthly.", "language": "en"})
    assert article.status_code == 201, article.content

    issue = api.post(
        f"{BASE}/issues", {"list_id": list_id, "subject": "May news", "intro": "Hello.", "article_ids": [article.json()["id"]]}
    )
    assert issue.status_code == 201, issue.content
    issue_id = issue.json()["id"]
    assert issue.json()["status"] == "draft"

    preview = api.post(f"{BASE}/issues/{issue_id}/preview")
    assert preview.status_code == 200
    assert "Descale monthly." in preview.json()["body"]

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BASE}/issues/{issue_id}/send")
    assert response.status_code == 202, response.content

    got = api.get(f"{BASE}/issues/{issue_id}").json()
    assert (got["status"], got["queued_count"], got["suppressed_count"]) == ("sent", 1, 0)
    assert "Descale monthly." in got["sent_text"]
    assert Message.objects.get().customer.name == "Ann"
    assert api.patch(f"{BASE}/issues/{issue_id}", {"subject": "Too late"}).status_code == 409


def test_bad_input_names_the_field(api_as, manager):
    api = api_as(manager)
    response = api.post(f"{BASE}/lists", {"name": "", "language": "de"})
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"name", "language"}

    response = api.post(f"{BASE}/articles", {"title": "T", "body": "B", "language": "en", "link": "javascript:alert(1)"})
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["link"]

    response = api.post(f"{BASE}/issues", {"list_id": 999, "subject": "S"})
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["list_id"]
    assert api.get(f"{BASE}/issues/999").status_code == 404


def test_roles_decide_who_reads_writes_and_sends(api_as, rep, technician, manager, english_list):
    issue = Issue.objects.create(newsletter_list=english_list, subject="Draft", intro="Hello.")

    assert api_as(technician).get(f"{BASE}/issues/{issue.pk}").status_code == 200
    assert api_as(technician).post(f"{BASE}/articles", {"title": "T", "body": "B", "language": "en"}).status_code == 403
    assert api_as(rep).post(f"{BASE}/articles", {"title": "T", "body": "B", "language": "en"}).status_code == 201
    assert api_as(rep).post(f"{BASE}/lists", {"name": "Mine", "language": "en"}).status_code == 403
    assert api_as(rep).post(f"{BASE}/issues/{issue.pk}/send").status_code == 403
    assert api_as(None).get(f"{BASE}/lists").status_code in (401, 403)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT
    assert api_as(manager).post(f"{BASE}/issues/{issue.pk}/send").status_code == 202


def test_a_customer_cannot_use_the_staff_api(portal_as, english_list):
    customer = agreed(name="Ann")
    assert portal_as(customer).get(f"{BASE}/lists").status_code in (401, 403)
