"""Personal API tokens, the three ways to authenticate, and the published API description."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from aftersales.core.models import ApiToken
from aftersales.core.services import api_token_authenticate, api_token_create, api_token_revoke, token_digest
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def _all_text_in_database() -> str:
    """Return every stored value of the token table, so a test can look for a leaked secret."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        return repr(cursor.fetchall())


# --- creation, listing, revocation -----------------------------------------------------------


def test_token_created_through_a_session_is_shown_once_and_stored_only_as_a_digest(agent):
    # given a staff member signed in to the console
    client = ApiClient()
    client.force_login(agent)

    # when they create a token
    response = client.post("/api/v1/tokens", {"name": "ERP sync"})

    # then the raw value is in the answer, and only its SHA-256 digest is in the database
    assert response.status_code == 201, response.content
    body = response.json()
    raw = body["token"]
    assert raw.startswith("as_") and len(raw) > 30
    assert body["name"] == "ERP sync"
    assert body["prefix"] == raw[:10]
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.digest == token_digest(raw)
    assert raw not in _all_text_in_database()
    # and the list never shows it again
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["ERP sync"]
    assert "token" not in listed[0]
    assert raw not in str(listed)


def test_token_list_shows_only_the_callers_own_tokens(agent, rep):
    api_token_create(actor=rep, name="someone else's")
    client = ApiClient()
    client.force_login(agent)
    client.post("/api/v1/tokens", {"name": "mine"})

    names = [t["name"] for t in client.get("/api/v1/tokens").json()]

    assert names == ["mine"]


def test_token_in_a_bearer_header_authenticates_its_owner(api_as, agent, customer):
    response = api_as(agent).get(f"/api/v1/customers/{customer.pk}")

    assert response.status_code == 200
    assert response.json()["email"] == customer.email


def test_token_in_an_x_api_key_header_authenticates_its_owner(agent, customer):
    _, raw = api_token_create(actor=agent, name="legacy client")

    response = Client().get(f"/api/v1/customers/{customer.pk}", HTTP_X_API_KEY=raw)

    assert response.status_code == 200
    assert response.json()["id"] == customer.pk


def test_token_use_is_recorded(agent):
    token, raw = api_token_create(actor=agent, name="cron")
    assert token.last_used_at is None

    ApiClient(token=raw).get("/api/v1/tokens")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused_with_401(agent):
    token, raw = api_token_create(actor=agent, name="old")
    client = ApiClient()
    client.force_login(agent)

    response = client.delete(f"/api/v1/tokens/{token.pk}")

    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(token=raw).get("/api/v1/customers").status_code == 401
    assert Client().get("/api/v1/customers", HTTP_X_API_KEY=raw).status_code == 401


def test_revoking_someone_elses_token_is_404_and_leaves_it_working(api_as, agent, rep):
    token, raw = api_token_create(actor=rep, name="rep's")

    response = api_as(agent).delete(f"/api/v1/tokens/{token.pk}")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiClient(token=raw).get("/api/v1/customers").status_code == 200


def test_revoking_twice_is_404(agent):
    token, _ = api_token_create(actor=agent, name="once")
    api_token_revoke(actor=agent, token_id=token.pk)
    client = ApiClient()
    client.force_login(agent)

    assert client.delete(f"/api/v1/tokens/{token.pk}").status_code == 404


def test_token_of_a_deactivated_user_is_refused_with_401(agent):
    _, raw = api_token_create(actor=agent, name="leaver")
    agent.is_active = False
    agent.save()

    assert ApiClient(token=raw).get("/api/v1/customers").status_code == 401
    assert api_token_authenticate(raw) is None


@pytest.mark.parametrize("raw", ["", "garbage", "as_not-a-real-token", "Bearer as_x"])
def test_unknown_tokens_are_refused_with_401(raw):
    assert ApiClient(token=raw).get("/api/v1/customers").status_code == 401
    assert Client().get("/api/v1/customers", HTTP_X_API_KEY=raw).status_code == 401


def test_anonymous_caller_gets_401_on_every_token_endpoint():
    client = ApiClient()
    assert client.get("/api/v1/tokens").status_code == 401
    assert client.post("/api/v1/tokens", {"name": "x"}).status_code == 401
    assert client.delete("/api/v1/tokens/1").status_code == 401


def test_portal_customer_cannot_create_or_list_tokens(portal_as, customer):
    client = portal_as(customer)

    assert client.get("/api/v1/tokens").status_code == 403
    assert client.post("/api/v1/tokens", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_token_create_without_a_name_is_refused_naming_the_field(agent):
    client = ApiClient()
    client.force_login(agent)

    response = client.post("/api/v1/tokens", {})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["name"]


# --- sessions and CSRF ---------------------------------------------------------------------


def test_session_write_without_csrf_token_is_refused_with_403(agent):
    # given a browser session that does not send the CSRF token
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    # when it posts
    response = client.post("/api/v1/customers", {"name": "Ana"}, content_type="application/json")

    # then nothing is written
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert client.get("/api/v1/customers").json()["count"] == 0


def test_session_write_with_csrf_token_is_accepted(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    client.get("/api/v1/customers")  # any page sets the cookie when asked for the token
    from django.middleware.csrf import _get_new_csrf_string

    csrf = _get_new_csrf_string()
    client.cookies["csrftoken"] = csrf

    response = client.post("/api/v1/customers", {"name": "Ana"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 201, response.content


def test_token_writes_need_no_csrf_token(agent):
    _, raw = api_token_create(actor=agent, name="integration")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/v1/customers", {"name": "Ana"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    assert response.status_code == 201, response.content


def test_anonymous_write_from_a_real_client_is_401_not_a_csrf_error():
    # A client that enforces CSRF like a real server does: no session, no token.
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/customers", {"name": "Ana"}, content_type="application/json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required.", "errors": []}


def test_revoked_token_write_from_a_real_client_is_401(agent):
    token, raw = api_token_create(actor=agent, name="old")
    api_token_revoke(actor=agent, token_id=token.pk)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/v1/customers", {"name": "Ana"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    assert response.status_code == 401


def test_session_of_a_deactivated_user_is_refused_with_401(agent):
    client = Client()
    client.force_login(agent)
    agent.is_active = False
    agent.save()

    assert client.get("/api/v1/customers").status_code == 401


# --- the published description -------------------------------------------------------------


def test_openapi_document_lists_every_path():
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Aftersales API"
    paths = set(document["paths"])
    assert {
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/consents",
        "/api/v1/customers/{customer_id}/timeline",
        "/api/v1/categories",
        "/api/v1/products",
        "/api/v1/products/{sku}",
        "/api/v1/sales",
        "/api/v1/sales/{number}",
        "/api/v1/units",
        "/api/v1/units/lookup/{serial}",
        "/api/v1/units/{unit_id}",
        "/api/v1/units/{unit_id}/timeline",
        "/api/v1/units/{unit_id}/delivered",
        "/api/v1/units/{unit_id}/installed",
        "/api/v1/units/{unit_id}/status",
    } <= paths
    schemes = document["components"]["securitySchemes"]
    assert {"TokenAuth", "TokenHeaderAuth", "ActiveSessionAuth"} <= set(schemes)


def test_interactive_docs_render(settings):
    # The server collects static files before it starts; the test suite serves them from the apps.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

    response = Client().get("/api/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_an_unknown_api_path_answers_json_404(api_as, agent):
    response = api_as(agent).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such endpoint."
