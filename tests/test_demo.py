"""The demo company: variety a visitor would notice, determinism, and refusing to overwrite data."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from aftersales.catalog.models import Category, Product, WarrantyStart
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import TimelineEvent, User
from aftersales.core.roles import Role
from aftersales.customers.models import Customer
from aftersales.demo.builder import DEMO_PASSWORD, demo_build, demo_sign_ins
from aftersales.sales.models import Sale, SaleLine, Unit, UnitStatus

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def company():
    return demo_build(customers=30, seed=11, today=TODAY)


def fingerprint() -> list[tuple]:
    """Return what a visitor sees of the data, without database ids, with dates relative to TODAY."""

    def days(value):
        if value is None:
            return None
        day = value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else value.date()
        return (day - TODAY).days

    customers = [
        (c.name, c.email, c.phone, c.language, c.city, c.postal_code, days(c.birthday), days(c.created_at))
        for c in Customer.objects.order_by("email", "name", "phone")
    ]
    sales = [
        (
            s.number,
            days(s.sold_on),
            s.channel,
            s.receipt_number,
            str(s.total),
            s.customer.name,
            s.sales_rep_id and s.sales_rep.username,
        )
        for s in Sale.objects.select_related("customer", "sales_rep").order_by("number")
    ]
    units = [
        (u.product.sku, u.serial, u.status, days(u.delivered_at), days(u.installed_at))
        for u in Unit.objects.select_related("product").order_by("product__sku", "serial")
    ]
    events = sorted(Counter(TimelineEvent.objects.values_list("kind", flat=True)).items())
    return customers + sales + units + events


def build_and_forget(seed: int) -> list[tuple]:
    """Build into the clean database, take the fingerprint, and roll the build back."""
    savepoint = transaction.savepoint()
    demo_build(customers=25, seed=seed, today=TODAY)
    result = fingerprint()
    transaction.savepoint_rollback(savepoint)
    return result


def test_same_seed_builds_the_same_company_and_another_seed_a_different_one():
    # given two builds with one seed and one with another, each into a clean database
    first = build_and_forget(seed=5)
    assert not Customer.objects.exists()
    second = build_and_forget(seed=5)
    other = build_and_forget(seed=6)

    # then
    assert len(first) > 100
    assert first == second
    assert other != first


def test_every_role_has_staff_who_can_sign_in_with_the_demo_password(company):
    staff = User.objects.filter(is_staff=True).prefetch_related("groups").select_related("department")
    by_role = Counter(group.name for user in staff for group in user.groups.all())
    assert by_role[Role.SALES_REP] >= 3
    assert by_role[Role.SUPPORT_AGENT] >= 2
    assert by_role[Role.TECHNICIAN] >= 2
    assert by_role[Role.SERVICE_MANAGER] >= 1
    assert by_role[Role.ADMINISTRATOR] >= 1
    assert all(user.department is not None for user in staff)
    assert {user.language for user in staff} == {"en", "es"}
    for username in ("manager", "admin", "rep.ana", "agent.tom", "tech.luis"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_sign_ins_list_each_role_and_a_portal_customer_per_language(company):
    rows = demo_sign_ins()

    labels = [label for label, _who in rows]
    for role in Role:
        assert str(role.label) in labels
    assert ("Service manager", "manager") in rows
    customer_emails = [who for label, who in rows if label.startswith("Customer")]
    assert {Customer.objects.get(email=email).language for email in customer_emails} == {"en", "es"}


def test_sign_ins_are_empty_on_a_database_without_the_demo():
    assert demo_sign_ins() == []


def test_categories_carry_different_warranty_terms(company):
    assert Category.objects.count() >= 4
    products = Product.objects.select_related("category")
    assert 20 <= products.count() <= 40
    terms = {(p.category.slug, p.warranty_months, p.warranty_starts, p.maintenance_interval_months) for p in products}
    assert len({term[1:] for term in terms}) >= 4
    machinery = products.filter(category__slug="machinery")
    assert machinery and all(p.warranty_starts == WarrantyStart.INSTALLATION and p.needs_installation for p in machinery)
    assert products.get(sku="CR-SOFA3").warranty_months == 60
    assert all(p.name_es and p.name_es != p.name for p in products)


def test_sales_span_three_years_without_future_dates(company):
    days = list(Sale.objects.values_list("sold_on", flat=True))
    assert (max(days) - min(days)).days > 2 * 365
    assert max(days) < TODAY
    assert min(days) >= TODAY - dt.timedelta(days=3 * 365)
    assert company.first_sale == min(days) and company.last_sale == max(days)


def test_each_sale_has_one_to_three_lines_adding_up_to_its_total(company):
    sales = Sale.objects.annotate(lines_count=Count("lines"))
    assert {sale.lines_count for sale in sales} <= {1, 2, 3}
    for sale in Sale.objects.prefetch_related("lines"):
        assert sale.total == sum((line.amount for line in sale.lines.all()), Decimal("0"))
        assert sale.number.startswith(f"S-{sale.sold_on.year}-")
    reps = User.objects.filter(sales__isnull=False).distinct()
    assert reps and all(Role.SALES_REP in rep.role_codes for rep in reps)
    assert Sale.objects.values("channel").distinct().count() >= 3


def test_both_languages_with_addresses_and_phones_of_their_countries(company):
    customers = list(Customer.objects.all())
    languages = Counter(c.language for c in customers)
    assert languages["es"] >= 5 and languages["en"] >= 5
    for customer in customers:
        number = phonenumbers.parse(customer.phone)
        assert phonenumbers.is_valid_number(number), customer.phone
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == customer.phone
        region = phonenumbers.region_code_for_number(number)
        if customer.language == "es":
            assert (customer.country, region) == ("ES", "ES")
        else:
            assert customer.country in {"GB", "IE", "US"} and region == customer.country
        assert customer.city and customer.postal_code and customer.address_line1


def test_every_unit_has_a_serial_and_a_timeline(company):
    units = Unit.objects.select_related("product", "sale_line__sale").annotate(events=Count("timeline_events"))
    assert units.count() >= company.sales
    for unit in units:
        assert unit.serial
        assert unit.events >= 1
        assert unit.sale_line is not None
        if unit.delivered_at:
            assert unit.delivered_at.date() >= unit.sale_line.sale.sold_on
        if unit.installed_at:
            assert unit.product.needs_installation and unit.installed_at >= unit.delivered_at
    sold_quantities = SaleLine.objects.aggregate(total=Sum("quantity"))["total"]
    assert Unit.objects.filter(replaces__isnull=True).count() == sold_quantities


def test_customers_timelines_start_with_their_creation_and_hold_their_sales(company):
    for customer in Customer.objects.prefetch_related("sales"):
        events = list(TimelineEvent.objects.filter(customer=customer).order_by("occurred_at", "id"))
        assert events[0].kind == "customer_created"
        recorded = {event.data["sale"] for event in events if event.kind == "sale_recorded"}
        assert recorded == {sale.number for sale in customer.sales.all()}


def test_a_larger_company_shows_returns_replacements_segments_and_seasons():
    demo_build(customers=300, seed=2, today=TODAY)

    statuses = Counter(Unit.objects.values_list("status", flat=True))
    assert statuses[UnitStatus.RETURNED] and statuses[UnitStatus.REPLACED] and statuses[UnitStatus.SCRAPPED]
    for old in Unit.objects.filter(status=UnitStatus.REPLACED):
        assert old.replaced_by.serial != old.serial
    segments = set(Customer.objects.values_list("segments__slug", flat=True))
    assert {"vip", "business", "new"} <= segments
    assert Customer.objects.filter(birthday__isnull=False).exists()
    assert Customer.objects.exclude(age_band="").exists() and Customer.objects.exclude(education_level="").exists()
    assert Customer.objects.filter(consent_email_at__isnull=False).exists()
    by_month = Counter(day.month for day in Sale.objects.values_list("sold_on", flat=True))
    assert by_month[11] + by_month[12] > by_month[2] + by_month[8]
    assert Unit.objects.filter(product__needs_installation=True, installed_at__isnull=False).exists()


def test_a_database_with_data_is_refused_and_left_untouched(company):
    before = (Customer.objects.count(), Sale.objects.count(), TimelineEvent.objects.count())

    with pytest.raises(Conflict):
        demo_build(customers=5, seed=99, today=TODAY)

    assert (Customer.objects.count(), Sale.objects.count(), TimelineEvent.objects.count()) == before


def test_append_adds_customers_beside_the_existing_ones(company):
    summary = demo_build(customers=20, seed=11, today=TODAY, append=True)

    assert summary.customers == 20
    assert Customer.objects.count() == 50
    assert User.objects.filter(is_staff=True).count() == 9
    assert Product.objects.count() == company.products
    emails = [email for email in Customer.objects.values_list("email", flat=True) if email]
    assert len(emails) == len(set(emails))
    assert Sale.objects.values("number").distinct().count() == Sale.objects.count()


def test_a_negative_count_is_refused_naming_the_option():
    with pytest.raises(ValidationFailed) as error:
        demo_build(customers=-1, seed=1)
    assert error.value.errors[0].field == "customers"


def test_command_prints_progress_and_a_summary_then_refuses_a_second_run():
    out = io.StringIO()

    call_command("demo", customers=12, seed=4, today=TODAY, stdout=out)

    text = out.getvalue()
    assert "12/12 customers written" in text
    assert "Demo company ready: 12 customers" in text
    with pytest.raises(CommandError, match="--append"):
        call_command("demo", customers=3, seed=4, stdout=io.StringIO())
    assert Customer.objects.count() == 12
