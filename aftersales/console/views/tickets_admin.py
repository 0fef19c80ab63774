"""Service desk setup for managers and administrators: queues, routing rules, canned replies, macros, webhooks.

Each kind of record gets the same four screens (list, new, edit, delete) from one :class:`Setup`
description, so they look and behave alike; the services do the checking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.console.access import forbidden, staff_view
from aftersales.console.forms import errors_attach
from aftersales.console.forms_setup import (
    CalendarForm,
    CannedReplyForm,
    EscalationRuleForm,
    MacroSetupForm,
    MailboxForm,
    QueueForm,
    RoutingRuleForm,
    SlaPolicyForm,
    WebhookForm,
)
from aftersales.console.views.common import page_of
from aftersales.core.calendars import (
    calendar_closed_dates,
    calendar_create,
    calendar_delete,
    calendar_update,
    closed_day_add,
    closed_day_remove,
)
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.models import BusinessCalendar, Language
from aftersales.service.mail_in import mailbox_check, mailbox_password_found
from aftersales.service.mailboxes import mailbox_create, mailbox_delete, mailbox_update
from aftersales.service.models import (
    CannedReply,
    EscalationRule,
    Macro,
    Mailbox,
    Queue,
    RoutingRule,
    SlaPolicy,
    WebhookDelivery,
    WebhookEndpoint,
)
from aftersales.service.services import (
    canned_reply_create,
    canned_reply_delete,
    canned_reply_update,
    macro_create,
    macro_delete,
    macro_update,
    queue_create,
    queue_delete,
    queue_update,
    routing_rule_create,
    routing_rule_delete,
    routing_rule_update,
)
from aftersales.service.sla_setup import (
    escalation_rule_create,
    escalation_rule_delete,
    escalation_rule_update,
    sla_policy_create,
    sla_policy_delete,
    sla_policy_update,
)
from aftersales.service.webhooks import (
    webhook_deliveries_of,
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)

CONFIGURE = "service.configure_service"

Cell = Callable[[Any], Any]


@dataclass(frozen=True)
class Setup:
    """How one kind of record is listed, edited and deleted in the setup screens."""

    slug: str
    title: str | Promise
    model: type[Model]
    form: type[forms.Form]
    columns: Sequence[tuple[str | Promise, Cell]]
    queryset: Callable[[], QuerySet[Any]]
    # Each returns the saved record and, for webhooks, the secret to show this once.
    create: Callable[[Any, dict[str, Any]], tuple[Any, str]]
    update: Callable[[Any, Any, dict[str, Any]], Any]
    delete: Callable[[Any, Any], None]
    initial: Callable[[Any], dict[str, Any]]
    # Extra context of the edit page (the webhook's delivery log) and the template that shows it.
    extra_context: Callable[[HttpRequest, Any], dict[str, Any]] | None = None
    extra_template: str = ""
    help: str | Promise = ""
    perms: tuple[str, ...] = field(default_factory=tuple)

    def perm(self, action: str) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.{action}_{meta.model_name}"


def _yes(value: Any) -> str | Promise:
    return _("Yes") if value else _("No")


def _values(initial: dict[str, Any]) -> Callable[[Any], dict[str, Any]]:
    return lambda record: {name: getter(record) for name, getter in initial.items()}


def _name(record: Any) -> str:
    """Return a record's name in the reader's language."""
    return str(record.display_name(get_language() or Language.ENGLISH))


def _display(record: Any, name: str) -> Any:
    return getattr(record, f"get_{name}_display")() or _("any")


# What a canned reply may use (``canned_context`` fills them; a test keeps the two lists equal).
CANNED_VARIABLES = [
    ("customer_name", _("The customer's full name")),
    ("customer_first_name", _("The customer's first name")),
    ("ticket_reference", _("The ticket's reference, e.g. #123")),
    ("ticket_subject", _("The ticket's subject")),
    ("queue_name", _("The ticket's queue")),
    ("agent_name", _("Your full name")),
    ("agent_first_name", _("Your first name")),
    ("unit_serial", _("The serial number of the ticket's unit")),
    ("product_name", _("The product of the ticket's unit, in the customer's language")),
]

SETUPS: dict[str, Setup] = {}


def _register(setup: Setup) -> Setup:
    SETUPS[setup.slug] = setup
    return setup


_register(
    Setup(
        slug="queues",
        title=_("Queues"),
        model=Queue,
        form=QueueForm,
        columns=[
            (_("Name"), _name),
            (_("Department"), lambda queue: _name(queue.department)),
            (_("Languages"), lambda queue: ", ".join(code.upper() for code in queue.languages) or _("any")),
            (_("Assignment"), lambda queue: queue.get_assignment_mode_display()),
            (_("Mailbox"), lambda queue: queue.email_address or "—"),
            (_("Default"), lambda queue: _yes(queue.is_default)),
            (_("Active"), lambda queue: _yes(queue.active)),
        ],
        queryset=lambda: Queue.objects.select_related("department").order_by("name"),
        create=lambda actor, data: (queue_create(actor=actor, data=data), ""),
        update=lambda actor, queue, data: queue_update(actor=actor, queue=queue, data=data),
        delete=lambda actor, queue: queue_delete(actor=actor, queue=queue),
        initial=_values(
            {
                "name": lambda queue: queue.name,
                "name_es": lambda queue: queue.name_es,
                "department": lambda queue: queue.department_id,
                "languages": lambda queue: queue.languages,
                "assignment_mode": lambda queue: queue.assignment_mode,
                "email_address": lambda queue: queue.email_address,
                "is_default": lambda queue: queue.is_default,
                "active": lambda queue: queue.active,
            }
        ),
        help=_("A queue belongs to a department, whose agents get its tickets. Tickets no rule matches go to the default queue."),
    )
)
_register(
    Setup(
        slug="rules",
        title=_("Routing rules"),
        model=RoutingRule,
        form=RoutingRuleForm,
        columns=[
            (_("Position"), lambda rule: rule.position),
            (_("Name"), lambda rule: rule.name),
            (_("Kind"), lambda rule: _display(rule, "kind")),
            (_("Product category"), lambda rule: rule.category.name if rule.category else _("any")),
            (_("Channel"), lambda rule: _display(rule, "channel")),
            (_("Language"), lambda rule: _display(rule, "language")),
            (_("Queue"), lambda rule: _name(rule.queue)),
            (_("Set priority"), lambda rule: rule.get_priority_display() or "—"),
            (_("Active"), lambda rule: _yes(rule.active)),
        ],
        queryset=lambda: RoutingRule.objects.select_related("queue", "category").order_by("position", "id"),
        create=lambda actor, data: (routing_rule_create(actor=actor, data=data), ""),
        update=lambda actor, rule, data: routing_rule_update(actor=actor, rule=rule, data=data),
        delete=lambda actor, rule: routing_rule_delete(actor=actor, rule=rule),
        initial=_values(
            {
                "name": lambda rule: rule.name,
                "position": lambda rule: rule.position,
                "kind": lambda rule: rule.kind,
                "category": lambda rule: rule.category_id,
                "channel": lambda rule: rule.channel,
                "language": lambda rule: rule.language,
                "queue": lambda rule: rule.queue_id,
                "priority": lambda rule: rule.priority,
                "active": lambda rule: rule.active,
            }
        ),
        help=_(
            "A new ticket goes to the queue of the first active rule that matches, by position. A blank condition matches all."
        ),
    )
)
_register(
    Setup(
        slug="canned",
        title=_("Canned replies"),
        model=CannedReply,
        form=CannedReplyForm,
        columns=[
            (_("Title"), lambda reply: reply.title),
            (_("English"), lambda reply: reply.body_en[:80]),
            (_("Spanish"), lambda reply: reply.body_es[:80] or "—"),
            (_("Active"), lambda reply: _yes(reply.active)),
        ],
        queryset=lambda: CannedReply.objects.order_by("title"),
        create=lambda actor, data: (canned_reply_create(actor=actor, data=data), ""),
        update=lambda actor, reply, data: canned_reply_update(actor=actor, canned_reply=reply, data=data),
        delete=lambda actor, reply: canned_reply_delete(actor=actor, canned_reply=reply),
        initial=_values(
            {
                "title": lambda reply: reply.title,
                "body_en": lambda reply: reply.body_en,
                "body_es": lambda reply: reply.body_es,
                "active": lambda reply: reply.active,
            }
        ),
        extra_context=lambda request, reply: {"variables": CANNED_VARIABLES},
        extra_template="console/_variables.html",
        help=_(
            "Agents insert these in the reply box; the customer gets the text in their language with the variables filled in."
        ),
    )
)
_register(
    Setup(
        slug="macros",
        title=_("Macros"),
        model=Macro,
        form=MacroSetupForm,
        columns=[
            (_("Name"), lambda macro: macro.name),
            (_("Set status"), lambda macro: macro.get_status_display() or "—"),
            (_("Set priority"), lambda macro: macro.get_priority_display() or "—"),
            (_("Move to queue"), lambda macro: _name(macro.queue) if macro.queue else "—"),
            (_("Reply with"), lambda macro: macro.canned_reply.title if macro.canned_reply else "—"),
            (_("Active"), lambda macro: _yes(macro.active)),
        ],
        queryset=lambda: Macro.objects.select_related("queue", "canned_reply", "assignee").order_by("name"),
        create=lambda actor, data: (macro_create(actor=actor, data=data), ""),
        update=lambda actor, macro, data: macro_update(actor=actor, macro=macro, data=data),
        delete=lambda actor, macro: macro_delete(actor=actor, macro=macro),
        initial=_values(
            {
                "name": lambda macro: macro.name,
                "status": lambda macro: macro.status,
                "priority": lambda macro: macro.priority,
                "queue": lambda macro: macro.queue_id,
                "assignee": lambda macro: macro.assignee_id,
                "tags": lambda macro: ", ".join(macro.tags.values_list("name", flat=True)),
                "canned_reply": lambda macro: macro.canned_reply_id,
                "active": lambda macro: macro.active,
            }
        ),
        help=_("A macro changes several fields of a ticket and can reply with a canned reply, in one click."),
    )
)


def _webhook_log(request: HttpRequest, endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"deliveries": page_of(request, webhook_deliveries_of([endpoint.pk]))}


_register(
    Setup(
        slug="webhooks",
        title=_("Webhooks"),
        model=WebhookEndpoint,
        form=WebhookForm,
        columns=[
            (_("URL"), lambda endpoint: endpoint.url),
            (_("Description"), lambda endpoint: endpoint.description or "—"),
            (_("Events"), lambda endpoint: ", ".join(endpoint.events) or _("all")),
            (_("Active"), lambda endpoint: _yes(endpoint.active)),
        ],
        queryset=lambda: WebhookEndpoint.objects.order_by("url", "id"),
        create=lambda actor, data: webhook_endpoint_create(actor=actor, data=data),
        update=lambda actor, endpoint, data: webhook_endpoint_update(actor=actor, endpoint=endpoint, data=data),
        delete=lambda actor, endpoint: webhook_endpoint_delete(actor=actor, endpoint=endpoint),
        initial=_values(
            {
                "url": lambda endpoint: endpoint.url,
                "description": lambda endpoint: endpoint.description,
                "events": lambda endpoint: endpoint.events,
                "active": lambda endpoint: endpoint.active,
            }
        ),
        extra_context=_webhook_log,
        extra_template="console/tickets/setup/_deliveries.html",
        help=_(
            "Other systems hear about tickets opened, changed and resolved. Each delivery is signed with the endpoint's secret."
        ),
    )
)


# --- service levels -------------------------------------------------------------------------------


def _without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name not in names}


def _minutes_text(minutes: int | None) -> str:
    if not minutes:
        return "—"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _targets_summary(policy: SlaPolicy) -> str:
    anything = _("any")
    rows = [
        f"{target.get_priority_display() or anything} L{target.tier}: "
        f"{_minutes_text(target.first_response_minutes)} / {_minutes_text(target.resolution_minutes)}"
        for target in policy.targets.all()
    ]
    return "; ".join(rows)


_register(
    Setup(
        slug="sla",
        title=_("SLA policies"),
        model=SlaPolicy,
        form=SlaPolicyForm,
        columns=[
            (_("Position"), lambda policy: policy.position),
            (_("Name"), _name),
            (_("Priority"), lambda policy: _display(policy, "priority")),
            (_("Customer segment"), lambda policy: policy.segment.name if policy.segment else _("any")),
            (_("Product category"), lambda policy: _name(policy.category) if policy.category else _("any")),
            (_("Calendar"), lambda policy: _name(policy.calendar) if policy.calendar else _("default")),
            (_("Targets (first response / resolution)"), _targets_summary),
            (_("Active"), lambda policy: _yes(policy.active)),
        ],
        queryset=lambda: (
            SlaPolicy.objects.select_related("segment", "category", "calendar")
            .prefetch_related("targets")
            .order_by("position", "id")
        ),
        create=lambda actor, data: (sla_policy_create(actor=actor, data=_without(data, "targets"), targets=data["targets"]), ""),
        update=lambda actor, policy, data: sla_policy_update(
            actor=actor, policy=policy, data=_without(data, "targets"), targets=data["targets"]
        ),
        delete=lambda actor, policy: sla_policy_delete(actor=actor, policy=policy),
        initial=SlaPolicyForm.initial_of,
        help=_("A ticket gets the targets of the first active policy that matches it, counted in its calendar's working time."),
    )
)


@transaction.atomic
def _calendar_save(actor: Any, calendar: BusinessCalendar | None, data: dict[str, Any]) -> BusinessCalendar:
    """Create or change a calendar, then make its company closed days the ones listed."""
    fields = _without(data, "hours", "closed")
    if calendar is None:
        calendar = calendar_create(actor=actor, data=fields, hours=data["hours"])
    else:
        calendar = calendar_update(actor=actor, calendar=calendar, data=fields, hours=data["hours"])
    wanted: dict[Any, str] = data["closed"]
    for closed in calendar.closed_days.all():
        if wanted.get(closed.date) != closed.name:
            closed_day_remove(actor=actor, closed_day=closed)
    kept = set(calendar.closed_days.values_list("date", flat=True))
    for date, name in sorted(wanted.items()):
        if date not in kept:
            closed_day_add(actor=actor, calendar=calendar, date=date, name=name)
    return calendar


def _calendar_days(request: HttpRequest, calendar: BusinessCalendar) -> dict[str, Any]:
    year = timezone.localdate().year
    return {"closed_year": year, "closed_dates": calendar_closed_dates(calendar=calendar, year=year)}


_register(
    Setup(
        slug="calendars",
        title=_("Business calendars"),
        model=BusinessCalendar,
        form=CalendarForm,
        columns=[
            (_("Name"), _name),
            (_("Time zone"), lambda calendar: calendar.time_zone),
            (_("Public holidays"), lambda calendar: "-".join(filter(None, [calendar.country, calendar.subdivision])) or "—"),
            (_("Default"), lambda calendar: _yes(calendar.is_default)),
        ],
        queryset=lambda: BusinessCalendar.objects.prefetch_related("hours", "closed_days").order_by("name"),
        create=lambda actor, data: (_calendar_save(actor, None, data), ""),
        update=lambda actor, calendar, data: _calendar_save(actor, calendar, data),
        delete=lambda actor, calendar: calendar_delete(actor=actor, calendar=calendar),
        initial=CalendarForm.initial_of,
        extra_context=_calendar_days,
        extra_template="console/tickets/setup/_closed_dates.html",
        help=_(
            "Weekly working hours in a time zone, public holidays and company closed days: service targets count only this time."
        ),
    )
)
_register(
    Setup(
        slug="escalation",
        title=_("Escalation rules"),
        model=EscalationRule,
        form=EscalationRuleForm,
        columns=[
            (_("Position"), lambda rule: rule.position),
            (_("Name"), _name),
            (_("On"), lambda rule: rule.get_trigger_display()),
            (_("Target"), lambda rule: _display(rule, "metric")),
            (_("Level"), lambda rule: rule.get_tier_display() or _("any")),
            (_("Active"), lambda rule: _yes(rule.active)),
        ],
        queryset=lambda: EscalationRule.objects.select_related("queue", "move_to_queue", "assign_to").order_by("position", "id"),
        create=lambda actor, data: (escalation_rule_create(actor=actor, data=data), ""),
        update=lambda actor, rule, data: escalation_rule_update(actor=actor, rule=rule, data=data),
        delete=lambda actor, rule: escalation_rule_delete(actor=actor, rule=rule),
        initial=lambda rule: {
            name: getattr(rule, f"{name}_id" if name in ("queue", "move_to_queue", "assign_to") else name)
            for name in EscalationRuleForm.base_fields
        },
        help=_("When a target is close or missed: move, reassign, raise the priority, escalate to level 2, tell people."),
    )
)


def _mailbox_status(request: HttpRequest, mailbox: Mailbox) -> dict[str, Any]:
    # Whether the named variable holds a password, never the password itself.
    return {"mailbox": mailbox, "password_found": mailbox_password_found(mailbox)}


_register(
    Setup(
        slug="mailboxes",
        title=_("Mailboxes"),
        model=Mailbox,
        form=MailboxForm,
        columns=[
            (_("Mailbox"), lambda mailbox: str(mailbox)),
            (_("Queue"), lambda mailbox: _name(mailbox.queue)),
            (_("Security"), lambda mailbox: mailbox.get_security_display()),
            (_("Last checked"), lambda mailbox: _when(mailbox.last_checked_at)),
            (_("Last error"), lambda mailbox: mailbox.last_error[:80] or "—"),
            (_("Active"), lambda mailbox: _yes(mailbox.active)),
        ],
        queryset=lambda: Mailbox.objects.select_related("queue").order_by("queue__name", "username"),
        create=lambda actor, data: (mailbox_create(actor=actor, data=data), ""),
        update=lambda actor, mailbox, data: mailbox_update(actor=actor, mailbox=mailbox, data=data),
        delete=lambda actor, mailbox: mailbox_delete(actor=actor, mailbox=mailbox),
        initial=lambda mailbox: {
            name: getattr(mailbox, "queue_id" if name == "queue" else name) for name in MailboxForm.base_fields
        },
        extra_context=_mailbox_status,
        extra_template="console/tickets/setup/_mailbox.html",
        help=_(
            "IMAP mailboxes whose new mail becomes tickets of a queue. The password stays in the server's settings; "
            "here you only name where it is."
        ),
    )
)


def _when(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "—"


# --- views ----------------------------------------------------------------------------------------


def _setup(slug: str) -> Setup:
    setup = SETUPS.get(slug)
    if setup is None:
        raise Http404(_("No such page."))
    return setup


def _record(setup: Setup, record_id: int) -> Any:
    record = setup.queryset().filter(pk=record_id).first()
    if record is None:
        raise Http404(_("No such record."))
    return record


@staff_view(CONFIGURE)
def setup_home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/tickets/setup/home.html", {"section": "setup", "setups": list(SETUPS.values())})


@staff_view(CONFIGURE)
def setup_list(request: HttpRequest, slug: str) -> HttpResponse:
    setup = _setup(slug)
    page = page_of(request, setup.queryset())
    rows = [(record, [cell(record) for _label, cell in setup.columns]) for record in page]
    context = {
        "section": "setup",
        "setup": setup,
        "page": page,
        "rows": rows,
        "may_add": request.user.has_perm(setup.perm("add")),
    }
    return render(request, "console/tickets/setup/list.html", context)


@staff_view(CONFIGURE)
def setup_edit(request: HttpRequest, slug: str, record_id: int | None = None) -> HttpResponse:
    setup = _setup(slug)
    record = _record(setup, record_id) if record_id is not None else None
    needed = setup.perm("change" if record else "add")
    may_edit = request.user.has_perm(needed)
    if request.method == "POST" and not may_edit:
        return forbidden(request, _("Your role does not allow you to change this."))
    form = setup.form(request.POST or None, initial=setup.initial(record) if record else None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        data = form.values()  # type: ignore[attr-defined]
        try:
            if record is None:
                record, secret = setup.create(request.user, data)
            else:
                record = setup.update(request.user, record, data)
        except ValidationFailed as failure:
            errors_attach(form, failure, renames=getattr(form, "renames", None))
        else:
            messages.success(request, _("“%(name)s” saved.") % {"name": record})
            if not secret:
                return redirect("console:setup_edit", slug=slug, record_id=record.pk)
            # The signing secret is shown on this page only: it is never shown again.
            form = setup.form(initial=setup.initial(record))
    context: dict[str, Any] = {
        "section": "setup",
        "setup": setup,
        "record": record,
        "form": form,
        "secret": secret,
        "may_edit": may_edit,
        "may_delete": record is not None and request.user.has_perm(setup.perm("delete")),
    }
    if record is not None and setup.extra_context is not None:
        context.update(setup.extra_context(request, record), extra_template=setup.extra_template)
    return render(request, "console/tickets/setup/edit.html", context, status=400 if form.errors else 200)


@staff_view(CONFIGURE)
@require_POST
def setup_delete(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    setup = _setup(slug)
    if not request.user.has_perm(setup.perm("delete")):
        return forbidden(request, _("Your role does not allow you to delete this."))
    record = _record(setup, record_id)
    try:
        setup.delete(request.user, record)
    except DomainError as refused:
        messages.error(request, str(refused.message))
        return redirect("console:setup_edit", slug=slug, record_id=record_id)
    messages.success(request, _("“%(name)s” deleted.") % {"name": record})
    return redirect("console:setup_list", slug=slug)


@staff_view(CONFIGURE, "service.change_mailbox")
@require_POST
def mailbox_test(request: HttpRequest, record_id: int) -> HttpResponse:
    """Sign in to a mailbox and open its folder, taking no mail; say whether it worked and why not."""
    mailbox = Mailbox.objects.filter(pk=record_id).first()
    if mailbox is None:
        raise Http404(_("No such mailbox."))
    problem = mailbox_check(mailbox=mailbox)
    if problem:
        messages.error(request, _("The mailbox could not be read: %(problem)s") % {"problem": problem})
    else:
        messages.success(request, _("Signed in to %(mailbox)s and opened the folder: the mailbox works.") % {"mailbox": mailbox})
    return redirect("console:setup_edit", slug="mailboxes", record_id=mailbox.pk)


@staff_view(CONFIGURE, "service.change_webhookendpoint")
@require_POST
def webhook_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404(_("No such delivery."))
    try:
        webhook_delivery_retry(actor=request.user, delivery=delivery)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        messages.error(request, " ".join(str(error.reason) for error in failure.errors))
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("console:setup_edit", slug="webhooks", record_id=delivery.endpoint_id)


urlpatterns: list[URLPattern] = [
    path("service-setup/", setup_home, name="setup"),
    path("service-setup/webhook-deliveries/<int:delivery_id>/retry/", webhook_retry, name="webhook_retry"),
    path("service-setup/mailboxes/<int:record_id>/test/", mailbox_test, name="mailbox_test"),
    path("service-setup/<slug:slug>/", setup_list, name="setup_list"),
    path("service-setup/<slug:slug>/new/", setup_edit, name="setup_new"),
    path("service-setup/<slug:slug>/<int:record_id>/", setup_edit, name="setup_edit"),
    path("service-setup/<slug:slug>/<int:record_id>/delete/", setup_delete, name="setup_delete"),
]
