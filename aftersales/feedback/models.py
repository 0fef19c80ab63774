"""Feedback: surveys and their questions, invitations sent to customers, responses and answers, the analysis
of comments, and the recovery cases opened for unhappy customers.

A survey is a fixed list of questions; an invitation asks one customer one survey about one thing (a ticket,
a work order, a delivery, the relationship), carries the dimensions the scores are cut by (product, category,
sales rep, agent, technician, department) and is answered at most once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import AppendOnlyModel, Language, SpanishNameMixin, TimeStampedModel


class Trigger(models.TextChoices):
    # A service ticket was resolved.
    TICKET_RESOLVED = "ticket_resolved", _("Ticket resolved")
    # A field-service visit (work order) was completed.
    WORK_ORDER = "work_order", _("Work order completed")
    # A playbook step asked for it (usually some days after delivery).
    DELIVERY = "delivery", _("After delivery")
    # The periodic relationship survey.
    RELATIONSHIP = "relationship", _("Relationship")
    # After a recovery case was resolved, to measure whether the customer's view changed.
    RECOVERY_FOLLOW_UP = "recovery_follow_up", _("Recovery follow-up")
    # Results brought in from a file of an earlier survey or review site.
    IMPORT = "import", _("Imported")


class QuestionKind(models.TextChoices):
    # Customer satisfaction, 1 (very dissatisfied) to 5 (very satisfied).
    CSAT = "csat", _("Satisfaction (1–5)")
    # Net Promoter: how likely to recommend us, 0 to 10.
    NPS = "nps", _("Recommendation (0–10)")
    # Customer effort: how easy it was, 1 (very hard) to 7 (very easy).
    EFFORT = "effort", _("Effort (1–7)")
    # Would the customer buy from us again: 1 yes, 0 no.
    BUY_AGAIN = "buy_again", _("Would buy again (yes/no)")
    # Free text.
    TEXT = "text", _("Comment")


# The values each scored kind accepts.
SCALES: dict[str, range] = {
    QuestionKind.CSAT: range(1, 6),
    QuestionKind.NPS: range(0, 11),
    QuestionKind.EFFORT: range(1, 8),
    QuestionKind.BUY_AGAIN: range(0, 2),
}


class Survey(SpanishNameMixin, TimeStampedModel):
    """A questionnaire sent on one trigger: its questions in order, the first scored one answered from the email."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    trigger = models.CharField(_("sent on"), max_length=20, choices=Trigger.choices)
    active = models.BooleanField(_("active"), default=True)
    # Relationship surveys are marketing (consent, unsubscribe link, cap); the others are about a service received.
    marketing = models.BooleanField(_("marketing"), default=False)

    class Meta:
        ordering = ["trigger", "code"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question of a survey, in English and Spanish."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("text"), max_length=300)
    text_es = models.CharField(_("text in Spanish"), max_length=300, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["survey", "kind"], name="question_kind_once_per_survey")]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.position} {self.kind}"

    def display_text(self, language: str) -> str:
        """Return the question in a language, falling back to English."""
        return self.text_es if language == Language.SPANISH and self.text_es else self.text

    @property
    def scale(self) -> range | None:
        return SCALES.get(self.kind)


class InvitationStatus(models.TextChoices):
    # The survey email is in the outbox (or was sent); waiting for an answer.
    SENT = "sent", _("Sent")
    # The customer answered (at least the first question).
    ANSWERED = "answered", _("Answered")
    # Not sent: the customer had a survey less than the fatigue period ago.
    FATIGUE = "fatigue", _("Not sent: surveyed recently")
    # Not sent: the outbox refused it (no address, no consent, unsubscribed, cap).
    SUPPRESSED = "suppressed", _("Not sent: outbox refused")
    # Brought in by an import, answered elsewhere.
    IMPORTED = "imported", _("Imported")


class Invitation(models.Model):
    """One survey asked of one customer about one thing, with the dimensions its answers are scored by."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="invitations")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="survey_invitations"
    )
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    # What the invitation is about ("ticket:12", "work_order:4", "touch:9", "relationship:2025-06"): one invitation
    # per customer and subject, so a repeated signal or sweep finds it already there.
    subject_key = models.CharField(_("about"), max_length=80)
    status = models.CharField(_("status"), max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.SENT)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    # Dimensions, copied when the invitation is made so later changes do not move old scores.
    unit = models.ForeignKey(
        "sales.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sale = models.ForeignKey(
        "sales.Sale", verbose_name=_("sale"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sales_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "core.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_id = models.PositiveIntegerField(_("ticket"), null=True, blank=True)
    work_order_id = models.PositiveIntegerField(_("work order"), null=True, blank=True)
    recovery_case = models.ForeignKey(
        "feedback.RecoveryCase",
        verbose_name=_("follows recovery case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up_invitations",
    )
    message = models.ForeignKey(
        "messaging.Message", verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("links expire at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["customer", "subject_key"], name="invitation_once_per_subject"),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="invitation_customer_idx"),
            models.Index(fields=["status", "created_at"], name="invitation_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.customer_id}:{self.subject_key} ({self.status})"

    @property
    def is_open(self) -> bool:
        """Return whether the invitation can still be answered."""
        return self.status in (InvitationStatus.SENT, InvitationStatus.ANSWERED) and self.expires_at > timezone.now()


class ResponseChannel(models.TextChoices):
    # A one-click answer link in the survey email.
    EMAIL_LINK = "email_link", _("Email link")
    # The survey page opened from the email (the public form).
    FORM = "form", _("Survey page")
    # The customer portal.
    PORTAL = "portal", _("Portal")
    # An imported file.
    IMPORT = "import", _("Import")


class Sentiment(models.TextChoices):
    # Nothing to analyse yet.
    NONE = "", _("—")
    # The comment is mostly favourable.
    POSITIVE = "positive", _("Positive")
    # Neither favourable nor unfavourable.
    NEUTRAL = "neutral", _("Neutral")
    # The comment is mostly unfavourable.
    NEGATIVE = "negative", _("Negative")


class Response(models.Model):
    """A customer's answer to an invitation: the scores and an optional comment with its analysis."""

    invitation = models.OneToOneField(Invitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="response")
    channel = models.CharField(_("answered through"), max_length=12, choices=ResponseChannel.choices)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    comment_language = models.CharField(_("comment language"), max_length=5, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True, default="")
    sentiment_score = models.FloatField(_("sentiment score"), null=True, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    # Evaluated for recovery and promotion after each change, by the worker.
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    # When a promoter's review request went out (and loyalty was told), so it happens once.
    promoted_at = models.DateTimeField(_("review requested at"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        permissions = [
            ("view_feedback_scores", _("Can see feedback scores and the dashboard")),
            ("import_responses", _("Can import survey and review results")),
        ]
        indexes = [models.Index(fields=["answered_at"], name="response_answered_idx")]

    def __str__(self) -> str:
        return f"response {self.pk} to {self.invitation_id}"

    def value_of(self, kind: str) -> int | None:
        """Return the answer to a scored kind of question, if given."""
        for answer in self.answers.all():
            if answer.kind == kind:
                return answer.value
        return None


class Answer(models.Model):
    """One answer to one scored question."""

    response = models.ForeignKey(Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        Question, verbose_name=_("question"), null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    value = models.SmallIntegerField(_("value"))

    class Meta:
        ordering = ["response", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "kind"], name="answer_once_per_kind"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=10), name="answer_value_in_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class RecoveryReason(models.TextChoices):
    # Answered 0–6 to the recommendation question.
    DETRACTOR = "detractor", _("Detractor (0–6)")
    # Answered 1 or 2 to the satisfaction question.
    LOW_CSAT = "low_csat", _("Dissatisfied (1–2)")
    # Wrote a comment read as negative.
    NEGATIVE_COMMENT = "negative_comment", _("Negative comment")


class RecoveryStatus(models.TextChoices):
    # Opened; nobody has spoken to the customer yet (the first-contact clock runs).
    OPEN = "open", _("Open")
    # The customer was contacted; the problem is being worked on.
    CONTACTED = "contacted", _("Contacted")
    # Finished with an outcome; a follow-up survey went out.
    RESOLVED = "resolved", _("Resolved")


class RecoveryOutcome(models.TextChoices):
    # No outcome yet.
    NONE = "", _("—")
    # The customer's problem was fixed and they said so.
    RECOVERED = "recovered", _("Recovered: the customer is satisfied")
    # Something was done but the customer is still not fully satisfied.
    PARTLY = "partly", _("Partly recovered")
    # Nothing more could be done, or the customer declined.
    NOT_RECOVERED = "not_recovered", _("Not recovered")
    # The customer could not be reached.
    UNREACHABLE = "unreachable", _("Customer unreachable")


class RecoveryCase(TimeStampedModel):
    """An unhappy answer someone must act on: first contact within one business day, an outcome, a follow-up survey."""

    response = models.OneToOneField(Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="recovery_case")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="recovery_cases"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=RecoveryReason.choices)
    status = models.CharField(_("status"), max_length=10, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_cases",
    )
    # The team the case counts for in the console's report: the assignee's department when opened.
    department = models.ForeignKey(
        "core.Department", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    first_contact_due_at = models.DateTimeField(_("first contact due"))
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=15, choices=RecoveryOutcome.choices, blank=True, default="")
    outcome_note = models.TextField(_("what was done"), blank=True)
    # The score that opened the case (NPS or CSAT, with its kind), to measure the change after the follow-up.
    initial_kind = models.CharField(_("scored by"), max_length=10, choices=QuestionKind.choices, blank=True)
    initial_score = models.SmallIntegerField(_("score before"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("recovery case")
        verbose_name_plural = _("recovery cases")
        permissions = [
            ("work_recoverycase", _("Can work the recovery cases assigned to them")),
            ("manage_recoverycases", _("Can see, reassign and work every recovery case")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="resolved") | ~Q(outcome=""), name="recovery_case_resolved_has_outcome"),
        ]
        indexes = [
            models.Index(fields=["status", "first_contact_due_at"], name="recovery_case_due_idx"),
            models.Index(fields=["assignee", "status"], name="recovery_case_assignee_idx"),
        ]

    def __str__(self) -> str:
        return f"R-{self.pk} {self.customer_id} ({self.status})"

    @property
    def reference(self) -> str:
        return f"R-{self.pk}"

    @property
    def is_overdue(self) -> bool:
        """Return whether the first contact is late."""
        return self.first_contact_at is None and self.first_contact_due_at < timezone.now()


class RecoveryEventKind(models.TextChoices):
    # The case was opened.
    OPENED = "opened", _("opened")
    # Someone else took the case over.
    REASSIGNED = "reassigned", _("reassigned")
    # The customer was contacted for the first time.
    CONTACTED = "contacted", _("customer contacted")
    # A note about what was done.
    NOTE = "note", _("note")
    # First contact was late and the service managers were told.
    ESCALATED = "escalated", _("escalated")
    # An outcome was logged and the case closed.
    RESOLVED = "resolved", _("resolved")
    # The customer answered the follow-up survey.
    FOLLOW_UP_ANSWERED = "follow_up_answered", _("follow-up survey answered")


class RecoveryEvent(AppendOnlyModel):
    """An append-only line in a recovery case's history."""

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=RecoveryEventKind.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("recovery event")
        verbose_name_plural = _("recovery events")

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"
