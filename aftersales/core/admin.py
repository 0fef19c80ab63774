"""Admin for staff users, departments, API tokens and the timeline (read-only where history matters)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import (
    ApiToken,
    BusinessCalendar,
    ClosedDay,
    Department,
    Notification,
    SweepRun,
    TimelineEvent,
    User,
    WorkingHours,
)


class ReadOnlyAdminMixin:
    """Show records without letting anyone add, change or delete them in the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Work"), {"fields": ("department", "language", "time_zone", "phone")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "department", "language", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "is_superuser", "groups", "department", "language")
    list_select_related = ("department",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_es")
    search_fields = ("code", "name", "name_es")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    # The digest is never shown: the prefix is enough to recognise a token.
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username", "user__email")
    list_select_related = ("user",)


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "customer", "unit", "actor")
    list_filter = ("kind",)
    search_fields = ("customer__name", "customer__email", "unit__serial")
    date_hierarchy = "occurred_at"
    list_select_related = ("customer", "unit", "unit__product", "actor")
    raw_id_fields = ("customer", "unit", "actor")


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_started_at", "last_finished_at", "last_error")


class _ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class WorkingHoursInline(_ReadOnlyInline):
    model = WorkingHours
    fields = ("weekday", "starts_at", "ends_at")


class ClosedDayInline(_ReadOnlyInline):
    model = ClosedDay
    fields = ("date", "name")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ReadOnlyAdmin):
    # Changed through the API (or the console), whose services check hours, zones and regions.
    list_display = ("name", "name_es", "time_zone", "country", "subdivision", "is_default")
    fields = ("name", "name_es", "time_zone", "country", "subdivision", "is_default", "updated_at")
    inlines = (WorkingHoursInline, ClosedDayInline)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "verb", "link", "read_at", "emailed_at")
    list_filter = ("verb",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
