"""Reads of referrals: lists with filters, a customer's referrals, and the funnel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from aftersales.core.permissions import is_staff_member
from aftersales.referrals.models import (
    InvitationStatus,
    Referral,
    ReferralInvitation,
    ReferralLinkView,
    ReferralStatus,
    RejectionReason,
)


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    """Return the referrals a user may see: all for staff with the permission, their own for a portal customer."""
    base = Referral.objects.select_related("referrer", "referred_customer", "first_sale")
    if is_staff_member(user):
        return base if user.has_perm("referrals.view_referral") else base.none()
    if user is not None and user.is_authenticated and user.is_active:
        return base.filter(referrer__user=user)
    return base.none()


def referrals_filtered(
    queryset: QuerySet[Referral],
    *,
    status: str = "",
    source: str = "",
    reason: str = "",
    referrer_id: int | None = None,
    text: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Referral]:
    """Narrow a list of referrals by status, source, rejection reason, referrer, text and recording day."""
    if status:
        queryset = queryset.filter(status=status)
    if source:
        queryset = queryset.filter(source=source)
    if reason:
        queryset = queryset.filter(rejection_reason=reason)
    if referrer_id is not None:
        queryset = queryset.filter(referrer_id=referrer_id)
    if text.strip():
        words = text.strip()
        queryset = queryset.filter(
            Q(name__icontains=words)
            | Q(email__icontains=words.lower())
            | Q(phone__contains=words)
            | Q(referrer__name__icontains=words)
        )
    if since is not None:
        queryset = queryset.filter(referred_on__gte=since)
    if until is not None:
        queryset = queryset.filter(referred_on__lte=until)
    return queryset.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class Funnel:
    """The referral funnel over a period: each step's count, and rejections by reason."""

    since: dt.date
    until: dt.date
    invitations_sent: int
    links_opened: int
    prospects: int
    converted: int
    rewarded: int
    expired: int
    rejected: int
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    def rate(self, part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def conversion_rate(self) -> float | None:
        """Converted friends per hundred accepted prospects."""
        return self.rate(self.converted, self.prospects)


def _moments(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    return start, end


def referral_funnel(*, since: dt.date | None = None, until: dt.date | None = None) -> Funnel:
    """Return the funnel of a period (the last 90 days by default).

    Invitations and link openings count in the period they happened; prospects are the friends recorded in
    it and not rejected; converted and rewarded count the conversions and rewards of the period.
    """
    until = until or timezone.localdate()
    since = since or until - dt.timedelta(days=89)
    start, end = _moments(since, until)
    invitations = ReferralInvitation.objects.filter(
        status=InvitationStatus.SENT, created_at__gte=start, created_at__lt=end
    ).count()
    opened = ReferralLinkView.objects.filter(day__gte=since, day__lte=until).aggregate(total=Sum("count"))["total"] or 0
    recorded = Referral.objects.filter(referred_on__gte=since, referred_on__lte=until)
    figures = recorded.aggregate(
        prospects=Count("pk", filter=~Q(status=ReferralStatus.REJECTED)),
        rejected=Count("pk", filter=Q(status=ReferralStatus.REJECTED)),
        expired=Count("pk", filter=Q(status=ReferralStatus.EXPIRED)),
    )
    by_reason = {
        row["rejection_reason"]: row["count"]
        for row in recorded.filter(status=ReferralStatus.REJECTED).values("rejection_reason").annotate(count=Count("pk"))
    }
    converted = Referral.objects.filter(converted_at__gte=start, converted_at__lt=end).count()
    rewarded = Referral.objects.filter(rewarded_at__gte=start, rewarded_at__lt=end).count()
    return Funnel(
        since=since,
        until=until,
        invitations_sent=invitations,
        links_opened=opened,
        prospects=figures["prospects"],
        converted=converted,
        rewarded=rewarded,
        expired=figures["expired"],
        rejected=figures["rejected"],
        rejected_by_reason={reason: by_reason.get(reason, 0) for reason in RejectionReason.values if reason},
    )


def customer_referral_summary(*, customer_id: int) -> dict[str, Any]:
    """Return a customer's referral figures: friends referred, converted, points and vouchers earned."""
    mine = Referral.objects.filter(referrer_id=customer_id)
    figures = mine.aggregate(
        referred=Count("pk", filter=~Q(status=ReferralStatus.REJECTED)),
        converted=Count("pk", filter=Q(status__in=[ReferralStatus.CONVERTED, ReferralStatus.REWARDED])),
        points=Sum("referrer_points"),
    )
    figures["points"] = figures["points"] or 0
    figures["vouchers"] = list(mine.exclude(referrer_voucher="").values_list("referrer_voucher", flat=True))
    return figures
