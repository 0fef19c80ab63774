"""Referrals answer sales (attribution of first purchases) and feedback (invitations for promoters)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.feedback.signals import promoter_answered
from aftersales.referrals.models import InvitationTrigger
from aftersales.referrals.services import referral_invite, referrals_attribute_sales, referrals_catch_up
from aftersales.sales.signals import sales_recorded

logger = logging.getLogger(__name__)


@receiver(sales_recorded, dispatch_uid="aftersales.referrals.sales_recorded")
def sales_recorded_attribute(sender: Any, sale_ids: list[int] | None, **kwargs: Any) -> None:
    """Convert the referrals whose friend just made a first purchase (set-based after an import)."""
    try:
        if sale_ids is None:
            referrals_catch_up()
        else:
            referrals_attribute_sales(sale_ids=list(sale_ids))
    except Exception:
        # The sale is recorded whatever happens here; the catch-up sweep attributes it later.
        logger.exception("Could not attribute referrals for sales %s", sale_ids)


@receiver(promoter_answered, dispatch_uid="aftersales.referrals.promoter_answered")
def promoter_invite(sender: Any, response_id: int, customer_id: int, invitation_id: Any = None, **kwargs: Any) -> None:
    """Invite a promoter (NPS 9–10) to refer a friend, unless they were invited within the cool-down."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return
    try:
        referral_invite(
            actor=None, customer=customer, trigger=InvitationTrigger.PROMOTER, idempotency_key=f"promoter:response:{response_id}"
        )
    except (Conflict, ValidationFailed) as refused:
        # Cool-down, programme off, no purchase yet or no address: nothing to send this time.
        logger.info("No referral invitation for customer %s: %s", customer_id, refused)
    except Exception:
        logger.exception("Could not invite customer %s to refer a friend", customer_id)
