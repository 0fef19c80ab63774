"""Service level agreements: policies with targets, the clocks of each ticket, and escalation rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import SPANISH_HELP, SpanishNameMixin, TimeStampedModel
from aftersales.service.models.tickets import EscalationTier, TicketPriority


class SlaMetric(models.TextChoices):
    # From opening until the first public reply from staff.
    FIRST_RESPONSE = "first_response", _("First response")
    # From opening until the ticket is resolved (a reopened ticket's clock runs on).
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(SpanishNameMixin, TimeStampedModel):
    """Which service targets a ticket gets; policies are tried in order and the first that matches wins.

    A blank condition matches anything; the targets themselves are per priority and tier (:class:`SlaTarget`).
    """

    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True, help_text=SPANISH_HELP)
    priority = models.CharField(_("priority"), max_length=10, choices=TicketPriority.choices, blank=True)
    segment = models.ForeignKey(
        "customers.Segment",
        verbose_name=_("customer segment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("product category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text=_("Matches units of this category and of its subcategories."),
    )
    calendar = models.ForeignKey(
        "core.BusinessCalendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sla_policies",
        help_text=_("Blank: the default calendar."),
    )
    # When the warning comes: at this share of the target, or this many working minutes before it is due.
    warn_percent = models.PositiveSmallIntegerField(_("warn at % of the target"), default=80)
    warn_minutes_before = models.PositiveIntegerField(
        _("warn minutes before"),
        null=True,
        blank=True,
        help_text=_("Working minutes before the target; overrides the percentage."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(condition=Q(warn_percent__gte=1, warn_percent__lte=100), name="sla_policy_warn_percent_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """How long a policy allows for a first response and a resolution, for one priority and tier."""

    policy = models.ForeignKey(SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="targets")
    # Blank: every priority this policy has no row of its own for.
    priority = models.CharField(_("priority"), max_length=10, choices=TicketPriority.choices, blank=True)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=EscalationTier.choices, default=EscalationTier.L1)
    # Working minutes (of the policy's calendar); empty: no target for this metric.
    first_response_minutes = models.PositiveIntegerField(_("first response (working minutes)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (working minutes)"), null=True, blank=True)

    class Meta:
        ordering = ["policy", "tier", "priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority", "tier"], name="sla_target_unique"),
            models.CheckConstraint(condition=Q(tier__in=[1, 2]), name="sla_target_tier_valid"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__isnull=True) | Q(first_response_minutes__gt=0),
                name="sla_target_first_positive",
            ),
            models.CheckConstraint(
                condition=Q(resolution_minutes__isnull=True) | Q(resolution_minutes__gt=0), name="sla_target_resolution_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.priority or '*'} L{self.tier}"

    def minutes(self, metric: str) -> int | None:
        """Return the target of a metric in working minutes, or None."""
        return self.first_response_minutes if metric == SlaMetric.FIRST_RESPONSE else self.resolution_minutes


class SlaClockStatus(models.TextChoices):
    # Counting working time towards its target.
    RUNNING = "running", _("Running")
    # Stopped for now: the ticket waits on the customer or a third party.
    PAUSED = "paused", _("Paused")
    # Stopped in time: answered or resolved before the target (or no longer needed).
    MET = "met", _("Met")
    # The target passed before the clock stopped; it stays breached.
    BREACHED = "breached", _("Breached")


class SlaClock(models.Model):
    """One target of one ticket (a metric at a tier), counting working time from start to stop.

    ``due_at`` and ``warn_at`` are instants, recomputed whenever the clock resumes, so the sweep finds
    late clocks with one indexed query. ``paused_seconds`` is the working time spent paused so far
    (and, for a reopened ticket, while it was resolved).
    """

    ticket = models.ForeignKey("service.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_clocks")
    metric = models.CharField(_("metric"), max_length=20, choices=SlaMetric.choices)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=EscalationTier.choices, default=EscalationTier.L1)
    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks"
    )
    calendar = models.ForeignKey(
        "core.BusinessCalendar", verbose_name=_("calendar"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_minutes = models.PositiveIntegerField(_("target (working minutes)"))
    status = models.CharField(_("status"), max_length=10, choices=SlaClockStatus.choices, default=SlaClockStatus.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("warn at"))
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(_("working seconds paused"), default=0)
    # When the sweep recorded the warning and the breach (the target itself is ``due_at``).
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    # When the escalation rules for the warning / the breach were applied (a task does it after the sweep).
    warning_handled_at = models.DateTimeField(_("warning handled at"), null=True, blank=True)
    breach_handled_at = models.DateTimeField(_("breach handled at"), null=True, blank=True)

    class Meta:
        # By the column, not the relation: ordering by "ticket" would join tickets for their own ordering.
        ordering = ["ticket_id", "tier", "metric"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric", "tier"], name="sla_clock_unique"),
            models.CheckConstraint(condition=Q(tier__in=[1, 2]), name="sla_clock_tier_valid"),
            models.CheckConstraint(condition=~Q(status="paused") | Q(paused_at__isnull=False), name="sla_clock_paused_has_time"),
            models.CheckConstraint(
                condition=~Q(status="breached") | Q(breached_at__isnull=False), name="sla_clock_breached_has_time"
            ),
        ]
        indexes = [
            # The sweep: running clocks by the instant they breach or warn. Not partial on the status: the ORM
            # sends it as a parameter, and SQLite uses a partial index only for conditions written literally.
            models.Index(fields=["status", "due_at"], name="sla_clock_status_due_idx"),
            models.Index(fields=["status", "warn_at"], name="sla_clock_status_warn_idx"),
            # Lists: a ticket's clocks still counting, the soonest due first.
            models.Index(fields=["ticket", "due_at"], condition=Q(stopped_at__isnull=True), name="sla_clock_ticket_live_idx"),
            # Recovery: warnings and breaches whose escalation has not run (normally none).
            models.Index(
                fields=["warned_at"],
                condition=Q(warning_handled_at__isnull=True, warned_at__isnull=False),
                name="sla_clock_warning_pending_idx",
            ),
            models.Index(
                fields=["breached_at"],
                condition=Q(breach_handled_at__isnull=True, breached_at__isnull=False),
                name="sla_clock_breach_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} L{self.tier} ({self.status})"

    @property
    def is_live(self) -> bool:
        """Return whether the clock still counts (running, paused, or breached and not yet stopped)."""
        return self.stopped_at is None


class EscalationTrigger(models.TextChoices):
    # A clock reached its warning point.
    WARNING = "warning", _("Warning")
    # A clock passed its target.
    BREACH = "breach", _("Breach")


class EscalationRule(SpanishNameMixin, TimeStampedModel):
    """What happens when a clock warns or breaches: reassign, raise priority, escalate, notify.

    Every active rule whose conditions match runs, in order; a blank condition matches anything.
    """

    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True, help_text=SPANISH_HELP)
    trigger = models.CharField(_("trigger"), max_length=10, choices=EscalationTrigger.choices, default=EscalationTrigger.BREACH)
    metric = models.CharField(_("metric"), max_length=20, choices=SlaMetric.choices, blank=True)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=EscalationTier.choices, null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=TicketPriority.choices, blank=True)
    queue = models.ForeignKey(
        "service.Queue", verbose_name=_("tickets of queue"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Actions.
    move_to_queue = models.ForeignKey(
        "service.Queue", verbose_name=_("move to queue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assign to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raise_priority = models.BooleanField(_("raise priority one step"), default=False)
    escalate_to_tier_2 = models.BooleanField(_("escalate to level 2"), default=False)
    notify_managers = models.BooleanField(_("notify the service managers"), default=False)
    notify_assignee = models.BooleanField(_("notify the assignee"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return self.name
