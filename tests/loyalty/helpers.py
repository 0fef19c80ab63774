"""Small helpers of the loyalty tests."""

from __future__ import annotations

from django.db.models import Sum

from aftersales.loyalty.models import PointsAccount, PointsAllocation, PointsEntry


def ledger_sum(customer) -> int:
    return PointsEntry.objects.filter(customer=customer).aggregate(total=Sum("points"))["total"] or 0


def account_balance(customer) -> int:
    return PointsAccount.objects.filter(customer=customer).values_list("balance", flat=True).first() or 0


def left_of(entry) -> int:
    used = PointsAllocation.objects.filter(credit=entry).aggregate(total=Sum("points"))["total"] or 0
    return entry.points - used
