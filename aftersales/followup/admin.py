"""Read-mostly admin for follow-up; playbooks are edited in the console and through the API, where they are checked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import ReadOnlyAdmin as ReadOnly
from aftersales.followup.models import Playbook, PlaybookStep, StaffTask, StaffTaskEvent, Touch


class PlaybookStepInline(admin.TabularInline):
    model = PlaybookStep
    extra = 0
    can_delete = False
    fields = (
        "position",
        "name",
        "name_es",
        "active",
        "trigger",
        "offset_days",
        "repeat_months",
        "action",
        "template_code",
        "channel",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Playbook)
class PlaybookAdmin(ReadOnly):
    list_display = ("name", "name_es", "active", "updated_at", "updated_by")
    inlines = [PlaybookStepInline]


@admin.register(Touch)
class TouchAdmin(ReadOnly):
    list_display = ("id", "step", "customer", "occurrence_key", "due_on", "status", "result", "acted_at")
    list_filter = ("status", "result", "step__playbook")
    search_fields = ("customer__name", "occurrence_key")
    raw_id_fields = ("customer", "unit", "message", "step")


class StaffTaskEventInline(admin.TabularInline):
    model = StaffTaskEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "data", "occurred_at", "actor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StaffTask)
class StaffTaskAdmin(ReadOnly):
    list_display = ("id", "kind", "title", "customer", "assignee", "due_at", "status", "outcome", "escalated_at")
    list_filter = ("kind", "status", "outcome")
    search_fields = ("title", "customer__name")
    raw_id_fields = ("customer", "unit", "assignee", "touch", "message", "parent", "created_by")
    inlines = [StaffTaskEventInline]
