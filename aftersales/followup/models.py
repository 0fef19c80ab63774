"""Follow-up: playbooks and their steps, the touches they cause, and the call and visit tasks staff work.

Nothing is scheduled ahead. A step says *when* (a trigger, an offset, maybe a repetition) and *what*
(an action); the sweep finds in SQL which customers and units are due today, records one ``Touch``
per occurrence (unique, so a repeated sweep finds it already there) and acts on it once. Editing a
step therefore changes every occurrence that is not yet due.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import SPANISH_HELP, SpanishDescriptionMixin, SpanishNameMixin, TimeStampedModel


class Trigger(models.TextChoices):
    # The day of a sale (one touch per customer and sale day).
    SALE = "sale", _("Sale")
    # The day a unit was delivered, in the business's time zone.
    DELIVERY = "delivery", _("Delivery")
    # The day a unit was installed.
    INSTALLATION = "installation", _("Installation")
    # The day a service ticket was resolved (read from the timeline event the service desk writes).
    TICKET_RESOLVED = "ticket_resolved", _("Ticket resolved")
    # The last day of a unit's standard warranty.
    WARRANTY_END = "warranty_end", _("Warranty end")
    # The last day of a maintenance contract (available once contracts exist).
    CONTRACT_END = "contract_end", _("Contract end")
    # The customer's birthday, every year.
    BIRTHDAY = "birthday", _("Birthday")
    # The customer's last contact with us; the offset is how many days without contact.
    NO_CONTACT = "no_contact", _("No contact")
    # Each maintenance interval of the product since installation (or delivery).
    MAINTENANCE = "maintenance", _("Maintenance interval")
    # The last day a unit may still be exchanged (delivery plus the product's exchange window).
    EXCHANGE_WINDOW = "exchange_window", _("Exchange window closing")
    # Every anniversary of every sale (one touch per customer and sale day, each year). Unlike "Sale" repeated
    # every 12 months, which counts from the customer's latest sale only, each purchase keeps its own anniversary.
    PURCHASE_ANNIVERSARY = "purchase_anniversary", _("Purchase anniversary")
    # The day of the customer's very first sale, once in their life: the thank-you for becoming a customer.
    FIRST_PURCHASE = "first_purchase", _("First purchase")


class Action(models.TextChoices):
    # Put a message from a template in the outbox (email, SMS or letter).
    SEND_TEMPLATE = "send_template", _("Send a message")
    # Give a staff member a call to make, with its script in the customer's language.
    CALL_TASK = "call_task", _("Call task")
    # Give a staff member a visit to make.
    VISIT_TASK = "visit_task", _("Visit task")
    # Ask the service team to propose a work order (maintenance, inspection).
    PROPOSE_WORK_ORDER = "propose_work_order", _("Propose a work order")
    # Ask the customer for feedback, once the feedback capability is installed.
    SEND_SURVEY = "send_survey", _("Send a survey")


class AssignTo(models.TextChoices):
    # The sales rep of the sale the touch concerns (or of the customer's latest sale).
    SELLING_REP = "selling_rep", _("The selling rep")
    # A named staff member.
    USER = "user", _("A staff member")
    # A department's queue: anyone in it may take the task.
    QUEUE = "queue", _("A department's queue")


class Playbook(SpanishNameMixin, SpanishDescriptionMixin, TimeStampedModel):
    """A named set of follow-up steps for the customers and products in its scope."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True, help_text=SPANISH_HELP)
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description in Spanish"), blank=True, help_text=SPANISH_HELP)
    active = models.BooleanField(_("active"), default=True)
    # Scope: empty means every category / every segment.
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("product categories"), blank=True, related_name="playbooks"
    )
    segments = models.ManyToManyField(
        "customers.Segment", verbose_name=_("customer segments"), blank=True, related_name="playbooks"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self) -> str:
        return self.name


class PlaybookStep(SpanishNameMixin, TimeStampedModel):
    """One thing a playbook does: when (trigger, offset, repetition), for whom (conditions) and what (action)."""

    playbook = models.ForeignKey(Playbook, verbose_name=_("playbook"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True, help_text=SPANISH_HELP)
    active = models.BooleanField(_("active"), default=True)

    # When.
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    offset_days = models.IntegerField(
        _("offset (days)"), default=0, help_text=_("Days after the trigger (negative: before it, e.g. -30).")
    )
    repeat_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"), null=True, blank=True, help_text=_("Empty for once; e.g. 6 for every six months.")
    )
    catch_up_days = models.PositiveSmallIntegerField(
        _("catch-up window (days)"),
        default=3,
        help_text=_("An occurrence missed by up to this many days still happens; older ones never do."),
    )

    # For whom (all must hold; empty means no condition).
    segments = models.ManyToManyField("customers.Segment", verbose_name=_("customer segments"), blank=True, related_name="+")
    categories = models.ManyToManyField("catalog.Category", verbose_name=_("product categories"), blank=True, related_name="+")
    consent_channel = models.CharField(
        _("required consent"),
        max_length=10,
        blank=True,
        choices=[("email", _("Email")), ("sms", _("SMS")), ("phone", _("Phone")), ("post", _("Post"))],
    )
    min_sale_value = models.DecimalField(_("minimum sale value"), max_digits=14, decimal_places=2, null=True, blank=True)

    # What.
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    template_code = models.SlugField(
        _("message template"), max_length=60, blank=True, help_text=_("For messages, and the script of a call.")
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        blank=True,
        choices=[("email", _("Email")), ("sms", _("SMS")), ("letter", _("Letter"))],
    )
    assign_to = models.CharField(_("assign to"), max_length=12, choices=AssignTo.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "core.Department", verbose_name=_("queue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_due_hours = models.PositiveSmallIntegerField(
        _("task due within (hours)"), default=24, help_text=_("How long staff have for the call or visit.")
    )
    # A gift voucher sent with the message (a birthday card with a present…); empty for none.
    gift_voucher_value = models.DecimalField(
        _("gift voucher value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A fixed-value voucher issued with the message; empty for no gift."),
    )
    gift_voucher_days = models.PositiveSmallIntegerField(
        _("gift voucher valid for (days)"), default=60, help_text=_("How long the gift voucher can be used.")
    )

    class Meta:
        ordering = ["playbook", "position", "id"]
        verbose_name = _("playbook step")
        verbose_name_plural = _("playbook steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(repeat_months__isnull=True) | Q(repeat_months__gt=0), name="playbook_step_repeat_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_sale_value__isnull=True) | Q(min_sale_value__gte=0), name="playbook_step_min_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(gift_voucher_value__isnull=True) | Q(gift_voucher_value__gt=0), name="playbook_step_gift_positive"
            ),
            models.CheckConstraint(condition=Q(gift_voucher_days__gt=0), name="playbook_step_gift_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.playbook_id}#{self.position} {self.name}"


class TouchStatus(models.TextChoices):
    # Found due and recorded; its action has not run yet (a crash in between leaves it here for the next sweep).
    PENDING = "pending", _("Pending")
    # The action ran: a message was queued or a task was created.
    DONE = "done", _("Done")
    # Deliberately not acted on; the result says why.
    SKIPPED = "skipped", _("Skipped")
    # The action could not run (a template is missing…); the detail says why.
    FAILED = "failed", _("Failed")


class TouchResult(models.TextChoices):
    # Nothing yet.
    NONE = "", _("—")
    # A message was put in the outbox.
    MESSAGE_QUEUED = "message_queued", _("message queued")
    # The outbox refused to send (consent, unsubscribe, cap, no address); the detail names the reason.
    MESSAGE_SUPPRESSED = "message_suppressed", _("message not sent")
    # A call, visit or work-order proposal task was created.
    TASK_CREATED = "task_created", _("task created")
    # The feedback capability accepted the survey request.
    SURVEY_REQUESTED = "survey_requested", _("survey requested")
    # No feedback capability is installed, so no survey was sent.
    NO_SURVEYS = "no_surveys", _("surveys are not available")
    # The step or its playbook was switched off after the touch fell due and before it was acted on.
    STEP_INACTIVE = "step_inactive", _("step switched off")
    # The step's message template does not exist in any language.
    TEMPLATE_MISSING = "template_missing", _("template missing")
    # The action raised an unexpected error (details in the server log).
    ERROR = "error", _("error")
    # A message with a gift was queued, but no capability issued the voucher: it went without one.
    MESSAGE_QUEUED_NO_GIFT = "queued_no_gift", _("message queued without its gift")


class Touch(models.Model):
    """One occurrence of a step for a customer (and unit): recorded once, acted on once."""

    step = models.ForeignKey(PlaybookStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="touches")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="touches"
    )
    unit = models.ForeignKey(
        "sales.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="touches"
    )
    # Which occurrence: the anchor day (and repetition), the birthday's year, the ticket… Never NULL, so
    # that the unique constraint holds on every database (NULLs are all distinct in a unique index).
    occurrence_key = models.CharField(_("occurrence"), max_length=60)
    anchor_on = models.DateField(_("trigger day"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=TouchStatus.choices, default=TouchStatus.PENDING)
    result = models.CharField(_("result"), max_length=20, choices=TouchResult.choices, blank=True, default="")
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    message = models.ForeignKey(
        "messaging.Message", verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("found due at"), default=timezone.now)
    acted_at = models.DateTimeField(_("acted at"), null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("touch")
        verbose_name_plural = _("touches")
        constraints = [
            models.UniqueConstraint(fields=["step", "customer", "occurrence_key"], name="touch_once_per_occurrence"),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="touch_status_idx"),
            models.Index(fields=["customer", "-due_on"], name="touch_customer_idx"),
            models.Index(fields=["step", "due_on"], name="touch_step_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.step_id}:{self.customer_id}:{self.occurrence_key} ({self.status})"


class TaskKind(models.TextChoices):
    # Phone the customer (the script is the linked call message).
    CALL = "call", _("Call")
    # Visit the customer.
    VISIT = "visit", _("Visit")
    # Propose a work order (maintenance, inspection) to the customer.
    WORK_ORDER_PROPOSAL = "work_order", _("Work order proposal")
    # A problem the customer reported on a call, waiting for the service team.
    PROBLEM = "problem", _("Problem to solve")


class TaskStatus(models.TextChoices):
    # To do (possibly waiting for a retry after no answer).
    OPEN = "open", _("Open")
    # Finished with an outcome.
    DONE = "done", _("Done")
    # No longer needed.
    CANCELLED = "cancelled", _("Cancelled")


class TaskOutcome(models.TextChoices):
    # No outcome logged yet.
    NONE = "", _("—")
    # Reached the customer; all is well.
    REACHED_FINE = "reached_fine", _("Reached — all fine")
    # Reached the customer; they reported a problem.
    REACHED_PROBLEM = "reached_problem", _("Reached — problem found")
    # Nobody answered; try again later.
    NO_ANSWER = "no_answer", _("No answer")


class StaffTask(TimeStampedModel):
    """A call, visit or proposal a staff member (or a department's queue) must do for a customer."""

    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="staff_tasks"
    )
    unit = models.ForeignKey(
        "sales.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_tasks",
    )
    department = models.ForeignKey(
        "core.Department", verbose_name=_("queue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=TaskOutcome.choices, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    retry_at = models.DateTimeField(_("try again at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    touch = models.OneToOneField(
        Touch, verbose_name=_("touch"), null=True, blank=True, on_delete=models.SET_NULL, related_name="task"
    )
    # A call carries its script as a call message in the outbox; the outcome closes that message too.
    message = models.ForeignKey(
        "messaging.Message", verbose_name=_("call message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("follows up"), null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("staff task")
        verbose_name_plural = _("staff tasks")
        permissions = [("manage_stafftasks", _("Can reassign and work anyone's follow-up tasks"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(outcome="") | ~Q(kind="call"), name="staff_task_done_call_has_outcome"
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="staff_task_assignee_idx"),
            models.Index(fields=["status", "due_at"], name="staff_task_due_idx"),
            models.Index(fields=["customer", "status"], name="staff_task_customer_idx"),
        ]

    def problem_ticket_number(self) -> int | None:
        """Return the number of the ticket opened for a problem found on this task, if one was."""
        event = self.events.filter(kind="outcome", data__ticket_number__isnull=False).order_by("-pk").first()
        return event.data.get("ticket_number") if event else None

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id} ({self.status})"

    @property
    def next_due_at(self) -> Any:
        """Return when the task should be worked next: the retry time after no answer, else its due time."""
        return self.retry_at or self.due_at


class TaskEventKind(models.TextChoices):
    # The task was created.
    CREATED = "created", _("created")
    # Someone else (or a queue) took the task over.
    REASSIGNED = "reassigned", _("reassigned")
    # An outcome was logged.
    OUTCOME = "outcome", _("outcome logged")
    # The task was overdue and the service managers were told.
    ESCALATED = "escalated", _("escalated")
    # The task was cancelled.
    CANCELLED = "cancelled", _("cancelled")


class StaffTaskEvent(models.Model):
    """An append-only line in a task's history: who did what to it, when."""

    task = models.ForeignKey(StaffTask, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=TaskEventKind.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("staff task event")
        verbose_name_plural = _("staff task events")

    def __str__(self) -> str:
        return f"{self.kind} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Task events are append-only.")
        super().save(*args, **kwargs)
