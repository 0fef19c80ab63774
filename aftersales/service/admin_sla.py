"""Read-only admin for service levels: policies with their targets, escalation rules and the clocks.

They change through the API and its services (which check every field); the admin shows what is set.
"""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from aftersales.service.models import EscalationRule, SlaClock, SlaPolicy, SlaTarget


class SlaTargetInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SlaTarget
    extra = 0
    fields = ("priority", "tier", "first_response_minutes", "resolution_minutes")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin):
    list_display = ("position", "name", "name_es", "priority", "segment", "category", "calendar", "warn_percent", "active")
    list_select_related = ("segment", "category", "calendar")
    inlines = (SlaTargetInline,)


@admin.register(EscalationRule)
class EscalationRuleAdmin(ReadOnlyAdmin):
    list_display = ("position", "name", "name_es", "trigger", "metric", "tier", "priority", "queue", "active")
    list_filter = ("trigger", "metric", "active")
    list_select_related = ("queue",)


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "metric", "tier", "status", "started_at", "due_at", "warned_at", "breached_at", "stopped_at")
    list_filter = ("status", "metric", "tier")
    search_fields = ("ticket__number",)
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket", "policy", "calendar")
    date_hierarchy = "due_at"
