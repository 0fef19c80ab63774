"""Forms of the service desk setup screens; ``values()`` gives what the create and update services take."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.console.forms_tickets import NamedChoiceField, StaffChoiceField, agents, choices_with, comma_list
from aftersales.core.calendars import CALENDAR_FIELDS
from aftersales.core.models import SPANISH_HELP, BusinessCalendar, Department, Language, Weekday
from aftersales.customers.models import Segment
from aftersales.service.models import (
    AssignmentMode,
    CannedReply,
    EscalationTier,
    EscalationTrigger,
    MailSecurity,
    Queue,
    SlaMetric,
    TicketChannel,
    TicketKind,
    TicketPriority,
    TicketStatus,
    WebhookEvent,
)


class SetupForm(forms.Form):
    """A setup record's form: ``values()`` is the data its create and update services take.

    ``renames`` maps the services' field names to this form's, so each refusal shows next to its field.
    """

    renames: dict[str, str] = {}

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        # A blank position means "after the last one": the create services decide it when it is absent.
        if values.get("position", 0) is None:
            del values["position"]
        return values


class QueueForm(SetupForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=120, required=False, help_text=SPANISH_HELP)
    department = NamedChoiceField(label=_("Department"), queryset=Department.objects.order_by("name"))
    languages = forms.MultipleChoiceField(
        label=_("Languages handled"),
        required=False,
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: customers of any language."),
    )
    assignment_mode = forms.ChoiceField(label=_("Assignment"), choices=AssignmentMode.choices)
    email_address = forms.EmailField(label=_("Mailbox address"), required=False)
    is_default = forms.BooleanField(
        label=_("Default queue"), required=False, help_text=_("Tickets no routing rule matches land here.")
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class RoutingRuleForm(SetupForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, help_text=_("Empty: after the last rule."))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=choices_with(_("Any kind"), TicketKind.choices))
    category = forms.ModelChoiceField(
        label=_("Product category"), required=False, queryset=Category.objects.order_by("name"), empty_label=_("Any category")
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=choices_with(_("Any channel"), TicketChannel.choices))
    language = forms.ChoiceField(label=_("Language"), required=False, choices=choices_with(_("Any language"), Language.choices))
    queue = NamedChoiceField(label=_("Send to queue"), queryset=Queue.objects.order_by("name"))
    priority = forms.ChoiceField(
        label=_("Set priority"), required=False, choices=choices_with(_("Keep it"), TicketPriority.choices)
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class CannedReplyForm(SetupForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    body_en = forms.CharField(label=_("Text in English"), widget=forms.Textarea(attrs={"rows": 8}))
    body_es = forms.CharField(
        label=_("Text in Spanish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Empty: Spanish-speaking customers get the English text."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class MacroSetupForm(SetupForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    status = forms.ChoiceField(
        label=_("Set status"),
        required=False,
        choices=choices_with(_("Keep it"), [(code, label) for code, label in TicketStatus.choices if code != TicketStatus.NEW]),
    )
    priority = forms.ChoiceField(
        label=_("Set priority"), required=False, choices=choices_with(_("Keep it"), TicketPriority.choices)
    )
    queue = NamedChoiceField(
        label=_("Move to queue"),
        required=False,
        queryset=Queue.objects.filter(active=True).order_by("name"),
        empty_label=_("Keep it"),
    )
    assignee = StaffChoiceField(label=_("Assign to"), required=False, queryset=agents(), empty_label=_("Keep it"))
    tags = forms.CharField(label=_("Add tags"), required=False, help_text=_("Separated by commas"))
    canned_reply = forms.ModelChoiceField(
        label=_("Reply with"), required=False, queryset=CannedReply.objects.order_by("title"), empty_label=_("No reply")
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["tags"] = comma_list(values["tags"])
        return values


class WebhookForm(SetupForm):
    url = forms.CharField(label=_("URL"), max_length=500, help_text=_("https://… of the system that receives the events"))
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


# --- service levels -------------------------------------------------------------------------------

# The rows of a policy's targets grid: every priority (blank: the others) at both tiers.
TARGET_ROWS = [(priority, tier) for tier in EscalationTier.values for priority in ["", *TicketPriority.values]]


def _target_name(priority: str, tier: int, metric: str) -> str:
    return f"target_{priority or 'any'}_{tier}_{metric}"


class SlaPolicyForm(SetupForm):
    """A policy's conditions and its targets in working hours, one row per priority and tier."""

    name = forms.CharField(label=_("Name"), max_length=120)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=120, required=False, help_text=SPANISH_HELP)
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, help_text=_("Empty: after the last policy."))
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=choices_with(_("Any priority"), TicketPriority.choices)
    )
    segment = forms.ModelChoiceField(
        label=_("Customer segment"), required=False, queryset=Segment.objects.order_by("name"), empty_label=_("Any segment")
    )
    category = forms.ModelChoiceField(
        label=_("Product category"), required=False, queryset=Category.objects.order_by("name"), empty_label=_("Any category")
    )
    calendar = NamedChoiceField(
        label=_("Business calendar"),
        required=False,
        queryset=BusinessCalendar.objects.order_by("name"),
        empty_label=_("The default calendar"),
    )
    warn_percent = forms.IntegerField(label=_("Warn at % of the target"), min_value=1, max_value=100, initial=80)
    warn_minutes_before = forms.IntegerField(
        label=_("Or warn this many working minutes before"), required=False, min_value=1, help_text=_("Overrides the percentage.")
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.renames: dict[str, str] = {}
        self.target_rows = []
        for priority, tier in TARGET_ROWS:
            label = TicketPriority(priority).label if priority else _("Any other priority")
            names = []
            for metric in SlaMetric.values:
                name = _target_name(priority, tier, metric)
                self.fields[name] = forms.DecimalField(
                    label=f"{label} · {EscalationTier(tier).label} · {SlaMetric(metric).label}",
                    required=False,
                    min_value=0,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "0.25", "placeholder": "—"}),
                )
                names.append(name)
            self.target_rows.append((label, EscalationTier(tier).label, [self[name] for name in names]))

    @staticmethod
    def initial_of(policy: Any) -> dict[str, Any]:
        initial = {
            "name": policy.name,
            "name_es": policy.name_es,
            "position": policy.position,
            "priority": policy.priority,
            "segment": policy.segment_id,
            "category": policy.category_id,
            "calendar": policy.calendar_id,
            "warn_percent": policy.warn_percent,
            "warn_minutes_before": policy.warn_minutes_before,
            "active": policy.active,
        }
        for target in policy.targets.all():
            for metric in SlaMetric.values:
                minutes = target.minutes(metric)
                if minutes:
                    initial[_target_name(target.priority, target.tier, metric)] = round(minutes / 60, 2)
        return initial

    def values(self) -> dict[str, Any]:
        data = {name: value for name, value in super().values().items() if name in self.declared_fields}
        targets: list[dict[str, Any]] = []
        for priority, tier in TARGET_ROWS:
            hours = {metric: self.cleaned_data.get(_target_name(priority, tier, metric)) for metric in SlaMetric.values}
            if all(value is None for value in hours.values()):
                continue
            index = len(targets)
            targets.append(
                {
                    "priority": priority,
                    "tier": tier,
                    **{f"{metric}_minutes": None if value is None else round(value * 60) for metric, value in hours.items()},
                }
            )
            for metric in SlaMetric.values:
                self.renames[f"targets[{index}].{metric}_minutes"] = _target_name(priority, tier, metric)
            self.renames[f"targets[{index}].priority"] = _target_name(priority, tier, SlaMetric.FIRST_RESPONSE)
        data["targets"] = targets
        return data


class CalendarForm(SetupForm):
    """A business calendar: where it is, its weekly hours as text, and the company's own closed days."""

    name = forms.CharField(label=_("Name"), max_length=120)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=120, required=False, help_text=SPANISH_HELP)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, initial="Europe/Madrid", help_text=_("IANA name, e.g. Europe/Madrid")
    )
    country = forms.CharField(
        label=_("Public holidays of country"), required=False, max_length=2, help_text=_("ISO 3166 code, e.g. ES; blank for none")
    )
    subdivision = forms.CharField(
        label=_("Region"), required=False, max_length=20, help_text=_("e.g. MD for the Community of Madrid")
    )
    is_default = forms.BooleanField(label=_("Default calendar"), required=False)
    closed_days = forms.CharField(
        label=_("Company closed days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: the date, then a name, e.g. 2025-12-24 Christmas Eve"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.renames: dict[str, str] = {"date": "closed_days"}
        self.hour_fields = []
        for weekday, label in Weekday.choices:
            name = f"hours_{weekday}"
            self.fields[name] = forms.CharField(
                label=label, required=False, help_text=_("e.g. 09:00-13:00, 15:00-18:00; blank: closed")
            )
            self.hour_fields.append(self[name])

    @staticmethod
    def initial_of(calendar: Any) -> dict[str, Any]:
        initial = {name: getattr(calendar, name) for name in CALENDAR_FIELDS}
        for weekday, _label in Weekday.choices:
            intervals = [row for row in calendar.hours.all() if row.weekday == weekday]
            initial[f"hours_{weekday}"] = ", ".join(f"{row.starts_at:%H:%M}-{row.ends_at:%H:%M}" for row in intervals)
        initial["closed_days"] = "\n".join(
            f"{day.date.isoformat()} {day.name}".strip() for day in calendar.closed_days.order_by("date")
        )
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rows: list[dict[str, Any]] = []
        for weekday, _label in Weekday.choices:
            name = f"hours_{weekday}"
            for part in (cleaned.get(name) or "").split(","):
                if not part.strip():
                    continue
                start, _dash, end = part.strip().partition("-")
                try:
                    rows.append(
                        {
                            "weekday": weekday,
                            "starts_at": dt.time.fromisoformat(start.strip()),
                            "ends_at": dt.time.fromisoformat(end.strip()),
                        }
                    )
                except ValueError:
                    self.add_error(name, _("Write each interval as 09:00-13:00."))
                    continue
                self.renames[f"hours[{len(rows) - 1}]"] = name
                self.renames[f"hours[{len(rows) - 1}].ends_at"] = name
                self.renames[f"hours[{len(rows) - 1}].weekday"] = name
        cleaned["hours"] = rows
        days: dict[dt.date, str] = {}
        for line in (cleaned.get("closed_days") or "").splitlines():
            if not line.strip():
                continue
            date, _space, day_name = line.strip().partition(" ")
            try:
                days[dt.date.fromisoformat(date)] = day_name.strip()
            except ValueError:
                self.add_error("closed_days", _("Start each line with a date such as 2025-12-24."))
        cleaned["closed"] = days
        return cleaned

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in CALENDAR_FIELDS}
        data["hours"] = self.cleaned_data["hours"]
        data["closed"] = self.cleaned_data["closed"]
        return data


class EscalationRuleForm(SetupForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=120, required=False, help_text=SPANISH_HELP)
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, help_text=_("Empty: after the last rule."))
    trigger = forms.ChoiceField(label=_("On"), choices=EscalationTrigger.choices)
    metric = forms.ChoiceField(label=_("Target"), required=False, choices=choices_with(_("Any target"), SlaMetric.choices))
    tier = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=choices_with(_("Any level"), EscalationTier.choices),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=choices_with(_("Any priority"), TicketPriority.choices)
    )
    queue = NamedChoiceField(
        label=_("Tickets of queue"), required=False, queryset=Queue.objects.order_by("name"), empty_label=_("Any queue")
    )
    move_to_queue = NamedChoiceField(
        label=_("Move to queue"),
        required=False,
        queryset=Queue.objects.filter(active=True).order_by("name"),
        empty_label=_("Keep it"),
    )
    assign_to = StaffChoiceField(label=_("Assign to"), required=False, queryset=agents(), empty_label=_("Keep it"))
    raise_priority = forms.BooleanField(label=_("Raise priority one step"), required=False)
    escalate_to_tier_2 = forms.BooleanField(label=_("Escalate to level 2"), required=False)
    notify_managers = forms.BooleanField(label=_("Notify the service managers"), required=False)
    notify_assignee = forms.BooleanField(label=_("Notify the assignee"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


# --- mailboxes ------------------------------------------------------------------------------------


class MailboxForm(SetupForm):
    """An IMAP mailbox whose mail becomes tickets; the password is named, never typed here nor shown."""

    renames = {"queue_id": "queue"}

    queue = NamedChoiceField(label=_("Queue"), queryset=Queue.objects.filter(active=True).order_by("name"))
    host = forms.CharField(label=_("IMAP server"), max_length=255)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Security"), choices=MailSecurity.choices, initial=MailSecurity.SSL)
    ssl_verify = forms.BooleanField(
        label=_("Verify the certificate"),
        required=False,
        initial=True,
        help_text=_("Turn off only for a server with a self-signed certificate you trust."),
    )
    username = forms.CharField(label=_("User name"), max_length=255)
    password_variable = forms.CharField(
        label=_("Password variable"),
        max_length=100,
        help_text=_(
            "The name of the SERVICE_MAILBOX_PASSWORDS key or environment variable that holds the password. "
            "The password itself is never stored in the database nor shown here."
        ),
    )
    folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
