"""The catalogue API: categories and products with their after-sales terms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.catalog.models import Category, Product
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _fields(response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


def _product_payload(category: Category, **overrides) -> dict:
    payload = {
        "sku": "WM-800",
        "name": "Washing machine 800",
        "name_es": "Lavadora 800",
        "category_id": category.pk,
        "list_price": "499.90",
        "warranty_months": 36,
        "warranty_starts": "installation",
        "maintenance_interval_months": 12,
        "needs_installation": True,
        "return_window_days": 30,
        "exchange_window_days": 60,
    }
    return {**payload, **overrides}


# --- authorisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/categories"),
        ("post", "/api/v1/categories"),
        ("get", "/api/v1/products"),
        ("post", "/api/v1/products"),
        ("get", "/api/v1/products/ANY"),
        ("put", "/api/v1/products/ANY"),
        ("patch", "/api/v1/products/ANY"),
    ],
)
def test_anonymous_caller_gets_401_on_every_catalogue_endpoint(api_as, method, path):
    assert getattr(api_as(), method)(path, {}).status_code == 401


@pytest.mark.parametrize("role", ["rep", "agent", "technician", "manager"])
def test_only_administrators_create_products(api_as, request, role):
    category = CategoryFactory()

    response = api_as(request.getfixturevalue(role)).post("/api/v1/products", _product_payload(category))

    assert response.status_code == 403
    assert response.json()["detail"] == "Your role does not allow this."
    assert not Product.objects.exists()


def test_sales_rep_cannot_change_a_product_or_create_a_category(api_as, rep):
    product = ProductFactory(name="Before")
    client = api_as(rep)

    assert client.patch(f"/api/v1/products/{product.sku}", {"name": "After"}).status_code == 403
    assert client.put(f"/api/v1/products/{product.sku}", _product_payload(product.category)).status_code == 403
    assert client.post("/api/v1/categories", {"slug": "bikes", "name": "Bikes"}).status_code == 403
    product.refresh_from_db()
    assert product.name == "Before"
    assert not Category.objects.filter(slug="bikes").exists()


@pytest.mark.parametrize("role", ["rep", "agent", "technician", "manager", "admin_user"])
def test_every_staff_role_reads_the_catalogue(api_as, request, role):
    product = ProductFactory()
    client = api_as(request.getfixturevalue(role))

    assert client.get("/api/v1/categories").status_code == 200
    assert client.get("/api/v1/products").json()["count"] == 1
    assert client.get(f"/api/v1/products/{product.sku}").status_code == 200


def test_portal_customer_cannot_browse_the_catalogue_api(portal_as, customer):
    product = ProductFactory()
    client = portal_as(customer)

    assert client.get("/api/v1/products").status_code == 403
    assert client.get(f"/api/v1/products/{product.sku}").status_code == 403
    assert client.get("/api/v1/categories").status_code == 403


# --- categories ------------------------------------------------------------------------------


def test_administrator_creates_a_category_and_a_subcategory(api_as, admin_user):
    client = api_as(admin_user)

    parent = client.post("/api/v1/categories", {"slug": "appliances", "name": "Appliances", "name_es": "Electrodomésticos"})
    child = client.post("/api/v1/categories", {"slug": "washers", "name": "Washers", "parent_id": parent.json()["id"]})

    assert parent.status_code == 201 and child.status_code == 201
    assert parent.json()["name_es"] == "Electrodomésticos"
    assert child.json()["parent_id"] == parent.json()["id"]
    listed = client.get("/api/v1/categories").json()
    assert listed["count"] == 2
    assert [c["slug"] for c in listed["items"]] == ["appliances", "washers"]


@pytest.mark.parametrize(
    ("payload", "field", "reason_part"),
    [
        ({"slug": "", "name": "X"}, "slug", "required"),
        ({"slug": "big stuff", "name": "X"}, "slug", "letters, digits"),
        ({"slug": "taken", "name": "X"}, "slug", "already used"),
        ({"slug": "new", "name": " "}, "name", "required"),
        ({"slug": "new", "name": "X", "parent_id": 999999}, "parent_id", "no such category"),
    ],
)
def test_invalid_category_is_refused_naming_the_field(api_as, admin_user, payload, field, reason_part):
    CategoryFactory(slug="taken")

    response = api_as(admin_user).post("/api/v1/categories", payload)

    assert response.status_code == 400
    assert reason_part in _fields(response)[field]
    assert Category.objects.count() == 1


# --- products --------------------------------------------------------------------------------


def test_administrator_creates_a_product_with_its_terms(api_as, admin_user):
    category = CategoryFactory()

    response = api_as(admin_user).post("/api/v1/products", _product_payload(category))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sku"] == "WM-800"
    assert Decimal(body["list_price"]) == Decimal("499.90")
    assert body["warranty_months"] == 36
    assert body["warranty_starts"] == "installation"
    assert body["maintenance_interval_months"] == 12
    assert body["needs_installation"] is True
    assert body["return_window_days"] == 30
    assert body["exchange_window_days"] == 60
    assert body["category_id"] == category.pk
    assert Product.objects.get(sku="WM-800").list_price == Decimal("499.90")


def test_product_defaults_are_the_usual_terms(api_as, admin_user):
    category = CategoryFactory()

    body = (
        api_as(admin_user)
        .post("/api/v1/products", {"sku": "K1", "name": "Kettle", "category_id": category.pk, "list_price": "20"})
        .json()
    )

    assert body["warranty_months"] == 24
    assert body["warranty_starts"] == "delivery"
    assert body["maintenance_interval_months"] is None
    assert body["return_window_days"] == 14
    assert body["exchange_window_days"] == 30
    assert body["is_active"] is True


def test_duplicate_sku_is_refused(api_as, admin_user):
    existing = ProductFactory(sku="WM-800")

    response = api_as(admin_user).post("/api/v1/products", _product_payload(existing.category))

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "sku", "reason": "is already used by another product", "code": "duplicate"}]
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"list_price": "-1"}, "list_price"),
        ({"list_price": "1.999"}, "list_price"),
        ({"warranty_months": -3}, "warranty_months"),
        ({"maintenance_interval_months": 0}, "maintenance_interval_months"),
        ({"return_window_days": -1}, "return_window_days"),
        ({"category_id": "appliances"}, "category_id"),
    ],
)
def test_out_of_range_terms_are_refused_by_the_schema(api_as, admin_user, overrides, field):
    response = api_as(admin_user).post("/api/v1/products", _product_payload(CategoryFactory(), **overrides))

    assert response.status_code == 422
    assert field in _fields(response)
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "reason_part"),
    [
        ({"sku": " "}, "sku", "required"),
        ({"name": ""}, "name", "required"),
        ({"category_id": 999999}, "category_id", "no such category"),
        ({"warranty_starts": "purchase"}, "warranty_starts", "delivery, installation"),
    ],
)
def test_invalid_product_is_refused_naming_the_field(api_as, admin_user, overrides, field, reason_part):
    response = api_as(admin_user).post("/api/v1/products", _product_payload(CategoryFactory(), **overrides))

    assert response.status_code == 400
    assert reason_part in _fields(response)[field]
    assert not Product.objects.exists()


def test_unknown_product_is_404(api_as, agent, admin_user):
    assert api_as(agent).get("/api/v1/products/NOPE").status_code == 404
    assert api_as(admin_user).patch("/api/v1/products/NOPE", {"name": "x"}).status_code == 404


def test_put_replaces_the_terms(api_as, admin_user):
    product = ProductFactory(sku="WM-800", warranty_months=24)

    response = api_as(admin_user).put("/api/v1/products/WM-800", _product_payload(product.category, warranty_months=60))

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.warranty_months == 60
    assert product.name == "Washing machine 800"


def test_patch_changes_only_the_fields_sent(api_as, admin_user):
    product = ProductFactory(sku="WM-800", name="Washer", warranty_months=24, list_price=Decimal("100.00"))

    response = api_as(admin_user).patch("/api/v1/products/WM-800", {"list_price": "120.50", "is_active": False})

    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert product.list_price == Decimal("120.50")
    assert product.is_active is False
    assert product.name == "Washer"
    assert product.warranty_months == 24


def test_patch_can_rename_the_sku_but_not_to_a_taken_one(api_as, admin_user):
    ProductFactory(sku="TAKEN")
    product = ProductFactory(sku="OLD")
    client = api_as(admin_user)

    refused = client.patch("/api/v1/products/OLD", {"sku": "TAKEN"})
    renamed = client.patch("/api/v1/products/OLD", {"sku": "NEW"})

    assert refused.status_code == 400 and "sku" in _fields(refused)
    assert renamed.status_code == 200
    product.refresh_from_db()
    assert product.sku == "NEW"


@pytest.mark.parametrize("field", ["name", "sku", "list_price", "warranty_months", "is_active"])
def test_patch_cannot_empty_a_required_term(api_as, admin_user, field):
    product = ProductFactory(sku="WM-800")
    before = Product.objects.filter(pk=product.pk).values().get()

    response = api_as(admin_user).patch("/api/v1/products/WM-800", {field: None})

    assert response.status_code == 400, response.content
    assert _fields(response)[field] == "is required"
    assert Product.objects.filter(pk=product.pk).values().get() == before


def test_patch_can_clear_the_maintenance_interval(api_as, admin_user):
    ProductFactory(sku="BOILER", maintenance_interval_months=12)

    response = api_as(admin_user).patch("/api/v1/products/BOILER", {"maintenance_interval_months": None})

    assert response.status_code == 200
    assert response.json()["maintenance_interval_months"] is None


# --- search, filters, pagination, ordering --------------------------------------------------


def _skus(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["sku"] for p in response.json()["items"]]


def test_product_search_filters_and_ordering(api_as, agent):
    washers = CategoryFactory(slug="washers")
    bikes = CategoryFactory(slug="bikes")
    ProductFactory(sku="WM-1", name="Washer compact", name_es="Lavadora compacta", category=washers, list_price=300)
    ProductFactory(sku="WM-2", name="Washer large", category=washers, list_price=600, needs_installation=True)
    ProductFactory(sku="BK-1", name="City bike", category=bikes, list_price=450, is_active=False)
    client = api_as(agent)

    assert _skus(client.get("/api/v1/products")) == ["BK-1", "WM-1", "WM-2"]
    assert _skus(client.get("/api/v1/products", {"q": "washer"})) == ["WM-1", "WM-2"]
    assert _skus(client.get("/api/v1/products", {"q": "lavadora"})) == ["WM-1"]
    assert _skus(client.get("/api/v1/products", {"q": "bk-"})) == ["BK-1"]
    assert _skus(client.get("/api/v1/products", {"category_id": bikes.pk})) == ["BK-1"]
    assert _skus(client.get("/api/v1/products", {"category": "washers"})) == ["WM-1", "WM-2"]
    assert _skus(client.get("/api/v1/products", {"is_active": "false"})) == ["BK-1"]
    assert _skus(client.get("/api/v1/products", {"needs_installation": "true"})) == ["WM-2"]
    assert _skus(client.get("/api/v1/products", {"ordering": "-list_price"})) == ["WM-2", "BK-1", "WM-1"]
    assert _skus(client.get("/api/v1/products", {"ordering": "sku"})) == ["BK-1", "WM-1", "WM-2"]


def test_product_pagination(api_as, agent):
    for index in range(5):
        ProductFactory(sku=f"P-{index}", name=f"Product {index}")

    body = api_as(agent).get("/api/v1/products", {"limit": 2, "offset": 4, "ordering": "sku"}).json()

    assert body["count"] == 5
    assert [p["sku"] for p in body["items"]] == ["P-4"]


def test_unknown_product_ordering_is_refused(api_as, agent):
    response = api_as(agent).get("/api/v1/products", {"ordering": "cost"})

    assert response.status_code == 422
    assert "ordering" in _fields(response)
