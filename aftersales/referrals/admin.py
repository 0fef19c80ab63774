"""Admin for referrals: read here; recorded, rejected and configured in the console, where the rules apply."""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin as ReadOnly
from aftersales.referrals.models import Referral, ReferralCode, ReferralInvitation


@admin.register(Referral)
class ReferralAdmin(ReadOnly):
    list_display = ("name", "referrer", "source", "status", "rejection_reason", "referred_on", "expires_on", "referred_customer")
    list_filter = ("status", "source", "rejection_reason")
    search_fields = ("name", "email", "phone", "referrer__name")
    raw_id_fields = ("referrer", "referred_customer", "first_sale")


@admin.register(ReferralCode)
class ReferralCodeAdmin(ReadOnly):
    list_display = ("code", "customer", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("code", "customer__name", "customer__email")


@admin.register(ReferralInvitation)
class ReferralInvitationAdmin(ReadOnly):
    list_display = ("customer", "trigger", "status", "created_at")
    list_filter = ("trigger", "status")
    search_fields = ("customer__name", "customer__email")
