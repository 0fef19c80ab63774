"""The customer portal through Django's test client: magic-link sign-in, my products, profile."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from aftersales.catalog.models import WarrantyStart
from aftersales.customers.services import customer_portal_user
from aftersales.portal.navigation import PORTAL_NAVIGATION
from tests.factories import CustomerFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_ANSWER = "If this email is on record, a link is on its way."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def ask_for_link(client, email: str, **extra):
    return client.post(reverse("portal:sign_in"), {"email": email}, follow=True, **extra)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def use_link(client, path: str, **extra):
    """Open the emailed link, then press its sign-in button, as the customer does."""
    opened = client.get(path)
    assert opened.status_code == 200, opened.status_code
    token = parse_qs(urlsplit(path).query)["token"][0]
    return client.post(reverse("portal:auth"), {"token": token}, **extra)


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def signed_in_as(client, customer):
    client.force_login(customer_portal_user(customer=customer))
    return client


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def ana(db):
    return CustomerFactory(name="Ana Ruiz", email="ana@example.es", language="es")


@pytest.fixture
def tom(db):
    """A customer who reads English, for assertions on the portal's wording."""
    return CustomerFactory(name="Tom Hughes", email="tom@example.co.uk", language="en")


# --- magic link ----------------------------------------------------------------------------


def test_a_known_email_receives_a_one_time_link(client, ana):
    response = ask_for_link(client, "Ana@Example.es")

    assert SAME_ANSWER in text_of(response)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.es"]
    assert "/portal/auth/?token=" in link_in(mail.outbox[0])


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, ana):
    known = ask_for_link(client, "ana@example.es")
    unknown = ask_for_link(client, "stranger@example.com")

    assert len(mail.outbox) == 1
    assert unknown.status_code == known.status_code == 200
    assert unknown.redirect_chain == known.redirect_chain
    assert without_csrf(text_of(unknown)) == without_csrf(text_of(known))


@time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_link_email_is_written_in_the_customers_language_whatever_the_browser(client, ana):
    english = CustomerFactory(email="tom@example.co.uk", language="en")

    ask_for_link(client, "ana@example.es", HTTP_ACCEPT_LANGUAGE="en")
    ask_for_link(client, english.email, HTTP_ACCEPT_LANGUAGE="es")

    to_ana, to_tom = mail.outbox
    assert to_ana.to == ["ana@example.es"] and to_tom.to == ["tom@example.co.uk"]
    # The expiry date is written with the customer's language: Spanish month names for Ana.
    assert "10 de marzo de 2025" in to_ana.body
    assert "March 10, 2025" in to_tom.body


def test_the_link_signs_the_customer_in_records_it_and_shows_their_products(client, ana):
    UnitFactory(customer=ana, serial="BIKE-42", sale_line__sale__customer=ana, sale_line__product__name="City bike")
    ask_for_link(client, "ana@example.es")

    response = use_link(client, path_of(link_in(mail.outbox[0])), follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:products")
    assert "BIKE-42" in text_of(response)
    assert ana.timeline_events.filter(kind="portal_sign_in").count() == 1


def test_a_link_used_once_is_refused_the_second_time(client, ana):
    ask_for_link(client, "ana@example.es")
    path = path_of(link_in(mail.outbox[0]))
    use_link(client, path)
    client.post(reverse("portal:sign_out"))

    again = client.get(path)

    assert again.status_code == 403
    assert "This link no longer works" in text_of(again)
    assert client.get(reverse("portal:products")).status_code == 302


def test_opening_the_link_does_not_spend_it_only_the_sign_in_button_does(client, ana):
    # A mail scanner that fetches every link must not use up the customer's single-use link.
    ask_for_link(client, "ana@example.es")
    path = path_of(link_in(mail.outbox[0]))

    first_look = client.get(path)
    second_look = client.get(path)

    assert first_look.status_code == second_look.status_code == 200
    assert client.get(reverse("portal:products")).status_code == 302  # not signed in by looking
    assert use_link(client, path).url == reverse("portal:products")
    assert ana.timeline_events.filter(kind="portal_sign_in").count() == 1


def test_a_forged_or_expired_link_is_refused(client, ana, settings):
    ask_for_link(client, "ana@example.es")
    path = path_of(link_in(mail.outbox[0]))

    assert client.get(reverse("portal:auth") + "?token=forged").status_code == 403
    settings.SESAME_MAX_AGE = -1
    assert client.get(path).status_code == 403


def test_a_staff_account_linked_to_a_customer_gets_no_link_and_cannot_use_one(client, ana):
    from sesame.utils import get_query_string

    employee = UserFactory()
    ana.user = employee
    ana.save()

    ask_for_link(client, "ana@example.es")
    response = client.get(reverse("portal:auth") + get_query_string(employee, scope="portal"))

    assert mail.outbox == []
    assert response.status_code == 403


def test_link_requests_are_rate_limited_per_email(client, ana):
    for _attempt in range(5):
        ask_for_link(client, "ana@example.es")

    sixth = client.post(reverse("portal:sign_in"), {"email": "ana@example.es"})

    assert sixth.status_code == 429
    assert len(mail.outbox) == 5


def test_a_malformed_email_is_refused_with_the_reason(client):
    response = client.post(reverse("portal:sign_in"), {"email": "not-an-email"})

    assert response.status_code == 200
    assert "Enter a valid email address." in text_of(response)


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:products", "portal:profile", "portal:preferences", "portal:menu"])
def test_anonymous_visitor_is_sent_to_the_portal_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url == reverse("portal:sign_in")


def test_staff_member_is_not_let_into_the_portal(client, agent):
    client.force_login(agent)

    response = client.get(reverse("portal:products"))

    assert response.status_code == 403
    assert "The portal is for customers" in text_of(response)


# --- navigation ----------------------------------------------------------------------------

PORTAL_LINKS = [link for group in PORTAL_NAVIGATION for link in group.links]


@pytest.mark.parametrize("link", PORTAL_LINKS, ids=[link.url_name for link in PORTAL_LINKS])
def test_every_page_of_the_portal_navigation_opens_with_its_own_link_marked_current(client, tom, link):
    url = reverse(link.url_name)

    response = signed_in_as(client, tom).get(url)

    page = text_of(response)
    nav = page[page.index('<nav aria-label="Portal"') : page.index("</nav>")]
    assert response.status_code == 200
    assert re.findall(r'href="([^"]+)" aria-current="page"', nav) == [url]


def test_the_menu_lists_every_group_in_the_customers_language_with_a_way_to_sign_out(client, ana):
    response = signed_in_as(client, ana).get(reverse("portal:menu"))

    page = text_of(response)
    main = page[page.index("<main") :]
    assert response.status_code == 200
    for heading in ("Mis productos y solicitudes", "Servicio y reparaciones", "Recompensas", "Mi cuenta"):
        assert f">{heading}</h2>" in main
    assert main.count('href="/portal/') == len(PORTAL_LINKS)
    assert f'action="{reverse("portal:sign_out")}"' in main


# --- my products ---------------------------------------------------------------------------


def test_my_products_lists_only_my_units_with_purchase_date_and_warranty_end(client, tom, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC), tick=False)
    mine = UnitFactory(
        customer=tom, serial="MINE-1", sale_line__sale__customer=tom, sale_line__sale__sold_on=dt.date(2025, 1, 15)
    )
    UnitFactory(serial="THEIRS-1")
    signed_in_as(client, tom)

    page = text_of(client.get(reverse("portal:products")))

    assert "MINE-1" in page and "THEIRS-1" not in page
    assert mine.warranty_end == dt.date(2027, 1, 14)
    assert 'datetime="2027-01-14"' in page
    assert "Covered until 14 January 2027 by the 24-month standard warranty from the purchase on 15 January 2025" in page
    assert "Jan. 15, 2025" in page


def test_warranty_starting_at_installation_says_so_until_installed(client, tom):
    UnitFactory(
        customer=tom,
        serial="BOILER-1",
        sale_line__sale__customer=tom,
        sale_line__product__warranty_starts=WarrantyStart.INSTALLATION,
    )
    signed_in_as(client, tom)

    page = text_of(client.get(reverse("portal:products")))

    assert "Not covered yet: the 24-month standard warranty starts on installation" in page


def test_my_unit_page_shows_its_history(client, tom):
    from aftersales.sales.services import unit_mark_delivered

    unit = UnitFactory(customer=tom, sale_line__sale__customer=tom, sale_line__product__name="Washer")
    unit_mark_delivered(actor=None, unit=unit, delivered_at=timezone.now())
    signed_in_as(client, tom)

    page = text_of(client.get(reverse("portal:unit", args=[unit.pk])))

    assert "Washer" in page
    assert f"Washer (serial {unit.serial}) delivered" in page


def test_another_customers_unit_is_404(client, ana):
    theirs = UnitFactory()
    signed_in_as(client, ana)

    assert client.get(reverse("portal:unit", args=[theirs.pk])).status_code == 404


# --- language and profile ------------------------------------------------------------------


def test_portal_speaks_the_customers_language_not_the_browsers(client, ana):
    signed_in_as(client, ana)

    response = client.get(reverse("portal:products"), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in text_of(response)


def test_sign_out_ends_the_portal_session(client, ana):
    signed_in_as(client, ana)

    client.post(reverse("portal:sign_out"))

    assert client.get(reverse("portal:products")).status_code == 302
