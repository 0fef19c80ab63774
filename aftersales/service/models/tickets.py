"""Tickets and what surrounds them: queues, messages, attachments, events, routing, canned replies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import SPANISH_HELP, AppendOnlyModel, Language, SpanishNameMixin, TimeStampedModel, Weekday


class AssignmentMode(models.TextChoices):
    # Take turns: the next eligible agent after the one who got the previous ticket.
    ROUND_ROBIN = "round_robin", _("Round robin")
    # The eligible agent with the fewest tickets still open.
    LEAST_LOADED = "least_loaded", _("Least loaded")
    # Nobody is picked automatically: agents take tickets from the queue.
    MANUAL = "manual", _("Manual")


class Queue(SpanishNameMixin, TimeStampedModel):
    """A line of tickets one department works, with how new tickets in it are handed out."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True, help_text=SPANISH_HELP)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="queues"
    )
    # Empty: the queue takes customers of any language.
    languages = models.JSONField(_("languages handled"), default=list, blank=True)
    assignment_mode = models.CharField(
        _("assignment"), max_length=20, choices=AssignmentMode.choices, default=AssignmentMode.ROUND_ROBIN
    )
    email_address = models.EmailField(_("mailbox address"), blank=True)
    is_default = models.BooleanField(_("default queue"), default=False, help_text=_("Tickets no routing rule matches land here."))
    active = models.BooleanField(_("active"), default=True)
    # Round robin remembers whom it picked last; the next ticket goes to the next agent after them.
    last_assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="queue_one_default"),
            models.UniqueConstraint(fields=["email_address"], condition=~Q(email_address=""), name="queue_email_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free label on tickets ("vip", "noise", "recall-2025")."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class TicketKind(models.TextChoices):
    # The customer asks how something works or where something stands.
    QUESTION = "question", _("Question")
    # The customer is unhappy with a product, a person or the service.
    COMPLAINT = "complaint", _("Complaint")
    # The customer claims a defect under warranty or the law.
    CLAIM = "claim", _("Claim")
    # The customer asks for a unit to be installed.
    INSTALLATION = "installation", _("Installation request")
    # The customer asks for a maintenance visit.
    MAINTENANCE = "maintenance", _("Maintenance request")
    # The customer asks for a unit to be repaired.
    REPAIR = "repair", _("Repair request")
    # The customer asks to swap a unit for another.
    EXCHANGE = "exchange", _("Exchange request")
    # The customer asks for their money back.
    REFUND = "refund", _("Refund request")
    # The customer asks to be shown how to use a product.
    TRAINING = "training", _("Training request")


class TicketChannel(models.TextChoices):
    # An email to a queue's mailbox.
    EMAIL = "email", _("Email")
    # A call to the service line, logged by an agent.
    PHONE = "phone", _("Phone")
    # Written by the customer in the portal.
    PORTAL = "portal", _("Portal")
    # Created by another system through the API.
    API = "api", _("API")
    # The customer came to a shop or the service desk, logged by staff.
    IN_PERSON = "in_person", _("In person")


class TicketPriority(models.TextChoices):
    # Can wait; no harm while it does.
    LOW = "low", _("Low")
    # The usual request.
    NORMAL = "normal", _("Normal")
    # The customer cannot use a product or is very unhappy.
    HIGH = "high", _("High")
    # Safety, a business stopped, or a public complaint: drop everything.
    URGENT = "urgent", _("Urgent")


# Priorities from lowest to highest, for "raise priority" and sorting.
PRIORITY_ORDER = [TicketPriority.LOW, TicketPriority.NORMAL, TicketPriority.HIGH, TicketPriority.URGENT]


class TicketStatus(models.TextChoices):
    # Just arrived; nobody from the company has touched it.
    NEW = "new", _("New")
    # Being worked on by the company.
    OPEN = "open", _("Open")
    # The company asked the customer something and waits for the answer.
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    # The company waits for someone else: a supplier, a carrier, a technician's report.
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting on third party")
    # The company considers it answered; a reply from the customer opens it again.
    RESOLVED = "resolved", _("Resolved")
    # Finished for good; a reply from the customer opens a new ticket linked to it.
    CLOSED = "closed", _("Closed")


# Statuses in which the ticket still needs the company (or the customer) to act.
ACTIVE_STATUSES = [
    TicketStatus.NEW,
    TicketStatus.OPEN,
    TicketStatus.WAITING_CUSTOMER,
    TicketStatus.WAITING_THIRD_PARTY,
]
# Statuses in which the ticket waits for someone outside the company (SLA clocks pause).
WAITING_STATUSES = [TicketStatus.WAITING_CUSTOMER, TicketStatus.WAITING_THIRD_PARTY]


class EscalationTier(models.IntegerChoices):
    # First line: the service desk.
    L1 = 1, _("Level 1")
    # Second line: specialists, after an escalation.
    L2 = 2, _("Level 2")


class Ticket(TimeStampedModel):
    """A customer's request, from the first contact until it is closed."""

    number = models.PositiveIntegerField(_("number"), unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices, default=TicketKind.QUESTION)
    channel = models.CharField(_("channel"), max_length=12, choices=TicketChannel.choices)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    unit = models.ForeignKey(
        "sales.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.CharField(_("priority"), max_length=10, choices=TicketPriority.choices, default=TicketPriority.NORMAL)
    queue = models.ForeignKey(Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="tickets")
    department = models.ForeignKey(
        "core.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("followers"), blank=True, related_name="followed_tickets"
    )
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tickets")
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    escalation_tier = models.PositiveSmallIntegerField(
        _("escalation tier"), choices=EscalationTier.choices, default=EscalationTier.L1
    )
    first_public_reply_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(_("last customer message at"), null=True, blank=True)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        help_text=_("An earlier ticket of the same customer about the same unit."),
    )
    is_repeat = models.BooleanField(_("repeat contact"), default=False)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A client retrying a request with the same key gets the ticket it created the first time.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("work_ticket", _("Can answer, assign and change tickets")),
            ("note_ticket", _("Can add internal notes to tickets")),
            ("view_all_tickets", _("Can see the tickets of every department")),
            ("configure_service", _("Can configure queues, routing rules, canned replies and macros")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(escalation_tier__in=[1, 2]), name="ticket_escalation_tier_valid"),
            models.CheckConstraint(condition=Q(is_repeat=False) | Q(repeat_of__isnull=False), name="ticket_repeat_has_origin"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="ticket_status_idx"),
            models.Index(fields=["queue", "status"], name="ticket_queue_status_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_idx"),
            # The "no request unanswered" list: tickets without a public reply, oldest first.
            # Only the IS NULL condition: SQLite uses a partial index only when the query repeats its condition
            # literally, and the ORM sends the statuses as parameters.
            models.Index(
                fields=["created_at", "id"], condition=Q(first_public_reply_at__isnull=True), name="ticket_unanswered_idx"
            ),
            # The unanswered queue itself (not merged away) and its count: both read this index alone, in queue
            # order, whether or not SQLite has statistics (it counts a partial index's condition column as
            # covered only when the index holds it, hence first_public_reply_at, always null here). Without
            # it SQLite counted through ticket_status_idx and a lookup of every ticket (150 ms at 50,000
            # unanswered tickets, 6 ms with it), and a page deep in the queue read every ticket before it
            # (40 ms, 3 ms with it).
            models.Index(
                fields=["merged_into", "created_at", "id", "status", "first_public_reply_at"],
                condition=Q(first_public_reply_at__isnull=True),
                name="ticket_unanswered_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        """Return the reference customers and staff quote: ``#123``."""
        return f"#{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class TicketNumber(models.Model):
    """The last ticket number handed out; its row is locked while the next is taken, so numbers never repeat."""

    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket number counter")
        verbose_name_plural = _("ticket number counters")

    def __str__(self) -> str:
        return str(self.last)


class Visibility(models.TextChoices):
    # Seen by the customer (portal, email) and staff.
    PUBLIC = "public", _("Public reply")
    # Seen by staff only.
    INTERNAL = "internal", _("Internal note")


class TicketMessage(models.Model):
    """One entry in a ticket's conversation: a customer message, a public reply or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    body = models.TextField(_("body"))
    channel = models.CharField(_("channel"), max_length=12, choices=TicketChannel.choices)
    # Email threading headers; the mailbox fills them for mail in and out.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(author_customer__isnull=True) | Q(visibility="public"), name="ticket_message_customer_public"
            ),
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_message_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.visibility} @ {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def from_customer(self) -> bool:
        return self.author_customer_id is not None

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL


def attachment_upload_to(instance: TicketAttachment, filename: str) -> str:
    # Never trust the uploaded name: it is kept in ``file_name`` for people; the stored one is random.
    import secrets
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"tickets/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


class TicketAttachment(models.Model):
    """A file sent with a ticket message, kept privately and served only to those who may see it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.file_name


class TicketEventKind(models.TextChoices):
    # The ticket was opened.
    CREATED = "created", _("Opened")
    # Its status changed (data: from, to).
    STATUS = "status", _("Status changed")
    # Staff replied to the customer.
    PUBLIC_REPLY = "public_reply", _("Replied")
    # The customer wrote.
    CUSTOMER_REPLY = "customer_reply", _("Customer wrote")
    # Staff added an internal note.
    INTERNAL_NOTE = "internal_note", _("Internal note")
    # Someone else (or nobody) now works it (data: from, to).
    ASSIGNED = "assigned", _("Assigned")
    # Its priority changed (data: from, to).
    PRIORITY = "priority", _("Priority changed")
    # It moved to another queue (data: from, to).
    QUEUE = "queue", _("Moved")
    # Its kind changed (data: from, to).
    KIND = "kind", _("Kind changed")
    # Its subject or unit was corrected (data: field, from, to).
    DETAILS = "details", _("Details corrected")
    # Tags were added or removed (data: added, removed).
    TAGS = "tags", _("Tags changed")
    # Someone started or stopped following it (data: user, following).
    FOLLOWERS = "followers", _("Followers changed")
    # Another ticket was merged into it, or it into another (data: source, target).
    MERGED = "merged", _("Merged")
    # It was linked to an earlier ticket of the same customer and unit.
    REPEAT = "repeat", _("Repeat contact")
    # It moved to the second line (data: from, to).
    ESCALATED = "escalated", _("Escalated")
    # A macro was applied (data: macro).
    MACRO = "macro", _("Macro applied")
    # A call-back was scheduled or done (data: callback, due_at).
    CALLBACK = "callback", _("Call-back")
    # A file was attached (data: file_name).
    ATTACHMENT = "attachment", _("Attachment")


class TicketEvent(AppendOnlyModel):
    """An append-only fact in a ticket's history: who changed what, when.

    ``kind`` is a code; this app's are :class:`TicketEventKind`, and SLA and mail add their own
    (``sla_warning``, ``sla_breached``, ``mail_bounced``…), so the field takes any code.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("kind"), max_length=40)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [
            models.Index(fields=["ticket", "at"], name="ticket_event_ticket_idx"),
            models.Index(fields=["kind", "at"], name="ticket_event_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"


class RoutingRule(TimeStampedModel):
    """Send matching new tickets to a queue; rules are tried in order and the first match wins.

    A blank condition matches anything, so a rule with only ``kind=complaint`` takes every complaint.
    """

    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices, blank=True)
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("product category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("Matches units of this category and of its subcategories."),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=TicketChannel.choices, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)
    queue = models.ForeignKey(Queue, verbose_name=_("queue"), on_delete=models.CASCADE, related_name="routing_rules")
    priority = models.CharField(
        _("set priority"), max_length=10, choices=TicketPriority.choices, blank=True, help_text=_("Blank: keep it.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class CannedReply(TimeStampedModel):
    """A reply agents insert with one click, written in English and Spanish with template variables."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    body_en = models.TextField(_("text in English"))
    body_es = models.TextField(_("text in Spanish"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title

    def body_for(self, language: str) -> str:
        """Return the text in a language, falling back to English."""
        return self.body_es if language == Language.SPANISH and self.body_es else self.body_en


class Macro(TimeStampedModel):
    """Several changes to a ticket in one step: status, priority, queue, assignee, tags and a reply."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    status = models.CharField(_("set status"), max_length=20, choices=TicketStatus.choices, blank=True)
    priority = models.CharField(_("set priority"), max_length=10, choices=TicketPriority.choices, blank=True)
    queue = models.ForeignKey(
        Queue, verbose_name=_("move to queue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assign to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("add tags"), blank=True, related_name="+")
    canned_reply = models.ForeignKey(
        CannedReply, verbose_name=_("reply with"), null=True, blank=True, on_delete=models.SET_NULL, related_name="macros"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")

    def __str__(self) -> str:
        return self.name


class Callback(TimeStampedModel):
    """A promise to call the customer back by a time, owned by a staff member."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="callbacks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.CASCADE, related_name="callbacks"
    )
    due_at = models.DateTimeField(_("due at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        indexes = [models.Index(fields=["assignee", "done_at", "due_at"], name="callback_due_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.due_at:%Y-%m-%d %H:%M}"


class AgentProfile(models.Model):
    """What automatic assignment needs to know about a staff member: languages and whether they take tickets.

    Staff without a profile speak their own interface language and are available.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="agent_profile"
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    available = models.BooleanField(
        _("takes new tickets"), default=True, help_text=_("Off while away: no tickets are assigned automatically.")
    )

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return str(self.user)


class AgentShift(models.Model):
    """A weekly working period of a staff member, in their time zone (or the company's).

    Staff with no shifts at all are on shift at any time; once one is set, only within their shifts. A shift
    whose end comes before its start is a night shift: it starts on its weekday and ends the next day.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="shifts"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        ordering = ["user", "weekday", "starts_at"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="agent_shift_weekday_valid"),
            # An end before the start is a night shift that runs past midnight.
            models.CheckConstraint(condition=~Q(ends_at=models.F("starts_at")), name="agent_shift_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
