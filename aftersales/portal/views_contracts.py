"""Portal screens of maintenance contracts: my contracts, what each covers and until when, and the next visit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.contracts.models import ContractStatus, ContractVisit, MaintenanceContract
from aftersales.contracts.selectors import contract_next_visit
from aftersales.customers.models import Customer
from aftersales.portal.access import portal_view

# A draft is a proposal staff are still preparing; customers see signed contracts only.
SHOWN_STATUSES = (ContractStatus.ACTIVE, ContractStatus.RENEWED, ContractStatus.EXPIRED, ContractStatus.CANCELLED)


@dataclass(frozen=True)
class ContractCard:
    contract: MaintenanceContract
    next_visit: ContractVisit | None
    in_force_today: bool


def _contracts(customer: Customer) -> QuerySet[MaintenanceContract]:
    return (
        MaintenanceContract.objects.filter(customer=customer, status__in=SHOWN_STATUSES)
        .prefetch_related("units", "units__product")
        .order_by("-starts_on", "-pk")
    )


def _card(contract: MaintenanceContract) -> ContractCard:
    today = timezone.localdate()
    in_force = contract.in_force and contract.starts_on <= today <= contract.ends_on
    return ContractCard(contract, contract_next_visit(contract, today=today) if contract.in_force else None, in_force)


@portal_view
def contract_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    cards = [_card(contract) for contract in _contracts(customer)]
    return render(request, "portal/contracts.html", {"section": "contracts", "cards": cards})


@portal_view
def contract_detail(request: HttpRequest, customer: Customer, contract_id: int) -> HttpResponse:
    contract = _contracts(customer).filter(pk=contract_id).first()
    if contract is None:
        raise Http404(_("No such contract."))
    context = {
        "section": "contracts",
        "card": _card(contract),
        "visits": list(contract.visits.order_by("due_on")),
        "lines": list(contract.billing_lines.order_by("due_on", "pk")),
    }
    return render(request, "portal/contract.html", context)
