"""Services and selectors of the installed base, against the database: customers, catalogue, sales, units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from aftersales.catalog.models import Product
from aftersales.catalog.services import category_create, product_create, product_update
from aftersales.core.errors import ValidationFailed
from aftersales.core.models import TimelineEvent
from aftersales.customers.models import Customer, Segment
from aftersales.customers.phones import InvalidPhone, phone_display, phone_normalize
from aftersales.customers.selectors import customer_for_portal_user, customer_search, customers_visible_to
from aftersales.customers.services import (
    customer_clean,
    customer_create,
    customer_portal_user,
    customer_set_consent,
    customer_update,
    segment_get_or_create,
)
from aftersales.sales.models import Sale, SaleLine, Unit
from aftersales.sales.selectors import sales_visible_to, units_of_customer, units_visible_to
from aftersales.sales.services import (
    decimal_parse,
    sale_attach_proof,
    sale_create,
    sale_header_clean,
    sale_line_clean,
    serials_taken,
    unit_mark_delivered,
    unit_mark_installed,
    unit_set_status,
)
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _reasons(excinfo: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {error.field: error.reason for error in excinfo.value.errors}


def _moment(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


# --- phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("611 22 33 44", None, "+34611223344"),
        ("+34 (611) 22-33-44", None, "+34611223344"),
        ("0034611223344", None, "+34611223344"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("  ", None, ""),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, region, expected):
    assert phone_normalize(raw, region=region) == expected


@pytest.mark.parametrize("raw", ["12", "abc", "+34 000 000", "+999 1234567"])
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(InvalidPhone):
        phone_normalize(raw)


def test_default_phone_region_comes_from_settings(settings):
    settings.DEFAULT_PHONE_REGION = "GB"

    assert phone_normalize("020 7946 0958") == "+442079460958"


def test_phone_numbers_kept_are_bounded_and_per_region(monkeypatch):
    from aftersales.customers import phones

    monkeypatch.setattr(phones, "PHONES_KEPT", 2)
    monkeypatch.setattr(phones, "_KEPT", {})
    parsed = []
    real_parse = phones._phone_parse
    monkeypatch.setattr(phones, "_phone_parse", lambda text, region: parsed.append(text) or real_parse(text, region))

    assert phone_normalize("611 22 33 44", region="ES") == "+34611223344"
    assert phone_normalize("611 22 33 44", region="ES") == "+34611223344"
    assert parsed == ["611 22 33 44"]  # the second answer was kept
    # The same text means another number in another region.
    assert phone_normalize("020 7946 0958", region="GB") == "+442079460958"
    assert phone_normalize("612 22 33 44", region="ES") == "+34612223344"
    assert phone_normalize("613 22 33 44", region="ES") == "+34613223344"  # full: emptied, then kept
    assert phones._KEPT["ES"] == {"613 22 33 44": "+34613223344"}
    # A refused number is not kept: it is refused again.
    for _ in range(2):
        with pytest.raises(InvalidPhone):
            phone_normalize("+34 000 000", region="ES")
    assert "+34 000 000" not in phones._KEPT["ES"]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+34612345678", "+34 612 34 56 78"),
        ("+442079460958", "+44 20 7946 0958"),
        ("+15417543010", "+1 541-754-3010"),
        ("", ""),
        ("ask at reception", "ask at reception"),
        ("+00", "+00"),
    ],
)
def test_a_stored_phone_number_is_shown_grouped_in_international_form(stored, shown):
    assert phone_display(stored) == shown


# --- customers -----------------------------------------------------------------------------------


def test_customer_clean_trims_lowercases_and_normalises():
    cleaned, errors = customer_clean({"name": "  Ana  ", "email": " ANA@Example.com ", "phone": "611223344", "country": "es"})

    assert errors == []
    assert cleaned == {"name": "Ana", "email": "ana@example.com", "phone": "+34611223344", "country": "ES"}


def test_customer_clean_names_the_line_and_prefix_for_imports():
    _, errors = customer_clean({"name": "", "language": "fr"}, line=7, prefix="customer_")

    assert {(e.field, e.line) for e in errors} == {("customer_name", 7), ("customer_language", 7)}


def test_customer_clean_accepts_an_iso_birthday_string_and_refuses_a_bad_one():
    good, good_errors = customer_clean({"birthday": "1990-05-17"})
    _, bad_errors = customer_clean({"birthday": "17/05/1990"})

    assert good["birthday"] == dt.date(1990, 5, 17) and good_errors == []
    assert [(e.field, e.reason) for e in bad_errors] == [("birthday", "must be a date as YYYY-MM-DD")]


def test_customer_create_records_consents_segments_and_the_first_event(agent):
    before = timezone.now()

    customer = customer_create(
        actor=agent, data={"name": "Ana", "email": "ana@example.com"}, consents=["email", "sms"], segments=["VIP", "vip "]
    )

    customer.refresh_from_db()
    assert before <= customer.consent_email_at <= timezone.now()
    assert customer.consent_sms_at is not None
    assert customer.consent_phone_at is None and customer.consent_post_at is None
    assert customer.has_consent("email") and not customer.has_consent("post")
    assert [s.slug for s in customer.segments.all()] == ["vip"]
    event = TimelineEvent.objects.get(customer=customer)
    assert (event.kind, event.actor) == ("customer_created", agent)


def test_customer_create_refuses_and_writes_nothing(agent):
    existing = CustomerFactory(email="ana@example.com")

    with pytest.raises(ValidationFailed) as excinfo:
        customer_create(actor=agent, data={"name": "Ana 2", "email": "ANA@example.com"}, segments=["new-segment"])

    assert _reasons(excinfo) == {"email": "another customer already uses this email"}
    assert list(Customer.objects.all()) == [existing]
    assert not Segment.objects.filter(slug="new-segment").exists()
    assert not TimelineEvent.objects.exists()


def test_customer_create_needs_a_name(agent):
    with pytest.raises(ValidationFailed) as excinfo:
        customer_create(actor=agent, data={"email": "x@example.com"})

    assert _reasons(excinfo) == {"name": "is required"}


def test_customer_update_validates_like_creation_and_keeps_the_record_on_failure(agent, customer):
    with pytest.raises(ValidationFailed) as excinfo:
        customer_update(actor=agent, customer=customer, data={"phone": "not a phone", "birthday": dt.date(2999, 1, 1)})

    assert set(_reasons(excinfo)) == {"phone", "birthday"}
    fresh = Customer.objects.get(pk=customer.pk)
    assert fresh.phone == customer.phone and fresh.birthday is None


def test_customer_update_without_segments_keeps_them(agent):
    customer = customer_create(actor=agent, data={"name": "Ana"}, segments=["vip"])

    customer_update(actor=agent, customer=customer, data={"city": "Bilbao"})

    assert [s.slug for s in customer.segments.all()] == ["vip"]


def test_consent_withdrawal_clears_the_date_and_is_recorded(agent, customer):
    customer_set_consent(actor=agent, customer=customer, channel="post", given=True)

    customer_set_consent(actor=agent, customer=customer, channel="post", given=False)

    customer.refresh_from_db()
    assert customer.consent_post_at is None
    states = [e.data["state"] for e in TimelineEvent.objects.filter(customer=customer).order_by("id")]
    assert states == ["given", "withdrawn"]


def test_withdrawing_consent_never_given_records_nothing(agent, customer):
    customer_set_consent(actor=agent, customer=customer, channel="sms", given=False)

    assert not TimelineEvent.objects.exists()


def test_segment_codes_are_slugified_and_reused():
    first = segment_get_or_create(slug="Business Clients")
    second = segment_get_or_create(slug="business-clients", name="Other name")

    assert first.pk == second.pk
    assert (first.slug, first.name) == ("business-clients", "Business Clients")


def test_portal_account_is_created_once_without_staff_rights_or_password():
    customer = CustomerFactory(email="ana@example.com", language="es", name="Ana")

    user = customer_portal_user(customer=customer)
    again = customer_portal_user(customer=customer)

    assert user.pk == again.pk
    assert not user.is_staff and not user.has_usable_password()
    assert (user.email, user.language) == ("ana@example.com", "es")
    customer.refresh_from_db()
    assert customer.user == user


def test_portal_account_follows_the_customers_email_and_language():
    customer = CustomerFactory(email="old@example.com", language="en")
    customer_portal_user(customer=customer)
    Customer.objects.filter(pk=customer.pk).update(email="new@example.com", language="es")
    customer.refresh_from_db()

    user = customer_portal_user(customer=customer)

    assert (user.email, user.language) == ("new@example.com", "es")


def test_customers_visible_to_each_kind_of_user(agent, customer):
    other = CustomerFactory()
    portal = customer_portal_user(customer=customer)
    no_role = UserFactory(role=None)

    assert set(customers_visible_to(agent)) == {customer, other}
    assert list(customers_visible_to(portal)) == [customer]
    assert list(customers_visible_to(no_role)) == []
    assert list(customers_visible_to(AnonymousUser())) == []
    assert list(customers_visible_to(None)) == []
    assert customer_for_portal_user(portal) == customer
    assert customer_for_portal_user(AnonymousUser()) is None


def test_a_deactivated_portal_account_sees_nothing(customer):
    portal = customer_portal_user(customer=customer)
    portal.is_active = False
    portal.save()

    assert list(customers_visible_to(portal)) == []
    assert list(sales_visible_to(portal)) == []
    assert list(units_visible_to(portal)) == []


def test_customer_search_by_each_kind_of_text():
    ana = CustomerFactory(name="Ana Torres", email="ana@example.com", phone="+34611223344")
    CustomerFactory(name="Luis", email="luis@example.com", phone="+34622000000")
    UnitFactory(sale_line__sale__customer=ana, serial="BK-7781")
    everyone = Customer.objects.all()

    for text in ["torres", "ANA@EXAMPLE.COM", "ana@", "611 22 33 44", "+34611223344", "bk-7781", "  Ana  "]:
        assert list(customer_search(queryset=everyone, text=text)) == [ana], text
    assert customer_search(queryset=everyone, text="").count() == 2
    assert list(customer_search(queryset=everyone, text="nobody")) == []


def test_partial_phone_digits_find_the_customer():
    ana = CustomerFactory(name="Ana", phone="+34611223344")

    assert list(customer_search(queryset=Customer.objects.all(), text="1223344")) == [ana]


# --- catalogue ------------------------------------------------------------------------------------


def test_category_and_product_are_created_with_their_terms(admin_user):
    category = category_create(actor=admin_user, data={"slug": "boilers", "name": "Boilers", "name_es": "Calderas"})

    product = product_create(
        actor=admin_user,
        data={
            "sku": "BO-24",
            "name": "Boiler 24 kW",
            "category_id": category.pk,
            "list_price": Decimal("1200.00"),
            "warranty_months": 36,
            "warranty_starts": "installation",
            "maintenance_interval_months": 12,
            "needs_installation": True,
        },
    )

    product.refresh_from_db()
    assert product.category.display_name("es") == "Calderas"
    assert (product.warranty_months, product.warranty_starts, product.maintenance_interval_months) == (36, "installation", 12)
    assert product.needs_installation is True


def test_product_update_refuses_a_taken_sku_and_keeps_the_product(admin_user):
    ProductFactory(sku="TAKEN")
    product = ProductFactory(sku="MINE", name="Mine")

    with pytest.raises(ValidationFailed) as excinfo:
        product_update(actor=admin_user, product=product, data={"sku": "TAKEN", "name": "Renamed"})

    assert _reasons(excinfo) == {"sku": "is already used by another product"}
    assert Product.objects.get(pk=product.pk).name == "Mine"


def test_product_update_keeps_its_own_sku(admin_user):
    product = ProductFactory(sku="MINE")

    product_update(actor=admin_user, product=product, data={"sku": "MINE", "warranty_months": 60})

    assert Product.objects.get(pk=product.pk).warranty_months == 60


# --- sales ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12.50", Decimal("12.50")), ("12,50", Decimal("12.50")), (" 1 200.00 ", Decimal("1200.00")), (7, Decimal("7"))],
)
def test_decimal_parse_reads_both_decimal_separators(raw, expected):
    assert decimal_parse(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "NaN", "Infinity", "1.2.3"])
def test_decimal_parse_refuses_what_is_not_an_amount(raw):
    assert decimal_parse(raw) is None


def test_sale_line_clean_reports_every_problem_of_a_line():
    clean, errors = sale_line_clean(
        product=None, sku="NOPE", quantity="x", unit_price="-3", serials=[" A ", "A"], field_prefix="lines[2].", line=4
    )

    assert {e.field for e in errors} == {"lines[2].sku", "lines[2].quantity", "lines[2].unit_price", "lines[2].serials"}
    assert {e.line for e in errors} == {4}
    assert clean["serials"] == ["A", "A"]


def test_sale_line_clean_ignores_blank_serials():
    clean, errors = sale_line_clean(product=ProductFactory(), sku="X", quantity=2, unit_price="10", serials=["S1", " ", "", "S2"])

    assert errors == []
    assert clean["serials"] == ["S1", "S2"]


def test_sale_header_clean_parses_and_refuses():
    header, errors = sale_header_clean(number=" S-1 ", sold_on="2025-01-10", channel="ONLINE")
    _, bad = sale_header_clean(number="", sold_on="", channel="fax")

    assert errors == [] and header == {"number": "S-1", "sold_on": dt.date(2025, 1, 10), "channel": "online"}
    assert {e.field for e in bad} == {"number", "sold_on", "channel"}


def test_serials_taken_finds_existing_pairs_beyond_one_query_chunk():
    product = ProductFactory()
    UnitFactory(sale_line__product=product, serial="S-0007")
    UnitFactory(sale_line__product=product, serial="S-0703")
    pairs = [(product.pk, f"S-{n:04d}") for n in range(1200)]

    assert serials_taken(pairs) == {(product.pk, "S-0007"), (product.pk, "S-0703")}
    assert serials_taken([]) == set()


def test_sale_create_records_lines_units_total_and_events_at_the_sale_date(rep, customer):
    washer = ProductFactory()

    sale = sale_create(
        actor=rep,
        customer=customer,
        number="S-1",
        sold_on="2025-01-10",
        sales_rep=rep,
        lines=[
            {"sku": washer.sku, "quantity": 2, "unit_price": "10,50", "serials": ["A", "B"]},
            {"sku": washer.sku, "quantity": 3, "unit_price": "1"},
        ],
    )

    assert sale.total == Decimal("24.00")
    assert sale.currency == "EUR"
    assert list(sale.lines.values_list("position", "quantity")) == [(1, 2), (2, 3)]
    assert sorted(Unit.objects.filter(sale_line__sale=sale).values_list("serial", flat=True)) == ["A", "B"]
    noon = _moment(2025, 1, 10)
    assert set(TimelineEvent.objects.filter(customer=customer).values_list("occurred_at", flat=True)) == {noon}


def test_sale_create_with_a_bad_line_writes_nothing(rep, customer):
    good = ProductFactory()

    with pytest.raises(ValidationFailed) as excinfo:
        sale_create(
            actor=rep,
            customer=customer,
            number="S-1",
            sold_on=dt.date(2025, 1, 10),
            lines=[{"sku": good.sku, "quantity": 1, "unit_price": "5", "serials": ["OK-1"]}, {"sku": "NOPE", "unit_price": "5"}],
        )

    assert set(_reasons(excinfo)) == {"lines[1].sku"}
    assert not Sale.objects.exists() and not SaleLine.objects.exists() and not Unit.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_sale_create_refuses_the_same_serial_on_two_lines(rep, customer):
    product = ProductFactory()
    line = {"sku": product.sku, "quantity": 1, "unit_price": "5", "serials": ["TWICE"]}

    with pytest.raises(ValidationFailed) as excinfo:
        sale_create(actor=rep, customer=customer, number="S-1", sold_on="2025-01-10", lines=[line, line])

    assert _reasons(excinfo) == {"lines": "the same serial appears on two lines"}


def test_sale_create_refuses_a_customer_account_as_sales_rep(rep, customer):
    portal = customer_portal_user(customer=customer)

    with pytest.raises(ValidationFailed) as excinfo:
        sale_create(
            actor=rep,
            customer=customer,
            number="S-1",
            sold_on="2025-01-10",
            sales_rep=portal,
            lines=[{"sku": ProductFactory().sku, "unit_price": "1"}],
        )

    assert _reasons(excinfo) == {"sales_rep": "must be a staff member"}


def test_sale_create_stores_a_proof_file_under_a_random_name(rep, customer):
    upload = SimpleUploadedFile("my receipt.pdf", b"%PDF-1.7 receipt", content_type="application/pdf")

    sale = sale_create(
        actor=rep,
        customer=customer,
        number="S-1",
        sold_on="2025-01-10",
        proof_file=upload,
        lines=[{"sku": ProductFactory().sku, "unit_price": "1"}],
    )

    assert sale.has_proof
    assert sale.proof_file.name.startswith("proofs/2025/01/") and sale.proof_file.name.endswith(".pdf")
    assert "receipt" not in sale.proof_file.name


def test_attaching_a_proof_refuses_a_disguised_file(rep):
    sale = SaleFactory(receipt_number="")
    upload = SimpleUploadedFile("invoice.pdf", b"<html>not a pdf</html>", content_type="application/pdf")

    with pytest.raises(ValidationFailed) as excinfo:
        sale_attach_proof(actor=rep, sale=sale, proof_file=upload)

    assert _reasons(excinfo) == {"proof_file": "must be a PDF, JPEG or PNG file"}
    sale.refresh_from_db()
    assert not sale.has_proof


def test_sales_and_units_visible_to_each_kind_of_user(agent, customer):
    mine = UnitFactory(sale_line__sale__customer=customer)
    UnitFactory()
    portal = customer_portal_user(customer=customer)

    assert sales_visible_to(agent).count() == 2 and units_visible_to(agent).count() == 2
    assert list(sales_visible_to(portal)) == [mine.sale_line.sale]
    assert list(units_visible_to(portal)) == [mine]
    assert list(units_visible_to(AnonymousUser())) == []
    assert list(units_of_customer(customer=customer)) == [mine]


# --- units and their warranty ---------------------------------------------------------------------


def _unit(*, sold_on=dt.date(2025, 3, 1), months=24, starts="delivery"):
    return UnitFactory(
        sale_line__sale__sold_on=sold_on,
        sale_line__product__warranty_months=months,
        sale_line__product__warranty_starts=starts,
    )


def test_delivery_and_installation_are_recorded_with_events(technician):
    unit = _unit()

    unit_mark_delivered(actor=technician, unit=unit, delivered_at=_moment(2025, 3, 3))
    unit_mark_installed(actor=technician, unit=unit, installed_at=_moment(2025, 3, 4))

    unit.refresh_from_db()
    assert (unit.delivered_at, unit.installed_at) == (_moment(2025, 3, 3), _moment(2025, 3, 4))
    events = list(TimelineEvent.objects.filter(unit=unit).values_list("kind", "occurred_at", "actor"))
    assert events == [("installed", _moment(2025, 3, 4), technician.pk), ("delivered", _moment(2025, 3, 3), technician.pk)]


def test_installing_an_undelivered_unit_delivers_it_at_the_same_moment(technician):
    unit = _unit()

    unit_mark_installed(actor=technician, unit=unit, installed_at=_moment(2025, 3, 5))

    unit.refresh_from_db()
    assert unit.delivered_at == unit.installed_at == _moment(2025, 3, 5)


@pytest.mark.parametrize(
    ("action", "moment", "reason"),
    [
        ("deliver", lambda: _moment(2025, 2, 28, 23), "is before the sale date"),
        ("install", lambda: _moment(2025, 2, 27), "is before the sale date"),
        ("deliver", lambda: timezone.now() + dt.timedelta(hours=1), "is in the future"),
        ("install", lambda: timezone.now() + dt.timedelta(days=3), "is in the future"),
    ],
)
def test_impossible_moments_are_refused(technician, action, moment, reason):
    unit = _unit()
    mark = unit_mark_delivered if action == "deliver" else unit_mark_installed
    field = "delivered_at" if action == "deliver" else "installed_at"

    with pytest.raises(ValidationFailed) as excinfo:
        mark(actor=technician, unit=unit, **{field: moment()})

    assert _reasons(excinfo) == {field: reason}
    unit.refresh_from_db()
    assert unit.delivered_at is None and unit.installed_at is None


def test_a_moment_a_few_seconds_ahead_of_the_server_clock_is_accepted(technician):
    unit = _unit()

    unit_mark_delivered(actor=technician, unit=unit, delivered_at=timezone.now() + dt.timedelta(seconds=30))

    assert unit.delivered_at is not None


def test_installation_before_delivery_and_delivery_after_installation_are_refused(technician):
    unit = _unit()
    unit_mark_delivered(actor=technician, unit=unit, delivered_at=_moment(2025, 3, 10))

    with pytest.raises(ValidationFailed) as before_delivery:
        unit_mark_installed(actor=technician, unit=unit, installed_at=_moment(2025, 3, 9))
    unit_mark_installed(actor=technician, unit=unit, installed_at=_moment(2025, 3, 11))
    with pytest.raises(ValidationFailed) as after_installation:
        unit_mark_delivered(actor=technician, unit=unit, delivered_at=_moment(2025, 3, 12))

    assert _reasons(before_delivery) == {"installed_at": "is before the delivery"}
    assert _reasons(after_installation) == {"delivered_at": "is after the installation"}
    unit.refresh_from_db()
    assert unit.delivered_at == _moment(2025, 3, 10)


def test_status_change_is_recorded_once_and_bad_status_refused(technician):
    unit = _unit()

    unit_set_status(actor=technician, unit=unit, status="scrapped")
    unit_set_status(actor=technician, unit=unit, status="scrapped")
    with pytest.raises(ValidationFailed) as excinfo:
        unit_set_status(actor=technician, unit=unit, status="stolen")

    unit.refresh_from_db()
    assert unit.status == "scrapped"
    event = TimelineEvent.objects.get(unit=unit)
    assert (event.kind, event.data["status"], event.actor) == ("unit_status_changed", "scrapped", technician)
    assert set(_reasons(excinfo)) == {"status"}


def test_warranty_from_delivery_starts_at_the_sale_until_delivered(technician):
    unit = _unit(sold_on=dt.date(2025, 3, 1), months=24)
    assert (unit.warranty_start, unit.warranty_end) == (dt.date(2025, 3, 1), dt.date(2027, 2, 28))

    unit_mark_delivered(actor=technician, unit=unit, delivered_at=_moment(2025, 3, 15))

    assert (unit.warranty_start, unit.warranty_end) == (dt.date(2025, 3, 15), dt.date(2027, 3, 14))


def test_warranty_from_installation_has_no_end_until_installed(technician):
    unit = _unit(sold_on=dt.date(2025, 3, 1), months=12, starts="installation")
    unit_mark_delivered(actor=technician, unit=unit, delivered_at=_moment(2025, 3, 2))
    assert (unit.warranty_start, unit.warranty_end) == (None, None)

    unit_mark_installed(actor=technician, unit=unit, installed_at=_moment(2025, 4, 20))

    assert (unit.warranty_start, unit.warranty_end) == (dt.date(2025, 4, 20), dt.date(2026, 4, 19))


def test_warranty_starts_on_the_local_day_of_a_delivery_just_after_midnight(technician):
    unit = _unit(months=12)
    # 00:30 on 1 July in Madrid is still 30 June in UTC, where the database keeps it.
    unit_mark_delivered(actor=technician, unit=unit, delivered_at=_moment(2025, 7, 1, 0) + dt.timedelta(minutes=30))

    unit.refresh_from_db()
    assert unit.warranty_start == dt.date(2025, 7, 1)
    assert unit.warranty_end == dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 30), 1, dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 28), 1, dt.date(2025, 2, 27)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),
        (dt.date(2025, 3, 31), 1, dt.date(2025, 4, 30)),
        (dt.date(2025, 3, 1), 24, dt.date(2027, 2, 28)),
    ],
)
def test_warranty_end_at_month_ends(start, months, end):
    unit = _unit(sold_on=start, months=months)

    assert unit.warranty_end == end


@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
    months=st.integers(min_value=1, max_value=120),
)
def test_warranty_covers_at_least_the_whole_last_month_and_later_starts_never_end_earlier(start, months):
    product = Product(warranty_months=months, warranty_starts="delivery")
    unit = Unit(product=product, delivered_at=timezone.make_aware(dt.datetime.combine(start, dt.time(12))))
    next_day = Unit(product=product, delivered_at=unit.delivered_at + dt.timedelta(days=1))

    end = unit.warranty_end

    assert end is not None and end >= start
    # Never longer than the promised months: it ends before the same date one month further on.
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) in (months - 1, months)
    assert next_day.warranty_end >= end
