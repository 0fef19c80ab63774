"""Checklists: the templates managers keep, copied onto a work order and ticked off on site."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed, interpolate, one_of
from aftersales.core.permissions import require_perm
from aftersales.fieldwork.models import (
    ChecklistTemplate,
    ChecklistTemplateItem,
    WorkOrder,
    WorkOrderChecklistItem,
    WorkOrderEvent,
    WorkOrderKind,
    WorkOrderStatus,
)

if TYPE_CHECKING:
    from aftersales.core.models import User

STEP_MAX = 300
STEPS_MAX = 60
NOTE_MAX = 300
NAME_MAX = 120
EDIT_TEMPLATES = "fieldwork.change_checklisttemplate"
PERFORM = "fieldwork.perform_workorder"
SCHEDULE = "fieldwork.schedule_workorder"
# Statuses in which the checklist may still be ticked: the visit is under way.
TICKABLE_STATUSES = (WorkOrderStatus.IN_PROGRESS,)


def visit_perform_check(actor: User, order: WorkOrder) -> None:
    """Refuse anyone but the visit's assignee or a manager (who may also schedule visits)."""
    require_perm(actor, PERFORM)
    if order.assignee_id != actor.pk and not actor.has_perm(SCHEDULE):
        raise PermissionDenied(_("This visit is assigned to someone else."))


def _category_chain(category: Category | None) -> list[int]:
    """Return a category's id and its ancestors' ids, nearest first."""
    chain: list[int] = []
    while category is not None and category.pk not in chain:
        chain.append(category.pk)
        category = category.parent
    return chain


def checklist_template_for(*, kind: str, categories: Sequence[Category | None]) -> ChecklistTemplate | None:
    """Return the most specific active template for a kind: the units' category, then its parents, then all."""
    templates = list(ChecklistTemplate.objects.filter(kind=kind, is_active=True).order_by("id"))
    by_category: dict[int | None, ChecklistTemplate] = {}
    for template in templates:
        by_category.setdefault(template.category_id, template)
    for category in categories:
        for category_id in _category_chain(category):
            if category_id in by_category:
                return by_category[category_id]
    return by_category.get(None)


def work_order_checklist_copy(*, order: WorkOrder, actor: User | None = None) -> list[WorkOrderChecklistItem]:
    """Copy the steps of the most specific template onto a work order that has no checklist yet."""
    if order.checklist.exists():
        return list(order.checklist.all())
    units = list(order.units.select_related("product__category__parent").order_by("id"))
    template = checklist_template_for(kind=order.kind, categories=[unit.product.category for unit in units])
    if template is None:
        return []
    items = WorkOrderChecklistItem.objects.bulk_create(
        WorkOrderChecklistItem(work_order=order, position=index, text=step.text, text_es=step.text_es)
        for index, step in enumerate(template.items.order_by("position", "id"))
    )
    WorkOrderEvent.objects.create(
        work_order=order,
        kind="checklist_copied",
        actor=actor,
        data={"template_id": template.pk, "template": template.name, "steps": len(items)},
    )
    return items


@transaction.atomic
def checklist_item_tick(
    *, actor: User, item: WorkOrderChecklistItem, done: bool, note: str | None = None
) -> WorkOrderChecklistItem:
    """Tick a checklist step off (or untick it) with an optional note, while the visit is under way."""
    order = WorkOrder.objects.select_for_update().get(pk=item.work_order_id)
    visit_perform_check(actor, order)
    if order.status not in TICKABLE_STATUSES:
        raise Conflict(_("Start the visit before ticking its checklist; a finished visit's checklist is kept as it was."))
    note = item.note if note is None else note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            errors=[FieldError("note", interpolate(_("Keep it under %(max)s characters."), max=NOTE_MAX), code="too_long")]
        )
    item = WorkOrderChecklistItem.objects.select_for_update().get(pk=item.pk)
    if item.done == done and item.note == note:
        return item
    item.done, item.note = done, note
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done", "note", "done_at", "done_by"])
    WorkOrderEvent.objects.create(
        work_order=order,
        kind="checklist_ticked" if done else "checklist_unticked",
        actor=actor,
        data={"item_id": item.pk, "step": item.text, "note": note},
    )
    return item


def _steps_parse(data: Mapping[str, Any], errors: list[FieldError]) -> list[tuple[str, str]]:
    english = [line.strip() for line in str(data.get("steps") or "").splitlines() if line.strip()]
    spanish = [line.strip() for line in str(data.get("steps_es") or "").splitlines() if line.strip()]
    if not english:
        errors.append(FieldError("steps", _("Write at least one step, one per line."), code="required"))
    elif len(english) > STEPS_MAX:
        errors.append(FieldError("steps", interpolate(_("At most %(max)s steps."), max=STEPS_MAX), code="too_many"))
    if spanish and len(spanish) != len(english):
        errors.append(
            FieldError(
                "steps_es",
                interpolate(
                    _("Give the Spanish steps in the same order, one per line: %(english)s in English, %(spanish)s in Spanish."),
                    english=len(english),
                    spanish=len(spanish),
                ),
                code="mismatch",
            )
        )
    for field, lines in (("steps", english), ("steps_es", spanish)):
        for number, line in enumerate(lines, start=1):
            if len(line) > STEP_MAX:
                errors.append(
                    FieldError(
                        field,
                        interpolate(_("Step %(number)s is longer than %(max)s characters."), number=number, max=STEP_MAX),
                        code="too_long",
                    )
                )
    return [(text, spanish[index] if index < len(spanish) else "") for index, text in enumerate(english)]


@transaction.atomic
def checklist_template_save(
    *, actor: User, data: Mapping[str, Any], template: ChecklistTemplate | None = None
) -> ChecklistTemplate:
    """Create or change a checklist template and its steps (one per line, Spanish in the same order)."""
    require_perm(actor, EDIT_TEMPLATES)
    errors: list[FieldError] = []
    name = str(data.get("name") or "").strip()
    name_es = str(data.get("name_es") or "").strip()
    if not name:
        errors.append(FieldError("name", _("is required"), code="required"))
    for field, value in (("name", name), ("name_es", name_es)):
        if len(value) > NAME_MAX:
            errors.append(FieldError(field, interpolate(_("Keep it under %(max)s characters."), max=NAME_MAX), code="too_long"))
    kind = str(data.get("kind") or "")
    if kind not in WorkOrderKind.values:
        errors.append(FieldError("kind", one_of(WorkOrderKind.values), code="invalid_choice"))
    category_id = data.get("category_id") or None
    category = Category.objects.filter(pk=category_id).first() if category_id else None
    if category_id and category is None:
        errors.append(FieldError("category_id", _("no such category"), code="not_found"))
    steps = _steps_parse(data, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    template = template or ChecklistTemplate()
    template.name, template.name_es, template.kind, template.category = name, name_es, kind, category
    template.is_active = bool(data.get("is_active", True))
    template.save()
    # Orders already carrying a copy keep it: only new copies read the changed steps.
    template.items.all().delete()
    ChecklistTemplateItem.objects.bulk_create(
        ChecklistTemplateItem(template=template, position=index, text=text, text_es=text_es)
        for index, (text, text_es) in enumerate(steps)
    )
    return template


@transaction.atomic
def checklist_template_delete(*, actor: User, template: ChecklistTemplate) -> None:
    """Delete a checklist template; work orders keep the steps already copied onto them."""
    require_perm(actor, "fieldwork.delete_checklisttemplate")
    template.delete()
