"""The demo company's maintenance contracts: two plans, contracts signed on units out of warranty (one ending
soon, one lapsed, one renewed), payments, the visits' work orders and a proposal for an opportunity.

Everything goes through the contract services, so contracts carry their billing lines, visits, timeline
entries and reminders as real ones do. The same seed picks the same units.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from aftersales.contracts import selectors, services
from aftersales.contracts.models import BillingPeriod, ContractPlan, RepairCover
from aftersales.core.dates import add_months
from aftersales.core.models import User
from aftersales.sales.models import Unit, UnitStatus

PLANS = [
    {
        "code": "appliance-care",
        "name": "Appliance care",
        "name_es": "Cuidado del electrodoméstico",
        "description": "A yearly check-up, answers within 8 working hours and repairs free of charge.",
        "months": 12,
        "price": Decimal("120.00"),
        "billing_period": BillingPeriod.YEARLY,
        "visit_every_months": 12,
        "response_hours": 8,
        "repair_cover": RepairCover.PARTS_AND_LABOUR,
    },
    {
        "code": "care-plus",
        "name": "Care plus",
        "name_es": "Cuidado plus",
        "description": "Two visits a year, answers within 4 working hours, labour free of charge.",
        "months": 12,
        "price": Decimal("240.00"),
        "billing_period": BillingPeriod.QUARTERLY,
        "visit_every_months": 6,
        "response_hours": 4,
        "repair_cover": RepairCover.LABOUR,
    },
]


def contracts_build(*, staff: dict[str, User], seed: int, today: dt.date) -> int:
    """Set up the plans and sign demo contracts on units out of warranty; return how many contracts exist."""
    rng = random.Random(f"contracts-{seed}")
    plans = []
    for spec in PLANS:
        plan = ContractPlan.objects.filter(code=spec["code"]).first()
        plans.append(plan or services.plan_save(actor=None, data=dict(spec)))
    rep, manager = staff["rep.ana"], staff["manager"]
    units = list(
        Unit.objects.filter(status=UnitStatus.IN_SERVICE, maintenance_contracts__isnull=True)
        .annotate(ends=selectors.standard_warranty_end_expression())
        .filter(ends__lt=today - dt.timedelta(days=31))
        .order_by("pk")[:200]
    )
    rng.shuffle(units)
    # (months before today the contract started, plan): one ends within 60 days, one started lately,
    # one ended a month ago (the lapse sweep marks it), one is renewed into its next period.
    starts = [(11, 0), (2, 1), (13, 0), (12, 1), (5, 0)]
    real_today = timezone.localdate()
    made = 0
    for (months_ago, plan_index), unit in zip(starts, units):
        starts_on = add_months(today, -months_ago)
        contract = services.contract_create(
            actor=rep, customer=unit.customer, units=[unit], starts_on=starts_on, plan=plans[plan_index], activate=True
        )
        made += 1
        for line in contract.billing_lines.filter(due_on__lte=min(today, real_today)):
            services.billing_line_record_payment(actor=manager, line=line, paid_on=min(line.due_on, real_today))
        if months_ago == 12:
            services.contract_renew(actor=rep, contract=contract)
            made += 1
    services.contracts_lapse(today=today)
    services.contract_visits_generate(today=today)
    services.contract_reminders_send(today=today)
    opportunity = selectors.contract_opportunities(rep, today=today).first()
    if opportunity is not None:
        services.contract_create(actor=rep, customer=opportunity.customer, units=[opportunity], starts_on=today, plan=plans[0])
        made += 1
    return made
