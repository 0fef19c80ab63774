"""Forms of the follow-up screens: playbooks, steps, task outcomes. They parse; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.models import SPANISH_HELP, Department, User
from aftersales.customers.models import Channel, Segment
from aftersales.followup.models import Action, AssignTo, Playbook, PlaybookStep, TaskOutcome, Trigger
from aftersales.followup.services.playbooks import MESSAGE_CHANNELS
from aftersales.messaging.models import MessageChannel, MessageTemplate


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _category_choices(language: str) -> list[tuple[int, str]]:
    return [(category.pk, category.display_name(language)) for category in Category.objects.order_by("name")]


def _segment_choices() -> list[tuple[int, str]]:
    return list(Segment.objects.order_by("name").values_list("pk", "name"))


def _staff_choices() -> list[tuple[Any, str]]:
    staff = User.objects.filter(is_staff=True, is_active=True).order_by("first_name", "last_name", "username")
    return [("", "—"), *((user.pk, str(user)) for user in staff)]


def _department_choices(language: str) -> list[tuple[Any, str]]:
    departments = Department.objects.order_by("name")
    return [("", "—"), *((department.pk, department.display_name(language)) for department in departments)]


class ScopeMixin(forms.Form):
    """Segments and categories picked by id, as the services take them."""

    segment_ids = forms.TypedMultipleChoiceField(
        label=_("Customer segments"), required=False, coerce=int, help_text=_("None chosen: every segment.")
    )
    category_ids = forms.TypedMultipleChoiceField(
        label=_("Product categories"), required=False, coerce=int, help_text=_("None chosen: every category (and those below).")
    )

    def scope_choices(self, language: str) -> None:
        self.fields["segment_ids"].choices = _segment_choices()  # type: ignore[attr-defined]
        self.fields["category_ids"].choices = _category_choices(language)  # type: ignore[attr-defined]
        for name in ("segment_ids", "category_ids"):
            self.fields[name].widget.attrs["size"] = 5


class PlaybookForm(ScopeMixin):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=120, required=False, help_text=SPANISH_HELP)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description_es = forms.CharField(
        label=_("Description in Spanish"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=SPANISH_HELP
    )
    active = forms.BooleanField(label=_("Active"), required=False, help_text=_("Switched off, none of its steps runs."))

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope_choices(language)

    @staticmethod
    def initial_for(playbook: Playbook | None) -> dict[str, Any]:
        if playbook is None:
            return {"active": True}
        return {
            "name": playbook.name,
            "name_es": playbook.name_es,
            "description": playbook.description,
            "description_es": playbook.description_es,
            "active": playbook.active,
            "segment_ids": [segment.pk for segment in playbook.segments.all()],
            "category_ids": [category.pk for category in playbook.categories.all()],
        }


def template_choices(language: str) -> list[tuple[str, Any]]:
    """Return the template codes grouped by channel, each with its description in a language (the step editor's picker)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for template in MessageTemplate.objects.order_by("channel", "code", "language").only(
        "code", "channel", "description", "description_es"
    ):
        if (template.code, template.channel) in seen:
            continue
        seen.add((template.code, template.channel))
        description = template.display_description(language)
        label = f"{template.code} — {description}" if description else template.code
        groups.setdefault(template.channel, []).append((template.code, label))
    labels = dict(MessageChannel.choices)
    return [*_blank(_("No template")), *((labels.get(channel, channel), options) for channel, options in groups.items())]


class StepForm(ScopeMixin):
    """A playbook step: when, for whom, and what. Field names are the services' (``assignee_id``…)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=120, required=False, help_text=SPANISH_HELP)
    active = forms.BooleanField(label=_("Active"), required=False)
    trigger = forms.ChoiceField(label=_("Trigger"), choices=Trigger.choices)
    offset_days = forms.IntegerField(
        label=_("Offset (days)"),
        help_text=_("After the trigger; negative for before (−30). For “No contact”: the days without contact."),
    )
    repeat_months = forms.IntegerField(
        label=_("Repeat every (months)"), required=False, help_text=_("Empty for once; e.g. 6 for every six months.")
    )
    catch_up_days = forms.IntegerField(
        label=_("Catch-up window (days)"), help_text=_("A missed occurrence still happens up to this many days late.")
    )
    consent_channel = forms.ChoiceField(label=_("Required consent"), required=False)
    min_sale_value = forms.DecimalField(label=_("Minimum sale value"), required=False, max_digits=14, decimal_places=2)
    action = forms.ChoiceField(label=_("Action"), choices=Action.choices)
    template_code = forms.ChoiceField(
        label=_("Message template"), required=False, help_text=_("The message to send, or the script of a call.")
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, help_text=_("To send a message only."))
    assign_to = forms.ChoiceField(label=_("Assign the task to"), required=False)
    assignee_id = forms.TypedChoiceField(label=_("Staff member"), required=False, coerce=int, empty_value=None)
    department_id = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)
    task_due_hours = forms.IntegerField(label=_("Task due within (hours)"))
    gift_voucher_value = forms.DecimalField(
        label=_("Gift voucher value"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("To send a message only: a fixed-value voucher issued with it (empty for no gift)."),
    )
    gift_voucher_days = forms.IntegerField(
        label=_("Gift voucher valid for (days)"), required=False, help_text=_("Empty: 60 days.")
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope_choices(language)
        self.fields["consent_channel"].choices = [*_blank(_("None")), *Channel.choices]  # type: ignore[attr-defined]
        labels = dict(MessageChannel.choices)
        self.fields["channel"].choices = [*_blank("—"), *((code, labels[code]) for code in MESSAGE_CHANNELS)]  # type: ignore[attr-defined]
        self.fields["assign_to"].choices = [*_blank(_("Nobody (not a task)")), *AssignTo.choices]  # type: ignore[attr-defined]
        self.fields["template_code"].choices = template_choices(language)  # type: ignore[attr-defined]
        self.fields["assignee_id"].choices = _staff_choices()  # type: ignore[attr-defined]
        self.fields["department_id"].choices = _department_choices(language)  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(step: PlaybookStep | None) -> dict[str, Any]:
        if step is None:
            return {
                "active": True,
                "offset_days": 0,
                "catch_up_days": 3,
                "task_due_hours": 24,
                "gift_voucher_days": 60,
                "trigger": Trigger.DELIVERY,
            }
        names = ("name", "name_es", "active", "trigger", "offset_days", "repeat_months", "catch_up_days", "consent_channel")
        names += ("min_sale_value", "action", "template_code", "channel", "assign_to", "task_due_hours")
        names += ("gift_voucher_value", "gift_voucher_days")
        initial = {name: getattr(step, name) for name in names}
        initial["assignee_id"] = step.assignee_id
        initial["department_id"] = step.department_id
        initial["segment_ids"] = [segment.pk for segment in step.segments.all()]
        initial["category_ids"] = [category.pk for category in step.categories.all()]
        return initial

    def step_data(self) -> dict[str, Any]:
        """Return the values in the shape ``step_create`` and ``step_update`` take."""
        data = dict(self.cleaned_data)
        if data.get("gift_voucher_days") is None:
            data.pop("gift_voucher_days", None)  # the step keeps its validity (60 days for a new one)
        return data


class RetryChoice:
    """When to call again after nobody answered."""

    LATER_TODAY = "later_today"
    TOMORROW = "tomorrow"
    IN_TWO_DAYS = "in_two_days"
    NEXT_WEEK = "next_week"
    CHOSEN = "chosen"

    choices = [
        (LATER_TODAY, _("in 2 hours")),
        (TOMORROW, _("tomorrow at 9:00")),
        (IN_TWO_DAYS, _("in 2 days at 9:00")),
        (NEXT_WEEK, _("in a week at 9:00")),
        (CHOSEN, _("at the time chosen below")),
    ]


def _morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[choice for choice in TaskOutcome.choices if choice[0]])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    retry = forms.ChoiceField(label=_("Try again"), choices=RetryChoice.choices, initial=RetryChoice.TOMORROW, required=False)
    retry_at = forms.DateTimeField(
        label=_("Chosen time"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = cleaned.get("retry") == RetryChoice.CHOSEN and cleaned.get("outcome") == TaskOutcome.NO_ANSWER
        if chosen and not cleaned.get("retry_at") and "retry_at" not in self.errors:
            self.add_error("retry_at", _("Choose when to call again."))
        return cleaned

    def retry_moment(self, now: dt.datetime) -> dt.datetime | None:
        """Return when to call again, for "no answer"; None for the other outcomes."""
        if self.cleaned_data["outcome"] != TaskOutcome.NO_ANSWER:
            return None
        today = timezone.localdate(now)
        choice = self.cleaned_data.get("retry") or RetryChoice.TOMORROW
        if choice == RetryChoice.CHOSEN:
            return self.cleaned_data["retry_at"]
        if choice == RetryChoice.LATER_TODAY:
            return now + dt.timedelta(hours=2)
        days = {RetryChoice.IN_TWO_DAYS: 2, RetryChoice.NEXT_WEEK: 7}.get(choice, 1)
        return _morning(today + dt.timedelta(days=days))


class ReassignForm(forms.Form):
    assignee_id = forms.TypedChoiceField(label=_("Staff member"), required=False, coerce=int, empty_value=None)
    department_id = forms.TypedChoiceField(label=_("or a queue"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee_id"].choices = _staff_choices()  # type: ignore[attr-defined]
        self.fields["department_id"].choices = _department_choices(language)  # type: ignore[attr-defined]
