"""Console and portal screens of vouchers and offers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.customers.services import customer_portal_user
from aftersales.offers.models import Offer, OfferStatus, Voucher, VoucherStatus
from aftersales.offers.services import offer_create, offer_deliver, offer_send, voucher_cancel, voucher_redeem
from tests.factories import CustomerFactory, SaleFactory
from tests.offers.conftest import issue

pytestmark = pytest.mark.django_db


def test_staff_find_a_voucher_by_code_and_see_its_redemptions(signed_in, agent):
    customer = CustomerFactory(name="Marta Ríos")
    voucher = issue(customer)
    voucher_redeem(actor=agent, code=voucher.code, customer=customer, idempotency_key="till")
    issue(CustomerFactory(name="Other Person"))
    client = signed_in(agent)

    listed = client.get(reverse("console:vouchers"), {"q": voucher.code.lower().replace("-", " ")})
    page = client.get(reverse("console:voucher", args=[voucher.pk]))

    assert voucher.code in listed.content.decode() and "Other Person" not in listed.content.decode()
    assert "Marta Ríos" in page.content.decode() and "10.00 EUR" in page.content.decode()
    assert "Cancel voucher" not in page.content.decode()  # agents do not cancel


def test_a_manager_issues_a_voucher_from_the_form_once(signed_in, manager):
    customer = CustomerFactory(email="lucia@example.com")
    client = signed_in(manager)
    form = client.get(reverse("console:voucher_new"))
    key = form.context["form"].initial["idempotency_key"]
    data = {
        "customer": "LUCIA@example.com",
        "value_kind": "fixed",
        "value": "15",
        "valid_until": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "max_uses": "1",
        "max_uses_per_customer": "1",
        "idempotency_key": key,
    }

    first = client.post(reverse("console:voucher_new"), data)
    second = client.post(reverse("console:voucher_new"), data)

    voucher = Voucher.objects.get()
    assert first.status_code == second.status_code == 302 and voucher.customer == customer


def test_the_issue_form_shows_the_services_reasons_next_to_the_fields(signed_in, manager):
    response = signed_in(manager).post(
        reverse("console:voucher_new"),
        {
            "customer": "nobody@example.com",
            "value_kind": "percent",
            "value": "150",
            "valid_until": "2001-01-01",
            "idempotency_key": "k",
        },
    )

    errors = response.context["form"].errors
    assert {"customer"} <= set(errors)
    assert not Voucher.objects.exists()


def test_a_manager_cancels_a_voucher(signed_in, manager):
    voucher = issue(CustomerFactory())

    signed_in(manager).post(reverse("console:voucher_cancel", args=[voucher.pk]), {"reason": "Duplicate"})

    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.CANCELLED and voucher.cancel_reason == "Duplicate"


def test_a_technician_cannot_issue(signed_in, technician):
    assert signed_in(technician).get(reverse("console:voucher_new")).status_code == 403
    assert signed_in(technician).get(reverse("console:offers")).status_code == 403


def test_a_manager_composes_previews_and_sends_an_offer(signed_in, manager, django_capture_on_commit_callbacks):
    CustomerFactory(consent_email_at=timezone.now())
    CustomerFactory()
    client = signed_in(manager)
    data = {
        "title": "Winter",
        "title_es": "Invierno",
        "body": "Warm deals.",
        "body_es": "Ofertas cálidas.",
        "valid_until": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "channel": "email",
        "code_kind": "personal",
        "value_kind": "fixed",
        "value": "12",
    }

    created = client.post(reverse("console:offer_new"), data)
    offer = Offer.objects.get()
    detail = client.get(created.url)
    with django_capture_on_commit_callbacks():
        client.post(reverse("console:offer_send", args=[offer.pk]))
    offer_deliver(offer_id=offer.pk)
    results = client.get(reverse("console:offer", args=[offer.pk]))

    assert detail.context["preview"].recipients == 2 and detail.context["preview"].suppressed == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT
    assert results.context["results"].queued == 1 and results.context["results"].suppressed == 1
    assert "no consent for this channel" in results.content.decode()


def test_the_portal_shows_my_vouchers_and_offers_only(client):
    ana = CustomerFactory(language="es", consent_email_at=timezone.now())
    ben = CustomerFactory()
    usable = issue(ana, value=Decimal("7.50"))
    used = issue(ana)
    voucher_redeem(actor=None, code=used.code, customer=ana, idempotency_key="u")
    cancelled = voucher_cancel(actor=None, voucher=issue(ana), reason="x")
    others = issue(ben)
    offer = offer_send(
        actor=None,
        offer=offer_create(
            actor=None,
            data={
                "title": "Spring",
                "title_es": "Primavera",
                "body": "B",
                "body_es": "Cuerpo",
                "value_kind": "percent",
                "value": "5",
                "valid_until": timezone.localdate() + dt.timedelta(days=5),
                "code_kind": "shared",
            },
        ),
    )
    offer_deliver(offer_id=offer.pk)
    client.force_login(customer_portal_user(customer=ana))

    page = client.get(reverse("portal:vouchers"))

    html = page.content.decode()
    assert [voucher.pk for voucher in page.context["usable"]] == [usable.pk]
    assert {voucher.pk for voucher in page.context["past"]} == {used.pk, cancelled.pk}
    assert others.code not in html
    assert "Primavera" in html and offer.shared_voucher.code in html
    assert "Mis vales" in html or "My vouchers" in html


def test_a_rep_checks_then_redeems_a_code_at_the_till(signed_in, rep):
    customer = CustomerFactory(email="till@example.com")
    voucher = issue(customer, value_kind="percent", value=Decimal("10"))
    sale = SaleFactory(customer=customer, total=Decimal("120.00"))
    client = signed_in(rep)
    key = client.get(reverse("console:voucher_redeem")).context["form"].initial["idempotency_key"]
    data = {"code": voucher.code.lower(), "customer": "till@example.com", "sale": sale.number, "idempotency_key": key}

    checked = client.post(reverse("console:voucher_redeem"), {**data, "check": "1"})
    redeemed = client.post(reverse("console:voucher_redeem"), {**data, "redeem": "1"})
    again = client.post(reverse("console:voucher_redeem"), {**data, "redeem": "1"})

    assert checked.context["assessment"].discount == Decimal("12.00")
    assert redeemed.status_code == again.status_code == 302
    voucher.refresh_from_db()
    assert voucher.uses == 1


def test_the_till_shows_why_a_code_is_refused(signed_in, rep):
    owner = CustomerFactory()
    voucher = issue(owner)
    other = CustomerFactory()

    response = signed_in(rep).post(
        reverse("console:voucher_redeem"),
        {"code": voucher.code, "customer": str(other.pk), "idempotency_key": "k", "redeem": "1"},
    )

    assert "belongs to another customer" in response.content.decode()
