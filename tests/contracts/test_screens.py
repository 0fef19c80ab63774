"""Console and portal screens of maintenance contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.contracts.models import ContractPlan, ContractStatus, MaintenanceContract
from aftersales.contracts.services import contract_visits_generate
from aftersales.customers.services import customer_portal_user
from tests.contracts.conftest import madrid, signed, sold_unit

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_a_rep_proposes_a_contract_from_an_opportunity_and_signs_it(signed_in, rep):
    unit = sold_unit(sold_on=dt.date(2024, 8, 1), rep=rep)  # warranty ends 31 July 2026
    plan = ContractPlan.objects.create(code="care", name="Care plan", months=12, price=Decimal("240"), visit_every_months=6)
    client = signed_in(rep)

    with time_machine.travel(madrid(2026, 6, 15), tick=False):
        page = text(client.get("/contracts/opportunities/"))
        assert unit.serial in page and "Your customer" in page and f"/contracts/new/?unit={unit.pk}" in page

        form = client.get(f"/contracts/new/?unit={unit.pk}")
        assert form.status_code == 200 and unit.customer.name in text(form)
        saved = client.post(
            f"/contracts/new/?unit={unit.pk}",
            {"units": [unit.pk], "plan": plan.pk, "starts_on": "2026-08-01", "billing_period": "", "repair_cover": ""},
        )
        contract = MaintenanceContract.objects.get()
        assert saved.status_code == 302 and saved.url == f"/contracts/{contract.pk}/"
        assert (contract.status, contract.price, contract.visit_every_months) == (ContractStatus.DRAFT, Decimal("240.00"), 6)
        assert "Proposed" in text(client.get("/contracts/opportunities/"))

        client.post(f"/contracts/{contract.pk}/activate/")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    detail = text(client.get(f"/contracts/{contract.pk}/"))
    assert contract.reference in detail and "Renew for another term" in detail
    assert "Record payment" not in detail  # managers record payments


def test_the_form_shows_a_refused_overlap_next_to_the_units(signed_in, rep):
    unit = sold_unit()
    signed(unit, starts_on=dt.date(2026, 1, 1))

    page = signed_in(rep).post(
        f"/contracts/new/?customer={unit.customer_id}",
        {"units": [unit.pk], "starts_on": "2026-03-01", "price": "100", "activate": "on"},
    )

    assert page.status_code == 200
    assert "is already covered by" in text(page)
    assert MaintenanceContract.objects.count() == 1


def test_a_manager_sees_visits_billing_and_figures_records_a_payment_and_cancels(signed_in, manager):
    contract = signed(sold_unit(), starts_on=dt.date(2026, 1, 1), price=Decimal("1200.00"), visit_every_months=6)
    contract_visits_generate(today=dt.date(2026, 1, 1))
    line = contract.billing_lines.get()
    client = signed_in(manager)

    page = text(client.get(f"/contracts/{contract.pk}/"))
    assert contract.visits.first().work_order.reference in page
    assert "1200.00 EUR" in page and "Record payment" in page

    with time_machine.travel(madrid(2026, 1, 20), tick=False):
        client.post(
            f"/contracts/{contract.pk}/lines/{line.pk}/payment/", {"paid": "1", "paid_on": "2026-01-19", "reference": "TRF-9"}
        )
    line.refresh_from_db()
    assert (line.paid_on, line.payment_reference) == (dt.date(2026, 1, 19), "TRF-9")

    client.post(f"/contracts/{contract.pk}/cancel/", {"reason": "Moved abroad"})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CANCELLED


def test_the_list_filters_and_roles_are_checked(signed_in, technician, rep):
    active = signed(sold_unit())
    client = signed_in(technician)

    listed = text(client.get("/contracts/", {"status": "active"}))
    assert active.reference in listed
    assert client.get("/contracts/new/").status_code == 403
    assert client.post(f"/contracts/{active.pk}/renew/").status_code == 403
    assert signed_in(rep).post(f"/contracts/{active.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert "Contract opportunities" in listed


def test_a_customer_sees_their_contract_what_it_covers_until_when_and_the_next_visit(client):
    unit = sold_unit(language="es")
    contract = signed(unit, starts_on=dt.date(2026, 1, 1), visit_every_months=6, repair_cover="labour", response_hours=4)
    other = signed(sold_unit(), starts_on=dt.date(2026, 1, 1))
    client.force_login(customer_portal_user(customer=unit.customer))

    with time_machine.travel(madrid(2026, 3, 1), tick=False):
        listed = text(client.get("/portal/contracts/"))
        detail = text(client.get(f"/portal/contracts/{contract.pk}/"))
        assert client.get(f"/portal/contracts/{other.pk}/").status_code == 404

    assert contract.reference in listed and other.reference not in listed
    assert "Vigente" in listed
    assert "31 de diciembre de 2026" in detail
    assert "1 de julio de 2026" in detail  # the next visit
    assert unit.serial in detail
