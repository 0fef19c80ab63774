"""Console screens of field-service scheduling: the dispatcher board, work orders, technicians and zones.

No drag and drop: a visit is moved with a form that names the person and the time; the service checks
eligibility, working hours, days off and clashes (travel buffer included) and the refusal is shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category
from aftersales.console.access import staff_view
from aftersales.console.views.common import form_ticket, page_of
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import BusinessCalendar, Language, User, Weekday
from aftersales.customers.models import Customer
from aftersales.fieldwork import selectors, slots
from aftersales.fieldwork.models import (
    ServiceZone,
    Technician,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)
from aftersales.fieldwork.services import scheduling, technicians
from aftersales.fieldwork.services.orders import work_order_create
from aftersales.sales.models import Unit
from aftersales.warranty.models import RepairOrder

VIEW = "fieldwork.view_workorder"
SCHEDULE = "fieldwork.schedule_workorder"
CONFIGURE = "fieldwork.change_technician"
# What each history entry of a work order says (entries written elsewhere fall back to their code).
EVENT_SENTENCES = {
    "created": gettext_lazy("Created"),
    "scheduled": gettext_lazy("Booked with %(assignee_name)s for %(start)s"),
    "rescheduled": gettext_lazy(
        "Moved from %(old_start)s (%(old_assignee_name)s) to %(start)s (%(assignee_name)s), asked by %(requested_by)s"
    ),
    "unassigned": gettext_lazy("Taken out of %(assignee_name)s's diary (%(start)s)"),
    "cancelled": gettext_lazy("Cancelled"),
    "no_show": gettext_lazy("Customer not at home at %(start)s"),
    "confirmed": gettext_lazy("Confirmed by the customer (%(via)s)"),
    "reschedule_requested": gettext_lazy("The customer asked for another date: %(note)s"),
    "reminder_sent": gettext_lazy("Reminder sent for %(start)s"),
}

# Coded values of the history, in words.
EVENT_WORDS = {
    "via": {
        "portal": gettext_lazy("customer portal"),
        "email_link": gettext_lazy("email link"),
        "staff": gettext_lazy("recorded by staff"),
    },
    "requested_by": {"staff": gettext_lazy("staff"), "customer": gettext_lazy("the customer")},
}


def _local(value: Any) -> str:
    if not value:
        return "—"
    try:
        at = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return at.astimezone(slots.business_zone()).strftime("%Y-%m-%d %H:%M")


def history_rows(order: WorkOrder) -> list[tuple[Any, str]]:
    """Return an order's history with one readable sentence per entry."""
    rows = []
    for event in selectors.work_order_history(order):
        sentence = EVENT_SENTENCES.get(event.kind)
        if sentence is None:
            rows.append((event, event.kind.replace("_", " ").capitalize()))
            continue
        data = dict(event.data or {})
        values: dict[str, Any] = {"assignee_name": "—", "old_assignee_name": "—", "requested_by": "—", "via": "—", "note": "—"}
        values.update({key: value for key, value in data.items() if value not in (None, "")})
        for key in ("start", "old_start"):
            values[key] = _local(data.get(key))
        for key, words in EVENT_WORDS.items():
            if data.get(key) in words:
                values[key] = str(words[data[key]])
        try:
            rows.append((event, str(sentence) % values))
        except (KeyError, TypeError, ValueError):
            rows.append((event, event.kind))
    return rows


# --- forms ----------------------------------------------------------------------------------------


class BookForm(forms.Form):
    assignee = forms.ModelChoiceField(label=gettext_lazy("Who goes"), queryset=User.objects.none())
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
    reason = forms.CharField(label=gettext_lazy("Why (for a move)"), required=False, max_length=500)

    def __init__(self, *args: Any, order: WorkOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = slots.people_for(order)

    def start(self) -> dt.datetime:
        wall = dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"])
        return wall.replace(tzinfo=slots.business_zone())


class WorkOrderFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"), required=False, help_text=gettext_lazy("WO- number, customer, serial or postal code")
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    assignee = forms.ModelChoiceField(label=gettext_lazy("Assigned to"), required=False, queryset=User.objects.none())
    zone = forms.ModelChoiceField(label=gettext_lazy("Zone"), required=False, queryset=ServiceZone.objects.all())
    starts_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    starts_until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("Any")),
            ("open", _("Not finished")),
            ("to_schedule", _("To schedule")),
            *WorkOrderStatus.choices,
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("Any")), *WorkOrderKind.choices]
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = User.objects.filter(
            is_staff=True, work_orders__isnull=False
        ).distinct()


class WorkOrderForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=WorkOrderKind.choices)
    customer = forms.IntegerField(label=gettext_lazy("Customer number"), min_value=1)
    units: forms.ModelMultipleChoiceField[Unit] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Units"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,  # type: ignore[arg-type]
    )
    ticket = forms.IntegerField(label=gettext_lazy("Ticket number"), required=False, min_value=1)
    repair_order = forms.IntegerField(
        label=gettext_lazy("Repair order"), required=False, min_value=1, help_text=gettext_lazy("The number after RO-")
    )
    description = forms.CharField(
        label=gettext_lazy("What is to be done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Expected duration (minutes)"), min_value=1, max_value=720, initial=60
    )
    address = forms.CharField(
        label=gettext_lazy("Address"), required=False, help_text=gettext_lazy("Empty: the customer's address.")
    )
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), required=False, max_length=20)

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["units"]).queryset = (
            Unit.objects.filter(customer=customer).select_related("product") if customer else Unit.objects.none()
        )


class TechnicianForm(forms.Form):
    zones = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Zones"), required=False, queryset=ServiceZone.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    home_zone = forms.ModelChoiceField(label=gettext_lazy("Home zone"), required=False, queryset=ServiceZone.objects.all())
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages"), required=False, choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    calendar = forms.ModelChoiceField(
        label=gettext_lazy("Holidays from calendar"),
        required=False,
        queryset=BusinessCalendar.objects.all(),
        help_text=gettext_lazy("Public holidays and closed days; empty: the default calendar."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Takes visits"), required=False)


class NewTechnicianForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("Staff member"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = User.objects.filter(
            is_staff=True, is_active=True, technician__isnull=True
        ).order_by("first_name", "last_name")


class ShiftForm(forms.Form):
    weekday = forms.TypedChoiceField(label=gettext_lazy("Weekday"), choices=Weekday.choices, coerce=int)
    starts_at = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=gettext_lazy("Until"), widget=forms.TimeInput(attrs={"type": "time"}))


class AbsenceForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=200)


class CertificationForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.all())
    certified_on = forms.DateField(label=gettext_lazy("Certified on"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The last valid day; empty when it does not expire."),
    )
    reference = forms.CharField(label=gettext_lazy("Certificate"), required=False, max_length=100)


class ZoneForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_es = forms.CharField(label=gettext_lazy("Name in Spanish"), required=False, max_length=120)
    code = forms.CharField(label=gettext_lazy("Code"), required=False, max_length=40)
    postal_prefixes = forms.CharField(
        label=gettext_lazy("Postal-code prefixes"), required=False, help_text=gettext_lazy("Separated by spaces: 280 281 282")
    )


# --- helpers --------------------------------------------------------------------------------------


def _refused(request: HttpRequest, failure: ValidationFailed | Conflict) -> None:
    if isinstance(failure, ValidationFailed):
        messages.error(request, " ".join(str(error.reason) for error in failure.errors))
    else:
        messages.error(request, str(failure.message))


def _form_refused(request: HttpRequest, form: forms.Form) -> None:
    messages.error(
        request,
        "; ".join(
            f"{form.fields[name].label if name in form.fields else name}: {' '.join(str(error) for error in errors)}"
            for name, errors in form.errors.items()
        ),
    )


def _order(request: HttpRequest, work_order_id: int) -> WorkOrder:
    order = selectors.work_orders_visible_to(request.user).filter(pk=work_order_id).first()
    if order is None:
        raise Http404(_("No such work order."))
    return order


def _technician(technician_id: int) -> Technician:
    technician = selectors.technicians_all().filter(pk=technician_id).first()
    if technician is None:
        raise Http404(_("No such technician."))
    return technician


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


# --- the board ------------------------------------------------------------------------------------


@staff_view(VIEW)
def board(request: HttpRequest) -> HttpResponse:
    """Show visits per person per day (a day or a week), and the work still to schedule."""
    day = _day(request)
    week = request.GET.get("view", "week") != "day"
    first = day - dt.timedelta(days=day.weekday()) if week else day
    count = 7 if week else 1
    can_schedule = request.user.has_perm(SCHEDULE)
    context = {
        "section": "fieldwork_board",
        "day": day,
        "week": week,
        "dates": [first + dt.timedelta(days=offset) for offset in range(count)],
        "previous": first - dt.timedelta(days=count),
        "next": first + dt.timedelta(days=count),
        "today": timezone.localdate(),
        "rows": selectors.board(request.user, first_day=first, days=count),
        "to_schedule": list(selectors.work_orders_to_schedule(request.user)[:30]) if can_schedule else [],
        "can_schedule": can_schedule,
    }
    return render(request, "console/fieldwork/board.html", context)


@staff_view(VIEW, SCHEDULE)
def order_slots(request: HttpRequest, work_order_id: int) -> HttpResponse:
    """Return the suggested slots of an order (an htmx fragment of the board and the order page)."""
    order = _order(request, work_order_id)
    found = slots.slots_propose(order, _day(request) if request.GET.get("day") else None, limit=6)
    return render(request, "console/fieldwork/_slots.html", {"order": order, "slots": found})


# --- work orders ----------------------------------------------------------------------------------


@staff_view(VIEW)
def order_list(request: HttpRequest) -> HttpResponse:
    form = WorkOrderFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    orders = selectors.work_orders_filtered(
        selectors.work_orders_visible_to(request.user),
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        assignee_id=filters["assignee"].pk if filters.get("assignee") else None,
        zone_id=filters["zone"].pk if filters.get("zone") else None,
        starts_from=filters.get("starts_from"),
        starts_until=filters.get("starts_until"),
        text=filters.get("q", ""),
    ).order_by("-created_at", "-id")
    context = {"section": "fieldwork_orders", "form": form, "page": page_of(request, orders)}
    return render(request, "console/fieldwork/orders.html", context)


@staff_view(VIEW, "fieldwork.add_workorder")
def order_new(request: HttpRequest) -> HttpResponse:
    """Create a work order for a customer's units (``?customer=<number>`` picks the customer first)."""
    customer_id = str(request.POST.get("customer") or request.GET.get("customer") or "")
    customer = Customer.objects.filter(pk=int(customer_id)).first() if customer_id.isdigit() else None
    form = WorkOrderForm(
        request.POST or None,
        customer=customer,
        initial={
            "customer": customer.pk if customer else None,
            "ticket": request.GET.get("ticket"),
            "repair_order": request.GET.get("repair"),
        },
    )
    if request.method == "POST" and form.is_valid():
        if customer is None:
            form.add_error("customer", _("No such customer."))
        ticket = form_ticket(request, form)
        repair_order = None
        if form.cleaned_data["repair_order"]:
            repair_order = RepairOrder.objects.filter(pk=form.cleaned_data["repair_order"]).first()
            if repair_order is None:
                form.add_error("repair_order", _("No such repair order."))
        if not form.errors and customer is not None:
            try:
                order = work_order_create(
                    actor=request.user,  # type: ignore[arg-type]
                    kind=form.cleaned_data["kind"],
                    customer=customer,
                    units=form.cleaned_data["units"] or [],
                    ticket=ticket,
                    repair_order=repair_order,
                    description=form.cleaned_data["description"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    address=form.cleaned_data["address"] or None,
                    postal_code=form.cleaned_data["postal_code"] or None,
                )
            except ValidationFailed as failure:
                for error in failure.errors:
                    form.add_error(error.field if error.field in form.fields else None, str(error.reason))
            else:
                messages.success(request, _("Work order %(reference)s created.") % {"reference": order.reference})
                return redirect("console:fieldwork_order", work_order_id=order.pk)
    context = {"section": "fieldwork_orders", "form": form, "customer": customer}
    return render(request, "console/fieldwork/order_new.html", context)


@staff_view(VIEW)
def order_detail(request: HttpRequest, work_order_id: int) -> HttpResponse:
    order = _order(request, work_order_id)
    initial: dict[str, Any] = {"assignee": order.assignee_id}
    if order.scheduled_start:
        local = order.scheduled_start.astimezone(slots.business_zone())
        initial.update(day=local.date(), time=local.time())
    context = {
        "section": "fieldwork_orders",
        "order": order,
        "units": order.units.select_related("product"),
        "history": history_rows(order),
        "book_form": BookForm(order=order, initial=initial),
        "report": getattr(order, "report", None) if hasattr(order, "report") else None,
        "can_schedule": request.user.has_perm(SCHEDULE),
        "is_assignee": order.assignee_id == request.user.pk,
    }
    return render(request, "console/fieldwork/order.html", context)


@staff_view(VIEW, SCHEDULE)
@require_POST
def order_book(request: HttpRequest, work_order_id: int) -> HttpResponse:
    """Book or move an order from the form or a suggested slot; a refusal names its reason."""
    order = _order(request, work_order_id)
    if request.POST.get("slot"):
        person_id, _sep, start_text = request.POST["slot"].partition("|")
        try:
            person = User.objects.get(pk=int(person_id))
            start = dt.datetime.fromisoformat(start_text)
        except (ValueError, User.DoesNotExist):
            messages.error(request, _("Choose a slot."))
            return redirect("console:fieldwork_order", work_order_id=order.pk)
        reason = ""
    else:
        form = BookForm(request.POST, order=order)
        if not form.is_valid():
            _form_refused(request, form)
            return redirect("console:fieldwork_order", work_order_id=order.pk)
        person, start, reason = form.cleaned_data["assignee"], form.start(), form.cleaned_data["reason"]
    try:
        if order.status in scheduling.SCHEDULABLE:
            order = scheduling.work_order_schedule(actor=request.user, work_order=order, assignee=person, start=start)  # type: ignore[arg-type]
        else:
            order = scheduling.work_order_reschedule(
                actor=request.user,  # type: ignore[arg-type]
                work_order=order,
                assignee=person,
                start=start,
                reason=reason,  # type: ignore[arg-type]
            )
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        messages.success(
            request,
            _("%(reference)s is booked with %(person)s on %(when)s.")
            % {
                "reference": order.reference,
                "person": person,
                "when": _local(order.scheduled_start.isoformat() if order.scheduled_start else ""),
            },
        )
    target = request.POST.get("next", "")
    if target == "board":
        return redirect(f"{reverse('console:fieldwork_board')}?day={start.astimezone(slots.business_zone()).date().isoformat()}")
    return redirect("console:fieldwork_order", work_order_id=order.pk)


@staff_view(VIEW)
@require_POST
def order_action(request: HttpRequest, work_order_id: int, action: str) -> HttpResponse:
    """Unassign, cancel, confirm on the customer's behalf, or record a no-show."""
    order = _order(request, work_order_id)
    reason = request.POST.get("reason", "")
    needed = "fieldwork.perform_workorder" if action == "no-show" else SCHEDULE
    if not request.user.has_perm(needed):
        messages.error(request, _("Your role does not allow this."))
        return redirect("console:fieldwork_order", work_order_id=order.pk)
    actor: User = request.user  # type: ignore[assignment]
    done = {
        "unassign": _("The visit is back in the list to schedule; the customer was told."),
        "cancel": _("The work order is cancelled."),
        "confirm": _("The date is confirmed."),
        "no-show": _("Recorded: the customer was not at home. Book a new date."),
    }
    try:
        if action == "unassign":
            scheduling.work_order_unassign(actor=actor, work_order=order, reason=reason)
        elif action == "cancel":
            scheduling.work_order_cancel(actor=actor, work_order=order, reason=reason)
        elif action == "confirm":
            scheduling.work_order_confirm(actor=actor, work_order=order, via="staff")
        elif action == "no-show":
            scheduling.work_order_mark_no_show(actor=actor, work_order=order, note=reason)
        else:
            raise Http404
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        messages.success(request, done[action])
    return redirect("console:fieldwork_order", work_order_id=order.pk)


# --- technicians and zones ------------------------------------------------------------------------


@staff_view("fieldwork.view_technician")
def technician_list(request: HttpRequest) -> HttpResponse:
    rows = [(technician, selectors.certification_states(technician)) for technician in selectors.technicians_all()]
    context = {
        "section": "fieldwork_technicians",
        "rows": rows,
        "expiring": selectors.certifications_expiring(),
        "new_form": NewTechnicianForm() if request.user.has_perm("fieldwork.add_technician") else None,
    }
    return render(request, "console/fieldwork/technicians.html", context)


@staff_view("fieldwork.view_technician", "fieldwork.add_technician")
@require_POST
def technician_new(request: HttpRequest) -> HttpResponse:
    form = NewTechnicianForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect("console:fieldwork_technicians")
    try:
        technician = technicians.technician_create(actor=request.user, user=form.cleaned_data["user"])  # type: ignore[arg-type]
    except ValidationFailed as failure:
        _refused(request, failure)
        return redirect("console:fieldwork_technicians")
    return redirect("console:fieldwork_technician", technician_id=technician.pk)


@staff_view("fieldwork.view_technician")
def technician_detail(request: HttpRequest, technician_id: int) -> HttpResponse:
    technician = _technician(technician_id)
    initial = {
        "zones": list(technician.zones.all()),
        "home_zone": technician.home_zone,
        "languages": technician.languages,
        "calendar": technician.calendar,
        "is_active": technician.is_active,
    }
    context = {
        "section": "fieldwork_technicians",
        "technician": technician,
        "certifications": selectors.certification_states(technician),
        "shifts": technician.shifts.all(),
        "absences": technician.absences.all(),
        "clashing": selectors.visits_on_days_off(technician),
        "form": TechnicianForm(initial=initial),
        "shift_form": ShiftForm(),
        "absence_form": AbsenceForm(),
        "certification_form": CertificationForm(),
        "can_configure": request.user.has_perm(CONFIGURE),
    }
    return render(request, "console/fieldwork/technician.html", context)


@staff_view("fieldwork.view_technician", CONFIGURE)
@require_POST
def technician_edit(request: HttpRequest, technician_id: int, part: str) -> HttpResponse:
    """Change one part of a technician's setup: profile, shifts, days off or certifications."""
    technician = _technician(technician_id)
    actor: User = request.user  # type: ignore[assignment]
    form: forms.Form
    try:
        if part == "profile":
            form = TechnicianForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                technicians.technician_update(
                    actor=actor,
                    technician=technician,
                    data={
                        "zone_ids": [zone.pk for zone in data["zones"]],
                        "home_zone_id": data["home_zone"].pk if data["home_zone"] else None,
                        "languages": data["languages"],
                        "calendar_id": data["calendar"].pk if data["calendar"] else None,
                        "is_active": data["is_active"],
                    },
                )
        elif part == "shift":
            form = ShiftForm(request.POST)
            if form.is_valid():
                technicians.technician_shift_add(actor=actor, technician=technician, **form.cleaned_data)
        elif part == "absence":
            form = AbsenceForm(request.POST)
            if form.is_valid():
                technicians.technician_absence_add(actor=actor, technician=technician, **form.cleaned_data)
        elif part == "certification":
            form = CertificationForm(request.POST)
            if form.is_valid():
                technicians.certification_add(actor=actor, technician=technician, **form.cleaned_data)
        elif part == "remove":
            form = forms.Form(request.POST)
            kind, _sep, pk = request.POST.get("item", "").partition(":")
            if kind == "shift" and (shift := technician.shifts.filter(pk=pk or 0).first()):
                technicians.technician_shift_remove(actor=actor, shift=shift)
            elif kind == "absence" and (absence := technician.absences.filter(pk=pk or 0).first()):
                technicians.technician_absence_remove(actor=actor, absence=absence)
            elif kind == "certification" and (certification := technician.certifications.filter(pk=pk or 0).first()):
                technicians.certification_remove(actor=actor, certification=certification)
        else:
            raise Http404
    except (ValidationFailed, Conflict) as failure:
        _refused(request, failure)
    else:
        if form.errors:
            _form_refused(request, form)
        else:
            messages.success(request, _("Saved."))
    return redirect("console:fieldwork_technician", technician_id=technician.pk)


@staff_view("fieldwork.view_servicezone")
def zone_list(request: HttpRequest) -> HttpResponse:
    can_edit = request.user.has_perm("fieldwork.change_servicezone")
    zone = None
    if request.GET.get("edit", "").isdigit():
        zone = ServiceZone.objects.filter(pk=request.GET["edit"]).first()
    form = ZoneForm(
        request.POST or None,
        initial={"name": zone.name, "name_es": zone.name_es, "code": zone.code, "postal_prefixes": zone.postal_prefixes}
        if zone
        else None,
    )
    if request.method == "POST":
        if not (can_edit and request.user.has_perm("fieldwork.add_servicezone")):
            messages.error(request, _("Your role does not allow this."))
            return redirect("console:fieldwork_zones")
        if form.is_valid():
            try:
                if zone is None:
                    technicians.zone_create(actor=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
                else:
                    technicians.zone_update(actor=request.user, zone=zone, data=form.cleaned_data)  # type: ignore[arg-type]
            except ValidationFailed as failure:
                for error in failure.errors:
                    form.add_error(error.field if error.field in form.fields else None, str(error.reason))
            else:
                messages.success(request, _("Saved."))
                return redirect("console:fieldwork_zones")
    zones = ServiceZone.objects.prefetch_related("technicians__user")
    context = {"section": "fieldwork_zones", "zones": zones, "form": form, "zone": zone, "can_edit": can_edit}
    return render(request, "console/fieldwork/zones.html", context)
