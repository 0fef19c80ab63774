"""Import of sales history: the service, the command and the API."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aftersales.core.models import TimelineEvent
from aftersales.customers.models import Customer
from aftersales.sales.imports import COLUMNS, MAX_ERRORS_KEPT, sales_import, sales_import_rows
from aftersales.sales.models import Sale, SaleLine, Unit
from tests.factories import CustomerFactory, ProductFactory, UnitFactory, staff

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


@pytest.fixture
def seller(db):
    return staff("sales_rep", username="lucia", email="lucia@shop.example")


def row(**values: str) -> dict[str, str]:
    base = {
        "sale_number": "S-1",
        "sale_date": "2024-03-01",
        "channel": "store",
        "sales_rep": "",
        "customer_name": "Ana López",
        "customer_email": "ana@example.com",
        "customer_phone": "+34 612 345 678",
        "customer_language": "es",
        "customer_country": "ES",
        "customer_postal_code": "28001",
        "customer_city": "Madrid",
        "sku": "BIKE-1",
        "quantity": "1",
        "unit_price": "499.00",
        "serials": "BK-0001",
        "delivered_on": "",
        "installed_on": "",
        "receipt_number": "R-1",
    }
    base.update(values)
    return base


def csv_text(rows: list[dict[str, str]], *, delimiter: str = ",", columns: tuple[str, ...] = COLUMNS) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value or '"' in value else value

    lines = [delimiter.join(columns)]
    lines += [delimiter.join(cell(r.get(c, "")) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def run(text: str | bytes, actor=None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return sales_import(actor=actor, source=io.BytesIO(data))


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Customer, Sale, SaleLine, Unit, TimelineEvent)}


def errors_of(report) -> list[tuple[int | None, str]]:
    return [(e.line, e.field) for e in report.errors]


SAMPLE = [
    row(sale_number="S-1", sales_rep="lucia", serials="BK-0001", delivered_on="2024-03-02"),
    row(sale_number="S-1", sku="WASH-1", quantity="2", unit_price="12,50", serials="WM-1|WM-2", installed_on="2024-03-05"),
    row(
        sale_number="S-2",
        sale_date="2024-04-10",
        channel="online",
        customer_name="Brian Smith",
        customer_email="brian@example.com",
        customer_phone="",
        customer_language="en",
        customer_country="GB",
        serials="BK-0002",
        receipt_number="",
    ),
    row(sale_number="S-3", sale_date="2024-05-01", serials="", quantity="3", unit_price="10"),
]


# --- the service: what gets written ----------------------------------------------------------------


@pytest.mark.parametrize("rows_per_insert", [1000, 2])
def test_import_records_sales_lines_units_customers_and_timeline(catalog, seller, monkeypatch, rows_per_insert):
    # Rows go to the database in multi-row statements, and the rest one by one: both must agree.
    monkeypatch.setattr("aftersales.sales.bulk.ROWS_PER_INSERT", rows_per_insert)

    report = run(csv_text(SAMPLE))

    assert report.ok, report.errors
    assert (report.rows, report.sales_created, report.sales_skipped) == (4, 3, 0)
    assert (report.customers_created, report.customers_matched, report.units_created) == (2, 0, 4)
    first = Sale.objects.get(number="S-1")
    assert first.imported and first.sales_rep == seller and first.receipt_number == "R-1"
    assert first.total == Decimal("524.00")
    assert [(line.position, line.product.sku, line.quantity, line.unit_price) for line in first.lines.all()] == [
        (1, "BIKE-1", 1, Decimal("499.00")),
        (2, "WASH-1", 2, Decimal("12.50")),
    ]
    ana = Customer.objects.get(email="ana@example.com")
    assert (ana.name, ana.phone, ana.language, ana.city) == ("Ana López", "+34612345678", "es", "Madrid")
    assert Sale.objects.get(number="S-3").customer == ana
    assert Sale.objects.get(number="S-2").channel == "online"
    bike = Unit.objects.get(serial="BK-0001")
    assert bike.customer == ana and bike.sale_line.sale == first and bike.status == "in_service"
    assert bike.delivered_at.date().isoformat() == "2024-03-02" and bike.installed_at is None
    washer = Unit.objects.get(serial="WM-1")
    # Installed without a delivery date: delivered when installed.
    assert washer.installed_at.date().isoformat() == "2024-03-05" and washer.delivered_at == washer.installed_at
    assert washer.warranty_end is not None
    kinds = sorted(TimelineEvent.objects.filter(customer=ana).values_list("kind", flat=True))
    assert kinds == ["customer_created", "delivered", "installed", "installed", "sale_recorded", "sale_recorded"] + ["sold"] * 3
    assert TimelineEvent.objects.filter(unit=bike, kind="sold").get().data == {
        "product": "City bike",
        "serial": "BK-0001",
        "sale": "S-1",
    }


def test_reimport_changes_nothing(catalog, seller):
    run(csv_text(SAMPLE))
    before = counts()
    stamps = list(Sale.objects.order_by("id").values_list("id", "updated_at", "total"))

    again = run(csv_text(SAMPLE))

    assert again.ok, again.errors
    assert (again.sales_created, again.sales_skipped, again.units_created, again.customers_created) == (0, 3, 0, 0)
    assert counts() == before
    assert list(Sale.objects.order_by("id").values_list("id", "updated_at", "total")) == stamps


def test_customers_are_matched_by_email_then_by_phone(catalog):
    by_email = CustomerFactory(email="ana@example.com", phone="")
    by_phone = CustomerFactory(email="", phone="+34699111222")
    rows = [
        row(sale_number="S-1", customer_email="ANA@example.com", customer_phone=""),
        row(sale_number="S-2", customer_email="", customer_phone="699 111 222", serials="BK-0002"),
        row(sale_number="S-3", customer_email="new@example.com", customer_phone="699 111 222", serials="BK-0003"),
    ]

    report = run(csv_text(rows))

    assert report.ok, report.errors
    assert (report.customers_created, report.customers_matched) == (0, 2)
    assert Sale.objects.get(number="S-1").customer == by_email
    assert Sale.objects.get(number="S-2").customer == by_phone
    assert Sale.objects.get(number="S-3").customer == by_phone
    assert Customer.objects.count() == 2


def test_a_customer_created_by_the_import_is_reused_in_later_batches(catalog, monkeypatch):
    monkeypatch.setattr("aftersales.sales.imports.BATCH_ROWS", 2)
    rows = [row(sale_number=f"S-{n}", serials=f"BK-{n}") for n in range(7)]

    report = run(csv_text(rows))

    assert report.ok, report.errors
    assert (report.customers_created, report.customers_matched, report.sales_created) == (1, 0, 7)
    assert Customer.objects.count() == 1


def test_the_example_file_imports_cleanly(db):
    path = Path(__file__).resolve().parent.parent / "examples" / "sales.csv"
    with path.open(encoding="utf-8") as rows:
        for sku in sorted({r["sku"] for r in csv.DictReader(rows)}):
            ProductFactory(sku=sku)
    for username in ("rep.ana", "rep.lucia", "rep.james"):
        staff("sales_rep", username=username)

    with path.open("rb") as source:
        report = sales_import(actor=None, source=source)

    assert report.ok, report.errors
    assert (report.rows, report.sales_created, report.customers_created, report.units_created) == (20, 14, 13, 20)
    assert Customer.objects.get(email="mariajose.fernandez@example.es").sales.count() == 2
    assert Customer.objects.filter(name="Íñigo Goikoetxea", city="Bilbao").exists()


# --- encodings and delimiters -----------------------------------------------------------------------


def test_utf8_with_bom_is_read(catalog):
    report = run(b"\xef\xbb\xbf" + csv_text([row(customer_name="José Núñez")]).encode("utf-8"))

    assert report.ok, report.errors
    assert Customer.objects.get().name == "José Núñez"


def test_latin1_file_keeps_its_accents(catalog):
    report = run(csv_text([row(customer_name="Renée Castaño", customer_city="Cádiz")]).encode("latin-1"))

    assert report.ok, report.errors
    customer = Customer.objects.get()
    assert (customer.name, customer.city) == ("Renée Castaño", "Cádiz")


def test_semicolon_delimiter_with_decimal_commas(catalog):
    report = run(csv_text([row(unit_price="1234,5", quantity="2", serials="")], delimiter=";"))

    assert report.ok, report.errors
    assert Sale.objects.get().total == Decimal("2469.00")


def test_utf16_file_is_refused_with_a_clear_error(catalog, seller):
    report = run(csv_text(SAMPLE).encode("utf-16"))

    assert not report.ok
    assert errors_of(report) == [(1, "file")]
    assert "UTF-16" in str(report.errors[0].reason)
    assert counts()["Sale"] == 0


def test_a_file_that_stops_being_utf8_is_refused_at_that_line(catalog):
    text = csv_text([row(sale_number="S-1", customer_name="Zoë"), row(sale_number="S-2", serials="BK-2")])
    data = text.encode("utf-8") + csv_text([row(sale_number="S-3", customer_name="Zoë", serials="BK-3")]).split("\n", 1)[
        1
    ].encode("latin-1")

    report = run(data)

    assert errors_of(report) == [(4, "file")]
    assert counts()["Sale"] == 0


# --- refused files: nothing is written ----------------------------------------------------------------


def test_missing_column_is_one_error_naming_it(catalog):
    columns = tuple(c for c in COLUMNS if c != "unit_price")

    report = run(csv_text(SAMPLE, columns=columns))

    assert errors_of(report) == [(1, "unit_price")]
    assert "missing" in str(report.errors[0].reason)
    assert report.rows == 0 and counts()["Sale"] == 0


def test_unknown_column_is_refused(catalog):
    report = run(csv_text(SAMPLE, columns=(*COLUMNS, "colour")))

    assert errors_of(report) == [(1, "colour")]


def test_bad_dates_name_line_and_column(catalog, seller):
    before = counts()
    rows = [
        *SAMPLE,
        row(sale_number="S-9", sale_date="2024-02-30", serials="BK-9"),
        row(sale_number="S-10", serials="BK-10", delivered_on="10/03/2024"),
        row(sale_number="S-11", sale_date="2024-05-01", serials="BK-11", installed_on="2024-04-01"),
    ]

    report = run(csv_text(rows))

    assert errors_of(report) == [(6, "sale_date"), (7, "delivered_on"), (8, "installed_on")]
    assert "'2024-02-30' is not a date" in str(report.errors[0].reason)
    assert str(report.errors[2].reason) == "is before the sale date"
    assert (report.sales_created, report.units_created) == (0, 0)
    assert counts() == before


def test_a_date_read_again_is_checked_against_each_sale_and_column(catalog):
    # The moment of a date is worked out once; whether it is refused depends on the row's sale and column.
    rows = [
        row(sale_number="S-1", sale_date="2024-03-01", serials="BK-1", delivered_on="2024-03-05"),
        row(sale_number="S-2", sale_date="2024-03-10", serials="BK-2", delivered_on="2024-03-05"),
        row(sale_number="S-3", sale_date="2024-03-01", serials="BK-3", delivered_on="2024-03-05"),
        row(sale_number="S-4", sale_date="2024-03-10", serials="BK-4", installed_on="2024-03-05"),
        row(sale_number="S-5", serials="BK-5", delivered_on="5/3/24", installed_on=" 5/3/24"),
    ]

    report = run(csv_text(rows))

    assert errors_of(report) == [(3, "delivered_on"), (5, "installed_on"), (6, "delivered_on"), (6, "installed_on")]
    assert [str(error.reason) for error in report.errors[:2]] == ["is before the sale date"] * 2
    assert "'5/3/24' is not a date" in str(report.errors[2].reason)
    assert "' 5/3/24' is not a date" in str(report.errors[3].reason)


def test_duplicate_serial_within_the_file(catalog):
    rows = [
        row(sale_number="S-1", serials="BK-7"),
        row(sale_number="S-2", serials="BK-8"),
        row(sale_number="S-3", serials="BK-7"),
    ]

    report = run(csv_text(rows))

    assert errors_of(report) == [(4, "serials")]
    assert "also appears at line 2" in str(report.errors[0].reason)
    assert counts()["Unit"] == 0


def test_duplicate_serial_already_in_the_database(catalog, seller):
    UnitFactory(product=catalog["BIKE-1"], serial="BK-0001")
    before = counts()

    report = run(csv_text(SAMPLE))

    assert errors_of(report) == [(2, "serials")]
    assert "already registered for BIKE-1" in str(report.errors[0].reason)
    assert counts() == before


def test_same_serial_for_another_product_is_fine(catalog):
    UnitFactory(product=catalog["WASH-1"], serial="BK-0001")

    assert run(csv_text([row()])).ok


def test_negative_price_and_bad_quantity(catalog):
    rows = [row(unit_price="-5"), row(sale_number="S-2", quantity="two", serials="")]

    report = run(csv_text(rows))

    assert errors_of(report) == [(2, "unit_price"), (3, "quantity")]
    assert str(report.errors[0].reason) == "must not be negative"
    assert counts()["Sale"] == 0


def test_unknown_sku_rep_and_customer_problems(catalog, seller):
    rows = [
        row(sku="NOPE"),
        row(sale_number="S-2", sales_rep="nobody", serials="BK-2"),
        row(sale_number="S-3", customer_email="not-an-email", customer_phone="12", serials="BK-3"),
        row(sale_number="S-4", channel="fax", customer_language="fr", serials="BK-4"),
    ]

    report = run(csv_text(rows))

    assert errors_of(report) == [
        (2, "sku"),
        (3, "sales_rep"),
        (4, "customer_email"),
        (4, "customer_phone"),
        (5, "channel"),
        (5, "customer_language"),
    ]
    assert str(report.errors[0].reason) == "no product with SKU 'NOPE'"


def test_rows_of_one_sale_must_agree_and_stay_together(catalog):
    rows = [
        row(sale_number="S-1", serials="BK-1"),
        row(sale_number="S-1", serials="BK-2", customer_email="other@example.com"),
        row(sale_number="S-2", serials="BK-3"),
        row(sale_number="S-1", serials="BK-4"),
    ]

    report = run(csv_text(rows))

    assert errors_of(report) == [(3, "customer_email"), (5, "sale_number")]
    assert "differs from line 2" in str(report.errors[0].reason)
    assert "keep the rows of a sale together" in str(report.errors[1].reason)


def test_row_with_wrong_number_of_fields(catalog):
    text = csv_text([row()]) + "S-2,2024-03-01,store\n"

    report = run(text)

    assert errors_of(report) == [(3, "row")]


def test_errors_after_the_first_keep_being_found_across_batches(catalog, monkeypatch):
    # Once a row is bad nothing more is written, yet repeats further on are still caught.
    monkeypatch.setattr("aftersales.sales.imports.BATCH_ROWS", 3)
    rows = [row(sale_number="S-0", serials="BK-0", unit_price="x")]
    rows += [row(sale_number=f"S-{n}", serials=f"BK-{n}") for n in range(1, 12)]
    rows += [row(sale_number="S-20", serials="BK-4"), row(sale_number="S-3", serials="BK-30")]

    report = run(csv_text(rows))

    assert errors_of(report) == [(2, "unit_price"), (14, "serials"), (15, "sale_number")]
    assert "also appears at line 6" in str(report.errors[1].reason)
    assert "already appears at line 5" in str(report.errors[2].reason)
    assert counts()["Sale"] == 0


def test_import_leaves_the_connection_settings_as_they_were(catalog, seller):
    from django.db import connection

    queries = ["PRAGMA cache_size"] if connection.vendor == "sqlite" else ["SHOW enable_seqscan", "SHOW jit"]

    def setting():
        with connection.cursor() as cursor:
            values = []
            for query in queries:
                cursor.execute(query)
                values.append(cursor.fetchone()[0])
            return values

    before = setting()
    assert run(csv_text(SAMPLE)).ok
    assert not run(csv_text([row(unit_price="-1")])).ok
    assert setting() == before


def test_error_list_is_capped_but_counted(catalog):
    rows = [row(sale_number=f"S-{n}", serials="", unit_price="-1") for n in range(MAX_ERRORS_KEPT + 5)]

    report = run(csv_text(rows))

    assert report.error_count == MAX_ERRORS_KEPT + 5
    assert len(report.errors) == MAX_ERRORS_KEPT


def test_bad_row_at_line_999_999_of_a_large_file_writes_nothing(catalog, tmp_path):
    # given a file of 1,000,000 lines whose only bad row is at line 999,999: sales of ten lines without
    # serials, so that the 999,997 good rows are cheap to check and to write
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        template = "S-{0},2024-03-01,store,,Customer {1},c{1}@example.com,,en,ES,28001,Madrid,{2},1,{3},,,,\n"
        for line in range(2, 1_000_001):
            sale = line // 10
            sku = "BIKE-1" if line % 2 else "WASH-1"
            out.write(template.format(sale, sale % 5000, sku, "-1.00" if line == 999_999 else "199.00"))
    before = counts()

    # when
    with path.open("rb") as source:
        report = sales_import(actor=None, source=source)

    # then
    assert report.rows == 999_999
    assert errors_of(report) == [(999_999, "unit_price")]
    assert (report.sales_created, report.customers_created, report.units_created) == (0, 0, 0)
    assert counts() == before


# --- the JSON batch -----------------------------------------------------------------------------------


def test_json_batch_follows_the_same_rules(catalog):
    rows = [dict(row(), quantity=1, serials=["BK-1"]), dict(row(sale_number="S-2"), unit_price=-3, serials=[], colour="red")]

    report = sales_import_rows(actor=None, rows=rows)

    assert errors_of(report) == [(2, "colour"), (2, "unit_price")]
    assert counts()["Sale"] == 0
    assert sales_import_rows(actor=None, rows=rows[:1]).sales_created == 1


# --- the command --------------------------------------------------------------------------------------


def test_command_imports_a_file(catalog, seller, tmp_path, capsys):
    path = tmp_path / "sales.csv"
    path.write_text(csv_text(SAMPLE), encoding="utf-8")

    call_command("import_sales", str(path))

    out = capsys.readouterr().out
    assert "3 sales created" in out and "4 units" in out
    assert Sale.objects.count() == 3


def test_command_lists_each_error_and_fails(catalog, tmp_path, capsys):
    path = tmp_path / "sales.csv"
    path.write_text(csv_text([row(), row(sale_number="S-2", sale_date="yesterday", serials="BK-2")]), encoding="utf-8")

    with pytest.raises(CommandError) as failure:
        call_command("import_sales", str(path))

    assert failure.value.returncode == 1
    err = capsys.readouterr().err
    assert "line 3, column sale_date: 'yesterday' is not a date as YYYY-MM-DD" in err
    assert Sale.objects.count() == 0


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_sales", str(tmp_path / "nope.csv"))


# --- the API ------------------------------------------------------------------------------------------


def upload(client, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import MULTIPART_CONTENT

    file = SimpleUploadedFile("sales.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post("/api/v1/imports/sales", {"file": file}, content_type=MULTIPART_CONTENT)


def test_api_upload_requires_sign_in(api_as, catalog):
    response = api_as().post("/api/v1/imports/sales/batch", {"rows": [row()]})
    assert response.status_code == 401
    assert Sale.objects.count() == 0


@pytest.mark.parametrize("role", ["technician", "support_agent", "sales_rep"])
def test_api_refuses_roles_without_the_import_permission(api_as, catalog, role):
    client = api_as(staff(role))

    assert upload(client, csv_text(SAMPLE)).status_code == 403
    assert client.post("/api/v1/imports/sales/batch", {"rows": [row()]}).status_code == 403
    assert Sale.objects.count() == 0


def test_api_upload_imports_for_a_service_manager(api_as, catalog, seller, manager):
    response = upload(api_as(manager), csv_text(SAMPLE))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["sales_created"], body["units_created"], body["customers_created"], body["rows"]) == (3, 4, 2, 4)
    assert TimelineEvent.objects.filter(kind="sale_recorded", actor=manager).count() == 3


def test_api_upload_answers_400_with_every_bad_row(api_as, catalog, admin_user):
    rows = [row(), row(sale_number="S-2", unit_price="-1", serials="BK-2"), row(sale_number="S-3", sku="NOPE", serials="")]

    response = upload(api_as(admin_user), csv_text(rows))

    assert response.status_code == 400
    body = response.json()
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, "unit_price"), (4, "sku")]
    assert "2" in body["detail"]
    assert Sale.objects.count() == 0


def test_api_batch_imports_json_rows(api_as, catalog, manager):
    client = api_as(manager)

    ok = client.post("/api/v1/imports/sales/batch", {"rows": [row(), row(sale_number="S-2", serials="BK-2")]})
    bad = client.post("/api/v1/imports/sales/batch", {"rows": [row(sale_number="S-3", serials="BK-0001")]})

    assert ok.status_code == 200, ok.content
    assert ok.json()["sales_created"] == 2
    assert bad.status_code == 400
    assert [(e["line"], e["field"]) for e in bad.json()["errors"]] == [(1, "serials")]
