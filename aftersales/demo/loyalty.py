"""The demo company's loyalty programme: settings, three tiers, an earn rule, points for every sale since the
start, a few lapsed points, redemptions into vouchers and onto a sale, and a manual adjustment.

Everything goes through the loyalty services, so the ledger, balances and timeline are what real use writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from aftersales.catalog.models import Category
from aftersales.core.errors import ValidationFailed
from aftersales.core.models import User
from aftersales.loyalty.models import PointsAccount, Tier
from aftersales.loyalty.services import points_adjust, points_expire, points_redeem_sale, points_redeem_voucher
from aftersales.loyalty.services.earning import purchases_catch_up
from aftersales.loyalty.services.setup import earn_rule_save, programme_update, tier_save
from aftersales.loyalty.services.tiers import tiers_recompute
from aftersales.sales.models import Sale

TIERS = [
    {"code": "silver", "name": "Silver", "name_es": "Plata", "min_spend": Decimal("1000"), "multiplier": Decimal("1.25")},
    {
        "code": "gold",
        "name": "Gold",
        "name_es": "Oro",
        "min_spend": Decimal("2500"),
        "multiplier": Decimal("1.5"),
        "first_response_hours": 4,
        "resolution_hours": 24,
        "free_visits_per_year": 1,
    },
    {
        "code": "platinum",
        "name": "Platinum",
        "name_es": "Platino",
        "min_spend": Decimal("6000"),
        "multiplier": Decimal("2"),
        "first_response_hours": 2,
        "resolution_hours": 16,
        "free_visits_per_year": 2,
    },
]


def loyalty_build(*, staff: dict[str, User], today: dt.date) -> int:
    """Set up and run the demo programme; return how many members it has."""
    manager = staff.get("manager")
    programme_update(
        actor=manager,
        data={
            "active": True,
            "starts_on": today.replace(year=today.year - 2, month=1, day=1),
            "points_per_unit": Decimal("1"),
            "point_value": Decimal("0.05"),
            "min_redemption": 100,
            "expiry_months": 24,
            "survey_bonus": 50,
        },
    )
    for spec in TIERS:
        if not Tier.objects.filter(code=spec["code"]).exists():
            tier_save(actor=manager, data=dict(spec))
    category = Category.objects.filter(parent__isnull=True).order_by("slug").first()
    if category is not None and not category.loyalty_earn_rules.exists():
        earn_rule_save(
            actor=manager, data={"category_id": category.pk, "multiplier": Decimal("2"), "extra_per_unit": Decimal("0")}
        )
    tiers_recompute(today=today, notify=False)
    purchases_catch_up()
    points_expire(today=today)
    accounts = list(PointsAccount.objects.filter(balance__gte=300).select_related("customer").order_by("-balance", "pk")[:4])
    for number, account in enumerate(accounts):
        customer = account.customer
        try:
            if number % 2 == 0:
                points_redeem_voucher(actor=None, customer=customer, points=200, idempotency_key=f"demo-voucher:{customer.pk}")
            else:
                sale = Sale.objects.filter(customer=customer, total__gte=Decimal("10")).order_by("-sold_on").first()
                if sale is not None:
                    key = f"demo-sale:{customer.pk}"
                    points_redeem_sale(actor=staff.get("rep.ana"), customer=customer, sale=sale, points=200, idempotency_key=key)
        except ValidationFailed:
            # A demo built for a past day may find these points already lapsed by the clock's today.
            continue
    if accounts:
        points_adjust(
            actor=manager,
            customer=accounts[-1].customer,
            points=150,
            note="Goodwill after a late delivery",
            idempotency_key=f"demo-adjust:{accounts[-1].customer_id}",
        )
    return PointsAccount.objects.count()
