"""The customers API: authorisation, validation, search, filters, pagination, ordering, consent, timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.core.models import TimelineEvent
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_set_consent
from tests.factories import CustomerFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _fields(response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


# --- authorisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/customers"),
        ("post", "/api/v1/customers"),
        ("get", "/api/v1/customers/{id}"),
        ("patch", "/api/v1/customers/{id}"),
        ("post", "/api/v1/customers/{id}/consents"),
        ("get", "/api/v1/customers/{id}/timeline"),
    ],
)
def test_anonymous_caller_gets_401_on_every_customer_endpoint(api_as, customer, method, path):
    response = getattr(api_as(), method)(path.format(id=customer.pk), {})

    assert response.status_code == 401
    assert response.json()["detail"] == "Authentication required."


def test_technician_cannot_create_a_customer(api_as, technician):
    response = api_as(technician).post("/api/v1/customers", {"name": "Ana"})

    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_technician_cannot_change_a_customer_or_their_consent(api_as, technician, customer):
    client = api_as(technician)

    assert client.patch(f"/api/v1/customers/{customer.pk}", {"name": "Changed"}).status_code == 403
    assert client.post(f"/api/v1/customers/{customer.pk}/consents", {"channel": "sms", "given": True}).status_code == 403
    customer.refresh_from_db()
    assert customer.name != "Changed"
    assert customer.consent_sms_at is None


def test_staff_member_without_a_role_sees_no_customers(api_as, customer):
    from tests.factories import UserFactory

    nobody = UserFactory(role=None)

    response = api_as(nobody).get("/api/v1/customers")

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert api_as(nobody).get(f"/api/v1/customers/{customer.pk}").status_code == 404


def test_portal_customer_reads_their_own_record_and_not_another(portal_as, customer):
    other = CustomerFactory()
    client = portal_as(customer)

    assert client.get(f"/api/v1/customers/{customer.pk}").json()["email"] == customer.email
    assert client.get(f"/api/v1/customers/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/customers/{other.pk}/timeline").status_code == 404
    assert client.post(f"/api/v1/customers/{other.pk}/consents", {"channel": "sms", "given": True}).status_code == 404
    assert client.patch(f"/api/v1/customers/{other.pk}", {"name": "Hacked"}).status_code == 404
    other.refresh_from_db()
    assert other.name != "Hacked"


def test_portal_customer_lists_only_themselves(portal_as, customer):
    CustomerFactory.create_batch(3)

    body = portal_as(customer).get("/api/v1/customers").json()

    assert body["count"] == 1
    assert [c["id"] for c in body["items"]] == [customer.pk]


def test_portal_customer_cannot_edit_their_record_through_the_staff_endpoint(portal_as, customer):
    response = portal_as(customer).patch(f"/api/v1/customers/{customer.pk}", {"name": "Someone else"})

    assert response.status_code == 403


def test_portal_customer_cannot_create_customers(portal_as, customer):
    assert portal_as(customer).post("/api/v1/customers", {"name": "Ana"}).status_code == 403


def test_portal_customer_manages_their_own_consent(portal_as, customer):
    client = portal_as(customer)

    response = client.post(f"/api/v1/customers/{customer.pk}/consents", {"channel": "email", "given": True})

    assert response.status_code == 200
    assert response.json()["consents"]["email"] is not None
    event = TimelineEvent.objects.get(customer=customer, kind="consent_changed")
    assert event.actor == customer.user


def test_portal_customer_reads_their_own_timeline(portal_as, customer):
    customer_set_consent(actor=None, customer=customer, channel="post", given=True)

    response = portal_as(customer).get(f"/api/v1/customers/{customer.pk}/timeline")

    assert response.status_code == 200
    assert [e["kind"] for e in response.json()["items"]] == ["consent_changed"]


# --- creation --------------------------------------------------------------------------------


def test_agent_creates_a_customer_with_every_field(api_as, agent):
    payload = {
        "name": "  Lucía Pérez ",
        "email": "Lucia@Example.COM",
        "phone": "611 22 33 44",
        "language": "es",
        "birthday": "1980-02-29",
        "address_line1": "Calle Mayor 1",
        "postal_code": "28013",
        "city": "Madrid",
        "country": "es",
        "age_band": "40_54",
        "education_level": "tertiary",
        "consents": ["email", "post"],
        "segments": ["vip", "Business Clients"],
    }

    response = api_as(agent).post("/api/v1/customers", payload)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Lucía Pérez"
    assert body["email"] == "lucia@example.com"
    assert body["phone"] == "+34611223344"
    assert body["language"] == "es"
    assert body["birthday"] == "1980-02-29"
    assert body["country"] == "ES"
    assert body["age_band"] == "40_54"
    assert body["education_level"] == "tertiary"
    assert sorted(body["segments"]) == ["business-clients", "vip"]
    assert body["consents"]["email"] is not None and body["consents"]["post"] is not None
    assert body["consents"]["sms"] is None and body["consents"]["phone"] is None
    customer = Customer.objects.get(pk=body["id"])
    assert customer.phone == "+34611223344"
    assert TimelineEvent.objects.get(customer=customer, kind="customer_created").actor == agent


def test_phone_in_international_form_is_normalised_to_e164(api_as, agent):
    response = api_as(agent).post("/api/v1/customers", {"name": "Ann", "phone": "+44 20 7946 0958"})

    assert response.status_code == 201
    assert response.json()["phone"] == "+442079460958"


@pytest.mark.parametrize(
    ("payload", "field", "reason_part"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "Ann", "email": "not-an-email"}, "email", "not a valid email"),
        ({"name": "Ann", "phone": "12"}, "phone", "not a valid phone"),
        ({"name": "Ann", "phone": "+34 000"}, "phone", "not a valid phone"),
        ({"name": "Ann", "language": "fr"}, "language", "en, es"),
        ({"name": "Ann", "birthday": "2999-01-01"}, "birthday", "future"),
        ({"name": "Ann", "country": "Spain"}, "country", "two-letter"),
        ({"name": "Ann", "age_band": "old"}, "age_band", "must be one of"),
        ({"name": "Ann", "education_level": "phd"}, "education_level", "must be one of"),
        ({"name": "Ann", "consents": ["pigeon"]}, "consents", "pigeon"),
    ],
)
def test_invalid_customer_is_refused_naming_the_field(api_as, agent, payload, field, reason_part):
    response = api_as(agent).post("/api/v1/customers", payload)

    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "Validation failed."
    assert reason_part in _fields(response)[field]
    assert not Customer.objects.exists()


def test_duplicate_email_is_refused_whatever_the_case(api_as, agent, customer):
    response = api_as(agent).post("/api/v1/customers", {"name": "Twin", "email": customer.email.upper()})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error == {"field": "email", "reason": "another customer already uses this email", "code": "duplicate"}
    assert Customer.objects.count() == 1


def test_several_problems_are_reported_together(api_as, agent):
    response = api_as(agent).post("/api/v1/customers", {"name": "", "email": "x", "language": "de"})

    assert response.status_code == 400
    assert set(_fields(response)) == {"name", "email", "language"}


def test_malformed_birthday_is_refused_by_the_schema(api_as, agent):
    response = api_as(agent).post("/api/v1/customers", {"name": "Ann", "birthday": "yesterday"})

    assert response.status_code == 422
    assert "birthday" in _fields(response)


def test_missing_name_is_refused_by_the_schema(api_as, agent):
    response = api_as(agent).post("/api/v1/customers", {"email": "a@example.com"})

    assert response.status_code == 422
    assert list(_fields(response)) == ["name"]


def test_customers_without_email_do_not_clash(api_as, agent):
    client = api_as(agent)

    assert client.post("/api/v1/customers", {"name": "Walk-in 1"}).status_code == 201
    assert client.post("/api/v1/customers", {"name": "Walk-in 2"}).status_code == 201


# --- reading and changing ---------------------------------------------------------------------


def test_customer_detail_has_the_documented_shape(api_as, technician, customer):
    body = api_as(technician).get(f"/api/v1/customers/{customer.pk}").json()

    assert set(body) >= {
        "id",
        "name",
        "email",
        "phone",
        "language",
        "birthday",
        "address_line1",
        "postal_code",
        "city",
        "country",
        "age_band",
        "education_level",
        "segments",
        "consents",
        "created_at",
        "updated_at",
    }
    assert set(body["consents"]) == {"email", "sms", "phone", "post"}


def test_unknown_customer_is_404(api_as, agent):
    response = api_as(agent).get("/api/v1/customers/999999")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such customer.", "errors": []}


def test_agent_changes_only_the_fields_sent(api_as, agent):
    customer = CustomerFactory(name="Old Name", city="Madrid", language="en")

    response = api_as(agent).patch(f"/api/v1/customers/{customer.pk}", {"name": "New Name", "phone": "+34 612 345 678"})

    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.name == "New Name"
    assert customer.phone == "+34612345678"
    assert customer.city == "Madrid"
    assert customer.language == "en"


def test_changing_language_also_changes_the_portal_account(api_as, agent, portal_as, customer):
    portal_as(customer)  # creates the portal account

    api_as(agent).patch(f"/api/v1/customers/{customer.pk}", {"language": "es"})

    customer.refresh_from_db()
    assert customer.user.language == "es"


def test_patch_can_clear_the_birthday_and_replace_segments(api_as, agent):
    customer = CustomerFactory(birthday=dt.date(1970, 1, 1))
    client = api_as(agent)
    client.patch(f"/api/v1/customers/{customer.pk}", {"segments": ["vip", "b2b"]})

    response = client.patch(f"/api/v1/customers/{customer.pk}", {"birthday": None, "segments": ["b2b"]})

    assert response.status_code == 200
    assert response.json()["birthday"] is None
    assert response.json()["segments"] == ["b2b"]


def test_patch_to_an_email_another_customer_uses_is_refused(api_as, agent):
    first, second = CustomerFactory(), CustomerFactory()

    response = api_as(agent).patch(f"/api/v1/customers/{second.pk}", {"email": first.email})

    assert response.status_code == 400
    assert _fields(response) == {"email": "another customer already uses this email"}
    second.refresh_from_db()
    assert second.email != first.email


def test_patch_keeping_ones_own_email_is_accepted(api_as, agent, customer):
    response = api_as(agent).patch(f"/api/v1/customers/{customer.pk}", {"email": customer.email, "city": "Sevilla"})

    assert response.status_code == 200
    assert response.json()["city"] == "Sevilla"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"phone": "abc"}, "phone"),
        ({"language": "xx"}, "language"),
        ({"birthday": "2999-12-31"}, "birthday"),
    ],
)
def test_invalid_patch_changes_nothing(api_as, agent, customer, payload, field):
    before = Customer.objects.filter(pk=customer.pk).values().get()

    response = api_as(agent).patch(f"/api/v1/customers/{customer.pk}", payload)

    assert response.status_code in (400, 422)
    assert field in _fields(response)
    assert Customer.objects.filter(pk=customer.pk).values().get() == before


# --- consent ---------------------------------------------------------------------------------


def test_consent_is_given_with_its_date_then_withdrawn(api_as, agent, customer):
    client = api_as(agent)
    before = timezone.now()

    given = client.post(f"/api/v1/customers/{customer.pk}/consents", {"channel": "sms", "given": True}).json()
    withdrawn = client.post(f"/api/v1/customers/{customer.pk}/consents", {"channel": "sms", "given": False}).json()

    assert dt.datetime.fromisoformat(given["consents"]["sms"]) >= before
    assert withdrawn["consents"]["sms"] is None
    events = TimelineEvent.objects.filter(customer=customer, kind="consent_changed").order_by("id")
    assert [e.data["state"] for e in events] == ["given", "withdrawn"]
    assert all(e.actor == agent for e in events)


def test_giving_consent_twice_keeps_the_first_date_and_one_event(api_as, agent, customer):
    client = api_as(agent)
    first = client.post(f"/api/v1/customers/{customer.pk}/consents", {"channel": "phone", "given": True}).json()

    second = client.post(f"/api/v1/customers/{customer.pk}/consents", {"channel": "phone", "given": True}).json()

    assert first["consents"]["phone"] == second["consents"]["phone"]
    assert TimelineEvent.objects.filter(customer=customer, kind="consent_changed").count() == 1


def test_consent_for_an_unknown_channel_is_refused(api_as, agent, customer):
    response = api_as(agent).post(f"/api/v1/customers/{customer.pk}/consents", {"channel": "fax", "given": True})

    assert response.status_code == 400
    assert "email, sms, phone, post" in _fields(response)["channel"]


# --- search, filters, pagination, ordering --------------------------------------------------


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["name"] for c in response.json()["items"]]


def test_search_by_name_email_phone_and_serial(api_as, agent):
    ana = CustomerFactory(name="Ana Gómez", email="ana@example.com", phone="+34612000111")
    CustomerFactory(name="Bruno Díaz", email="bruno@example.org", phone="+34612000222")
    UnitFactory(sale_line__sale__customer=ana, serial="XK-77-0001")
    client = api_as(agent)

    assert _names(client.get("/api/v1/customers", {"q": "gómez"})) == ["Ana Gómez"]
    assert _names(client.get("/api/v1/customers", {"q": "ANA@example.com"})) == ["Ana Gómez"]
    assert _names(client.get("/api/v1/customers", {"q": "bruno@"})) == ["Bruno Díaz"]
    assert _names(client.get("/api/v1/customers", {"q": "612 000 111"})) == ["Ana Gómez"]
    assert _names(client.get("/api/v1/customers", {"q": "+34612000222"})) == ["Bruno Díaz"]
    assert _names(client.get("/api/v1/customers", {"q": "xk-77-0001"})) == ["Ana Gómez"]
    assert _names(client.get("/api/v1/customers", {"q": "nobody"})) == []


def test_a_customer_with_several_units_of_the_same_serial_appears_once(api_as, agent):
    ana = CustomerFactory(name="Ana")
    UnitFactory(sale_line__sale__customer=ana, serial="SAME")
    UnitFactory(sale_line__sale__customer=ana, serial="SAME")

    body = api_as(agent).get("/api/v1/customers", {"q": "SAME"}).json()

    assert body["count"] == 1


def test_filter_by_language_segment_and_country(api_as, agent):
    client = api_as(agent)
    client.post("/api/v1/customers", {"name": "Ana", "language": "es", "country": "ES", "segments": ["vip"]})
    client.post("/api/v1/customers", {"name": "Bob", "language": "en", "country": "GB", "segments": ["vip", "b2b"]})
    client.post("/api/v1/customers", {"name": "Carla", "language": "es", "country": "ES"})

    assert _names(client.get("/api/v1/customers", {"language": "es"})) == ["Ana", "Carla"]
    assert _names(client.get("/api/v1/customers", {"segment": "vip"})) == ["Ana", "Bob"]
    assert _names(client.get("/api/v1/customers", {"segment": "b2b"})) == ["Bob"]
    assert _names(client.get("/api/v1/customers", {"country": "GB"})) == ["Bob"]
    assert _names(client.get("/api/v1/customers", {"language": "es", "segment": "vip"})) == ["Ana"]
    assert _names(client.get("/api/v1/customers", {"q": "a", "language": "es"})) == ["Ana", "Carla"]


def test_pagination_reports_the_count_and_pages_without_overlap(api_as, agent):
    for index in range(7):
        CustomerFactory(name=f"Customer {index}")
    client = api_as(agent)

    first = client.get("/api/v1/customers", {"limit": 3, "offset": 0}).json()
    second = client.get("/api/v1/customers", {"limit": 3, "offset": 3}).json()
    last = client.get("/api/v1/customers", {"limit": 3, "offset": 6}).json()

    assert first["count"] == second["count"] == last["count"] == 7
    assert [c["name"] for c in first["items"]] == ["Customer 0", "Customer 1", "Customer 2"]
    assert [c["name"] for c in second["items"]] == ["Customer 3", "Customer 4", "Customer 5"]
    assert [c["name"] for c in last["items"]] == ["Customer 6"]


def test_pagination_refuses_a_negative_offset(api_as, agent):
    response = api_as(agent).get("/api/v1/customers", {"offset": -1})

    assert response.status_code == 422
    assert "offset" in _fields(response)


def test_ordering_by_name_and_creation(api_as, agent):
    now = timezone.now()
    CustomerFactory(name="Zoe", created_at=now - dt.timedelta(days=2))
    CustomerFactory(name="Adam", created_at=now - dt.timedelta(days=1))
    CustomerFactory(name="Mia", created_at=now)
    client = api_as(agent)

    assert _names(client.get("/api/v1/customers")) == ["Adam", "Mia", "Zoe"]
    assert _names(client.get("/api/v1/customers", {"ordering": "-name"})) == ["Zoe", "Mia", "Adam"]
    assert _names(client.get("/api/v1/customers", {"ordering": "created_at"})) == ["Zoe", "Adam", "Mia"]
    assert _names(client.get("/api/v1/customers", {"ordering": "-created_at"})) == ["Mia", "Adam", "Zoe"]


def test_unknown_ordering_is_refused_naming_the_parameter(api_as, agent):
    response = api_as(agent).get("/api/v1/customers", {"ordering": "password"})

    assert response.status_code == 422
    assert "ordering" in _fields(response)


# --- timeline ---------------------------------------------------------------------------------


def test_customer_timeline_is_newest_first_and_paginated(api_as, agent, customer):
    client = api_as(agent)
    for channel in ("email", "sms", "phone"):
        client.post(f"/api/v1/customers/{customer.pk}/consents", {"channel": channel, "given": True})

    body = client.get(f"/api/v1/customers/{customer.pk}/timeline", {"limit": 2}).json()

    assert body["count"] == 3
    assert [e["data"]["channel"] for e in body["items"]] == ["phone", "sms"]
    first = body["items"][0]
    assert first["kind"] == "consent_changed"
    assert first["label"] == "Consent"
    assert first["description"] == "Consent for Phone given"
    assert first["actor"] == str(agent)
    assert first["unit_id"] is None
