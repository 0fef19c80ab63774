"""Forms of the service desk screens; they parse input, the ticket services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import MultipleFileField
from aftersales.core.models import Department, Language, User
from aftersales.sales.models import Unit
from aftersales.service.models import (
    CannedReply,
    EscalationTier,
    Macro,
    Queue,
    Ticket,
    TicketChannel,
    TicketKind,
    TicketPriority,
    TicketStatus,
)
from aftersales.service.services import BulkAction
from aftersales.service.services.routing import staff_holding

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member, shown by name."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class NamedChoiceField(forms.ModelChoiceField):
    """A record shown by its name in the reader's language (its ``display_name``)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name(get_language() or Language.ENGLISH))


def agents() -> QuerySet[User]:
    """Return who may be given tickets (whoever may see them: agents, technicians, reps), by name."""
    return staff_holding("service.view_ticket").order_by("first_name", "last_name", "username")


def reference_number(text: str) -> int | None:
    """Return the number in a ticket reference as staff type it ("#123", "123"), or None."""
    digits = (text or "").strip().lstrip("#").strip()
    return int(digits) if digits.isdigit() else None


def comma_list(text: str) -> list[str]:
    """Return the items of a comma-separated text, trimmed, without empty ones."""
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def choices_with(first: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", first), *choices]


# --- lists ----------------------------------------------------------------------------------------

ANY_STATUS = "any"
SORTS = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("due", _("Due soonest")),
    ("-priority", _("Highest priority")),
    ("-updated", _("Recently changed")),
]


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("Subject or reference"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    queue = NamedChoiceField(
        label=_("Queue"), required=False, queryset=Queue.objects.order_by("name"), empty_label=_("Any queue")
    )
    department = NamedChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.order_by("name"), empty_label=_("Any department")
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=choices_with(_("Any priority"), TicketPriority.choices)
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=choices_with(_("Any kind"), TicketKind.choices))
    tag = forms.CharField(label=_("Tag"), required=False)
    customer = forms.IntegerField(label=_("Customer number"), required=False, min_value=1)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statuses = [("", pgettext_lazy("tickets", "Active")), (ANY_STATUS, _("Any status")), *TicketStatus.choices]
        self.fields["status"].choices = statuses  # type: ignore[attr-defined]
        people = [(str(user.pk), user.get_full_name() or user.username) for user in agents()]
        self.fields["assignee"].choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody")), *people]  # type: ignore[attr-defined]

    def filters(self, user: Any) -> dict[str, Any]:
        """Return the filters the ticket selector takes; an invalid one is shown as an error and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or ""
        assignee = data.get("assignee") or ""
        filters: dict[str, Any] = {
            "q": data.get("q", ""),
            "queue_id": data["queue"].pk if data.get("queue") else None,
            "department_id": data["department"].pk if data.get("department") else None,
            "assignee_id": user.pk if assignee == "me" else assignee,
            "priority": data.get("priority", ""),
            "kind": data.get("kind", ""),
            "tag": data.get("tag", ""),
            "customer_id": data.get("customer"),
        }
        if status == "":
            filters["active"] = True
        elif status != ANY_STATUS:
            filters["status"] = [status]
        return filters

    def ordering(self) -> str:
        return (getattr(self, "cleaned_data", {}) or {}).get("sort") or "-created"


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label=_("With the chosen tickets"),
        choices=[
            (BulkAction.ASSIGN, _("Assign to")),
            (BulkAction.MERGE, _("Merge into")),
            (BulkAction.CLOSE, _("Close with a reply")),
        ],
    )
    assignee = StaffChoiceField(label=_("Assignee"), required=False, queryset=agents(), empty_label=_("Nobody"))
    target = forms.CharField(label=_("Target ticket"), required=False, help_text=_("Its reference, e.g. #123"))
    body = forms.CharField(label=_("Reply"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(
        label=_("Then"),
        required=False,
        choices=[(TicketStatus.CLOSED, TicketStatus.CLOSED.label), (TicketStatus.RESOLVED, TicketStatus.RESOLVED.label)],
    )


# --- one ticket -----------------------------------------------------------------------------------

AFTER_REPLY = [
    ("", _("Open (or keep its status)")),
    (TicketStatus.WAITING_CUSTOMER, TicketStatus.WAITING_CUSTOMER.label),
    (TicketStatus.WAITING_THIRD_PARTY, TicketStatus.WAITING_THIRD_PARTY.label),
    (TicketStatus.RESOLVED, TicketStatus.RESOLVED.label),
    (TicketStatus.CLOSED, TicketStatus.CLOSED.label),
]


class ReplyForm(forms.Form):
    canned_reply = forms.ModelChoiceField(
        label=_("Canned reply"),
        required=False,
        queryset=CannedReply.objects.filter(active=True).order_by("title"),
        empty_label=_("Write my own"),
    )
    body = forms.CharField(label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 7, "spellcheck": "true"}))
    attachments = MultipleFileField(label=_("Attach files"))
    status = forms.ChoiceField(label=_("Set status after reply"), required=False, choices=AFTER_REPLY)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Only staff see it."))
    attachments = MultipleFileField(label=_("Attach files"))


class TicketFieldsForm(forms.Form):
    """Status, priority, queue, assignee and level, changed together; only what differs is written."""

    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices)
    queue = NamedChoiceField(label=_("Queue"), queryset=Queue.objects.none(), empty_label=None)
    assignee = StaffChoiceField(label=_("Assignee"), required=False, queryset=agents(), empty_label=_("Nobody"))
    escalation_tier = forms.TypedChoiceField(label=_("Level"), choices=EscalationTier.choices, coerce=int)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "status": ticket.status,
                "priority": ticket.priority,
                "queue": ticket.queue_id,
                "assignee": ticket.assignee_id,
                "escalation_tier": ticket.escalation_tier,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = Queue.objects.filter(active=True) | Queue.objects.filter(pk=ticket.queue_id)  # type: ignore[attr-defined]


class TagsForm(forms.Form):
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))

    def names(self) -> list[str]:
        return comma_list(self.cleaned_data["tags"])


class MergeForm(forms.Form):
    target = forms.CharField(label=_("Merge into ticket"), help_text=_("Its reference, e.g. #123. This ticket closes."))


class MacroForm(forms.Form):
    macro = forms.ModelChoiceField(
        label=_("Macro"), queryset=Macro.objects.filter(active=True).order_by("name"), empty_label=_("Choose a macro")
    )


class CallbackForm(forms.Form):
    due_at = forms.DateTimeField(label=_("Call back by"), widget=DATETIME_LOCAL)
    assignee = StaffChoiceField(
        label=_("Who calls"),
        required=False,
        queryset=User.objects.filter(is_active=True, is_staff=True).order_by("first_name", "last_name", "username"),
        empty_label=_("Me"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CallbackDoneForm(forms.Form):
    note = forms.CharField(label=_("What was said"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- new tickets and calls ------------------------------------------------------------------------

STAFF_CHANNELS = [
    (TicketChannel.PHONE, TicketChannel.PHONE.label),
    (TicketChannel.EMAIL, TicketChannel.EMAIL.label),
    (TicketChannel.IN_PERSON, TicketChannel.IN_PERSON.label),
]
CALL_CHANNELS = [(TicketChannel.PHONE, _("Phone call")), (TicketChannel.IN_PERSON, _("Walk-in visit"))]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.product.name} · {obj.serial}"


class NewTicketForm(forms.Form):
    """A ticket an agent opens on behalf of a customer."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=TicketKind.choices)
    channel = forms.ChoiceField(label=_("The customer contacted us by"), choices=STAFF_CHANNELS)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=choices_with(_("As the routing rules say"), TicketPriority.choices)
    )
    unit = UnitChoiceField(label=_("Unit"), required=False, queryset=Unit.objects.none(), empty_label=_("No unit"))
    body = forms.CharField(label=_("What the customer asks"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("Attach files"))

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.select_related("product")  # type: ignore[attr-defined]


class CallForm(forms.Form):
    """A call or a walk-in, logged from the customer page: a new ticket or words on one of their open tickets."""

    ticket = forms.ChoiceField(label=_("About"), required=False)
    channel = forms.ChoiceField(label=_("How"), choices=CALL_CHANNELS, initial=TicketChannel.PHONE, widget=forms.RadioSelect)
    body = forms.CharField(label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 3}))
    answered = forms.BooleanField(
        label=_("I answered the customer"),
        required=False,
        initial=True,
        help_text=_("Untick when you only took a message: the ticket then waits in the unanswered list."),
    )
    subject = forms.CharField(
        label=_("Subject (new ticket)"), required=False, max_length=200, help_text=_("Empty: “Call: ” and the first words.")
    )
    kind = forms.ChoiceField(label=_("Kind (new ticket)"), choices=TicketKind.choices, required=False)
    unit = UnitChoiceField(label=_("Unit (new ticket)"), required=False, queryset=Unit.objects.none(), empty_label=_("No unit"))
    callback_at = forms.DateTimeField(label=_("Call back by"), required=False, widget=DATETIME_LOCAL)

    def __init__(self, *args: Any, units: QuerySet[Unit], open_tickets: QuerySet[Ticket], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_tickets = {str(ticket.number): ticket for ticket in open_tickets}
        self.fields["ticket"].choices = [  # type: ignore[attr-defined]
            ("", _("A new ticket")),
            *[(number, f"{ticket.reference} {ticket.subject}") for number, ticket in self.open_tickets.items()],
        ]
        self.fields["unit"].queryset = units.select_related("product")  # type: ignore[attr-defined]

    def chosen_ticket(self) -> Ticket | None:
        return self.open_tickets.get(self.cleaned_data.get("ticket") or "")
