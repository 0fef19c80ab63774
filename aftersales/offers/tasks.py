"""Background tasks of vouchers and offers: they take ids and call one service."""

from __future__ import annotations

from django_tasks import task

from aftersales.offers.services import offer_deliver


@task()
def send_offer(offer_id: int) -> dict[str, int]:
    """Queue an offer's messages to its whole audience, batch by batch."""
    return offer_deliver(offer_id=offer_id)
