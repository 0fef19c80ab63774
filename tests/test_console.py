"""The staff console through Django's test client: access, search, customer and unit pages, sales, tokens."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.core.models import ApiToken
from aftersales.core.services import token_digest
from aftersales.customers.services import customer_create, customer_portal_user
from aftersales.sales.models import Unit
from aftersales.sales.services import sale_create
from aftersales.warranty.coverage import unit_terms
from aftersales.warranty.models import ExtendedWarranty
from tests.factories import CustomerFactory, ProductFactory, SaleFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES_BEHIND_SIGN_IN = [
    ("console:home", {}),
    ("console:customers", {}),
    ("console:units", {}),
    ("console:sales", {}),
    ("console:import", {}),
    ("console:tokens", {}),
]


def signed_in(client, user):
    client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode()


def a_sale(customer, *, actor=None, serial="SN-100", product=None, number="S-1", sold_on=dt.date(2025, 3, 1)):
    product = product or ProductFactory(name="Dishwasher DW-60", warranty_months=24)
    return sale_create(
        actor=actor,
        customer=customer,
        number=number,
        sold_on=sold_on,
        lines=[{"sku": product.sku, "quantity": 1, "unit_price": "499.00", "serials": [serial]}],
    )


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), PAGES_BEHIND_SIGN_IN)
def test_anonymous_visitor_is_sent_to_the_sign_in_page(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('console:login')}?next={url}"


def test_staff_member_signs_in_with_password_and_lands_on_home(client, manager):
    response = client.post(reverse("console:login"), {"username": manager.username, "password": "s3cret-pass"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("console:home")
    assert "Sales this month" in text_of(response)


def test_customer_with_a_password_is_refused_at_the_console_sign_in(client, customer):
    user = customer_portal_user(customer=customer)
    user.set_password("s3cret-pass")
    user.save()

    response = client.post(reverse("console:login"), {"username": user.username, "password": "s3cret-pass"})

    assert response.status_code == 200
    assert "This sign-in is for staff" in text_of(response)
    assert "_auth_user_id" not in client.session


def test_customer_signed_in_to_the_portal_cannot_open_the_console(client, customer):
    signed_in(client, customer_portal_user(customer=customer))

    response = client.get(reverse("console:customers"))

    assert response.status_code == 403
    assert "The console is for staff" in text_of(response)


def test_staff_without_a_role_is_refused_with_a_403_page(client):
    nobody = UserFactory(role=None)
    signed_in(client, nobody)

    for name in ("console:customers", "console:units", "console:sales", "console:import"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert "Your role does not allow you to open this page" in text_of(response)


def test_technician_cannot_open_the_import_page_nor_see_it_in_the_menu(client, technician):
    signed_in(client, technician)

    assert client.get(reverse("console:import")).status_code == 403
    home = text_of(client.get(reverse("console:home")))
    assert reverse("console:customers") in home
    assert reverse("console:import") not in home


def test_sign_out_ends_the_session(client, agent):
    signed_in(client, agent)

    client.post(reverse("console:logout"))

    assert client.get(reverse("console:home")).status_code == 302


# --- home ----------------------------------------------------------------------------------


def test_home_counts_customers_units_in_service_and_this_months_sales(client, manager):
    today = timezone.localdate()
    buyer = CustomerFactory()
    a_sale(buyer, serial="A1", number="THIS-MONTH", sold_on=today)
    a_sale(buyer, serial="A2", number="LAST-YEAR", sold_on=today.replace(year=today.year - 1))
    signed_in(client, manager)

    page = text_of(client.get(reverse("console:home")))

    figures = re.findall(r'<a class="figure"[^>]*><strong>([\d,]+)</strong><span>([^<]+)</span>', page)
    assert figures == [("1", "Customers"), ("2", "Units in service"), ("1", "Sales this month")]
    assert "THIS-MONTH" in page and "LAST-YEAR" in page


# --- customer search -----------------------------------------------------------------------


@pytest.fixture
def maria(db):
    customer = CustomerFactory(name="María Fernández", email="maria@example.es", phone="+34612345678", language="es")
    a_sale(customer, serial="DW-778899")
    return customer


@pytest.mark.parametrize("text", ["Fernández", "maria@example.es", "+34 612 34 56 78", "612345678", "DW-778899"])
def test_search_finds_the_customer_by_name_email_phone_or_serial(client, agent, maria, text):
    CustomerFactory(name="Someone Else")
    signed_in(client, agent)

    page = text_of(client.get(reverse("console:customers"), {"q": text}))

    assert "María Fernández" in page
    assert "Someone Else" not in page


def test_live_search_answers_htmx_with_the_results_only(client, agent, maria):
    signed_in(client, agent)

    response = client.get(reverse("console:customers"), {"q": "maría"}, HTTP_HX_REQUEST="true")

    body = text_of(response)
    assert "María Fernández" in body
    assert "<html" not in body
    assert reverse("console:customer", args=[maria.pk]) in body


def test_going_back_in_history_gets_the_whole_search_page(client, agent, maria):
    signed_in(client, agent)

    response = client.get(
        reverse("console:customers"), {"q": "maría"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in text_of(response)
    assert "María Fernández" in text_of(response)


def test_search_without_a_match_says_so(client, agent, maria):
    signed_in(client, agent)

    page = text_of(client.get(reverse("console:customers"), {"q": "zzz-nobody"}))

    assert "No customer matches" in page
    assert "María Fernández" not in page


def test_customer_list_is_paginated(client, agent):
    for number in range(30):
        CustomerFactory(name=f"Customer {number:02d}")
    signed_in(client, agent)

    first = text_of(client.get(reverse("console:customers")))
    second = text_of(client.get(reverse("console:customers"), {"page": 2}))

    assert "Customer 00" in first and "Customer 29" not in first
    assert "Customer 29" in second and "Page 2 of 2" in second


# --- customer page -------------------------------------------------------------------------


def test_customer_page_shows_contact_units_with_warranty_end_sales_and_timeline(client, agent, maria):
    signed_in(client, agent)

    page = text_of(client.get(reverse("console:customer", args=[maria.pk])))

    # the number grouped as people write it, dialled in its stored E.164 form
    assert "maria@example.es" in page and '<a href="tel:+34612345678">+34 612 34 56 78</a>' in page
    assert "DW-778899" in page
    assert "Feb. 28, 2027" in page  # sold 2025-03-01, 24 months of warranty
    assert "S-1" in page
    assert "Bought Dishwasher DW-60 (serial DW-778899) on sale S-1" in page
    assert "Sale S-1 recorded, total 499.00 EUR" in page


def test_customer_timeline_is_newest_first_and_loads_more_through_htmx(client, agent):
    customer = customer_create(actor=None, data={"name": "Long History"})
    product = ProductFactory(name="Kettle")
    for day in range(1, 26):
        a_sale(customer, serial=f"K{day:02d}", product=product, number=f"K-{day:02d}", sold_on=dt.date(2024, 1, day))
    signed_in(client, agent)
    url = reverse("console:customer", args=[customer.pk])

    first = text_of(client.get(url))
    more = text_of(client.get(url, {"events": 2}, HTTP_HX_REQUEST="true"))

    assert first.index("serial K25") < first.index("serial K24")
    assert "serial K01" not in first
    assert "Load more" in first
    assert "<html" not in more
    assert "serial K15" in more


def test_customer_page_of_an_unknown_customer_is_404(client, agent):
    signed_in(client, agent)

    assert client.get(reverse("console:customer", args=[999999])).status_code == 404


def test_edit_shows_the_services_reason_next_to_the_field_and_saves_nothing(client, agent, maria):
    signed_in(client, agent)
    url = reverse("console:customer_edit", args=[maria.pk])

    response = client.post(url, {"name": "María F.", "phone": "12", "language": "es", "email": "maria@example.es"})

    assert response.status_code == 200
    assert re.search(r'field-invalid">\s*<label for="id_phone"', text_of(response))
    assert "is not a valid phone number" in text_of(response)
    maria.refresh_from_db()
    assert maria.name == "María Fernández"


def test_edit_saves_details_and_segments(client, agent, maria):
    signed_in(client, agent)
    url = reverse("console:customer_edit", args=[maria.pk])

    response = client.post(
        url,
        {
            "name": "María F. López",
            "email": "MARIA@example.es",
            "phone": "612 000 111",
            "language": "en",
            "segments": "vip, business",
        },
    )

    assert response.status_code == 302
    maria.refresh_from_db()
    assert (maria.name, maria.email, maria.phone, maria.language) == ("María F. López", "maria@example.es", "+34612000111", "en")
    assert sorted(maria.segments.values_list("slug", flat=True)) == ["business", "vip"]


def test_technician_may_read_a_customer_but_not_edit_it(client, technician, maria):
    signed_in(client, technician)

    assert client.get(reverse("console:customer", args=[maria.pk])).status_code == 200
    assert client.get(reverse("console:customer_edit", args=[maria.pk])).status_code == 403
    response = client.post(reverse("console:customer_consent", args=[maria.pk]), {"channel": "sms", "given": "1"})
    assert response.status_code == 403
    maria.refresh_from_db()
    assert maria.consent_sms_at is None


def test_consent_toggle_records_the_moment_and_the_timeline(client, agent, maria):
    signed_in(client, agent)
    url = reverse("console:customer_consent", args=[maria.pk])

    response = client.post(url, {"channel": "email", "given": "1"}, HTTP_HX_REQUEST="true")

    maria.refresh_from_db()
    assert maria.consent_email_at is not None
    assert abs((timezone.now() - maria.consent_email_at).total_seconds()) < 60
    assert 'id="consents"' in text_of(response) and "Withdraw" in text_of(response)
    assert maria.timeline_events.filter(kind="consent_changed").count() == 1

    client.post(url, {"channel": "email", "given": "0"})
    maria.refresh_from_db()
    assert maria.consent_email_at is None


# --- units ---------------------------------------------------------------------------------


def test_unit_page_by_serial_shows_product_customer_sale_and_warranty(client, technician, maria):
    signed_in(client, technician)

    page = text_of(client.get(reverse("console:unit_by_serial", args=["dw-778899"])))

    assert "Dishwasher DW-60" in page
    assert "María Fernández" in page
    assert "S-1" in page
    assert "Feb. 28, 2027" in page
    assert "Bought Dishwasher DW-60" in page


def test_a_serial_shared_by_two_products_asks_which_one(client, technician):
    first = UnitFactory(serial="SAME-1", sale_line__product__name="Oven")
    UnitFactory(serial="SAME-1", sale_line__product__name="Fridge")
    signed_in(client, technician)
    url = reverse("console:unit_by_serial", args=["SAME-1"])

    choice = text_of(client.get(url))
    chosen = text_of(client.get(url, {"sku": first.product.sku}))

    assert "Several products have a unit with this serial number" in choice
    assert "Oven" in choice and "Fridge" in choice
    assert "<h1>Oven" in chosen


def test_unknown_serial_is_404(client, technician):
    signed_in(client, technician)

    assert client.get(reverse("console:unit_by_serial", args=["NOPE"])).status_code == 404


def test_technician_marks_a_unit_delivered_then_installed(client, technician, maria):
    unit = Unit.objects.get(serial="DW-778899")
    signed_in(client, technician)

    client.post(reverse("console:unit_delivered", args=[unit.pk]), {"at": "2025-03-04T10:00"})
    response = client.post(reverse("console:unit_installed", args=[unit.pk]), {"at": ""}, follow=True)

    unit.refresh_from_db()
    assert timezone.localtime(unit.delivered_at).date() == dt.date(2025, 3, 4)
    assert unit.installed_at is not None
    assert "The installation was recorded." in text_of(response)
    assert list(unit.timeline_events.values_list("kind", flat=True)[:2]) == ["installed", "delivered"]


def test_a_delivery_before_the_sale_is_refused_with_the_reason(client, technician, maria):
    unit = Unit.objects.get(serial="DW-778899")
    signed_in(client, technician)

    response = client.post(reverse("console:unit_delivered", args=[unit.pk]), {"at": "2024-01-01T10:00"}, follow=True)

    assert "delivered_at: is before the sale date" in text_of(response)
    unit.refresh_from_db()
    assert unit.delivered_at is None


def test_support_agent_cannot_mark_a_unit_delivered(client, agent, maria):
    unit = Unit.objects.get(serial="DW-778899")
    signed_in(client, agent)

    page = text_of(client.get(reverse("console:unit", args=[unit.pk])))
    response = client.post(reverse("console:unit_delivered", args=[unit.pk]), {"at": ""})

    assert "Mark delivered" not in page
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.delivered_at is None


def test_unit_list_filters_by_serial_prefix_and_status(client, technician):
    UnitFactory(serial="ABC-1")
    UnitFactory(serial="XYZ-1", status="scrapped")
    signed_in(client, technician)

    by_serial = text_of(client.get(reverse("console:units"), {"serial": "abc"}))
    by_status = text_of(client.get(reverse("console:units"), {"status": "scrapped"}))

    assert "ABC-1" in by_serial and "XYZ-1" not in by_serial
    assert "XYZ-1" in by_status and "ABC-1" not in by_status


def test_the_unit_list_reads_the_warranty_of_a_whole_page_in_the_same_number_of_queries(client, technician):
    def queries_for_a_page_of(count: int) -> int:
        ExtendedWarranty.objects.all().delete()
        Unit.objects.all().delete()
        for number in range(count):
            unit = UnitFactory(serial=f"WL-{number}", delivered_at=timezone.now())
            unit_terms(unit)  # copied at sale, as the hourly sweep does
            ExtendedWarranty.objects.create(unit=unit, months=12, sold_on=dt.date(2026, 1, 1))
        with CaptureQueriesContext(connection) as queries:
            page = text_of(client.get(reverse("console:units")))
        assert page.count(">WL-") == count
        return len(queries.captured_queries)

    signed_in(client, technician)
    queries_for_a_page_of(1)  # the session and the permissions, read once

    assert queries_for_a_page_of(2) == queries_for_a_page_of(6)


# --- sales ---------------------------------------------------------------------------------


def test_sales_list_filters_by_dates_channel_rep_and_text(client, manager, rep):
    buyer = CustomerFactory(name="Zoe Buyer")
    SaleFactory(number="OLD-1", sold_on=dt.date(2023, 5, 1), channel="store")
    SaleFactory(number="WEB-1", sold_on=dt.date(2025, 5, 1), channel="online", sales_rep=rep)
    SaleFactory(number="SHOP-1", sold_on=dt.date(2025, 6, 1), channel="store", customer=buyer)
    signed_in(client, manager)
    url = reverse("console:sales")

    def numbers(**params):
        return set(re.findall(r">((?:OLD|WEB|SHOP)-1)</a>", text_of(client.get(url, params))))

    assert numbers() == {"OLD-1", "WEB-1", "SHOP-1"}
    assert numbers(date_from="2025-01-01") == {"WEB-1", "SHOP-1"}
    assert numbers(date_to="2024-12-31") == {"OLD-1"}
    assert numbers(channel="online") == {"WEB-1"}
    assert numbers(rep=rep.pk) == {"WEB-1"}
    assert numbers(q="zoe") == {"SHOP-1"}
    assert numbers(q="shop-") == {"SHOP-1"}


def test_sales_list_shows_an_invalid_filter_and_ignores_it(client, manager):
    SaleFactory(number="ANY-1")
    signed_in(client, manager)

    page = text_of(client.get(reverse("console:sales"), {"date_from": "yesterday"}))

    assert "Enter a valid date." in page
    assert "ANY-1" in page


def test_sale_page_lists_lines_units_and_the_proof_of_purchase(client, manager, maria):
    sale = maria.sales.get()
    signed_in(client, manager)

    page = text_of(client.get(reverse("console:sale", args=[sale.pk])))

    assert "Dishwasher DW-60" in page and "DW-778899" in page
    assert sale.receipt_number in page or "Receipt number" in page
    assert "No file" in page


@pytest.fixture
def sale_with_proof(db):
    sale = SaleFactory(number="P-1", receipt_number="R-777")
    sale.proof_file.save("receipt.pdf", ContentFile(b"%PDF-1.4 proof"), save=True)
    return sale


def test_proof_of_purchase_downloads_through_a_permission_checked_view(client, agent, sale_with_proof):
    signed_in(client, agent)

    page = text_of(client.get(reverse("console:sale", args=[sale_with_proof.pk])))
    response = client.get(reverse("console:sale_proof", args=[sale_with_proof.pk]))

    assert reverse("console:sale_proof", args=[sale_with_proof.pk]) in page
    assert sale_with_proof.proof_file.url not in page  # never a public media address
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 proof"
    assert response["Content-Disposition"] == 'attachment; filename="proof-P-1.pdf"'


def test_proof_of_purchase_is_refused_without_permission(client, sale_with_proof, customer):
    nobody = UserFactory(role=None)
    url = reverse("console:sale_proof", args=[sale_with_proof.pk])

    assert client.get(url).status_code == 302
    signed_in(client, nobody)
    assert client.get(url).status_code == 403
    signed_in(client, customer_portal_user(customer=sale_with_proof.customer))
    assert client.get(url).status_code == 403


def test_sale_without_proof_file_has_no_download(client, manager):
    sale = SaleFactory(number="NP-1")
    signed_in(client, manager)

    assert client.get(reverse("console:sale_proof", args=[sale.pk])).status_code == 404


# --- API tokens ----------------------------------------------------------------------------


def test_token_is_shown_once_stored_hashed_and_can_be_revoked(client, technician):
    signed_in(client, technician)

    created = text_of(client.post(reverse("console:tokens"), {"name": "ERP sync"}))
    raw = re.search(r'id="new-token">(as_[^<]+)<', created).group(1)
    token = ApiToken.objects.get(user=technician)
    listing = text_of(client.get(reverse("console:tokens")))

    assert token.digest == token_digest(raw)
    assert raw not in listing and token.prefix in listing and "ERP sync" in listing

    client.post(reverse("console:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_someone_elses_token(client, technician, agent):
    signed_in(client, agent)
    client.post(reverse("console:tokens"), {"name": "mine"})
    token = ApiToken.objects.get(user=agent)
    signed_in(client, technician)

    response = client.post(reverse("console:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- language ------------------------------------------------------------------------------


def test_staff_choose_their_language_and_it_is_stored_on_their_profile(client, agent):
    signed_in(client, agent)

    response = client.post(reverse("console:language"), {"language": "es", "next": reverse("console:customers")})
    page = client.get(reverse("console:customers"))

    agent.refresh_from_db()
    assert response.url == reverse("console:customers")
    assert agent.language == "es"
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in text_of(page)


def test_language_chosen_before_signing_in_becomes_the_staff_members(client, agent):
    client.post(reverse("console:language"), {"language": "es", "next": "https://evil.example/"})
    login_page = client.get(reverse("console:login"))

    client.post(reverse("console:login"), {"username": agent.username, "password": "s3cret-pass"})

    agent.refresh_from_db()
    assert login_page["Content-Language"] == "es"
    assert agent.language == "es"


def test_language_switch_never_redirects_off_site(client, agent):
    signed_in(client, agent)

    response = client.post(reverse("console:language"), {"language": "es", "next": "https://evil.example/"})

    assert response.url == "/"


# --- admin ---------------------------------------------------------------------------------


def test_admin_lists_master_data_and_never_shows_a_token_digest(client, maria):
    superuser = UserFactory(is_superuser=True)
    token = ApiToken.objects.create(user=superuser, name="t", prefix="as_abcdefg", digest="d" * 64)
    signed_in(client, superuser)

    for model in (
        "core/user",
        "core/department",
        "core/apitoken",
        "core/timelineevent",
        "customers/customer",
        "customers/segment",
        "catalog/category",
        "catalog/product",
        "sales/sale",
        "sales/unit",
    ):
        assert client.get(f"/admin/{model}/").status_code == 200, model
    token_page = text_of(client.get(f"/admin/core/apitoken/{token.pk}/change/"))
    sale_page = client.get(f"/admin/sales/sale/{maria.sales.get().pk}/change/")

    assert "as_abcdefg" in token_page and "d" * 64 not in token_page
    assert sale_page.status_code == 200 and "Dishwasher DW-60" in text_of(sale_page)
    assert client.get("/admin/sales/sale/add/").status_code == 403
    assert client.get("/admin/core/timelineevent/add/").status_code == 403
    assert Decimal(maria.sales.get().total) == Decimal("499.00")


# --- import --------------------------------------------------------------------------------

IMPORT_HEADER = (
    "sale_number,sale_date,channel,customer_name,customer_email,customer_phone,customer_language,"
    "sku,quantity,unit_price,serials,receipt_number\n"
)


def upload(client, content: str, name: str = "sales.csv"):
    return client.post(reverse("console:import"), {"file": ContentFile(content.encode("utf-8"), name=name)})


def imported(client, response):
    """Let the background worker import the uploaded file, then open the import's status page."""
    assert response.status_code == 303, response.content
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    return client.get(response["Location"])


def test_import_page_explains_the_columns(client, manager):
    signed_in(client, manager)

    page = text_of(client.get(reverse("console:import")))

    assert "<code>sale_number</code>" in page and "<code>serials</code>" in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.django_db(transaction=True)
def test_import_of_a_good_file_shows_the_summary_and_writes_the_sales(client, manager):
    product = ProductFactory(sku="DW-60", name="Dishwasher")
    signed_in(client, manager)
    content = IMPORT_HEADER + (
        "H-1,2024-05-02,store,Lucía Gómez,lucia@example.es,+34600111222,es,DW-60,2,399.00,SN-1|SN-2,T-1\n"
        "H-2,2024-06-10,online,Peter Hall,peter@example.co.uk,,en,DW-60,1,410.50,SN-3,T-2\n"
    )

    response = imported(client, upload(client, content))

    page = text_of(response)
    summary = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
    assert response.status_code == 200
    assert 'id="import-summary"' in page
    assert summary["Sales created"] == "2" and summary["Units created"] == "3" and summary["Customers created"] == "2"
    assert Unit.objects.filter(product=product).count() == 3
    lucia = product.units.get(serial="SN-1").customer
    assert lucia.timeline_events.filter(kind="sold").count() == 2


@pytest.mark.django_db(transaction=True)
def test_import_of_a_bad_file_lists_line_column_and_reason_and_imports_nothing(client, manager):
    ProductFactory(sku="DW-60")
    signed_in(client, manager)
    content = IMPORT_HEADER + (
        "B-1,2024-05-02,store,Good Row,good@example.com,,en,DW-60,1,399.00,OK-1,\n"
        "B-2,2024-13-45,store,Bad Date,bad@example.com,,en,DW-60,1,399.00,OK-2,\n"
        "B-3,2024-05-03,store,Bad Sku,sku@example.com,,en,NOPE,1,399.00,OK-3,\n"
    )

    response = imported(client, upload(client, content))

    page = text_of(response)
    rows = re.findall(
        r'<td data-label="Line" class="number">(\d+)</td>\s*'
        r'<td data-label="Column"><code>(\w+)</code></td>\s*'
        r'<td data-label="Reason">([^<]+)</td>',
        page,
    )
    assert response.status_code == 200
    assert "Nothing was imported" in page and "Rejected" in page
    assert ("3", "sale_date") in {(line, column) for line, column, _reason in rows}
    assert ("4", "sku") in {(line, column) for line, column, _reason in rows}
    assert Unit.objects.count() == 0
    assert not CustomerFactory._meta.model.objects.filter(email="good@example.com").exists()


def test_the_sample_file_downloads_from_the_import_page(client, manager):
    signed_in(client, manager)

    response = client.get(reverse("console:import_sample"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sales.csv"'
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith("sale_number")


def test_the_sample_file_is_for_people_who_may_import(client, technician):
    signed_in(client, technician)

    assert client.get(reverse("console:import_sample")).status_code == 403


def test_import_page_describes_every_column_the_import_reads(client, manager):
    from aftersales.sales.imports import COLUMNS, REQUIRED_COLUMNS

    signed_in(client, manager)

    page = text_of(client.get(reverse("console:import")))

    rows = re.findall(r"<code>(\w+)</code></td>\s*<td data-label=\"Required\">(Yes|No)</td>\s*<td[^>]*>([^<]+)</td>", page)
    assert [name for name, _required, _content in rows] == list(COLUMNS)
    assert {name for name, required, _content in rows if required == "Yes"} == set(REQUIRED_COLUMNS)
    assert all(content.strip() for _name, _required, content in rows)


@pytest.mark.django_db(transaction=True)
def test_an_unreadable_file_is_reported_and_nothing_is_imported(client, manager):
    signed_in(client, manager)

    response = imported(
        client,
        client.post(reverse("console:import"), {"file": ContentFile("sale_number,sku\n".encode("utf-16"), name="sales.csv")}),
    )

    assert "Nothing was imported" in text_of(response)
    assert Unit.objects.count() == 0
