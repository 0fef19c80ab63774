"""Writes to playbooks and their steps.

Editing a step changes what happens from now on: occurrences are found when they fall due, so every
occurrence not yet due follows the new definition, and those already recorded stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.errors import Conflict, FieldError, Text, ValidationFailed, interpolate, one_of
from aftersales.core.models import Department, User
from aftersales.customers.models import Channel, Segment
from aftersales.followup.due import REPEATABLE_TRIGGERS
from aftersales.followup.models import Action, AssignTo, Playbook, PlaybookStep, Trigger
from aftersales.messaging.models import MessageChannel, MessageTemplate
from aftersales.sales.services import decimal_parse

PLAYBOOK_FIELDS = ("name", "name_es", "description", "description_es", "active")
STEP_FIELDS = (
    "position",
    "name",
    "name_es",
    "active",
    "trigger",
    "offset_days",
    "repeat_months",
    "catch_up_days",
    "consent_channel",
    "min_sale_value",
    "action",
    "template_code",
    "channel",
    "assign_to",
    "task_due_hours",
    "gift_voucher_value",
    "gift_voucher_days",
)
MESSAGE_CHANNELS = (MessageChannel.EMAIL, MessageChannel.SMS, MessageChannel.LETTER)
TASK_ACTIONS = (Action.CALL_TASK, Action.VISIT_TASK, Action.PROPOSE_WORK_ORDER)
MAX_OFFSET_DAYS = 3650


def _editor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _ids(value: Any, *, field: str, model: type[Segment] | type[Category], errors: list[FieldError]) -> list[int] | None:
    """Return the ids of existing rows named in a list, recording the ones that do not exist."""
    if value is None:
        return None
    try:
        wanted = sorted({int(item) for item in value})
    except (TypeError, ValueError):
        errors.append(FieldError(field=field, reason=_("must be a list of ids")))
        return None
    found = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        errors.append(FieldError(field=field, reason=interpolate(_("no such ids: %(ids)s"), ids=", ".join(map(str, missing)))))
    return wanted


def _spanish_name_check(cleaned: Mapping[str, Any], errors: list[FieldError]) -> None:
    if len(cleaned.get("name_es", "")) > 120:
        errors.append(FieldError(field="name_es", reason=interpolate(_("is longer than %(limit)s characters"), limit=120)))


# --- playbooks ------------------------------------------------------------------------------------


def playbook_clean(data: Mapping[str, Any], *, playbook: Playbook | None = None) -> tuple[dict[str, Any], list[FieldError]]:
    """Return normalised playbook fields and the reasons any of them is refused."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    if "name" in data:
        cleaned["name"] = str(data["name"] or "").strip()
        if not cleaned["name"]:
            errors.append(FieldError(field="name", reason=_("is required")))
        elif len(cleaned["name"]) > 120:
            errors.append(FieldError(field="name", reason=interpolate(_("is longer than %(limit)s characters"), limit=120)))
        else:
            clash = Playbook.objects.filter(name__iexact=cleaned["name"])
            if playbook is not None:
                clash = clash.exclude(pk=playbook.pk)
            if clash.exists():
                errors.append(FieldError(field="name", reason=_("another playbook has this name"), code="duplicate"))
    for name in ("name_es", "description", "description_es"):
        if name in data:
            cleaned[name] = str(data[name] or "").strip()
    _spanish_name_check(cleaned, errors)
    if "active" in data:
        cleaned["active"] = bool(data["active"])
    return cleaned, errors


@transaction.atomic
def playbook_create(*, actor: User | None, data: Mapping[str, Any]) -> Playbook:
    """Create a playbook; its name must be new."""
    cleaned, errors = playbook_clean({"name": "", **data})
    segment_ids = _ids(data.get("segment_ids"), field="segment_ids", model=Segment, errors=errors)
    category_ids = _ids(data.get("category_ids"), field="category_ids", model=Category, errors=errors)
    if errors:
        raise ValidationFailed(errors=errors)
    playbook = Playbook.objects.create(**cleaned, updated_by=_editor(actor))
    if segment_ids:
        playbook.segments.set(segment_ids)
    if category_ids:
        playbook.categories.set(category_ids)
    return playbook


@transaction.atomic
def playbook_update(*, actor: User | None, playbook: Playbook, data: Mapping[str, Any]) -> Playbook:
    """Change a playbook's name, description, scope or whether it runs; steps not yet due follow the change."""
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    cleaned, errors = playbook_clean(data, playbook=playbook)
    segment_ids = _ids(data.get("segment_ids"), field="segment_ids", model=Segment, errors=errors)
    category_ids = _ids(data.get("category_ids"), field="category_ids", model=Category, errors=errors)
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in cleaned.items():
        setattr(playbook, name, value)
    playbook.updated_by = _editor(actor)
    playbook.save()
    if segment_ids is not None:
        playbook.segments.set(segment_ids)
    if category_ids is not None:
        playbook.categories.set(category_ids)
    return playbook


@transaction.atomic
def playbook_delete(*, actor: User | None, playbook: Playbook) -> None:
    """Delete a playbook that never touched anyone; one with history can only be deactivated."""
    try:
        with transaction.atomic():
            playbook.delete()
    except ProtectedError as error:
        raise Conflict(_("This playbook already touched customers; deactivate it instead to keep its history.")) from error


# --- steps ----------------------------------------------------------------------------------------


def _integer(
    data: Mapping[str, Any], name: str, low: int, high: int, errors: list[FieldError], *, allow_none: bool = False
) -> Any:
    value = data[name]
    if value in (None, "") and allow_none:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.append(FieldError(field=name, reason=interpolate(_("%(value)r is not a whole number"), value=value)))
        return None
    if not low <= number <= high:
        errors.append(FieldError(field=name, reason=interpolate(_("must be between %(low)s and %(high)s"), low=low, high=high)))
    return number


def step_clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Return normalised step fields (one by one) and the reasons any of them is refused."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for name in ("name", "name_es", "trigger", "consent_channel", "action", "template_code", "channel", "assign_to"):
        if name in data:
            cleaned[name] = str(data[name] or "").strip()
    if "name" in cleaned:
        if not cleaned["name"]:
            errors.append(FieldError(field="name", reason=_("is required")))
        elif len(cleaned["name"]) > 120:
            errors.append(FieldError(field="name", reason=interpolate(_("is longer than %(limit)s characters"), limit=120)))
    _spanish_name_check(cleaned, errors)
    choices: dict[str, list[str]] = {
        "trigger": list(Trigger.values),
        "action": list(Action.values),
        "consent_channel": ["", *Channel.values],
        "channel": ["", *MESSAGE_CHANNELS],
        "assign_to": ["", *AssignTo.values],
    }
    for name, allowed in choices.items():
        if name in cleaned and cleaned[name] not in allowed:
            errors.append(FieldError(field=name, reason=one_of([code for code in allowed if code])))
    if "active" in data:
        cleaned["active"] = bool(data["active"])
    if "position" in data:
        cleaned["position"] = _integer(data, "position", 1, 1000, errors)
    if "offset_days" in data:
        cleaned["offset_days"] = _integer(data, "offset_days", -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS, errors)
    if "repeat_months" in data:
        cleaned["repeat_months"] = _integer(data, "repeat_months", 1, 120, errors, allow_none=True)
    if "catch_up_days" in data:
        cleaned["catch_up_days"] = _integer(data, "catch_up_days", 0, 365, errors)
    if "task_due_hours" in data:
        cleaned["task_due_hours"] = _integer(data, "task_due_hours", 1, 24 * 60, errors)
    if "min_sale_value" in data:
        raw = data["min_sale_value"]
        value: Decimal | None = None if raw in (None, "") else decimal_parse(raw)
        if raw not in (None, "") and (value is None or value < 0 or value.as_tuple().exponent < -2):  # type: ignore[operator]
            errors.append(
                FieldError(field="min_sale_value", reason=_("must be an amount of 0 or more, with at most two decimals"))
            )
        cleaned["min_sale_value"] = value.quantize(Decimal("0.01")) if value is not None and not errors else value
    if "gift_voucher_value" in data:
        raw = data["gift_voucher_value"]
        gift: Decimal | None = None if raw in (None, "") else decimal_parse(raw)
        if raw not in (None, "") and (gift is None or gift <= 0 or gift.as_tuple().exponent < -2 or gift >= 10**10):  # type: ignore[operator]
            errors.append(
                FieldError(field="gift_voucher_value", reason=_("must be an amount above 0, with at most two decimals"))
            )
            gift = None
        cleaned["gift_voucher_value"] = gift.quantize(Decimal("0.01")) if gift is not None else None
    if "gift_voucher_days" in data:
        cleaned["gift_voucher_days"] = _integer(data, "gift_voucher_days", 1, 3650, errors)
    return cleaned, errors


def _step_check(step: PlaybookStep, errors: list[FieldError]) -> None:
    """Record what makes a whole step inconsistent (an action without what it needs, a repetition that cannot be)."""

    def fail(field: str, reason: Text) -> None:
        errors.append(FieldError(field=field, reason=reason))

    trigger_label = Trigger(step.trigger).label if step.trigger in Trigger.values else step.trigger
    if step.repeat_months and step.trigger not in REPEATABLE_TRIGGERS:
        fail("repeat_months", interpolate(_("cannot be used with the trigger %(trigger)s"), trigger=trigger_label))
    if step.trigger == Trigger.NO_CONTACT and (step.offset_days or 0) < 1:
        fail("offset_days", _("is the number of days without contact: at least 1"))
    if step.action == Action.SEND_TEMPLATE:
        if not step.channel:
            fail("channel", _("is required to send a message"))
        else:
            _template_check(step, step.channel, errors)
    elif step.channel:
        fail("channel", _("is only used to send a message"))
    if step.gift_voucher_value is not None and step.action != Action.SEND_TEMPLATE:
        fail("gift_voucher_value", _("is only sent with a message"))
    if step.action == Action.CALL_TASK:
        _template_check(step, MessageChannel.CALL, errors)
    if step.action in TASK_ACTIONS:
        if not step.assign_to:
            fail("assign_to", _("is required for a task"))
        if step.assign_to == AssignTo.USER and step.assignee is None:
            fail("assignee_id", _("is required when the task goes to a staff member"))
        if step.assign_to == AssignTo.QUEUE and step.department is None:
            fail("department_id", _("is required when the task goes to a queue"))
    elif step.assign_to:
        fail("assign_to", _("is only used for call, visit and work-order tasks"))


def _template_check(step: PlaybookStep, channel: str, errors: list[FieldError]) -> None:
    if not step.template_code:
        errors.append(FieldError(field="template_code", reason=_("is required for this action")))
    elif not MessageTemplate.objects.filter(code=step.template_code, channel=channel).exists():
        errors.append(
            FieldError(
                field="template_code",
                reason=interpolate(
                    _("no %(channel)s template %(code)r"), channel=MessageChannel(channel).label, code=step.template_code
                ),
            )
        )


def _step_people(step: PlaybookStep, data: Mapping[str, Any], errors: list[FieldError]) -> None:
    if "assignee_id" in data:
        assignee_id = data["assignee_id"]
        step.assignee = None
        if assignee_id:
            step.assignee = User.objects.filter(pk=assignee_id, is_staff=True, is_active=True).first()
            if step.assignee is None:
                errors.append(FieldError(field="assignee_id", reason=_("is not an active staff member")))
    if "department_id" in data:
        department_id = data["department_id"]
        step.department = Department.objects.filter(pk=department_id).first() if department_id else None
        if department_id and step.department is None:
            errors.append(FieldError(field="department_id", reason=_("no such department")))


def _step_save(step: PlaybookStep, data: Mapping[str, Any], cleaned: dict[str, Any], errors: list[FieldError]) -> PlaybookStep:
    for name, value in cleaned.items():
        setattr(step, name, value)
    _step_people(step, data, errors)
    segment_ids = _ids(data.get("segment_ids"), field="segment_ids", model=Segment, errors=errors)
    category_ids = _ids(data.get("category_ids"), field="category_ids", model=Category, errors=errors)
    if not any(error.field in ("trigger", "action", "channel", "assign_to") for error in errors):
        _step_check(step, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    try:
        with transaction.atomic():
            step.save()
    except IntegrityError as error:
        raise ValidationFailed(errors=[FieldError(field="step", reason=_("is not consistent"))]) from error
    if segment_ids is not None:
        step.segments.set(segment_ids)
    if category_ids is not None:
        step.categories.set(category_ids)
    return step


@transaction.atomic
def step_create(*, actor: User | None, playbook: Playbook, data: Mapping[str, Any]) -> PlaybookStep:
    """Add a step to a playbook; its action must have what it needs (a template, someone to do the task)."""
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    cleaned, errors = step_clean({"name": "", "trigger": "", "action": "", **data})
    if "position" not in cleaned:
        cleaned["position"] = (playbook.steps.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    step = _step_save(PlaybookStep(playbook=playbook), data, cleaned, errors)
    playbook.updated_by = _editor(actor)
    playbook.save(update_fields=["updated_by", "updated_at"])
    return step


@transaction.atomic
def step_update(*, actor: User | None, step: PlaybookStep, data: Mapping[str, Any]) -> PlaybookStep:
    """Change a step; occurrences not yet due follow the new definition, recorded ones stay as they were."""
    step = PlaybookStep.objects.select_for_update().select_related("playbook").get(pk=step.pk)
    cleaned, errors = step_clean(data)
    step = _step_save(step, data, cleaned, errors)
    step.playbook.updated_by = _editor(actor)
    step.playbook.save(update_fields=["updated_by", "updated_at"])
    return step


@transaction.atomic
def step_delete(*, actor: User | None, step: PlaybookStep) -> None:
    """Delete a step that never touched anyone; one with history can only be deactivated."""
    try:
        with transaction.atomic():
            step.delete()
    except ProtectedError as error:
        raise Conflict(_("This step already touched customers; deactivate it instead to keep its history.")) from error


@transaction.atomic
def steps_reorder(*, actor: User | None, playbook: Playbook, step_ids: list[int]) -> list[PlaybookStep]:
    """Put a playbook's steps in the given order (every step named once); positions become 1, 2, 3…"""
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    steps = {step.pk: step for step in playbook.steps.all()}
    if sorted(step_ids) != sorted(steps) or len(set(step_ids)) != len(step_ids):
        raise ValidationFailed(errors=[FieldError(field="step_ids", reason=_("must name each step of the playbook once"))])
    ordered = [steps[step_id] for step_id in step_ids]
    for position, step in enumerate(ordered, start=1):
        step.position = position
    PlaybookStep.objects.bulk_update(ordered, ["position"])
    playbook.updated_by = _editor(actor)
    playbook.save(update_fields=["updated_by", "updated_at"])
    return ordered
