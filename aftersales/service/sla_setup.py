"""Configuring service levels: SLA policies with their targets, and escalation rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.errors import FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import BusinessCalendar, User
from aftersales.customers.models import Segment
from aftersales.service.models import (
    EscalationRule,
    EscalationTier,
    EscalationTrigger,
    Queue,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    TicketPriority,
)
from aftersales.service.services.setup import _Form, _resolve
from aftersales.service.services.tickets import _assignee_check

# A year of working minutes is more than any sensible target; larger numbers are typing mistakes.
MAX_TARGET_MINUTES = 2080 * 60
TIERS = [str(value) for value in EscalationTier.values]


def _position(form: _Form) -> int | None:
    if not form.has("position"):
        return None
    try:
        return max(0, int(form.data["position"] or 0))
    except (TypeError, ValueError):
        form.errors.append(FieldError(field="position", reason=_("must be a whole number")))
        return None


def _whole(form: _Form, name: str, *, low: int, high: int, blank: bool) -> int | None:
    value = form.data.get(name)
    if value in (None, "") and blank:
        return None
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        reason = interpolate(_("must be a whole number from %(low)s to %(high)s"), low=low, high=high)
        form.errors.append(FieldError(field=name, reason=reason))
        return None
    return number


# --- policies -------------------------------------------------------------------------------------


def _policy_fill(policy: SlaPolicy, form: _Form) -> None:
    if form.has("name") or policy.pk is None:
        policy.name = form.text("name", limit=120, required=True)
        if policy.name and SlaPolicy.objects.filter(name__iexact=policy.name).exclude(pk=policy.pk).exists():
            form.errors.append(FieldError(field="name", reason=_("another policy has this name"), code="duplicate"))
    form.spanish_name(policy)
    position = _position(form)
    if position is not None:
        policy.position = position
    if form.has("priority"):
        policy.priority = form.choice("priority", TicketPriority.values)
    if form.has("segment"):
        policy.segment = _resolve(form, "segment", Segment)
    if form.has("category"):
        policy.category = _resolve(form, "category", Category)
    if form.has("calendar"):
        policy.calendar = _resolve(form, "calendar", BusinessCalendar)
    if form.has("warn_percent"):
        policy.warn_percent = _whole(form, "warn_percent", low=1, high=100, blank=False) or policy.warn_percent
    if form.has("warn_minutes_before"):
        policy.warn_minutes_before = _whole(form, "warn_minutes_before", low=1, high=MAX_TARGET_MINUTES, blank=True)
    if form.has("active"):
        policy.active = form.flag("active")


def targets_clean(rows: Iterable[Mapping[str, Any]]) -> tuple[list[SlaTarget], list[FieldError]]:
    """Return target rows from input and the reasons any of them is refused (one row per priority and tier)."""
    targets: list[SlaTarget] = []
    errors: list[FieldError] = []
    seen: set[tuple[str, int]] = set()
    for index, row in enumerate(rows):
        prefix = f"targets[{index}]"
        form = _Form(row)
        priority = form.choice("priority", TicketPriority.values)
        tier = row.get("tier") or EscalationTier.L1
        if tier not in EscalationTier.values:
            form.errors.append(FieldError(field="tier", reason=one_of(TIERS)))
        first = _whole(form, "first_response_minutes", low=1, high=MAX_TARGET_MINUTES, blank=True)
        resolution = _whole(form, "resolution_minutes", low=1, high=MAX_TARGET_MINUTES, blank=True)
        if first is None and resolution is None and not form.errors:
            form.errors.append(
                FieldError(field="first_response_minutes", reason=_("give a first-response or a resolution target"))
            )
        if (priority, tier) in seen:
            form.errors.append(
                FieldError(field="priority", reason=_("this priority and tier already have a row"), code="duplicate")
            )
        seen.add((priority, tier))
        errors.extend(FieldError(field=f"{prefix}.{error.field}", reason=error.reason, code=error.code) for error in form.errors)
        if not form.errors:
            targets.append(SlaTarget(priority=priority, tier=tier, first_response_minutes=first, resolution_minutes=resolution))
    return targets, errors


def _targets_replace(policy: SlaPolicy, targets: list[SlaTarget]) -> None:
    policy.targets.all().delete()
    for target in targets:
        target.policy = policy
    SlaTarget.objects.bulk_create(targets)


@transaction.atomic
def sla_policy_create(*, actor: User | None, data: Mapping[str, Any], targets: Iterable[Mapping[str, Any]] = ()) -> SlaPolicy:
    """Add an SLA policy with its targets; without a position it is tried last."""
    form = _Form(data)
    policy = SlaPolicy()
    _policy_fill(policy, form)
    rows, target_errors = targets_clean(targets)
    form.errors.extend(target_errors)
    if not rows and not target_errors:
        form.errors.append(FieldError(field="targets", reason=_("needs at least one target"), code="required"))
    form.fail()
    if not form.has("position"):
        last = SlaPolicy.objects.order_by("-position").values_list("position", flat=True).first()
        policy.position = (last or 0) + 10
    policy.save()
    _targets_replace(policy, rows)
    return policy


@transaction.atomic
def sla_policy_update(
    *, actor: User | None, policy: SlaPolicy, data: Mapping[str, Any], targets: Iterable[Mapping[str, Any]] | None = None
) -> SlaPolicy:
    """Change a policy; given targets replace all of its targets. Clocks already running keep their times."""
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    form = _Form(data)
    _policy_fill(policy, form)
    rows: list[SlaTarget] = []
    if targets is not None:
        rows, target_errors = targets_clean(targets)
        form.errors.extend(target_errors)
        if not rows and not target_errors:
            form.errors.append(FieldError(field="targets", reason=_("needs at least one target"), code="required"))
    form.fail()
    policy.save()
    if targets is not None:
        _targets_replace(policy, rows)
    return policy


@transaction.atomic
def sla_policy_delete(*, actor: User | None, policy: SlaPolicy) -> None:
    """Delete a policy; clocks it started keep their targets and run on."""
    policy.delete()


# --- escalation rules -----------------------------------------------------------------------------

ACTIONS = ("move_to_queue", "assign_to", "raise_priority", "escalate_to_tier_2", "notify_managers", "notify_assignee")


def _rule_fill(rule: EscalationRule, form: _Form) -> None:
    if form.has("name") or rule.pk is None:
        rule.name = form.text("name", limit=120, required=True)
        if rule.name and EscalationRule.objects.filter(name__iexact=rule.name).exclude(pk=rule.pk).exists():
            form.errors.append(FieldError(field="name", reason=_("another escalation rule has this name"), code="duplicate"))
    form.spanish_name(rule)
    position = _position(form)
    if position is not None:
        rule.position = position
    if form.has("trigger"):
        rule.trigger = form.choice("trigger", EscalationTrigger.values, blank=False)
    if form.has("metric"):
        rule.metric = form.choice("metric", SlaMetric.values)
    if form.has("tier"):
        tier = form.data.get("tier")
        if tier in (None, ""):
            rule.tier = None
        elif tier in EscalationTier.values:
            rule.tier = int(tier)
        else:
            form.errors.append(FieldError(field="tier", reason=one_of(TIERS)))
    if form.has("priority"):
        rule.priority = form.choice("priority", TicketPriority.values)
    if form.has("queue"):
        rule.queue = _resolve(form, "queue", Queue)
    if form.has("move_to_queue"):
        rule.move_to_queue = _resolve(form, "move_to_queue", Queue, active=True)
    if form.has("assign_to"):
        rule.assign_to = _resolve(form, "assign_to", User)
        try:
            _assignee_check(rule.assign_to, field="assign_to")
        except ValidationFailed as failed:
            form.errors.extend(failed.errors)
    for flag in ("raise_priority", "escalate_to_tier_2", "notify_managers", "notify_assignee", "active"):
        if form.has(flag):
            setattr(rule, flag, form.flag(flag))
    if not any(getattr(rule, action) for action in ACTIONS):
        form.errors.append(FieldError(field="actions", reason=_("choose at least one thing to do"), code="required"))


@transaction.atomic
def escalation_rule_create(*, actor: User | None, data: Mapping[str, Any]) -> EscalationRule:
    """Add an escalation rule; it acts on the warnings and breaches recorded from now on."""
    form = _Form(data)
    rule = EscalationRule()
    _rule_fill(rule, form)
    form.fail()
    if not form.has("position"):
        last = EscalationRule.objects.order_by("-position").values_list("position", flat=True).first()
        rule.position = (last or 0) + 10
    rule.save()
    return rule


@transaction.atomic
def escalation_rule_update(*, actor: User | None, rule: EscalationRule, data: Mapping[str, Any]) -> EscalationRule:
    """Change an escalation rule's conditions or actions."""
    rule = EscalationRule.objects.select_for_update().get(pk=rule.pk)
    form = _Form(data)
    _rule_fill(rule, form)
    form.fail()
    rule.save()
    return rule


@transaction.atomic
def escalation_rule_delete(*, actor: User | None, rule: EscalationRule) -> None:
    """Delete an escalation rule; what it already did stays in the tickets' history."""
    rule.delete()
