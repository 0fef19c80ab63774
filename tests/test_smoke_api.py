import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_is_refused_with_401(api_as):
    response = api_as().get("/api/v1/customers")
    assert response.status_code == 401


def test_agent_lists_customers(api_as, agent, customer):
    response = api_as(agent).get("/api/v1/customers")
    assert response.status_code == 200
    assert [c["email"] for c in response.json()["items"]] == [customer.email]


def test_customer_cannot_read_another_customers_record(api_as, customer):
    from aftersales.customers.services import customer_portal_user
    from tests.factories import CustomerFactory

    other = CustomerFactory()
    user = customer_portal_user(customer=customer)
    client = api_as()
    client.force_login(user)
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert client.get(f"/api/v1/customers/{other.pk}").status_code == 404


def test_create_sale_records_units_and_timeline(api_as, rep, customer):
    from tests.factories import ProductFactory

    product = ProductFactory()
    payload = {
        "number": "S-1",
        "sold_on": "2025-01-10",
        "customer_id": customer.pk,
        "lines": [{"sku": product.sku, "quantity": 2, "unit_price": "10.00", "serials": ["A1", "A2"]}],
    }
    response = api_as(rep).post("/api/v1/sales", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert float(body["total"]) == 20.0
    assert [u["serial"] for u in body["lines"][0]["units"]] == ["A1", "A2"]
    timeline = api_as(rep).get(f"/api/v1/customers/{customer.pk}/timeline").json()
    assert sorted(e["kind"] for e in timeline["items"]) == ["sale_recorded", "sold", "sold"]


def test_bad_sale_names_each_field(api_as, rep, customer):
    payload = {
        "number": "",
        "sold_on": "2025-01-10",
        "customer_id": customer.pk,
        "lines": [{"sku": "NOPE", "quantity": 0, "unit_price": "-1"}],
    }
    response = api_as(rep).post("/api/v1/sales", payload)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"number", "lines[0].sku", "lines[0].quantity", "lines[0].unit_price"} <= fields
