"""SLA clocks: started, paused, resumed and stopped by ticket changes; warned and breached by a sweep.

Every ticket change reaches :func:`sla_ticket_changed` through ``ticket_changed`` (inside the ticket's
transaction), so a clock never disagrees with its ticket:

- opening starts the level-1 clocks of the first matching policy; escalating to level 2 starts the
  level-2 clocks (level-1 clocks run on: the customer's promise does not change);
- waiting on the customer or a third party pauses the clocks, any other open status resumes them;
- the first public reply stops the first-response clocks; resolving stops every clock, and a reopened
  ticket's resolution clock goes on where it stopped (the time it spent resolved does not count);
- a new priority re-reads the targets (the start stays); a clock already breached keeps its target and breach.

A target is the first matching policy's, shortened by what another capability offers through
``sla_targets`` (a maintenance contract's response-time commitment).

``due_at`` and ``warn_at`` are instants computed in business time whenever a clock (re)starts, so the
sweep :func:`sla_sweep` finds every clock due for a warning or a breach with one indexed query, claims
them with a conditional ``UPDATE`` (rows locked with ``SKIP LOCKED`` on PostgreSQL), writes their events
in bulk, and hands the escalation rules to a background task. Two ticks never record a clock twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersales.core import business_time
from aftersales.core.calendars import calendar_default, calendar_value
from aftersales.core.errors import DomainError
from aftersales.core.models import BusinessCalendar, TimelineEvent, User
from aftersales.core.roles import Role
from aftersales.core.services import notification_send
from aftersales.service.models import (
    ACTIVE_STATUSES,
    PRIORITY_ORDER,
    WAITING_STATUSES,
    EscalationRule,
    EscalationTier,
    EscalationTrigger,
    SlaClock,
    SlaClockStatus,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketPriority,
    TicketStatus,
)
from aftersales.service.services.routing import category_chain
from aftersales.service.signals import Change
from aftersales.service.sla_record import TIMELINE_KIND, clock_events_insert, set_based_supported
from aftersales.service.sla_targets import sla_target_offered

logger = logging.getLogger(__name__)

# Clocks claimed per statement by the sweep; a tick goes on until none are left.
SWEEP_BATCH = 1000
# An escalation task that has not run after this long is handed to the workers again.
ESCALATION_RETRY_AFTER = dt.timedelta(minutes=10)
# Ticket event codes written by the SLA capability.
EVENT_WARNING = "sla_warning"
EVENT_BREACHED = "sla_breached"
EVENT_ESCALATION = "sla_escalation"
RESOLVED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


# --- policies and targets -------------------------------------------------------------------------


def sla_policy_for(ticket: Ticket) -> SlaPolicy | None:
    """Return the first active policy whose priority, customer segment and product category match the ticket."""
    segments = set(ticket.customer.segments.values_list("pk", flat=True))
    categories = category_chain(ticket.unit)
    policies = SlaPolicy.objects.filter(active=True).select_related("calendar").prefetch_related("targets")
    for policy in policies:
        if policy.priority and policy.priority != ticket.priority:
            continue
        if policy.segment_id and policy.segment_id not in segments:
            continue
        if policy.category_id and policy.category_id not in categories:
            continue
        return policy
    return None


def sla_target_for(policy: SlaPolicy, *, priority: str, tier: int) -> SlaTarget | None:
    """Return a policy's targets for a priority and tier, falling back to its row for any priority."""
    rows = {(row.priority, row.tier): row for row in policy.targets.all()}
    return rows.get((priority, tier)) or rows.get(("", tier))


def sla_minutes_for(ticket: Ticket, policy: SlaPolicy | None, *, metric: str, tier: int) -> int | None:
    """Return a ticket's target for a metric and tier: the policy's, shortened by any registered provider's offer."""
    target = sla_target_for(policy, priority=ticket.priority, tier=tier) if policy else None
    minutes = target.minutes(metric) if target else None
    offered = sla_target_offered(ticket, metric, tier)
    if offered and (minutes is None or offered < minutes):
        return offered
    return minutes


def _calendar_of(calendar: BusinessCalendar | None) -> business_time.Calendar:
    calendar = calendar or calendar_default()
    return calendar_value(calendar) if calendar is not None else business_time.always_open()


def _warn_offset(policy: SlaPolicy | None, target: dt.timedelta) -> dt.timedelta:
    """Return how much working time after the start the warning comes."""
    if policy is not None and policy.warn_minutes_before:
        return max(dt.timedelta(0), target - dt.timedelta(minutes=policy.warn_minutes_before))
    percent = policy.warn_percent if policy is not None else 80
    return target * percent / 100


def _schedule(clock: SlaClock, calendar: business_time.Calendar) -> None:
    """Set when a running clock warns and breaches: its target plus the time it spent paused, in working time."""
    target = dt.timedelta(minutes=clock.target_minutes)
    paused = dt.timedelta(seconds=clock.paused_seconds)
    clock.due_at = business_time.business_add(calendar, clock.started_at, target + paused)
    clock.warn_at = business_time.business_add(calendar, clock.started_at, _warn_offset(clock.policy, target) + paused)


# --- clocks follow their ticket -------------------------------------------------------------------


def _clocks_start(ticket: Ticket, *, tier: int, at: dt.datetime, existing: Sequence[SlaClock]) -> list[SlaClock]:
    """Start the clocks of a tier that the ticket's policy has targets for and the ticket does not have yet."""
    policy = sla_policy_for(ticket)
    have = {(clock.metric, clock.tier) for clock in existing}
    targets = {metric: sla_minutes_for(ticket, policy, metric=metric, tier=tier) for metric in SlaMetric.values}
    if not any(targets.values()):
        return []
    calendar_row = (policy.calendar if policy else None) or calendar_default()
    calendar = _calendar_of(calendar_row)
    started = []
    for metric, minutes in targets.items():
        if not minutes or (metric, tier) in have:
            continue
        if metric == SlaMetric.FIRST_RESPONSE and tier == EscalationTier.L1 and ticket.first_public_reply_at is not None:
            continue
        clock = SlaClock(
            ticket=ticket,
            metric=metric,
            tier=tier,
            policy=policy,
            calendar=calendar_row,
            target_minutes=minutes,
            started_at=at,
        )
        _schedule(clock, calendar)
        clock.save(force_insert=True)
        started.append(clock)
    return started


def _pause(clock: SlaClock, at: dt.datetime) -> bool:
    # A clock already past its target stays running: the sweep records the breach within the minute.
    if clock.status != SlaClockStatus.RUNNING or clock.due_at <= at:
        return False
    clock.status = SlaClockStatus.PAUSED
    clock.paused_at = at
    return True


def _resume(clock: SlaClock, at: dt.datetime) -> bool:
    if clock.status != SlaClockStatus.PAUSED or clock.paused_at is None:
        return False
    calendar = _calendar_of(clock.calendar)
    clock.paused_seconds += int(business_time.business_between(calendar, clock.paused_at, at).total_seconds())
    clock.paused_at = None
    clock.status = SlaClockStatus.RUNNING
    _schedule(clock, calendar)
    return True


def _restart(clock: SlaClock, at: dt.datetime, *, paused: bool) -> bool:
    """Count again on a stopped clock (a reopened ticket's resolution); the stopped time does not count."""
    if clock.stopped_at is None:
        return False
    calendar = _calendar_of(clock.calendar)
    clock.paused_seconds += int(business_time.business_between(calendar, clock.stopped_at, at).total_seconds())
    clock.stopped_at = None
    if clock.status == SlaClockStatus.MET:
        clock.status = SlaClockStatus.RUNNING
        _schedule(clock, calendar)
        if paused:
            _pause(clock, at)
    return True


def _stop(clock: SlaClock, at: dt.datetime) -> bool:
    """Stop a live clock: met when in time; breached when its target passed before the sweep saw it."""
    if clock.stopped_at is not None:
        return False
    clock.stopped_at = at
    if clock.status == SlaClockStatus.RUNNING and clock.due_at < at:
        clock.status = SlaClockStatus.BREACHED
        clock.breached_at = at
        # Already answered or resolved: the breach is recorded, but nothing is left to escalate.
        clock.breach_handled_at = at
        _breach_events_write([clock], at=at)
    elif clock.status in (SlaClockStatus.RUNNING, SlaClockStatus.PAUSED):
        clock.status = SlaClockStatus.MET
        clock.paused_at = None
    return True


def _retarget(ticket: Ticket, clocks: Iterable[SlaClock], at: dt.datetime) -> list[SlaClock]:
    """Give live clocks the targets of the ticket's current priority; a clock without a target any more stops.

    A breached clock keeps its target and its recorded breach: the promise was already broken, and a new
    priority must neither erase nor move it. So does a clock whose target has passed but which the sweep
    has not recorded yet (it records the breach within the minute). Any other clock is re-timed from its
    start to the new priority's target.
    """
    policy = sla_policy_for(ticket)
    touched = []
    for clock in clocks:
        if clock.stopped_at is not None or clock.status == SlaClockStatus.BREACHED:
            continue
        if clock.status == SlaClockStatus.RUNNING and clock.due_at <= at:
            continue
        minutes = sla_minutes_for(ticket, policy, metric=clock.metric, tier=clock.tier)
        if not minutes:
            _stop(clock, at)
            touched.append(clock)
            continue
        if (minutes, policy) == (clock.target_minutes, clock.policy):
            continue
        clock.policy = policy
        clock.target_minutes = minutes
        if policy is not None and policy.calendar_id:
            clock.calendar = policy.calendar
        if clock.status == SlaClockStatus.RUNNING:
            _schedule(clock, _calendar_of(clock.calendar))
        touched.append(clock)
    return touched


def sla_ticket_changed(*, ticket: Ticket, change: str, data: dict[str, Any], at: dt.datetime | None = None) -> list[SlaClock]:
    """Start, pause, resume, retarget and stop a ticket's clocks after a change; return the clocks that changed."""
    at = at or timezone.now()
    # Locked, so the sweep (which skips locked clocks) and this change never record the same breach.
    clocks = list(SlaClock.objects.filter(ticket=ticket).select_related("policy", "calendar").select_for_update(of=("self",)))
    for clock in clocks:
        clock.ticket = ticket
    touched: dict[int, SlaClock] = {}

    def touch(clock: SlaClock) -> None:
        touched[id(clock)] = clock

    if change == Change.CREATED or (change == Change.ESCALATED and ticket.escalation_tier == EscalationTier.L2):
        for tier in range(EscalationTier.L1, ticket.escalation_tier + 1):
            new = _clocks_start(ticket, tier=tier, at=at, existing=clocks)
            clocks.extend(new)
    if change == Change.PUBLIC_REPLY:
        for clock in clocks:
            if clock.metric == SlaMetric.FIRST_RESPONSE and _stop(clock, at):
                touch(clock)
    replied_at = ticket.first_public_reply_at
    if change == Change.MERGED and replied_at is not None:
        # The merged ticket brought an earlier reply along: it answered this one too.
        for clock in clocks:
            if clock.metric == SlaMetric.FIRST_RESPONSE and clock.started_at <= replied_at and _stop(clock, replied_at):
                touch(clock)
    if change == Change.PRIORITY:
        for clock in _retarget(ticket, clocks, at):
            touch(clock)

    for clock in clocks:
        above_tier = clock.tier > ticket.escalation_tier
        if ticket.status in RESOLVED_STATUSES or above_tier:
            if _stop(clock, at):
                touch(clock)
            continue
        if clock.metric == SlaMetric.RESOLUTION and _restart(clock, at, paused=ticket.status in WAITING_STATUSES):
            touch(clock)
        if ticket.status in WAITING_STATUSES:
            if _pause(clock, at):
                touch(clock)
        elif _resume(clock, at):
            touch(clock)

    for clock in touched.values():
        if clock.pk is not None:
            clock.save()
    return clocks


# --- the sweep ------------------------------------------------------------------------------------


def _due(trigger: str, now: dt.datetime) -> Q:
    if trigger == EscalationTrigger.WARNING:
        return Q(status=SlaClockStatus.RUNNING, warned_at__isnull=True, warn_at__lte=now)
    return Q(status=SlaClockStatus.RUNNING, due_at__lte=now)


def _rules_exist(trigger: str) -> bool:
    return EscalationRule.objects.filter(active=True, trigger=trigger).exists()


def _claim(trigger: str, now: dt.datetime, *, escalate: bool) -> list[int]:
    """Mark up to a batch of due clocks warned or breached; return the ids this call marked.

    On PostgreSQL the rows are locked with ``SKIP LOCKED`` so a concurrent tick takes other rows or none;
    SQLite runs one writing transaction at a time. The ``UPDATE`` repeats the condition either way.
    """
    due = SlaClock.objects.filter(_due(trigger, now))
    order = "warn_at" if trigger == EscalationTrigger.WARNING else "due_at"
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    ids = list(due.order_by(order).values_list("pk", flat=True)[:SWEEP_BATCH])
    if not ids:
        return []
    handled = None if escalate else now
    if trigger == EscalationTrigger.WARNING:
        changes: dict[str, Any] = {"warned_at": now, "warning_handled_at": handled}
    else:
        changes = {"status": SlaClockStatus.BREACHED, "breached_at": now, "breach_handled_at": handled}
    claimed = SlaClock.objects.filter(_due(trigger, now), pk__in=ids).update(**changes)
    if claimed != len(ids):  # pragma: no cover - the lock makes this impossible; never record what was not claimed
        raise RuntimeError("SLA clocks changed under the sweep's lock")
    return ids


def _clock_event_data(clock: SlaClock) -> dict[str, Any]:
    return {
        "clock_id": clock.pk,
        "metric": clock.metric,
        "tier": clock.tier,
        "due_at": clock.due_at.isoformat(),
        "target_minutes": clock.target_minutes,
    }


def _breach_events_write(clocks: Sequence[SlaClock], *, at: dt.datetime) -> None:
    """Write the breach of each clock on its ticket's history and its customer's timeline."""
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket_id=clock.ticket_id, kind=EVENT_BREACHED, data=_clock_event_data(clock), at=at) for clock in clocks
    )
    # Staff-only: on the customer's timeline, never on the unit's (which the customer sees in the portal).
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            customer_id=clock.ticket.customer_id,
            kind=TIMELINE_KIND,
            occurred_at=clock.due_at,
            data={
                "ticket_id": clock.ticket_id,
                "reference": clock.ticket.reference,
                "metric": clock.metric,
                "tier": clock.tier,
            },
        )
        for clock in clocks
    )


def _record(trigger: str, ids: Sequence[int], now: dt.datetime) -> None:
    """Write the events of the clocks just claimed: set-based where the database allows, else through the ORM."""
    if set_based_supported():
        breach = trigger == EscalationTrigger.BREACH
        clock_events_insert(ids=ids, kind=EVENT_BREACHED if breach else EVENT_WARNING, at=now, timeline=breach)
    else:
        _record_orm(trigger, ids, now)


def _record_orm(trigger: str, ids: Sequence[int], now: dt.datetime) -> None:
    clocks = list(
        SlaClock.objects.filter(pk__in=ids)
        .select_related("ticket")
        .only(
            "pk",
            "metric",
            "tier",
            "due_at",
            "target_minutes",
            "ticket_id",
            "ticket__number",
            "ticket__customer_id",
        )
        .order_by("pk")
    )
    if trigger == EscalationTrigger.WARNING:
        TicketEvent.objects.bulk_create(
            TicketEvent(ticket_id=clock.ticket_id, kind=EVENT_WARNING, data=_clock_event_data(clock), at=now) for clock in clocks
        )
    else:
        _breach_events_write(clocks, at=now)


def _escalations_enqueue(trigger: str, ids: Sequence[int]) -> None:
    def enqueue() -> None:
        from aftersales.service.sla_tasks import sla_escalate

        try:
            sla_escalate.enqueue(list(ids), trigger)
        except Exception:
            logger.exception("Could not queue the escalation of %s SLA clocks; the sweep will retry", len(ids))

    transaction.on_commit(enqueue)


def sla_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Record every due warning and breach once, in batches, and hand their escalation rules to the workers."""
    now = now or timezone.now()
    outcome = {"warned": 0, "breached": 0, "escalations_requeued": 0}
    for trigger, key in ((EscalationTrigger.WARNING, "warned"), (EscalationTrigger.BREACH, "breached")):
        escalate = _rules_exist(trigger)
        while True:
            with transaction.atomic():
                ids = _claim(trigger, now, escalate=escalate)
                if not ids:
                    break
                _record(trigger, ids, now)
                if escalate:
                    _escalations_enqueue(trigger, ids)
            outcome[key] += len(ids)
    outcome["escalations_requeued"] = _escalations_redispatch(now)
    return outcome


def _escalations_redispatch(now: dt.datetime) -> int:
    """Hand escalations whose task was lost back to the workers (the task itself applies each one once)."""
    cutoff = now - ESCALATION_RETRY_AFTER
    count = 0
    # Ordered by the recorded time, so the small partial indexes of pending escalations serve the query.
    pending = {
        EscalationTrigger.WARNING: (Q(warned_at__lt=cutoff, warning_handled_at__isnull=True), "warned_at"),
        EscalationTrigger.BREACH: (Q(breached_at__lt=cutoff, breach_handled_at__isnull=True), "breached_at"),
    }
    for trigger, (condition, order) in pending.items():
        ids = list(SlaClock.objects.filter(condition).order_by(order).values_list("pk", flat=True)[:SWEEP_BATCH])
        if ids:
            with transaction.atomic():
                _escalations_enqueue(trigger, ids)
            count += len(ids)
    return count


# --- escalation -----------------------------------------------------------------------------------


def escalation_rules_matching(*, clock: SlaClock, ticket: Ticket, trigger: str) -> list[EscalationRule]:
    """Return the active rules for a trigger whose metric, tier, priority and queue match, in order."""
    rules = EscalationRule.objects.filter(active=True, trigger=trigger).select_related("move_to_queue", "assign_to")
    return [
        rule
        for rule in rules
        if (not rule.metric or rule.metric == clock.metric)
        and (rule.tier is None or rule.tier == clock.tier)
        and (not rule.priority or rule.priority == ticket.priority)
        and (rule.queue_id is None or rule.queue_id == ticket.queue_id)
    ]


def service_managers_for(ticket: Ticket) -> QuerySet[User]:
    """Return the active service managers of the ticket's department, or all of them when it has none."""
    managers = User.objects.filter(is_active=True, is_staff=True, groups__name=Role.SERVICE_MANAGER).distinct()
    of_department = managers.filter(department_id=ticket.department_id)
    return of_department if of_department.exists() else managers


def _rule_apply(rule: EscalationRule, *, clock: SlaClock, ticket: Ticket, trigger: str) -> list[str]:
    """Carry out one rule's actions on a ticket through the ticket services; return what was done."""
    from aftersales.service.services import (
        ticket_assign,
        ticket_escalate,
        ticket_move,
        ticket_path,
        ticket_set_priority,
    )

    done: list[str] = []
    if rule.move_to_queue is not None and rule.move_to_queue.active and rule.move_to_queue.pk != ticket.queue_id:
        ticket = ticket_move(actor=None, ticket=ticket, queue=rule.move_to_queue)
        done.append("moved")
    if rule.assign_to is not None and rule.assign_to.pk != ticket.assignee_id:
        ticket = ticket_assign(actor=None, ticket=ticket, assignee=rule.assign_to)
        done.append("assigned")
    if rule.raise_priority and ticket.priority != PRIORITY_ORDER[-1]:
        higher = PRIORITY_ORDER[PRIORITY_ORDER.index(TicketPriority(ticket.priority)) + 1]
        ticket = ticket_set_priority(actor=None, ticket=ticket, priority=higher)
        done.append("priority_raised")
    if rule.escalate_to_tier_2 and ticket.escalation_tier != EscalationTier.L2:
        ticket = ticket_escalate(actor=None, ticket=ticket, tier=EscalationTier.L2, reason=f"sla_{trigger}")
        done.append("escalated")
    recipients: dict[int, User] = {}
    if rule.notify_managers:
        recipients.update({manager.pk: manager for manager in service_managers_for(ticket)})
    if rule.notify_assignee and ticket.assignee is not None:
        recipients[ticket.assignee.pk] = ticket.assignee
    for user in recipients.values():
        notification_send(
            user=user,
            kind=f"{EVENT_WARNING if trigger == EscalationTrigger.WARNING else EVENT_BREACHED}_{clock.metric}",
            data={
                "reference": ticket.reference,
                "subject": ticket.subject,
                "metric": clock.metric,
                "due_at": clock.due_at.isoformat(),
            },
            link=ticket_path(ticket),
        )
    if recipients:
        done.append("notified")
    return done


def sla_escalations_apply(*, clock_ids: Sequence[int], trigger: str) -> int:
    """Run the escalation rules for warned or breached clocks, each clock once; return how many ran."""
    handled_field = "warning_handled_at" if trigger == EscalationTrigger.WARNING else "breach_handled_at"
    ran = 0
    for clock_id in clock_ids:
        with transaction.atomic():
            claimed = SlaClock.objects.filter(pk=clock_id, **{f"{handled_field}__isnull": True}).update(
                **{handled_field: timezone.now()}
            )
            if not claimed:
                continue
            clock = SlaClock.objects.select_related("ticket").get(pk=clock_id)
            ticket = clock.ticket
            if clock.stopped_at is not None or ticket.status not in ACTIVE_STATUSES:
                continue
            for rule in escalation_rules_matching(clock=clock, ticket=ticket, trigger=trigger):
                try:
                    with transaction.atomic():
                        done = _rule_apply(rule, clock=clock, ticket=ticket, trigger=trigger)
                except DomainError as error:
                    logger.warning("Escalation rule %s could not act on ticket %s: %s", rule.pk, ticket.pk, error)
                    continue
                ticket.refresh_from_db()
                TicketEvent.objects.create(
                    ticket=ticket,
                    kind=EVENT_ESCALATION,
                    data={"rule": rule.pk, "rule_name": rule.name, "trigger": trigger, "metric": clock.metric, "done": done},
                )
            ran += 1
    return ran


# --- reads ----------------------------------------------------------------------------------------


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def tickets_with_sla(queryset: QuerySet[Ticket], *, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """Annotate tickets with their next live target: ``sla_due_at``, ``sla_breached`` and ``sla_paused``.

    ``sla_due_at`` is the earliest due time of a clock still counting (running, or breached and not stopped);
    ``sla_breached`` is true once it has passed, even before the sweep recorded it (a breached clock's due
    time is always past, so the earliest one tells); ``sla_paused`` is true while the ticket's clocks wait
    on the customer or a third party. Each is one correlated lookup per row, never a scan of all clocks.
    """
    now = now or timezone.now()
    live = SlaClock.objects.filter(ticket=OuterRef("pk"), stopped_at__isnull=True)
    counting = live.filter(status__in=[SlaClockStatus.RUNNING, SlaClockStatus.BREACHED])
    return queryset.alias(
        sla_paused_status=Subquery(live.filter(status=SlaClockStatus.PAUSED).order_by().values("status")[:1]),
    ).annotate(
        sla_due_at=Subquery(counting.order_by("due_at").values("due_at")[:1]),
        sla_breached=_flag(Q(sla_due_at__lte=now)),
        sla_paused=_flag(Q(sla_paused_status__isnull=False)),
    )


def ticket_clocks(ticket: Ticket) -> list[SlaClock]:
    """Return a ticket's clocks, level 1 first, first response before resolution."""
    return list(SlaClock.objects.filter(ticket=ticket).select_related("policy").order_by("tier", "metric"))


def duration_text(delta: dt.timedelta) -> str:
    """Return a duration as a person reads it, in the active language: "2 h 10 min", "3 d 4 h", "35 min"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return str(_("%(days)s d %(hours)s h") % {"days": days, "hours": hours})
    if hours:
        return str(_("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes})
    return ngettext("%(minutes)s min", "%(minutes)s min", minutes) % {"minutes": minutes}


def sla_status_text(*, due_at: dt.datetime | None, breached: bool, paused: bool, now: dt.datetime | None = None) -> str:
    """Return "due in 2 h 10 min", "breached by 35 min" or "paused" in the active language ("" without a target)."""
    now = now or timezone.now()
    if due_at is not None and (breached or due_at <= now):
        return str(_("breached by %(duration)s") % {"duration": duration_text(now - due_at)})
    if due_at is not None:
        return str(_("due in %(duration)s") % {"duration": duration_text(due_at - now)})
    if paused:
        return str(_("paused"))
    return ""
