"""Points for what happens below: sales recorded (one by one or by an import), refunds and completed surveys."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from aftersales.customers.models import Customer
from aftersales.feedback.signals import survey_completed
from aftersales.loyalty.models import EarnReason
from aftersales.loyalty.services import points_award, programme_get
from aftersales.loyalty.services.earning import purchase_points_award, purchases_catch_up
from aftersales.loyalty.services.refunds import refund_points_take_back
from aftersales.loyalty.services.tiers import tier_recompute
from aftersales.sales.signals import sales_recorded
from aftersales.warranty.signals import return_refunded

logger = logging.getLogger(__name__)


@receiver(sales_recorded, dispatch_uid="aftersales.loyalty.sales_recorded")
def sales_earn(sender: Any, sale_ids: list[int] | None, **kwargs: Any) -> None:
    """Move the buyer's tier, then credit the sale's points; after an import, catch up set-based."""
    if sale_ids is None:
        try:
            purchases_catch_up()
        except Exception:
            # The sweep catches up later; the import itself is done.
            logger.exception("Could not credit the points of imported sales")
        return
    for sale_id in sale_ids:
        try:
            customer = Customer.objects.filter(sales__pk=sale_id).first()
            if customer is not None:
                tier_recompute(customer=customer)
            purchase_points_award(sale_id=sale_id)
        except Exception:
            logger.exception("Could not credit the points of sale %s", sale_id)


@receiver(return_refunded, dispatch_uid="aftersales.loyalty.return_refunded")
def refund_take_back(sender: Any, return_id: int, customer_id: int, **kwargs: Any) -> None:
    """Take back the points the refunded money earned, then move the customer's tier by their spend net of it."""
    try:
        refund_points_take_back(return_id=return_id)
    except Exception:
        # The hourly purchases sweep takes them back later.
        logger.exception("Could not take back the points of return %s", return_id)
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return
    try:
        tier_recompute(customer=customer)
    except Exception:
        # The nightly tiers sweep moves the customer later.
        logger.exception("Could not recompute the tier of customer %s after return %s", customer_id, return_id)


@receiver(survey_completed, dispatch_uid="aftersales.loyalty.survey_completed")
def survey_bonus(sender: Any, response_id: int, customer_id: int, invitation_id: int | None = None, **kwargs: Any) -> None:
    """Give the programme's bonus for a completed survey, once per response."""
    programme = programme_get()
    if not programme.active or not programme.survey_bonus:
        return
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return
    try:
        points_award(
            actor=None,
            customer=customer,
            points=programme.survey_bonus,
            reason=EarnReason.SURVEY,
            source_ref=f"response:{response_id}",
            idempotency_key=f"survey:{response_id}",
        )
    except Exception:
        logger.exception("Could not give the survey bonus for response %s", response_id)
