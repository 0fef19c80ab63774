"""Console screens for carrying out visits: the technician's day, the visit page (checklist, parts, time,
photos, report and sign-off, usable one-handed on a phone) and the checklist templates managers keep."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category, Part
from aftersales.console.access import forbidden, staff_view
from aftersales.console.forms import errors_attach
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.core.files import stored_file_response
from aftersales.fieldwork import selectors_visits as selectors
from aftersales.fieldwork import services
from aftersales.fieldwork.models import (
    ChecklistTemplate,
    WorkOrder,
    WorkOrderChecklistItem,
    WorkOrderKind,
    WorkOrderPart,
    WorkOrderStatus,
)
from aftersales.fieldwork.services.visits import STARTABLE_STATUSES
from aftersales.sales.models import Unit

VIEW = selectors.VIEW
PERFORM = "fieldwork.perform_workorder"
# The most parts the visit page offers in its list; the rest are found by part number through the API.
PARTS_OFFERED = 300


def _language() -> str:
    return get_language() or "en"


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


# --- the technician's day -------------------------------------------------------------------------


@staff_view(VIEW, PERFORM)
def my_day(request: HttpRequest) -> HttpResponse:
    """Show the signed-in person's visits of a day in time order, with address, phone, units and their history."""
    day = _day(request)
    visits = selectors.visits_of_day(user=request.user, day=day)
    units = [unit for order in visits for unit in order.units.all()]
    context = {
        "section": "visits_my_day",
        "day": day,
        "today": timezone.localdate(),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "visits": visits,
        "histories": selectors.unit_histories(units),
    }
    return render(request, "console/fieldwork/my_day.html", context)


# --- one visit ------------------------------------------------------------------------------------


def _may_act(user: Any, order: WorkOrder) -> bool:
    try:
        services.visit_perform_check(user, order)
    except PermissionDenied:
        return False
    return True


def _order(request: HttpRequest, order_id: int) -> WorkOrder:
    order = selectors.visit_visible(user=request.user, order_id=order_id)
    if order is None:
        raise Http404(_("No such visit."))
    return order


def _parts_offered(order: WorkOrder) -> list[Part]:
    categories = {unit.product.category_id for unit in order.units.all()}
    parts = list(Part.objects.filter(is_active=True).prefetch_related("categories").order_by("name")[:PARTS_OFFERED])
    # Parts that fit the visit's units come first.
    return sorted(parts, key=lambda part: not any(category.pk in categories for category in part.categories.all()))


def _errors(failure: ValidationFailed) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for error in failure.errors:
        found[error.field.split("[", 1)[0]].append(str(error.reason))
    return dict(found)


def _visit_context(request: HttpRequest, order: WorkOrder, **extra: Any) -> dict[str, Any]:
    units = list(order.units.all())
    context = {
        "section": "visits_my_day",
        "order": order,
        "units": units,
        "histories": selectors.unit_histories(units),
        "may_act": _may_act(request.user, order),
        "startable": order.status in STARTABLE_STATUSES,
        "under_way": order.status == WorkOrderStatus.IN_PROGRESS,
        "report": getattr(order, "report", None),
        "parts_offered": _parts_offered(order) if order.status == WorkOrderStatus.IN_PROGRESS else [],
        "minutes_total": sum(entry.minutes for entry in order.time_entries.all()),
        "language": _language(),
        "errors": {},
        "values": {},
    }
    context.update(extra)
    return context


@staff_view(VIEW)
def visit_page(request: HttpRequest, order_id: int) -> HttpResponse:
    """Show a visit: who, where, the units and their history, the checklist, parts, time, photos and the report."""
    order = _order(request, order_id)
    return render(request, "console/fieldwork/visit.html", _visit_context(request, order))


def _refused(request: HttpRequest, order: WorkOrder, problem: DomainError) -> HttpResponse:
    """Answer an action the service refused: 403 for the role, otherwise back to the visit with the reason."""
    if isinstance(problem, PermissionDenied):
        return forbidden(request, problem.message)
    messages.error(request, str(problem.message))
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("console:visit", order.pk)
    # A partial cannot show a page-level message: reload the whole visit.
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("console:visit", args=[order.pk])
    return response


def _partial(request: HttpRequest, order_id: int, template: str, anchor: str, **extra: Any) -> HttpResponse:
    """Render one section of the visit (htmx), or go back to the visit page at that section."""
    order = _order(request, order_id)
    if not request.htmx:  # type: ignore[attr-defined]
        if extra.get("errors"):
            for reasons in extra["errors"].values():
                for reason in reasons:
                    messages.error(request, reason)
        return redirect(f"{reverse('console:visit', args=[order.pk])}#{anchor}")
    status = 400 if extra.get("errors") else 200
    return render(request, template, _visit_context(request, order, **extra), status=status)


@staff_view(VIEW, PERFORM)
@require_POST
def visit_start(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    try:
        services.visit_start(actor=request.user, order=order)  # type: ignore[arg-type]
    except (Conflict, PermissionDenied) as problem:
        return _refused(request, order, problem)
    messages.success(request, _("Visit started. Tick the checklist as you go."))
    return redirect("console:visit", order.pk)


@staff_view(VIEW, PERFORM)
@require_POST
def checklist_tick(request: HttpRequest, order_id: int, item_id: int) -> HttpResponse:
    order = _order(request, order_id)
    item = WorkOrderChecklistItem.objects.filter(work_order=order, pk=item_id).select_related("done_by").first()
    if item is None:
        raise Http404(_("No such checklist step."))
    done = request.POST.get("done") == "1"
    note = request.POST.get("note")
    errors: dict[str, list[str]] = {}
    try:
        item = services.checklist_item_tick(actor=request.user, item=item, done=done, note=note)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        errors = _errors(failure)
    except (Conflict, PermissionDenied) as problem:
        return _refused(request, order, problem)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(f"{reverse('console:visit', args=[order.pk])}#step-{item.pk}")
    context = {"order": order, "item": item, "may_act": True, "under_way": True, "language": _language(), "errors": errors}
    return render(request, "console/fieldwork/_visit_checklist_item.html", context, status=400 if errors else 200)


def _number(request: HttpRequest, name: str) -> int | None:
    text = request.POST.get(name, "").strip()
    return int(text) if text.isdigit() else None


@staff_view(VIEW, PERFORM)
@require_POST
def part_add(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    values = {key: request.POST.get(key, "") for key in ("part_id", "quantity", "unit_id")}
    part_id, quantity, unit_id = _number(request, "part_id"), _number(request, "quantity"), _number(request, "unit_id")
    part = Part.objects.filter(pk=part_id).first() if part_id else None
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    errors: dict[str, list[str]] = {}
    if part is None:
        errors["part_id"] = [_("Choose a part.")]
    if quantity is None:
        errors["quantity"] = [_("Enter a whole number.")]
    if not errors:
        try:
            services.visit_part_add(actor=request.user, order=order, part=part, quantity=quantity, unit=unit)  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors = _errors(failure)
        except (Conflict, PermissionDenied) as problem:
            return _refused(request, order, problem)
        else:
            values = {}
    return _partial(request, order_id, "console/fieldwork/_visit_parts.html", "parts", errors=errors, values=values)


@staff_view(VIEW, PERFORM)
@require_POST
def part_remove(request: HttpRequest, order_id: int, row_id: int) -> HttpResponse:
    order = _order(request, order_id)
    used = WorkOrderPart.objects.filter(work_order=order, pk=row_id).first()
    if used is None:
        raise Http404(_("No such part on this visit."))
    try:
        services.visit_part_remove(actor=request.user, used=used)  # type: ignore[arg-type]
    except (Conflict, PermissionDenied) as problem:
        return _refused(request, order, problem)
    return _partial(request, order_id, "console/fieldwork/_visit_parts.html", "parts")


@staff_view(VIEW, PERFORM)
@require_POST
def time_add(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    values = {key: request.POST.get(key, "") for key in ("minutes", "note")}
    minutes = _number(request, "minutes")
    errors: dict[str, list[str]] = {}
    if minutes is None:
        errors["minutes"] = [_("Enter the minutes as a whole number.")]
    else:
        try:
            services.visit_time_add(actor=request.user, order=order, minutes=minutes, note=values["note"])  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors = _errors(failure)
        except (Conflict, PermissionDenied) as problem:
            return _refused(request, order, problem)
        else:
            values = {}
    return _partial(request, order_id, "console/fieldwork/_visit_time.html", "time", errors=errors, values=values)


@staff_view(VIEW, PERFORM)
@require_POST
def photo_add(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    errors: dict[str, list[str]] = {}
    try:
        services.visit_photo_add(
            actor=request.user,  # type: ignore[arg-type]
            order=order,
            upload=request.FILES.get("photo"),
            caption=request.POST.get("caption", ""),
        )
    except ValidationFailed as failure:
        errors = _errors(failure)
    except (Conflict, PermissionDenied) as problem:
        return _refused(request, order, problem)
    return _partial(request, order_id, "console/fieldwork/_visit_photos.html", "photos", errors=errors)


@staff_view(VIEW)
def photo_file(request: HttpRequest, photo_id: int) -> FileResponse:
    """Send a visit photo to staff who may see visits."""
    photo = selectors.photo_visible(user=request.user, photo_id=photo_id)
    if photo is None:
        raise Http404(_("No such photo."))
    return stored_file_response(photo.file, filename=f"{photo.work_order.reference}-{photo.pk}", content_type=photo.content_type)


@staff_view(VIEW, PERFORM)
@require_POST
def visit_complete(request: HttpRequest, order_id: int) -> HttpResponse:
    """Complete the visit with the report; on a refusal show the form again with each reason by its field."""
    order = _order(request, order_id)
    fields = ("findings", "work_done", "follow_up_note", "signed_by_name", "unsigned_reason")
    values: dict[str, Any] = {name: request.POST.get(name, "") for name in fields}
    values["follow_up_needed"] = request.POST.get("follow_up_needed") == "1"
    values["not_present"] = request.POST.get("not_present") == "1"
    try:
        services.visit_complete(
            actor=request.user,  # type: ignore[arg-type]
            order=order,
            findings=values["findings"],
            work_done=values["work_done"],
            follow_up_needed=values["follow_up_needed"],
            follow_up_note=values["follow_up_note"],
            signed_by_name="" if values["not_present"] else values["signed_by_name"],
            unsigned_reason=values["unsigned_reason"] if values["not_present"] else "",
        )
    except ValidationFailed as failure:
        order = _order(request, order_id)
        context = _visit_context(request, order, errors=_errors(failure), values=values)
        return render(request, "console/fieldwork/visit.html", context, status=400)
    except (Conflict, PermissionDenied) as problem:
        return _refused(request, order, problem)
    messages.success(request, _("Visit completed. The customer will receive the report by email."))
    return redirect("console:visit", order.pk)


# --- checklist templates --------------------------------------------------------------------------


class ChecklistTemplateForm(forms.Form):
    """A checklist template as managers write it: steps one per line, Spanish in the same order."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_es = forms.CharField(label=gettext_lazy("Name in Spanish"), max_length=120, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of visit"), choices=WorkOrderKind.choices)
    category_id = forms.ChoiceField(
        label=gettext_lazy("Product category"),
        required=False,
        help_text=gettext_lazy("Empty: every category without a template of its own."),
    )
    steps = forms.CharField(
        label=gettext_lazy("Steps"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One step per line, in order."),
    )
    steps_es = forms.CharField(
        label=gettext_lazy("Steps in Spanish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("The same steps in the same order, one per line; empty to show the English ones."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All categories"))] + [
            (str(category.pk), category.display_name(language)) for category in Category.objects.order_by("name")
        ]
        self.fields["category_id"].choices = choices  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(template: ChecklistTemplate | None) -> dict[str, Any]:
        if template is None:
            return {"is_active": True}
        items = list(template.items.all())
        return {
            "name": template.name,
            "name_es": template.name_es,
            "kind": template.kind,
            "category_id": str(template.category_id or ""),
            "steps": "\n".join(item.text for item in items),
            "steps_es": "\n".join(item.text_es for item in items) if any(item.text_es for item in items) else "",
            "is_active": template.is_active,
        }


@staff_view("fieldwork.view_checklisttemplate")
def checklist_templates(request: HttpRequest) -> HttpResponse:
    """List the checklist templates by kind of visit and category."""
    context = {
        "section": "visit_checklists",
        "templates": selectors.checklist_templates_all(),
        "may_edit": request.user.has_perm("fieldwork.change_checklisttemplate"),
    }
    return render(request, "console/fieldwork/visit_checklists.html", context)


@staff_view("fieldwork.view_checklisttemplate")
def checklist_template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    """Write or change a checklist template (managers); others read it."""
    template = selectors.checklist_templates_all().filter(pk=template_id).first() if template_id else None
    if template_id and template is None:
        raise Http404(_("No such checklist template."))
    may_edit = request.user.has_perm("fieldwork.change_checklisttemplate") and request.user.has_perm(
        "fieldwork.add_checklisttemplate"
    )
    form = ChecklistTemplateForm(request.POST or None, initial=ChecklistTemplateForm.initial_for(template), language=_language())
    if request.method == "POST":
        if not may_edit:
            return forbidden(request, _("Your role does not allow you to change checklist templates."))
        if form.is_valid():
            try:
                saved = services.checklist_template_save(actor=request.user, data=form.cleaned_data, template=template)  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(request, _("Checklist “%(name)s” saved.") % {"name": saved.name})
                return redirect("console:visit_checklists")
    if not may_edit:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "section": "visit_checklists",
        "template": template,
        "form": form,
        "may_edit": may_edit,
        "may_delete": template is not None and request.user.has_perm("fieldwork.delete_checklisttemplate"),
    }
    return render(request, "console/fieldwork/visit_checklist_edit.html", context)


@staff_view("fieldwork.delete_checklisttemplate")
@require_POST
def checklist_template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    template = ChecklistTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404(_("No such checklist template."))
    services.checklist_template_delete(actor=request.user, template=template)  # type: ignore[arg-type]
    messages.success(request, _("Checklist “%(name)s” deleted.") % {"name": template.name})
    return redirect("console:visit_checklists")


urlpatterns = [
    path("fieldwork/my-day/", my_day, name="visits_my_day"),
    path("fieldwork/visits/<int:order_id>/", visit_page, name="visit"),
    path("fieldwork/visits/<int:order_id>/start/", visit_start, name="visit_start"),
    path("fieldwork/visits/<int:order_id>/checklist/<int:item_id>/", checklist_tick, name="visit_checklist_tick"),
    path("fieldwork/visits/<int:order_id>/parts/", part_add, name="visit_part_add"),
    path("fieldwork/visits/<int:order_id>/parts/<int:row_id>/remove/", part_remove, name="visit_part_remove"),
    path("fieldwork/visits/<int:order_id>/time/", time_add, name="visit_time_add"),
    path("fieldwork/visits/<int:order_id>/photos/", photo_add, name="visit_photo_add"),
    path("fieldwork/visits/<int:order_id>/complete/", visit_complete, name="visit_complete"),
    path("fieldwork/visit-photos/<int:photo_id>/", photo_file, name="visit_photo"),
    path("fieldwork/checklists/", checklist_templates, name="visit_checklists"),
    path("fieldwork/checklists/new/", checklist_template_edit, name="visit_checklist_new"),
    path("fieldwork/checklists/<int:template_id>/", checklist_template_edit, name="visit_checklist"),
    path("fieldwork/checklists/<int:template_id>/delete/", checklist_template_delete, name="visit_checklist_delete"),
]
