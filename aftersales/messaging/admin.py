"""Read-mostly admin for the outbox; templates are edited in the console, where the preview is."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import ReadOnlyAdmin as ReadOnly
from aftersales.messaging.models import Message, MessageEvent, MessageTemplate, Unsubscribe


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnly):
    list_display = (
        "code",
        "channel",
        "language",
        "purpose",
        "description",
        "description_es",
        "version",
        "updated_at",
        "updated_by",
    )
    list_filter = ("channel", "language", "purpose")
    search_fields = ("code", "subject", "description", "description_es")


class MessageEventInline(admin.TabularInline):
    model = MessageEvent
    extra = 0
    can_delete = False
    readonly_fields = ("status", "detail", "occurred_at", "actor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = (
        "id",
        "customer",
        "channel",
        "template_code",
        "purpose",
        "status",
        "suppressed_reason",
        "attempts",
        "created_at",
    )
    list_filter = ("status", "channel", "purpose", "suppressed_reason")
    search_fields = ("idempotency_key", "recipient", "subject", "provider_message_id", "customer__name")
    raw_id_fields = ("customer", "unit", "template", "assignee", "created_by")
    inlines = [MessageEventInline]


@admin.register(Unsubscribe)
class UnsubscribeAdmin(ReadOnly):
    list_display = ("customer", "channel", "created_at")
    list_filter = ("channel",)
    raw_id_fields = ("customer",)
