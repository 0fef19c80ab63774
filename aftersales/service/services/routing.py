"""Which queue a new ticket goes to, and which agent of that queue gets it.

Routing rules are tried in order and the first whose every non-blank condition matches wins; with
none, the default queue takes the ticket. Assignment picks among the queue department's staff who may
work tickets, are active, take new tickets (their profile is not set to away), are on shift now and
speak the ticket's language; round robin takes turns, least loaded picks whoever has the fewest active
tickets. When nobody qualifies the ticket waits in the queue unassigned.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.errors import FieldError, ValidationFailed
from aftersales.core.models import User
from aftersales.sales.models import Unit
from aftersales.service.models import ACTIVE_STATUSES, AgentShift, AssignmentMode, Queue, RoutingRule


@dataclass(frozen=True)
class Route:
    queue: Queue
    priority: str
    rule: RoutingRule | None


def category_chain(unit: Unit | None) -> list[int]:
    """Return the ids of a unit's product category and of every category above it."""
    if unit is None:
        return []
    chain: list[int] = []
    category: Category | None = unit.product.category
    while category is not None and category.pk not in chain:
        chain.append(category.pk)
        category = category.parent
    return chain


def ticket_route(*, kind: str, channel: str, language: str, unit: Unit | None) -> Route:
    """Return the queue (and priority override) of the first matching rule, or the default queue."""
    categories = category_chain(unit)
    rules = RoutingRule.objects.filter(active=True, queue__active=True).select_related("queue", "queue__department")
    for rule in rules:
        if rule.kind and rule.kind != kind:
            continue
        if rule.channel and rule.channel != channel:
            continue
        if rule.language and rule.language != language:
            continue
        if rule.category_id and rule.category_id not in categories:
            continue
        return Route(queue=rule.queue, priority=rule.priority, rule=rule)
    queue = Queue.objects.filter(is_default=True, active=True).select_related("department").first()
    if queue is None:
        queue = Queue.objects.filter(active=True).select_related("department").order_by("pk").first()
    if queue is None:
        raise ValidationFailed(
            errors=[FieldError(field="queue", reason=_("no active queue exists; create one first"), code="no_queue")]
        )
    return Route(queue=queue, priority="", rule=None)


def staff_holding(permission: str) -> QuerySet[User]:
    """Return active staff whose role (or own grant) holds a permission such as ``service.work_ticket``; superusers too."""
    app_label, codename = permission.split(".")
    holds = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label
    )
    ids = User.objects.filter(is_active=True, is_staff=True).filter(holds | Q(is_superuser=True)).values("pk")
    return User.objects.filter(pk__in=ids)


def agent_languages(user: User) -> set[str]:
    """Return the languages a staff member speaks: their profile's, or else the one they read the screens in."""
    profile = getattr(user, "agent_profile", None)
    if profile is not None and profile.languages:
        return set(profile.languages)
    return {user.language}


def agent_on_shift(user: User, at: dt.datetime) -> bool:
    """Return whether a staff member works at a moment: always without shifts, else within one of them."""
    shifts = list(user.shifts.all())
    if not shifts:
        return True
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = at.astimezone(zone)
    return any(shift_covers(shift, local) for shift in shifts)


def shift_covers(shift: AgentShift, local: dt.datetime) -> bool:
    """Return whether a weekly shift covers a local moment; a shift ending before it starts runs past midnight.

    A night shift on Monday 22:00–06:00 covers Monday from 22:00 and Tuesday until 06:00; one ending at
    00:00 runs until midnight.
    """
    clock, weekday = local.time(), local.weekday()
    if shift.starts_at < shift.ends_at:
        return shift.weekday == weekday and shift.starts_at <= clock < shift.ends_at
    if shift.weekday == weekday:
        return shift.starts_at <= clock
    return shift.weekday == (weekday - 1) % 7 and clock < shift.ends_at


def agents_eligible(*, queue: Queue, language: str, at: dt.datetime | None = None) -> list[User]:
    """Return who may get a new ticket of a queue in a language now, ordered by id."""
    moment = at or timezone.now()
    candidates = (
        staff_holding("service.work_ticket")
        .filter(department_id=queue.department_id)
        .exclude(agent_profile__available=False)
        .select_related("agent_profile")
        .prefetch_related("shifts")
        .order_by("pk")
    )
    return [user for user in candidates if language in agent_languages(user) and agent_on_shift(user, moment)]


def assignee_pick(*, queue: Queue, language: str, at: dt.datetime | None = None) -> User | None:
    """Return the agent a new ticket goes to under the queue's assignment mode, or None.

    Round robin moves the queue's pointer; the caller holds the queue's row lock (see ``queue_locked``).
    """
    if queue.assignment_mode == AssignmentMode.MANUAL:
        return None
    agents = agents_eligible(queue=queue, language=language, at=at)
    if not agents:
        return None
    if queue.assignment_mode == AssignmentMode.LEAST_LOADED:
        loads = dict(
            User.objects.filter(pk__in=[agent.pk for agent in agents])
            .annotate(load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES)))
            .values_list("pk", "load")
        )
        chosen = min(agents, key=lambda agent: (loads.get(agent.pk, 0), agent.pk))
    else:
        last = queue.last_assigned_to_id or 0
        chosen = next((agent for agent in agents if agent.pk > last), agents[0])
    Queue.objects.filter(pk=queue.pk).update(last_assigned_to=chosen)
    queue.last_assigned_to = chosen
    return chosen


def queue_locked(queue: Queue) -> Queue:
    """Return the queue re-read under a row lock, so two tickets never take the same turn."""
    return Queue.objects.select_for_update(of=("self",), no_key=True).select_related("department").get(pk=queue.pk)
