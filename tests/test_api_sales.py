"""The sales and units API: recording sales, proofs of purchase, the installed base by serial, unit events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.utils import timezone

from aftersales.core.models import TimelineEvent
from aftersales.sales.models import Sale, SaleLine, Unit
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, UnitFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _fields(response) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


def _sale_payload(customer, *lines, **overrides) -> dict:
    payload = {"number": "S-100", "sold_on": "2025-01-10", "customer_id": customer.pk, "lines": list(lines)}
    return {**payload, **overrides}


def _line(product, quantity=1, unit_price="100.00", serials=()) -> dict:
    return {"sku": product.sku, "quantity": quantity, "unit_price": unit_price, "serials": list(serials)}


def _proof(content: bytes = PDF, name: str = "receipt.pdf") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="application/pdf")}


# --- authorisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/sales"),
        ("post", "/api/v1/sales"),
        ("get", "/api/v1/sales/{number}"),
        ("post", "/api/v1/sales/{number}/proof"),
        ("get", "/api/v1/sales/{number}/proof"),
        ("get", "/api/v1/units"),
        ("get", "/api/v1/units/lookup/{serial}"),
        ("get", "/api/v1/units/{id}"),
        ("get", "/api/v1/units/{id}/timeline"),
        ("post", "/api/v1/units/{id}/delivered"),
        ("post", "/api/v1/units/{id}/installed"),
        ("post", "/api/v1/units/{id}/status"),
    ],
)
def test_anonymous_caller_gets_401_on_every_sales_endpoint(api_as, unit, method, path):
    url = path.format(number=unit.sale_line.sale.number, serial=unit.serial, id=unit.pk)

    assert getattr(api_as(), method)(url, {}).status_code == 401


@pytest.mark.parametrize("role", ["agent", "technician"])
def test_roles_that_do_not_sell_cannot_record_a_sale(api_as, request, role, customer):
    product = ProductFactory()

    response = api_as(request.getfixturevalue(role)).post("/api/v1/sales", _sale_payload(customer, _line(product)))

    assert response.status_code == 403
    assert not Sale.objects.exists()


@pytest.mark.parametrize("role", ["rep", "manager", "admin_user"])
def test_selling_roles_record_a_sale(api_as, request, role, customer):
    product = ProductFactory()

    response = api_as(request.getfixturevalue(role)).post("/api/v1/sales", _sale_payload(customer, _line(product)))

    assert response.status_code == 201, response.content


def test_support_agent_cannot_change_units(api_as, agent, unit):
    client = api_as(agent)

    assert client.post(f"/api/v1/units/{unit.pk}/delivered", {}).status_code == 403
    assert client.post(f"/api/v1/units/{unit.pk}/installed", {}).status_code == 403
    assert client.post(f"/api/v1/units/{unit.pk}/status", {"status": "scrapped"}).status_code == 403
    unit.refresh_from_db()
    assert (unit.delivered_at, unit.installed_at, unit.status) == (None, None, "in_service")


@pytest.mark.parametrize("role", ["agent", "technician"])
def test_roles_that_do_not_sell_cannot_attach_a_proof(api_as, request, role, unit):
    sale = unit.sale_line.sale

    response = api_as(request.getfixturevalue(role)).post(
        f"/api/v1/sales/{sale.number}/proof", _proof(), content_type=MULTIPART_CONTENT
    )

    assert response.status_code == 403
    sale.refresh_from_db()
    assert not sale.proof_file


def test_portal_customer_sees_only_their_own_sales_and_units(portal_as, customer):
    mine = UnitFactory(sale_line__sale__customer=customer, serial="MINE-1")
    theirs = UnitFactory(serial="THEIRS-1")
    client = portal_as(customer)

    assert [s["number"] for s in client.get("/api/v1/sales").json()["items"]] == [mine.sale_line.sale.number]
    assert [u["serial"] for u in client.get("/api/v1/units").json()["items"]] == ["MINE-1"]
    assert client.get(f"/api/v1/sales/{mine.sale_line.sale.number}").status_code == 200
    assert client.get(f"/api/v1/sales/{theirs.sale_line.sale.number}").status_code == 404
    assert client.get(f"/api/v1/units/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/units/{theirs.pk}").status_code == 404
    assert client.get("/api/v1/units/lookup/MINE-1").status_code == 200
    assert client.get("/api/v1/units/lookup/THEIRS-1").status_code == 404
    assert client.get(f"/api/v1/units/{mine.pk}/timeline").status_code == 200
    assert client.get(f"/api/v1/units/{theirs.pk}/timeline").status_code == 404
    assert client.get("/api/v1/sales", {"customer_id": theirs.customer_id}).json()["count"] == 0


def test_portal_customer_cannot_change_their_own_unit_or_record_sales(portal_as, customer):
    unit = UnitFactory(sale_line__sale__customer=customer)
    client = portal_as(customer)

    assert client.post(f"/api/v1/units/{unit.pk}/status", {"status": "scrapped"}).status_code == 403
    assert client.post(f"/api/v1/units/{unit.pk}/delivered", {}).status_code == 403
    assert client.post("/api/v1/sales", _sale_payload(customer, _line(unit.product))).status_code == 403
    unit.refresh_from_db()
    assert unit.status == "in_service"


def test_portal_customer_cannot_touch_another_customers_unit(portal_as, customer):
    theirs = UnitFactory()

    response = portal_as(customer).post(f"/api/v1/units/{theirs.pk}/status", {"status": "scrapped"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "in_service"


def test_portal_customer_downloads_their_own_proof_but_not_anothers(api_as, rep, portal_as, customer):
    mine = SaleFactory(customer=customer, number="MINE")
    theirs = SaleFactory(number="THEIRS")
    for sale in (mine, theirs):
        api_as(rep).post(f"/api/v1/sales/{sale.number}/proof", _proof(), content_type=MULTIPART_CONTENT)
    client = portal_as(customer)

    own = client.get("/api/v1/sales/MINE/proof")

    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF
    assert 'filename="proof-MINE.pdf"' in own["Content-Disposition"]
    assert client.get("/api/v1/sales/THEIRS/proof").status_code == 404


# --- recording a sale ------------------------------------------------------------------------


def test_sale_with_lines_creates_one_unit_per_serial_and_the_timeline(api_as, rep, customer):
    washer, dryer = ProductFactory(name="Washer"), ProductFactory(name="Dryer")
    payload = _sale_payload(
        customer,
        _line(washer, quantity=2, unit_price="399.99", serials=["W-1", "W-2"]),
        _line(dryer, quantity=1, unit_price="250"),
        channel="field",
        sales_rep_id=rep.pk,
        receipt_number="T-778",
    )

    response = api_as(rep).post("/api/v1/sales", payload)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "S-100"
    assert body["sold_on"] == "2025-01-10"
    assert body["channel"] == "field"
    assert body["customer_id"] == customer.pk
    assert body["customer"] == customer.name
    assert body["sales_rep_id"] == rep.pk
    assert body["sales_rep"] == str(rep)
    assert body["receipt_number"] == "T-778"
    assert body["has_proof_file"] is False
    assert Decimal(body["total"]) == Decimal("1049.98")
    assert [(line["position"], line["sku"], line["quantity"]) for line in body["lines"]] == [
        (1, washer.sku, 2),
        (2, dryer.sku, 1),
    ]
    assert [u["serial"] for u in body["lines"][0]["units"]] == ["W-1", "W-2"]
    assert body["lines"][1]["units"] == []
    units = Unit.objects.filter(customer=customer)
    assert sorted(units.values_list("serial", flat=True)) == ["W-1", "W-2"]
    assert all(u.status == "in_service" and u.delivered_at is None for u in units)
    kinds = sorted(TimelineEvent.objects.filter(customer=customer).values_list("kind", flat=True))
    assert kinds == ["sale_recorded", "sold", "sold"]
    assert set(TimelineEvent.objects.filter(customer=customer).values_list("actor", flat=True)) == {rep.pk}


def test_sale_delivered_on_the_spot_records_delivery(api_as, rep, customer):
    product = ProductFactory()
    delivered = timezone.make_aware(dt.datetime(2025, 1, 10, 17, 30))
    payload = _sale_payload(customer, _line(product, serials=["D-1"]), delivered_at=delivered.isoformat())

    response = api_as(rep).post("/api/v1/sales", payload)

    assert response.status_code == 201, response.content
    unit = Unit.objects.get(serial="D-1")
    assert unit.delivered_at == delivered
    assert TimelineEvent.objects.filter(unit=unit, kind="delivered").count() == 1


def test_sale_number_with_a_slash_is_reachable(api_as, rep, customer):
    product = ProductFactory()
    api_as(rep).post("/api/v1/sales", _sale_payload(customer, _line(product), number="F2025/0001"))
    client = api_as(rep)

    response = client.get("/api/v1/sales/F2025/0001")
    upload = client.post("/api/v1/sales/F2025/0001/proof", _proof(), content_type=MULTIPART_CONTENT)

    assert response.status_code == 200
    assert response.json()["number"] == "F2025/0001"
    assert upload.status_code == 200, upload.content
    assert upload.json()["has_proof_file"] is True


def test_duplicate_sale_number_is_refused_and_nothing_is_written(api_as, rep, customer):
    SaleFactory(number="S-100")
    product = ProductFactory()

    response = api_as(rep).post("/api/v1/sales", _sale_payload(customer, _line(product, serials=["N-1"])))

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "number", "reason": "sale 'S-100' already exists", "code": "duplicate"}]
    assert Sale.objects.count() == 1
    assert not Unit.objects.filter(serial="N-1").exists()


def test_serial_already_registered_for_the_product_is_refused_naming_the_line(api_as, rep, customer):
    existing = UnitFactory(serial="DUP-1")
    other = ProductFactory()
    payload = _sale_payload(customer, _line(other, serials=["DUP-1"]), _line(existing.product, serials=["DUP-1"]))

    response = api_as(rep).post("/api/v1/sales", payload)

    assert response.status_code == 400
    assert _fields(response) == {"lines[1].serials": "serial 'DUP-1' is already registered for this product"}
    assert not Sale.objects.filter(number="S-100").exists()
    assert not SaleLine.objects.filter(product=other).exists()


def test_the_same_serial_may_exist_for_two_different_products(api_as, rep, customer):
    UnitFactory(serial="SHARED")

    response = api_as(rep).post("/api/v1/sales", _sale_payload(customer, _line(ProductFactory(), serials=["SHARED"])))

    assert response.status_code == 201
    assert Unit.objects.filter(serial="SHARED").count() == 2


@pytest.mark.parametrize(
    ("line_overrides", "field", "reason_part"),
    [
        ({"quantity": 2, "serials": ["ONLY-ONE"]}, "lines[0].serials", "1 serial given for a quantity of 2"),
        ({"quantity": 2, "serials": ["A", "A"]}, "lines[0].serials", "same serial twice"),
        ({"sku": "NOPE"}, "lines[0].sku", "no product with SKU 'NOPE'"),
        ({"sku": ""}, "lines[0].sku", "required"),
        ({"quantity": 0}, "lines[0].quantity", "at least 1"),
        ({"quantity": -2}, "lines[0].quantity", "at least 1"),
        ({"unit_price": "-5"}, "lines[0].unit_price", "must not be negative"),
        ({"unit_price": "1.001"}, "lines[0].unit_price", "two decimals"),
        ({"serials": ["X" * 65]}, "lines[0].serials", "longer than 64"),
    ],
)
def test_invalid_line_is_refused_naming_the_line_and_field(api_as, rep, customer, line_overrides, field, reason_part):
    line = {**_line(ProductFactory()), **line_overrides}

    response = api_as(rep).post("/api/v1/sales", _sale_payload(customer, line))

    assert response.status_code == 400, response.content
    assert reason_part in _fields(response)[field]
    assert not Sale.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "reason_part"),
    [
        ({"number": " "}, "number", "required"),
        ({"number": "N" * 65}, "number", "longer than 64"),
        ({"channel": "mail order"}, "channel", "store, online, phone, field"),
        ({"sold_on": "2999-01-01"}, "sold_on", "future"),
        ({"customer_id": 999999}, "customer_id", "no such customer"),
        ({"sales_rep_id": 999999}, "sales_rep_id", "no such staff member"),
        ({"lines": []}, "lines", "at least one line"),
        ({"delivered_at": "2024-12-31T10:00:00+01:00"}, "delivered_at", "before the sale date"),
        ({"delivered_at": "2999-01-01T10:00:00+01:00"}, "delivered_at", "future"),
    ],
)
def test_invalid_sale_is_refused_naming_the_field(api_as, rep, customer, overrides, field, reason_part):
    payload = _sale_payload(customer, _line(ProductFactory(), serials=["V-1"]), **overrides)

    response = api_as(rep).post("/api/v1/sales", payload)

    assert response.status_code == 400, response.content
    assert reason_part in _fields(response)[field]
    assert not Sale.objects.exists()
    assert not Unit.objects.exists()


def test_a_portal_account_is_not_a_sales_rep(api_as, rep, customer, portal_as):
    portal_as(customer)
    customer.refresh_from_db()

    response = api_as(rep).post("/api/v1/sales", _sale_payload(customer, _line(ProductFactory()), sales_rep_id=customer.user_id))

    assert response.status_code == 400
    assert "sales_rep_id" in _fields(response)


@pytest.mark.parametrize(("payload_change", "field"), [({"sold_on": "10/01/2025"}, "sold_on"), ({"lines": "none"}, "lines")])
def test_malformed_sale_is_refused_by_the_schema(api_as, rep, customer, payload_change, field):
    payload = {**_sale_payload(customer, _line(ProductFactory())), **payload_change}

    response = api_as(rep).post("/api/v1/sales", payload)

    assert response.status_code == 422
    assert field in _fields(response)


def test_unknown_sale_is_404(api_as, agent):
    assert api_as(agent).get("/api/v1/sales/NOPE").status_code == 404


# --- proof of purchase -----------------------------------------------------------------------


def test_rep_attaches_a_proof_of_purchase_and_staff_download_it(api_as, rep, agent):
    sale = SaleFactory(number="P-1")

    response = api_as(rep).post("/api/v1/sales/P-1/proof", _proof(name="../../etc/passwd.pdf"), content_type=MULTIPART_CONTENT)

    assert response.status_code == 200, response.content
    assert response.json()["has_proof_file"] is True
    sale.refresh_from_db()
    assert sale.proof_file.name.startswith("proofs/2025/03/")
    assert ".." not in sale.proof_file.name and "passwd" not in sale.proof_file.name
    download = api_as(agent).get("/api/v1/sales/P-1/proof")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_replacing_a_proof_removes_the_old_file(api_as, rep, django_capture_on_commit_callbacks):
    sale = SaleFactory(number="P-2")
    client = api_as(rep)
    client.post("/api/v1/sales/P-2/proof", _proof(), content_type=MULTIPART_CONTENT)
    sale.refresh_from_db()
    first = sale.proof_file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/sales/P-2/proof", _proof(b"\x89PNG\r\n\x1a\nrest", "photo.png"), content_type=MULTIPART_CONTENT
        )

    assert response.status_code == 200
    sale.refresh_from_db()
    assert sale.proof_file.name.endswith(".png")
    assert not sale.proof_file.storage.exists(first)
    assert sale.proof_file.storage.exists(sale.proof_file.name)


def test_proof_that_is_not_a_pdf_or_image_is_refused(api_as, rep):
    sale = SaleFactory(number="P-3")

    response = api_as(rep).post(
        "/api/v1/sales/P-3/proof", _proof(b"MZ\x90\x00 not a receipt", "receipt.pdf"), content_type=MULTIPART_CONTENT
    )

    assert response.status_code == 400
    assert _fields(response) == {"proof_file": "must be a PDF, JPEG or PNG file"}
    sale.refresh_from_db()
    assert not sale.proof_file


def test_proof_larger_than_the_limit_is_refused(api_as, rep, settings):
    settings.PROOF_OF_PURCHASE_MAX_BYTES = 1024 * 1024
    SaleFactory(number="P-4")

    response = api_as(rep).post("/api/v1/sales/P-4/proof", _proof(PDF + b"0" * (1024 * 1024)), content_type=MULTIPART_CONTENT)

    assert response.status_code == 400
    assert "larger than 1 MB" in _fields(response)["proof_file"]


def test_proof_upload_without_a_file_names_the_field(api_as, rep):
    SaleFactory(number="P-5")

    response = api_as(rep).post("/api/v1/sales/P-5/proof", {}, content_type=MULTIPART_CONTENT)

    assert response.status_code == 422
    assert "file" in _fields(response)


def test_downloading_a_missing_proof_is_404(api_as, agent):
    SaleFactory(number="P-6")

    response = api_as(agent).get("/api/v1/sales/P-6/proof")

    assert response.status_code == 404
    assert response.json()["detail"] == "This sale has no proof of purchase file."


# --- listing sales ---------------------------------------------------------------------------


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["number"] for s in response.json()["items"]]


def test_sale_filters_by_date_range_customer_rep_and_channel(api_as, agent, rep):
    ana, bob = CustomerFactory(), CustomerFactory()
    SaleFactory(number="A-JAN", customer=ana, sold_on=dt.date(2025, 1, 15), channel="store", sales_rep=rep)
    SaleFactory(number="A-MAR", customer=ana, sold_on=dt.date(2025, 3, 1), channel="online")
    SaleFactory(number="B-FEB", customer=bob, sold_on=dt.date(2025, 2, 10), channel="phone", sales_rep=rep)
    client = api_as(agent)

    assert _numbers(client.get("/api/v1/sales")) == ["A-MAR", "B-FEB", "A-JAN"]
    assert _numbers(client.get("/api/v1/sales", {"sold_from": "2025-02-01"})) == ["A-MAR", "B-FEB"]
    assert _numbers(client.get("/api/v1/sales", {"sold_to": "2025-02-10"})) == ["B-FEB", "A-JAN"]
    assert _numbers(client.get("/api/v1/sales", {"sold_from": "2025-02-01", "sold_to": "2025-02-28"})) == ["B-FEB"]
    assert _numbers(client.get("/api/v1/sales", {"customer_id": ana.pk})) == ["A-MAR", "A-JAN"]
    assert _numbers(client.get("/api/v1/sales", {"sales_rep_id": rep.pk})) == ["B-FEB", "A-JAN"]
    assert _numbers(client.get("/api/v1/sales", {"channel": "online"})) == ["A-MAR"]
    assert _numbers(client.get("/api/v1/sales", {"number": "B-FEB"})) == ["B-FEB"]
    assert _numbers(client.get("/api/v1/sales", {"ordering": "number"})) == ["A-JAN", "A-MAR", "B-FEB"]
    assert _numbers(client.get("/api/v1/sales", {"ordering": "sold_on"})) == ["A-JAN", "B-FEB", "A-MAR"]


def test_sale_list_pagination_and_bad_parameters(api_as, agent):
    for day in range(1, 6):
        SaleFactory(number=f"S-{day}", sold_on=dt.date(2025, 1, day))
    client = api_as(agent)

    page = client.get("/api/v1/sales", {"limit": 2, "offset": 2}).json()
    bad_date = client.get("/api/v1/sales", {"sold_from": "yesterday"})
    bad_ordering = client.get("/api/v1/sales", {"ordering": "customer__user__password"})

    assert page["count"] == 5
    assert [s["number"] for s in page["items"]] == ["S-3", "S-2"]
    assert bad_date.status_code == 422 and "sold_from" in _fields(bad_date)
    assert bad_ordering.status_code == 422 and "ordering" in _fields(bad_ordering)


# --- units -----------------------------------------------------------------------------------


def test_unit_detail_has_the_documented_shape(api_as, technician):
    unit = UnitFactory(serial="SN-1", sale_line__product__warranty_months=24)

    body = api_as(technician).get(f"/api/v1/units/{unit.pk}").json()

    assert body["serial"] == "SN-1"
    assert body["sku"] == unit.product.sku
    assert body["product"] == unit.product.name
    assert body["category"] == unit.product.category.name
    assert body["customer_id"] == unit.customer_id
    assert body["sale_number"] == unit.sale_line.sale.number
    assert body["sold_on"] == "2025-03-01"
    assert body["status"] == "in_service"
    # Not delivered yet: the warranty runs from the sale date.
    assert body["warranty_start"] == "2025-03-01"
    assert body["warranty_end"] == "2027-02-28"
    assert body["replaces_id"] is None


def test_unit_lookup_by_serial_ignores_case_and_spaces(api_as, technician):
    unit = UnitFactory(serial="AB-123")

    response = api_as(technician).get("/api/v1/units/lookup/ ab-123 ")

    assert response.status_code == 200
    assert response.json()["id"] == unit.pk


def test_unit_lookup_of_a_serial_shared_by_two_products_asks_for_the_sku(api_as, technician):
    first = UnitFactory(serial="SAME-1")
    second = UnitFactory(serial="SAME-1")
    client = api_as(technician)

    ambiguous = client.get("/api/v1/units/lookup/SAME-1")
    chosen = client.get("/api/v1/units/lookup/SAME-1", {"sku": second.product.sku})

    assert ambiguous.status_code == 409
    assert "sku" in ambiguous.json()["detail"]
    assert chosen.json()["id"] == second.pk
    assert client.get("/api/v1/units/lookup/SAME-1", {"sku": first.product.sku}).json()["id"] == first.pk


def test_unit_lookup_of_an_unknown_serial_is_404(api_as, technician):
    assert api_as(technician).get("/api/v1/units/lookup/NOPE").status_code == 404


def test_unit_filters_and_ordering(api_as, agent):
    washer = ProductFactory(sku="WM-1")
    ana = CustomerFactory()
    a = UnitFactory(serial="A-1", sale_line__product=washer, sale_line__sale__customer=ana)
    b = UnitFactory(serial="B-1", sale_line__product=washer, status="returned")
    c = UnitFactory(serial="C-1")
    Unit.objects.filter(pk=a.pk).update(delivered_at=timezone.now() - dt.timedelta(days=3))
    Unit.objects.filter(pk=c.pk).update(delivered_at=timezone.now() - dt.timedelta(days=1))
    client = api_as(agent)

    def serials(**params):
        response = client.get("/api/v1/units", params)
        assert response.status_code == 200, response.content
        return [u["serial"] for u in response.json()["items"]]

    assert serials() == ["C-1", "B-1", "A-1"]
    assert serials(serial="a-1") == ["A-1"]
    assert serials(sku="WM-1") == ["B-1", "A-1"]
    assert serials(status="returned") == ["B-1"]
    assert serials(customer_id=ana.pk) == ["A-1"]
    assert serials(sku="WM-1", status="in_service") == ["A-1"]
    assert serials(ordering="serial") == ["A-1", "B-1", "C-1"]
    assert serials(ordering="-serial") == ["C-1", "B-1", "A-1"]
    # Units never delivered come last in both directions, on every database.
    assert serials(ordering="delivered_at") == ["A-1", "C-1", "B-1"]
    assert serials(ordering="-delivered_at") == ["C-1", "A-1", "B-1"]
    assert b.pk


def test_unit_pagination(api_as, agent):
    UnitFactory.create_batch(4)

    body = api_as(agent).get("/api/v1/units", {"limit": 3}).json()

    assert body["count"] == 4
    assert len(body["items"]) == 3


# --- unit events -----------------------------------------------------------------------------


def test_technician_marks_a_unit_delivered_then_installed(api_as, technician):
    unit = UnitFactory(sale_line__product__warranty_starts="installation", sale_line__product__warranty_months=12)
    delivered = (timezone.now() - dt.timedelta(days=5)).replace(microsecond=0)
    installed = (timezone.now() - dt.timedelta(days=2)).replace(microsecond=0)
    client = api_as(technician)

    first = client.post(f"/api/v1/units/{unit.pk}/delivered", {"at": delivered.isoformat()})
    assert first.status_code == 200, first.content
    assert first.json()["warranty_end"] is None
    second = client.post(f"/api/v1/units/{unit.pk}/installed", {"at": installed.isoformat()})

    assert second.status_code == 200, second.content
    body = second.json()
    assert dt.datetime.fromisoformat(body["delivered_at"]) == delivered
    assert dt.datetime.fromisoformat(body["installed_at"]) == installed
    assert body["warranty_start"] == timezone.localtime(installed).date().isoformat()
    kinds = list(TimelineEvent.objects.filter(unit=unit).values_list("kind", "actor"))
    assert kinds == [("installed", technician.pk), ("delivered", technician.pk)]


def test_marking_delivered_without_a_moment_uses_now(api_as, technician, unit):
    before = timezone.now()

    body = api_as(technician).post(f"/api/v1/units/{unit.pk}/delivered", {}).json()

    assert dt.datetime.fromisoformat(body["delivered_at"]) >= before


@pytest.mark.parametrize(
    ("action", "moment", "field", "reason"),
    [
        ("delivered", "2025-02-28T12:00:00+01:00", "delivered_at", "is before the sale date"),
        ("installed", "2025-02-28T12:00:00+01:00", "installed_at", "is before the sale date"),
        ("delivered", "2999-01-01T12:00:00+00:00", "delivered_at", "is in the future"),
        ("installed", "2999-01-01T12:00:00+00:00", "installed_at", "is in the future"),
    ],
)
def test_impossible_moments_are_refused(api_as, technician, unit, action, moment, field, reason):
    response = api_as(technician).post(f"/api/v1/units/{unit.pk}/{action}", {"at": moment})

    assert response.status_code == 400
    assert _fields(response) == {field: reason}
    unit.refresh_from_db()
    assert unit.delivered_at is None and unit.installed_at is None
    assert not TimelineEvent.objects.filter(unit=unit).exists()


def test_installation_before_delivery_is_refused(api_as, technician, unit):
    client = api_as(technician)
    client.post(f"/api/v1/units/{unit.pk}/delivered", {"at": "2025-03-10T10:00:00+01:00"})

    response = client.post(f"/api/v1/units/{unit.pk}/installed", {"at": "2025-03-09T10:00:00+01:00"})

    assert response.status_code == 400
    assert _fields(response) == {"installed_at": "is before the delivery"}
    unit.refresh_from_db()
    assert unit.installed_at is None


def test_delivery_after_installation_is_refused(api_as, technician, unit):
    client = api_as(technician)
    client.post(f"/api/v1/units/{unit.pk}/installed", {"at": "2025-03-10T10:00:00+01:00"})

    response = client.post(f"/api/v1/units/{unit.pk}/delivered", {"at": "2025-03-12T10:00:00+01:00"})

    assert response.status_code == 400
    assert _fields(response) == {"delivered_at": "is after the installation"}


def test_malformed_moment_is_refused_by_the_schema(api_as, technician, unit):
    response = api_as(technician).post(f"/api/v1/units/{unit.pk}/delivered", {"at": "last tuesday"})

    assert response.status_code == 422
    assert "at" in _fields(response)


def test_status_change_writes_one_event(api_as, technician, unit):
    client = api_as(technician)

    response = client.post(f"/api/v1/units/{unit.pk}/status", {"status": "returned"})
    again = client.post(f"/api/v1/units/{unit.pk}/status", {"status": "returned"})

    assert response.status_code == again.status_code == 200
    assert response.json()["status"] == "returned"
    events = TimelineEvent.objects.filter(unit=unit, kind="unit_status_changed")
    assert events.count() == 1
    assert events.get().data["status"] == "returned"
    assert events.get().actor == technician


def test_unknown_status_is_refused(api_as, technician, unit):
    response = api_as(technician).post(f"/api/v1/units/{unit.pk}/status", {"status": "lost"})

    assert response.status_code == 400
    assert "in_service, returned, replaced, scrapped" in _fields(response)["status"]


def test_unit_timeline_holds_only_that_units_events_newest_first(api_as, technician, customer):
    first = UnitFactory(sale_line__sale__customer=customer)
    second = UnitFactory(sale_line__sale__customer=customer)
    client = api_as(technician)
    client.post(f"/api/v1/units/{first.pk}/delivered", {"at": "2025-03-05T10:00:00+01:00"})
    client.post(f"/api/v1/units/{second.pk}/delivered", {"at": "2025-03-06T10:00:00+01:00"})
    client.post(f"/api/v1/units/{first.pk}/installed", {"at": "2025-03-07T10:00:00+01:00"})

    body = client.get(f"/api/v1/units/{first.pk}/timeline").json()

    assert body["count"] == 2
    assert [e["kind"] for e in body["items"]] == ["installed", "delivered"]
    assert {e["unit_id"] for e in body["items"]} == {first.pk}
    assert body["items"][0]["serial"] == first.serial
    assert body["items"][0]["actor"] == str(technician)
    assert first.serial in body["items"][0]["description"]


def test_unknown_unit_is_404(api_as, technician):
    assert api_as(technician).get("/api/v1/units/999999").status_code == 404
    assert api_as(technician).post("/api/v1/units/999999/status", {"status": "scrapped"}).status_code == 404


def test_schema_errors_inside_a_line_name_the_line_as_the_services_do(api_as, rep, customer):
    line = {**_line(ProductFactory()), "quantity": "two"}

    response = api_as(rep).post("/api/v1/sales", _sale_payload(customer, line))

    assert response.status_code == 422
    assert "lines[0].quantity" in _fields(response)


def test_a_sale_without_a_body_is_refused(api_as, rep):
    response = api_as(rep).post("/api/v1/sales", None)

    assert response.status_code in (400, 422)
    assert response.json()["errors"]


def test_a_serial_registered_by_a_concurrent_request_is_a_409_and_nothing_is_written(api_as, rep, customer, monkeypatch):
    existing = UnitFactory(serial="RACE-1")
    # The other request commits between this one's checks and its insert.
    monkeypatch.setattr("aftersales.sales.services.serials_taken", lambda pairs: set())

    response = api_as(rep).post("/api/v1/sales", _sale_payload(customer, _line(existing.product, serials=["RACE-1"])))

    assert response.status_code == 409
    assert "reload and try again" in response.json()["detail"]
    assert not Sale.objects.filter(number="S-100").exists()
    assert not TimelineEvent.objects.filter(customer=customer).exists()
