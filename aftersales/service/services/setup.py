"""Configuring the service desk: queues, routing rules, canned replies, macros, agents' languages and shifts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.emails import validate_email
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import Department, Language, User
from aftersales.messaging.sandbox import template_check
from aftersales.service.models import (
    AgentProfile,
    AgentShift,
    AssignmentMode,
    CannedReply,
    Macro,
    Queue,
    RoutingRule,
    Tag,
    TicketChannel,
    TicketKind,
    TicketPriority,
    TicketStatus,
)
from aftersales.service.services.tickets import _assignee_check, tag_names_clean


class _Form:
    """Collect a record's field errors while its values are read."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    def has(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str, *, limit: int, required: bool = False) -> str:
        value = self.data.get(name)
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.errors.append(FieldError(field=name, reason=_("is required"), code="required"))
        elif len(text) > limit:
            self.errors.append(FieldError(field=name, reason=interpolate(_("is longer than %(limit)s characters"), limit=limit)))
        return text

    def spanish_name(self, record: Any) -> None:
        """Read a record's optional Spanish name (``name_es``) when it is given."""
        if self.has("name_es"):
            record.name_es = self.text("name_es", limit=120)

    def choice(self, name: str, choices: Sequence[str], *, blank: bool = True) -> str:
        value = self.data.get(name)
        text = "" if value is None else str(value)
        if (text or not blank) and text not in choices:
            self.errors.append(FieldError(field=name, reason=one_of(choices)))
        return text

    def languages(self, name: str) -> list[str]:
        value = self.data.get(name) or []
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        codes = list(dict.fromkeys(str(code) for code in value))
        if any(code not in Language.values for code in codes):
            self.errors.append(FieldError(field=name, reason=one_of(Language.values)))
        return codes

    def flag(self, name: str) -> bool:
        return bool(self.data.get(name))

    def template(self, name: str, source: str) -> None:
        if source:
            try:
                template_check(source, field=name)
            except ValidationFailed as failed:
                self.errors.extend(failed.errors)

    def fail(self) -> None:
        if self.errors:
            raise ValidationFailed(errors=self.errors)


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _resolve(form: _Form, name: str, model: Any, *, required: bool = False, **filters: Any) -> Any:
    """Return the record a field names (an instance or an id), or None; note an error when it is unknown."""
    value = form.data.get(name)
    if value in (None, ""):
        if required:
            form.errors.append(FieldError(field=name, reason=_("is required"), code="required"))
        return None
    record = model._default_manager.filter(pk=_pk(value), **filters).first()
    if record is None:
        form.errors.append(FieldError(field=name, reason=_("does not exist"), code="not_found"))
    return record


def _record_save(record: Any, fill: Callable[[Any, _Form], Any], data: Mapping[str, Any]) -> Any:
    """Fill a record from input, raise every reason it is refused, save it; return what ``fill`` returned."""
    form = _Form(data)
    extra = fill(record, form)
    form.fail()
    record.save()
    return extra


# --- queues ---------------------------------------------------------------------------------------


def _queue_fill(queue: Queue, form: _Form) -> None:
    if form.has("name") or queue.pk is None:
        queue.name = form.text("name", limit=120, required=True)
        if queue.name and Queue.objects.filter(name__iexact=queue.name).exclude(pk=queue.pk).exists():
            form.errors.append(FieldError(field="name", reason=_("another queue has this name"), code="duplicate"))
    form.spanish_name(queue)
    if form.has("department") or queue.pk is None:
        department = _resolve(form, "department", Department, required=True)
        if department is not None:
            queue.department = department
    if form.has("languages"):
        queue.languages = form.languages("languages")
    if form.has("assignment_mode"):
        queue.assignment_mode = form.choice("assignment_mode", AssignmentMode.values, blank=False)
    if form.has("email_address"):
        address = form.text("email_address", limit=254).lower()
        if address:
            try:
                validate_email(address)
            except DjangoValidationError:
                form.errors.append(FieldError(field="email_address", reason=_("is not a valid email address")))
            if Queue.objects.filter(email_address__iexact=address).exclude(pk=queue.pk).exists():
                form.errors.append(
                    FieldError(field="email_address", reason=_("another queue uses this mailbox"), code="duplicate")
                )
        queue.email_address = address
    if form.has("active"):
        queue.active = form.flag("active")
    if form.has("is_default"):
        queue.is_default = form.flag("is_default")
    if queue.is_default and not queue.active:
        form.errors.append(FieldError(field="active", reason=_("the default queue must stay active")))


def _queue_save(queue: Queue) -> Queue:
    if queue.is_default:
        # One default queue: choosing a new one releases the old.
        Queue.objects.filter(is_default=True).exclude(pk=queue.pk).update(is_default=False)
    queue.save()
    return queue


@transaction.atomic
def queue_create(*, actor: User, data: Mapping[str, Any]) -> Queue:
    """Create a queue for a department; the first queue becomes the default."""
    form = _Form(data)
    queue = Queue()
    _queue_fill(queue, form)
    form.fail()
    if not Queue.objects.filter(is_default=True).exists():
        queue.is_default = True
    return _queue_save(queue)


@transaction.atomic
def queue_update(*, actor: User, queue: Queue, data: Mapping[str, Any]) -> Queue:
    """Change a queue; the default queue cannot be switched off."""
    queue = Queue.objects.select_for_update().get(pk=queue.pk)
    was_default = queue.is_default
    form = _Form(data)
    _queue_fill(queue, form)
    if was_default and not queue.is_default:
        form.errors.append(FieldError(field="is_default", reason=_("choose another default queue instead")))
    form.fail()
    return _queue_save(queue)


@transaction.atomic
def queue_delete(*, actor: User, queue: Queue) -> None:
    """Delete a queue that never held a ticket (otherwise switch it off)."""
    if queue.is_default:
        raise Conflict(_("The default queue cannot be deleted."))
    try:
        queue.delete()
    except ProtectedError as error:
        raise Conflict(_("The queue holds tickets; switch it off instead.")) from error


# --- routing rules --------------------------------------------------------------------------------


def _rule_fill(rule: RoutingRule, form: _Form) -> None:
    if form.has("name") or rule.pk is None:
        rule.name = form.text("name", limit=120, required=True)
    if form.has("position"):
        try:
            rule.position = max(0, int(form.data["position"] or 0))
        except (TypeError, ValueError):
            form.errors.append(FieldError(field="position", reason=_("must be a whole number")))
    if form.has("kind"):
        rule.kind = form.choice("kind", TicketKind.values)
    if form.has("channel"):
        rule.channel = form.choice("channel", TicketChannel.values)
    if form.has("language"):
        rule.language = form.choice("language", Language.values)
    if form.has("priority"):
        rule.priority = form.choice("priority", TicketPriority.values)
    if form.has("category"):
        rule.category = _resolve(form, "category", Category)
    if form.has("queue") or rule.pk is None:
        queue = _resolve(form, "queue", Queue, required=True)
        if queue is not None:
            rule.queue = queue
    if form.has("active"):
        rule.active = form.flag("active")


@transaction.atomic
def routing_rule_create(*, actor: User, data: Mapping[str, Any]) -> RoutingRule:
    """Add a routing rule; without a position it goes last."""
    form = _Form(data)
    rule = RoutingRule()
    _rule_fill(rule, form)
    form.fail()
    if not form.has("position"):
        last = RoutingRule.objects.order_by("-position").values_list("position", flat=True).first()
        rule.position = (last or 0) + 10
    rule.save()
    return rule


@transaction.atomic
def routing_rule_update(*, actor: User, rule: RoutingRule, data: Mapping[str, Any]) -> RoutingRule:
    """Change a routing rule's conditions, target queue, priority or position."""
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    _record_save(rule, _rule_fill, data)
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: User, rule: RoutingRule) -> None:
    """Delete a routing rule; tickets it routed stay where they are."""
    rule.delete()


# --- canned replies -------------------------------------------------------------------------------


def _canned_fill(reply: CannedReply, form: _Form) -> None:
    if form.has("title") or reply.pk is None:
        reply.title = form.text("title", limit=120, required=True)
        if reply.title and CannedReply.objects.filter(title__iexact=reply.title).exclude(pk=reply.pk).exists():
            form.errors.append(FieldError(field="title", reason=_("another canned reply has this title"), code="duplicate"))
    if form.has("body_en") or reply.pk is None:
        reply.body_en = form.text("body_en", limit=20_000, required=True)
        form.template("body_en", reply.body_en)
    if form.has("body_es"):
        reply.body_es = form.text("body_es", limit=20_000)
        form.template("body_es", reply.body_es)
    if form.has("active"):
        reply.active = form.flag("active")


@transaction.atomic
def canned_reply_create(*, actor: User, data: Mapping[str, Any]) -> CannedReply:
    """Create a canned reply; its English and Spanish texts must compile in the template sandbox."""
    reply = CannedReply(created_by=actor if actor.is_authenticated else None)
    _record_save(reply, _canned_fill, data)
    return reply


@transaction.atomic
def canned_reply_update(*, actor: User, canned_reply: CannedReply, data: Mapping[str, Any]) -> CannedReply:
    """Change a canned reply; replies already sent keep their text."""
    reply = CannedReply.objects.select_for_update().get(pk=canned_reply.pk)
    _record_save(reply, _canned_fill, data)
    return reply


@transaction.atomic
def canned_reply_delete(*, actor: User, canned_reply: CannedReply) -> None:
    """Delete a canned reply; macros that used it stop replying."""
    canned_reply.delete()


# --- macros ---------------------------------------------------------------------------------------


def _macro_fill(macro: Macro, form: _Form) -> list[str] | None:
    if form.has("name") or macro.pk is None:
        macro.name = form.text("name", limit=120, required=True)
        if macro.name and Macro.objects.filter(name__iexact=macro.name).exclude(pk=macro.pk).exists():
            form.errors.append(FieldError(field="name", reason=_("another macro has this name"), code="duplicate"))
    if form.has("status"):
        macro.status = form.choice("status", [code for code in TicketStatus.values if code != TicketStatus.NEW])
    if form.has("priority"):
        macro.priority = form.choice("priority", TicketPriority.values)
    if form.has("queue"):
        macro.queue = _resolve(form, "queue", Queue, active=True)
    if form.has("assignee"):
        assignee = _resolve(form, "assignee", User)
        if assignee is not None:
            try:
                _assignee_check(assignee)
            except ValidationFailed as failed:
                form.errors.extend(failed.errors)
        macro.assignee = assignee
    if form.has("canned_reply"):
        macro.canned_reply = _resolve(form, "canned_reply", CannedReply)
    if form.has("active"):
        macro.active = form.flag("active")
    if form.has("tags"):
        try:
            return tag_names_clean(form.data.get("tags") or [])
        except ValidationFailed as failed:
            form.errors.extend(failed.errors)
    return None


def _macro_tags_set(macro: Macro, names: list[str] | None) -> None:
    if names is None:
        return
    macro.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])


@transaction.atomic
def macro_create(*, actor: User, data: Mapping[str, Any]) -> Macro:
    """Create a macro: the changes it makes and the canned reply it sends, in one click."""
    macro = Macro()
    _macro_tags_set(macro, _record_save(macro, _macro_fill, data))
    return macro


@transaction.atomic
def macro_update(*, actor: User, macro: Macro, data: Mapping[str, Any]) -> Macro:
    """Change what a macro does."""
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    _macro_tags_set(macro, _record_save(macro, _macro_fill, data))
    return macro


@transaction.atomic
def macro_delete(*, actor: User, macro: Macro) -> None:
    """Delete a macro."""
    macro.delete()


# --- agents ---------------------------------------------------------------------------------------


@transaction.atomic
def agent_profile_set(
    *, actor: User, user: User, languages: Sequence[str] | None = None, available: bool | None = None
) -> AgentProfile:
    """Record which languages a staff member speaks and whether they take new tickets now."""
    form = _Form({"languages": list(languages) if languages is not None else []})
    codes = form.languages("languages")
    form.fail()
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=user)
    if languages is not None:
        profile.languages = codes
    if available is not None:
        profile.available = available
    profile.save()
    return profile


@transaction.atomic
def agent_shifts_set(*, actor: User, user: User, shifts: Sequence[tuple[int, dt.time, dt.time]]) -> list[AgentShift]:
    """Replace a staff member's weekly shifts ((weekday 0=Monday, from, until) in their time zone; night shifts end next day)."""
    errors: list[FieldError] = []
    for index, (weekday, starts_at, ends_at) in enumerate(shifts):
        if not 0 <= int(weekday) <= 6:
            errors.append(FieldError(field=f"shifts[{index}].weekday", reason=_("must be 0 (Monday) to 6 (Sunday)")))
        # An end before the start is a night shift that runs past midnight into the next day.
        if ends_at == starts_at:
            errors.append(FieldError(field=f"shifts[{index}].ends_at", reason=_("must differ from the start")))
    if errors:
        raise ValidationFailed(errors=errors)
    AgentShift.objects.filter(user=user).delete()
    return [
        AgentShift.objects.create(user=user, weekday=int(weekday), starts_at=starts_at, ends_at=ends_at)
        for weekday, starts_at, ends_at in shifts
    ]
