"""Entries earned by what happens in lower capabilities: purchases, answered surveys, converted referrals.

Every receiver is idempotent: entries are unique per (contest, source, reference, n).
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from aftersales.contests.services import entries_catch_up, entries_for_referral, entries_for_sales, entries_for_survey
from aftersales.feedback.signals import survey_completed
from aftersales.referrals.signals import referral_converted
from aftersales.sales.signals import sales_recorded

logger = logging.getLogger(__name__)


@receiver(sales_recorded, dispatch_uid="aftersales.contests.sales_recorded")
def sales_recorded_entries(sender: Any, sale_ids: list[int] | None = None, **kwargs: Any) -> None:
    try:
        if sale_ids is None:
            entries_catch_up()
        else:
            entries_for_sales(sale_ids=list(sale_ids))
    except Exception:
        # The sale stands whatever happens here; the tick's catch-up sweep gives the entries later.
        logger.exception("Could not give contest entries for sales %s", sale_ids)


@receiver(survey_completed, dispatch_uid="aftersales.contests.survey_completed")
def survey_completed_entries(sender: Any, response_id: int, customer_id: int, **kwargs: Any) -> None:
    from aftersales.feedback.models import Response

    answered_at = Response.objects.filter(pk=response_id).values_list("answered_at", flat=True).first()
    try:
        entries_for_survey(response_id=response_id, customer_id=customer_id, answered_at=answered_at)
    except Exception:
        logger.exception("Could not give contest entries for survey response %s", response_id)


@receiver(referral_converted, dispatch_uid="aftersales.contests.referral_converted")
def referral_converted_entries(sender: Any, referral_id: int, referrer_id: int, **kwargs: Any) -> None:
    try:
        entries_for_referral(referral_id=referral_id, referrer_id=referrer_id)
    except Exception:
        logger.exception("Could not give contest entries for referral %s", referral_id)
