"""Field service: technicians and what they may do, work orders, their checklists, parts, time and
visit reports."""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category, Part
from aftersales.core.models import AppendOnlyModel, BusinessCalendar, Language, SpanishNameMixin, TimeStampedModel, Weekday
from aftersales.customers.models import Customer
from aftersales.sales.models import Sale, Unit
from aftersales.warranty.models import RepairOrder


class ServiceZone(SpanishNameMixin, TimeStampedModel):
    """An area technicians cover, matched on the start of a postal code (``280`` covers 28001…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    # Comma- or space-separated postal-code prefixes; the longest matching prefix wins.
    postal_prefixes = models.TextField(_("postal-code prefixes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service zone")
        verbose_name_plural = _("service zones")

    def __str__(self) -> str:
        return self.name

    @property
    def prefixes(self) -> list[str]:
        return [p for p in self.postal_prefixes.replace(",", " ").split() if p]


class Technician(TimeStampedModel):
    """A staff member who goes on site: the zones they cover, the languages they speak, their hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="technician"
    )
    zones = models.ManyToManyField(ServiceZone, verbose_name=_("zones"), blank=True, related_name="technicians")
    home_zone = models.ForeignKey(
        ServiceZone, verbose_name=_("home zone"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Language codes the technician can work in (``["es", "en"]``).
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Public holidays and company closures; the technician's own hours are their shifts below.
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "id"]
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class TechnicianShift(models.Model):
    """The hours a technician works on one weekday (several rows for a split day)."""

    technician = models.ForeignKey(Technician, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        ordering = ["technician", "weekday", "starts_at"]
        verbose_name = _("technician's working hours")
        verbose_name_plural = _("technicians' working hours")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="technician_shift_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.technician_id} {self.weekday} {self.starts_at}-{self.ends_at}"


class TechnicianAbsence(models.Model):
    """Days a technician does not work (holiday, training, sick leave), both days included."""

    technician = models.ForeignKey(Technician, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["technician", "starts_on"]
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="technician_absence_order")]

    def __str__(self) -> str:
        return f"{self.technician_id} {self.starts_on}..{self.ends_on}"


class Certification(TimeStampedModel):
    """A technician is trained for a product category until a date; only then may they be booked for it."""

    technician = models.ForeignKey(
        Technician, verbose_name=_("technician"), on_delete=models.CASCADE, related_name="certifications"
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    certified_on = models.DateField(_("certified on"))
    # The last day the certification is valid; empty when it does not expire.
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    reference = models.CharField(_("certificate"), max_length=100, blank=True)

    class Meta:
        ordering = ["technician", "category", "-expires_on"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("certified_on")), name="certification_dates_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.technician_id} {self.category_id} → {self.expires_on or '∞'}"


class WorkOrderKind(models.TextChoices):
    # Install a unit on the customer's premises.
    INSTALLATION = "installation", _("Installation")
    # The selling rep delivers (or attends the delivery) and shows the product.
    DELIVERY = "delivery", _("Delivery visit")
    # Scheduled maintenance against wear and tear (contracts, intervals).
    MAINTENANCE = "maintenance", _("Maintenance")
    # Fix a fault on site.
    REPAIR = "repair", _("Repair")
    # Look at a unit and report (for a claim, before a quote).
    INSPECTION = "inspection", _("Inspection")
    # Teach the customer to use the product.
    TRAINING = "training", _("On-site training")


class WorkOrderStatus(models.TextChoices):
    # Created (by hand or automatically after a sale); no date yet.
    PROPOSED = "proposed", _("To schedule")
    # Booked with someone on a date; waiting for the customer to confirm.
    SCHEDULED = "scheduled", _("Scheduled")
    # The customer confirmed the date.
    CONFIRMED = "confirmed", _("Confirmed")
    # The technician is on site.
    IN_PROGRESS = "in_progress", _("In progress")
    # Done; the visit report is written.
    COMPLETED = "completed", _("Completed")
    # The customer was not there; the order goes back to be rescheduled.
    NO_SHOW = "no_show", _("Customer not at home")
    # Not needed any more.
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which the order holds a slot in someone's diary.
BOOKED_STATUSES = (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED, WorkOrderStatus.IN_PROGRESS)
# Statuses in which the order is finished, one way or another.
CLOSED_STATUSES = (WorkOrderStatus.COMPLETED, WorkOrderStatus.CANCELLED)


class WorkOrder(TimeStampedModel):
    """A visit to a customer's premises for one or more of their units."""

    kind = models.CharField(_("kind"), max_length=20, choices=WorkOrderKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=WorkOrderStatus.choices, default=WorkOrderStatus.PROPOSED, db_index=True
    )
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="work_orders")
    units = models.ManyToManyField(Unit, verbose_name=_("units"), blank=True, related_name="work_orders")
    sale = models.ForeignKey(
        Sale, verbose_name=_("sale"), null=True, blank=True, on_delete=models.SET_NULL, related_name="work_orders"
    )
    ticket = models.ForeignKey(
        "service.Ticket", verbose_name=_("ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="work_orders"
    )
    # A workshop repair this visit belongs to (collecting the unit, repairing it on site, inspecting it).
    repair_order = models.ForeignKey(
        RepairOrder,
        verbose_name=_("repair order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    # Who goes: a technician's user, or the selling rep for a delivery visit. Bookings never overlap per assignee.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    zone = models.ForeignKey(
        ServiceZone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.SET_NULL, related_name="work_orders"
    )
    address = models.CharField(_("address"), max_length=400, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("expected duration (minutes)"), default=60)
    scheduled_start = models.DateTimeField(_("starts"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("ends"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by the customer at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    reminder_sent_for = models.DateTimeField(_("reminder sent for"), null=True, blank=True)
    # A ticket opened because the visit report said a follow-up is needed.
    follow_up_ticket = models.ForeignKey(
        "service.Ticket", verbose_name=_("follow-up ticket"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by automatic creation ("installation:unit:42") so a re-run proposes the same visit once.
    origin_key = models.CharField(_("origin"), max_length=100, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["scheduled_start", "id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        permissions = [
            ("schedule_workorder", _("Can schedule and reassign work orders")),
            ("perform_workorder", _("Can carry out work orders and write visit reports")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheduled_start__isnull=True, scheduled_end__isnull=True) | Q(scheduled_end__gt=F("scheduled_start")),
                name="work_order_slot_order",
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="work_order_duration_positive"),
        ]
        indexes = [
            models.Index(fields=["assignee", "scheduled_start"], name="work_order_diary_idx"),
            models.Index(fields=["status", "kind"], name="work_order_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Return the number people quote (``WO-000042``)."""
        return f"WO-{self.pk:06d}" if self.pk else "WO-?"

    @property
    def is_booked(self) -> bool:
        return self.status in BOOKED_STATUSES

    # --- scheduling (kept together at the end of the class) ---
    # Bumped on every booking change: calendar programs replace an invitation with a higher SEQUENCE.
    ics_sequence = models.PositiveIntegerField(_("invitation revision"), default=0)
    # The customer asked for another date without picking one of the offered slots; cleared on booking.
    reschedule_requested_at = models.DateTimeField(_("customer asked for another date at"), null=True, blank=True)


class WorkOrderEvent(AppendOnlyModel):
    """An append-only fact in a work order's history (created, booked, rescheduled, no-show, report…)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("kind"), max_length=30)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        indexes = [models.Index(fields=["work_order", "at"], name="work_order_event_idx")]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind}"


class ChecklistTemplate(TimeStampedModel):
    """The steps a technician ticks off for one kind of visit, per product category (or for all)."""

    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=WorkOrderKind.choices)
    # Empty: applies to every category that has no template of its own.
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    """One step of a checklist template."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("step"), max_length=300)
    text_es = models.CharField(_("step in Spanish"), max_length=300, blank=True)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")

    def __str__(self) -> str:
        return self.text


class WorkOrderChecklistItem(models.Model):
    """A checklist step copied onto a work order, ticked off on site."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("step"), max_length=300)
    text_es = models.CharField(_("step in Spanish"), max_length=300, blank=True)
    done = models.BooleanField(_("done"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["work_order", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text

    def display_text(self, language: str) -> str:
        return self.text_es if language == Language.SPANISH and self.text_es else self.text


class WorkOrderPart(models.Model):
    """Spare parts used on a visit, at the cost they had that day."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parts_used")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=Decimal("0"))
    # Borne by the company (warranty, contract) rather than billed to the customer.
    covered = models.BooleanField(_("covered"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["work_order", "id"]
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="work_order_part_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.part_id} ×{self.quantity}"


class WorkOrderTime(models.Model):
    """Time someone spent on a visit (travel excluded)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField(_("minutes"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["work_order", "at", "id"]
        verbose_name = _("time spent")
        verbose_name_plural = _("time spent")
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0), name="work_order_time_positive")]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.minutes} min"


class VisitReport(TimeStampedModel):
    """What the technician found and did, signed off by the customer on site."""

    work_order = models.OneToOneField(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="report")
    findings = models.TextField(_("findings"))
    work_done = models.TextField(_("work done"), blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_note = models.TextField(_("what should follow"), blank=True)
    # The customer's sign-off: the name they typed on the technician's screen, and when.
    signed_by_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # Why there is no sign-off (the customer was not present); required when nobody signed.
    unsigned_reason = models.CharField(_("why the customer did not sign"), max_length=300, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("visit report")
        verbose_name_plural = _("visit reports")

    def __str__(self) -> str:
        return f"report {self.work_order_id}"


def photo_upload_to(instance: VisitPhoto, filename: str) -> str:
    # Never trust the uploaded name: keep only the extension, under a random private folder.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"fieldwork/photos/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


class VisitPhoto(models.Model):
    """A photo taken on a visit (private storage, served only to staff and the customer)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=photo_upload_to, max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["work_order", "uploaded_at", "id"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return f"{self.work_order_id} photo {self.pk}"


class PartBilling(models.TextChoices):
    # The company bears the cost: the unit is under warranty or a contract on the day of the visit.
    COVERED = "covered", _("covered")
    # Nothing covers the unit that day: the customer is billed.
    BILLABLE = "billable", _("billable")
