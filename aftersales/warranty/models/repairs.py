"""Repair orders: a unit in the workshop, its diagnosis, the parts and labour it took, and the quote
the customer approves before any billable work starts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Part
from aftersales.core.models import AppendOnlyModel, TimeStampedModel
from aftersales.customers.models import Customer
from aftersales.sales.models import Unit
from aftersales.warranty.models.claims import WarrantyClaim


class RepairStatus(models.TextChoices):
    # The unit is in the workshop; nobody has looked at it yet.
    RECEIVED = "received", _("Received")
    # A technician is finding the fault and what it takes to fix it.
    DIAGNOSING = "diagnosing", _("Diagnosing")
    # The repair needs parts that are not in stock yet.
    WAITING_FOR_PARTS = "waiting_for_parts", _("Waiting for parts")
    # The repair is under way (billable work only after the customer approved the quote).
    REPAIRING = "repairing", _("Repairing")
    # Done (or left unrepaired after a declined quote); waiting for the customer to collect it.
    READY = "ready", _("Ready for pick-up")
    # Handed back to the customer; the turnaround clock stops.
    RETURNED = "returned", _("Returned")
    # Stopped before the repair; parts not fitted went back to stock.
    CANCELLED = "cancelled", _("Cancelled")


# The statuses in which a repair order is still in the workshop.
OPEN_REPAIR_STATUSES = (
    RepairStatus.RECEIVED,
    RepairStatus.DIAGNOSING,
    RepairStatus.WAITING_FOR_PARTS,
    RepairStatus.REPAIRING,
    RepairStatus.READY,
)
# Where each status may go next; everything else is refused.
REPAIR_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RepairStatus.RECEIVED: (RepairStatus.DIAGNOSING, RepairStatus.CANCELLED),
    RepairStatus.DIAGNOSING: (
        RepairStatus.WAITING_FOR_PARTS,
        RepairStatus.REPAIRING,
        RepairStatus.READY,
        RepairStatus.CANCELLED,
    ),
    RepairStatus.WAITING_FOR_PARTS: (
        RepairStatus.REPAIRING,
        RepairStatus.DIAGNOSING,
        RepairStatus.READY,
        RepairStatus.CANCELLED,
    ),
    RepairStatus.REPAIRING: (RepairStatus.WAITING_FOR_PARTS, RepairStatus.READY),
    RepairStatus.READY: (RepairStatus.RETURNED,),
    RepairStatus.RETURNED: (),
    RepairStatus.CANCELLED: (),
}
# Billable lines may change only before the billable work starts (the quote is about them).
BILLABLE_EDIT_STATUSES = (RepairStatus.RECEIVED, RepairStatus.DIAGNOSING, RepairStatus.WAITING_FOR_PARTS)
# Covered lines may be added until the repair is done.
LINE_EDIT_STATUSES = (*BILLABLE_EDIT_STATUSES, RepairStatus.REPAIRING)


class CoverBasis(models.TextChoices):
    # An approved warranty claim covers the repair.
    CLAIM = "claim", _("Approved warranty claim")
    # The unit was under warranty (or a contract) the day it was received.
    WARRANTY = "warranty", _("Under warranty when received")
    # Not covered: the customer pays for the repair.
    NONE = "none", _("Not covered")


class RepairOrder(TimeStampedModel):
    """A unit brought in for repair: where it stands, what was found, and who pays for what."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="repair_orders")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="repair_orders")
    claim = models.ForeignKey(
        WarrantyClaim,
        verbose_name=_("warranty claim"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repair_orders",
    )
    ticket = models.ForeignKey(
        "service.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repair_orders",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RepairStatus.choices, default=RepairStatus.RECEIVED, db_index=True
    )
    fault_description = models.TextField(_("reported fault"), blank=True)
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    covered = models.BooleanField(_("covered"), default=False)
    cover_basis = models.CharField(_("cover"), max_length=20, choices=CoverBasis.choices, default=CoverBasis.NONE)
    # The coverage answer on the day received, as a sentence in the business's language.
    cover_explanation = models.CharField(_("cover explanation"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    # Working hours from received to returned, in the default business calendar (set on return).
    turnaround_hours = models.DecimalField(_("turnaround (working hours)"), max_digits=9, decimal_places=1, null=True, blank=True)
    # Handed back without repair (the customer declined the quote, or no fault was found).
    unrepaired = models.BooleanField(_("returned unrepaired"), default=False)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("repair order")
        verbose_name_plural = _("repair orders")
        permissions = [("work_repairorder", _("Can work repair orders"))]
        indexes = [
            models.Index(fields=["status", "received_at"], name="repair_board_idx"),
            models.Index(fields=["unit", "returned_at"], name="repair_unit_returned_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Return the number people quote (``RO-000012``)."""
        return f"RO-{self.pk:06d}" if self.pk else "RO-?"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPAIR_STATUSES

    def next_statuses(self) -> tuple[str, ...]:
        """Return the statuses this order may move to."""
        return REPAIR_TRANSITIONS.get(self.status, ())


class RepairLineKind(models.TextChoices):
    # A spare part from the catalogue, taken from stock.
    PART = "part", _("Part")
    # Workshop time, charged by the minute at the labour rate.
    LABOUR = "labour", _("Labour")


class RepairLine(TimeStampedModel):
    """A part or some labour on a repair order, with its cost and price as they were when added.

    A removed line stays on record (``removed_at``), its stock put back and its cost reversed.
    """

    order = models.ForeignKey(RepairOrder, verbose_name=_("repair order"), on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=RepairLineKind.choices)
    part = models.ForeignKey(Part, verbose_name=_("part"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200)
    # Parts: how many; labour: the number of minutes.
    quantity = models.PositiveIntegerField(_("quantity"))
    # Per part, or per hour of labour, as they were when the line was added.
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    # Covered lines are borne by the company; the others are on the customer's quote.
    covered = models.BooleanField(_("covered"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("repair line")
        verbose_name_plural = _("repair lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="repair_line_quantity_positive"),
            models.CheckConstraint(condition=Q(cost__gte=0) & Q(price__gte=0), name="repair_line_amounts_not_negative"),
            models.CheckConstraint(
                condition=Q(kind="labour", part__isnull=True) | Q(kind="part", part__isnull=False),
                name="repair_line_part_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.description}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class QuoteStatus(models.TextChoices):
    # Sent to the customer; waiting for an answer.
    PENDING = "pending", _("Waiting for the customer")
    # The customer agreed to pay; billable work may start.
    APPROVED = "approved", _("Approved")
    # The customer said no; the unit goes back unrepaired (or a new quote is made).
    DECLINED = "declined", _("Declined")
    # The billable lines changed after it was sent; a new quote replaced it.
    SUPERSEDED = "superseded", _("Replaced by a new quote")


class QuoteChannel(models.TextChoices):
    # The customer answered in the customer portal.
    PORTAL = "portal", _("Customer portal")
    # The customer answered from the link in the email.
    EMAIL_LINK = "email_link", _("Email link")
    # Staff recorded the customer's answer (by phone, at the counter).
    STAFF = "staff", _("Recorded by staff")
    # Through the API.
    API = "api", _("API")


class RepairQuote(TimeStampedModel):
    """What the customer is asked to pay for the billable lines of a repair, and their answer."""

    order = models.ForeignKey(RepairOrder, verbose_name=_("repair order"), on_delete=models.CASCADE, related_name="quotes")
    # 1 for the first quote of an order, 2 for the one replacing it…; a signed link names the number.
    number = models.PositiveSmallIntegerField(_("number"))
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(_("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.PENDING)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_via = models.CharField(_("answered via"), max_length=20, choices=QuoteChannel.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("repair quote")
        verbose_name_plural = _("repair quotes")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="repair_quote_number_unique"),
            # At most one quote of an order waits for an answer or stands approved.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status__in=["pending", "approved"]), name="repair_quote_one_current"
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="repair_quote_total_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} Q{self.number} {self.status}"


class RepairEventKind(models.TextChoices):
    # The order was opened (data: claim, covered, repeat_of).
    OPENED = "opened", _("Received")
    # The status changed (data: from, to, note).
    STATUS = "status", _("Status changed")
    # The diagnosis was written or changed.
    DIAGNOSED = "diagnosed", _("Diagnosis recorded")
    # A part or labour line was added (data: line, kind, description, covered, price).
    LINE_ADDED = "line_added", _("Line added")
    # A line was removed (data: line, description).
    LINE_REMOVED = "line_removed", _("Line removed")
    # A quote was sent to the customer (data: number, total).
    QUOTE_SENT = "quote_sent", _("Quote sent")
    # The customer approved the quote (data: number, via).
    QUOTE_APPROVED = "quote_approved", _("Quote approved")
    # The customer declined the quote (data: number, via).
    QUOTE_DECLINED = "quote_declined", _("Quote declined")
    # A changed billable line replaced the quote (data: number).
    QUOTE_SUPERSEDED = "quote_superseded", _("Quote replaced")


class RepairEvent(AppendOnlyModel):
    """An append-only fact in a repair order's history: who did what, when."""

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("kind"), max_length=30)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("repair event")
        verbose_name_plural = _("repair events")
        indexes = [models.Index(fields=["order", "at"], name="repair_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"


class YesNo(models.TextChoices):
    # Stored in timeline data so the answer is shown in the reader's language.
    YES = "yes", _("yes")
    # The opposite.
    NO = "no", _("no")
