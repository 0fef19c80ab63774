"""Fixtures registered once for the whole suite."""

from __future__ import annotations

import pytest
from django.test import Client

from aftersales.core.roles import Role
from aftersales.core.services import api_token_create
from aftersales.customers.services import customer_portal_user
from tests.factories import CustomerFactory, ProductFactory, UnitFactory, staff


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Screens name static files; tests run without collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def immediate_tasks(settings):
    """Run delivery tasks in-process as soon as the transaction that queued them commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def agent(db):
    return staff(Role.SUPPORT_AGENT)


@pytest.fixture
def manager(db):
    return staff(Role.SERVICE_MANAGER)


@pytest.fixture
def admin_user(db):
    return staff(Role.ADMINISTRATOR)


@pytest.fixture
def rep(db):
    return staff(Role.SALES_REP)


@pytest.fixture
def technician(db):
    return staff(Role.TECHNICIAN)


@pytest.fixture
def signed_in(client):
    """Return the test client signed in as a user (staff in the console, or a customer's account)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def unit(db):
    return UnitFactory()


@pytest.fixture
def catalog(db):
    """Two products by SKU, as the sales imports' sample rows name them."""
    return {
        "BIKE-1": ProductFactory(sku="BIKE-1", name="City bike"),
        "WASH-1": ProductFactory(sku="WASH-1", name="Washing machine"),
    }


class ApiClient(Client):
    """A Django test client that sends a bearer token and JSON by default."""

    def __init__(self, token: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def _auth(self, extra):
        if self.token:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        return extra

    def get(self, path, data=None, **extra):
        return super().get(path, data, **self._auth(extra))

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **self._auth(extra))

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **self._auth(extra))

    def put(self, path, data=None, content_type="application/json", **extra):
        return super().put(path, data, content_type=content_type, **self._auth(extra))

    def delete(self, path, data=None, content_type="application/json", **extra):
        return super().delete(path, data, content_type=content_type, **self._auth(extra))


@pytest.fixture
def api_as():
    """Return an API client authenticated as a user by a personal token."""

    def make(user=None) -> ApiClient:
        if user is None:
            return ApiClient()
        _, raw = api_token_create(actor=user, name="test")
        return ApiClient(token=raw)

    return make


@pytest.fixture
def portal_as():
    """Return an API client signed in by session as a customer's portal account."""

    def make(customer, **kwargs) -> ApiClient:
        client = ApiClient(**kwargs)
        client.force_login(customer_portal_user(customer=customer))
        return client

    return make
