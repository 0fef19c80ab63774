"""Read-mostly admin for the service desk; tickets are worked in the console, setup through the console and API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import ReadOnlyAdmin as ReadOnly
from aftersales.service.mail_in import inbound_retry
from aftersales.service.mailboxes import mailbox_create, mailbox_errors, mailbox_update
from aftersales.service.models import (
    AgentProfile,
    AgentShift,
    Callback,
    CannedReply,
    DeliveryStatus,
    InboundMail,
    InboundOutcome,
    Macro,
    Mailbox,
    OutgoingMail,
    Queue,
    RoutingRule,
    Ticket,
    TicketEvent,
    TicketMessage,
    WebhookDelivery,
    WebhookEndpoint,
)
from aftersales.service.webhooks import webhook_delivery_retry


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TicketMessageInline(_ReadOnlyInline):
    model = TicketMessage
    fields = ("created_at", "visibility", "channel", "author_user", "author_customer", "body")


class TicketEventInline(_ReadOnlyInline):
    model = TicketEvent
    fields = ("at", "kind", "actor", "data")


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = ("number", "subject", "customer", "kind", "status", "priority", "queue", "assignee", "created_at")
    list_filter = ("status", "priority", "kind", "channel", "queue", "is_repeat")
    search_fields = ("=number", "subject", "customer__name", "customer__email")
    raw_id_fields = ("customer", "unit", "assignee", "repeat_of", "merged_into", "created_by")
    inlines = [TicketMessageInline, TicketEventInline]


@admin.register(Queue)
class QueueAdmin(ReadOnly):
    list_display = ("name", "name_es", "department", "assignment_mode", "email_address", "is_default", "active")
    list_filter = ("department", "assignment_mode", "active")


@admin.register(RoutingRule)
class RoutingRuleAdmin(ReadOnly):
    list_display = ("position", "name", "kind", "category", "channel", "language", "queue", "priority", "active")
    list_filter = ("active", "queue")


@admin.register(CannedReply)
class CannedReplyAdmin(ReadOnly):
    list_display = ("title", "active", "updated_at")
    search_fields = ("title", "body_en", "body_es")


@admin.register(Macro)
class MacroAdmin(ReadOnly):
    list_display = ("name", "status", "priority", "queue", "assignee", "canned_reply", "active")


@admin.register(Callback)
class CallbackAdmin(ReadOnly):
    list_display = ("ticket", "assignee", "due_at", "done_at")
    list_filter = ("done_at",)
    raw_id_fields = ("ticket", "assignee", "created_by")


@admin.register(AgentShift)
class AgentShiftAdmin(ReadOnly):
    list_display = ("user", "weekday", "starts_at", "ends_at")
    list_filter = ("weekday",)


@admin.register(AgentProfile)
class AgentProfileAdmin(ReadOnly):
    list_display = ("user", "languages", "available")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly):
    list_display = ("url", "events", "active", "created_at")
    # The secret was shown once, when the endpoint was created; the admin never shows it.
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly):
    list_display = ("id", "endpoint", "event", "ticket", "status", "attempts", "response_status", "next_attempt_at", "created_at")
    list_filter = ("status", "event", "endpoint")
    raw_id_fields = ("endpoint", "ticket")
    actions = ["send_again"]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("service.change_webhookendpoint"))

    @admin.action(description=_("Send the failed deliveries again"), permissions=["retry"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        failed = list(queryset.filter(status=DeliveryStatus.FAILED))
        for delivery in failed:
            webhook_delivery_retry(actor=request.user, delivery=delivery)  # type: ignore[arg-type]
        self.message_user(request, _("%(count)s deliveries queued again.") % {"count": len(failed)}, messages.SUCCESS)


class MailboxForm(forms.ModelForm):
    class Meta:
        model = Mailbox
        fields = ("queue", "host", "port", "security", "ssl_verify", "username", "password_variable", "folder", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The same rules as the API: the service checks a copy, the admin shows its reasons by field.
        for error in mailbox_errors(instance=self.instance, data=data):
            field = "queue" if error.field == "queue_id" else error.field
            self.add_error(field if field in self.fields else None, str(error.reason))
        return data


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("__str__", "queue", "security", "active", "last_checked_at", "last_error")
    list_filter = ("active", "queue")
    readonly_fields = ("uid_validity", "last_uid", "last_checked_at", "last_error")

    def save_model(self, request: HttpRequest, obj: Mailbox, form: forms.ModelForm, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in MailboxForm.Meta.fields}
        if change:
            mailbox_update(actor=request.user, mailbox=obj, data=data)  # type: ignore[arg-type]
        else:
            form.instance = mailbox_create(actor=request.user, data=data)  # type: ignore[arg-type]
            obj.pk = form.instance.pk


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnly):
    list_display = ("received_at", "sender", "subject", "source", "outcome", "reason", "ticket")
    list_filter = ("outcome", "source", "mailbox")
    search_fields = ("sender", "subject", "message_id")
    raw_id_fields = ("ticket", "ticket_message", "bounced_message", "mailbox", "queue")
    actions = ["take_in_again"]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("service.change_inboundmail"))

    @admin.action(description=_("Take the failed emails in again"), permissions=["retry"])
    def take_in_again(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        retried = [inbound_retry(inbound=inbound) for inbound in queryset.filter(outcome=InboundOutcome.FAILED)]
        done = sum(1 for inbound in retried if inbound.outcome != InboundOutcome.FAILED)
        self.message_user(request, _("%(count)s emails taken in.") % {"count": done}, messages.SUCCESS)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnly):
    list_display = ("created_at", "ticket", "kind", "message_id", "outbox")
    list_filter = ("kind",)
    raw_id_fields = ("ticket", "ticket_message", "outbox")
