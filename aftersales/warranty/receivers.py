"""Snapshot the standard warranty terms of each unit the moment it is sold."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from aftersales.sales.models import Unit


@receiver(post_save, sender=Unit, dispatch_uid="warranty_terms_snapshot")
def unit_sold(sender: type[Unit], instance: Unit, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # Units written in bulk by the sales import send no signal; theirs are copied on first use
    # (``coverage.unit_terms``), which the import's own run precedes, so the product's terms match.
    if created and not raw:
        from aftersales.warranty.coverage import unit_terms

        unit_terms(instance)
