"""Warranty: the terms each unit was sold with, extended warranties, exclusions, and claims."""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import WarrantyStart
from aftersales.core.models import AppendOnlyModel, TimeStampedModel
from aftersales.customers.models import Customer
from aftersales.sales.models import Unit


class UnitWarrantyTerms(models.Model):
    """The standard warranty terms a unit was sold with, copied from its product once.

    Changing a product's terms later applies to units sold afterwards, never to those already sold.
    """

    unit = models.OneToOneField(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="warranty_terms")
    months = models.PositiveSmallIntegerField(_("standard warranty (months)"))
    starts = models.CharField(_("warranty starts"), max_length=20, choices=WarrantyStart.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("unit warranty terms")
        verbose_name_plural = _("unit warranty terms")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.months} months from {self.starts}"


class ExtendedWarranty(TimeStampedModel):
    """An extension of the standard warranty sold for one unit; it starts when the cover before it ends."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="extended_warranties")
    months = models.PositiveSmallIntegerField(_("months"))
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    sale_reference = models.CharField(_("sale reference"), max_length=64, blank=True)
    sold_on = models.DateField(_("sold on"))
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sold by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["unit", "id"]
        verbose_name = _("extended warranty")
        verbose_name_plural = _("extended warranties")
        constraints = [
            models.CheckConstraint(condition=Q(months__gt=0), name="extended_warranty_months_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="extended_warranty_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} +{self.months}"


class Exclusion(TimeStampedModel):
    """A finding that voids a unit's cover from a day on (damaged by misuse, opened by a third party…)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="warranty_exclusions")
    note = models.CharField(_("note"), max_length=500)
    effective_on = models.DateField(_("effective from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["unit", "effective_on", "id"]
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")

    def __str__(self) -> str:
        return self.note


class FaultCode(models.TextChoices):
    # It does not switch on or start.
    NO_POWER = "no_power", _("Does not switch on")
    # It works but not as it should (temperature, speed, results).
    PERFORMANCE = "performance", _("Does not work properly")
    # Unusual noise or vibration.
    NOISE = "noise", _("Noise or vibration")
    # Water, gas or fluid leaks.
    LEAK = "leak", _("Leak")
    # A part is broken or came off.
    BROKEN_PART = "broken_part", _("Broken part")
    # The screen, controls or app do not respond.
    CONTROLS = "controls", _("Screen or controls")
    # Arrived damaged or with something missing.
    DELIVERY_DAMAGE = "delivery_damage", _("Damaged on arrival")
    # Anything else; the description says what.
    OTHER = "other", _("Other")


class ClaimStatus(models.TextChoices):
    # Received; the automatic checks have not decided yet (only while it is being written).
    SUBMITTED = "submitted", _("Submitted")
    # Staff must look at it: an unverified receipt, a doubtful exclusion.
    NEEDS_INSPECTION = "needs_inspection", _("Needs inspection")
    # Covered: the repair or replacement is free of charge.
    APPROVED = "approved", _("Approved")
    # Not covered, with the reason.
    REJECTED = "rejected", _("Rejected")
    # Withdrawn by the customer or staff before a decision was carried out.
    CANCELLED = "cancelled", _("Cancelled")


# A claim in one of these may still change; the others are decided.
OPEN_CLAIM_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INSPECTION, ClaimStatus.APPROVED)
UNDECIDED_CLAIM_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INSPECTION)


class DecisionReason(models.TextChoices):
    # The unit is covered on the claim day and nothing speaks against it.
    COVERED = "covered", _("Covered by the warranty")
    # No sale on record and no receipt uploaded.
    NO_PROOF = "no_proof", _("No proof of purchase")
    # A receipt was uploaded and staff have not verified it yet.
    RECEIPT_UNVERIFIED = "receipt_unverified", _("Receipt to be verified")
    # Staff found the uploaded receipt does not prove the purchase.
    RECEIPT_INVALID = "receipt_invalid", _("Receipt not valid")
    # The claim day is outside every cover of the unit.
    NOT_COVERED = "not_covered", _("Not covered on the claim date")
    # The warranty has not started (not delivered or installed yet).
    NOT_STARTED = "not_started", _("Warranty not started yet")
    # The unit was replaced, returned or scrapped.
    UNIT_NOT_IN_SERVICE = "unit_not_in_service", _("Unit no longer in service")
    # An exclusion on the unit (misuse, third-party repair) must be weighed by staff.
    EXCLUSION = "exclusion", _("Exclusion recorded on the unit")
    # Another claim for the same fault on this unit is still open.
    DUPLICATE = "duplicate", _("Open claim for the same fault")
    # Staff inspected the unit and found the fault caused by misuse or damage.
    MISUSE = "misuse", _("Misuse or accidental damage")
    # Staff inspected and found no fault.
    NO_FAULT_FOUND = "no_fault_found", _("No fault found")
    # Withdrawn at the customer's request.
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Anything else; the text says what.
    OTHER = "other", _("Other")


def receipt_upload_to(instance: WarrantyClaim, filename: str) -> str:
    # Never trust the uploaded name: keep only the extension, under a random private folder.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"warranty/receipts/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


class WarrantyClaim(TimeStampedModel):
    """A customer's request to have a fault fixed free of charge under warranty, and its decision."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="warranty_claims")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="warranty_claims")
    ticket = models.ForeignKey(
        "service.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warranty_claims",
    )
    claimed_on = models.DateField(_("claim date"))
    fault_code = models.CharField(_("fault"), max_length=20, choices=FaultCode.choices)
    fault_description = models.TextField(_("fault description"))
    receipt_file = models.FileField(_("receipt"), upload_to=receipt_upload_to, blank=True, max_length=200)
    receipt_content_type = models.CharField(_("receipt type"), max_length=40, blank=True)
    receipt_verified_at = models.DateTimeField(_("receipt verified at"), null=True, blank=True)
    receipt_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receipt verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED, db_index=True
    )
    decision_reason = models.CharField(_("reason"), max_length=30, choices=DecisionReason.choices, blank=True)
    decision_text = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warranty claim")
        verbose_name_plural = _("warranty claims")
        permissions = [("decide_warrantyclaim", _("Can decide warranty claims"))]
        indexes = [
            models.Index(fields=["unit", "fault_code", "status"], name="claim_unit_fault_idx"),
            models.Index(fields=["status", "created_at"], name="claim_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Return the number people quote (``WC-000042``)."""
        return f"WC-{self.pk:06d}" if self.pk else "WC-?"

    @property
    def has_receipt(self) -> bool:
        return bool(self.receipt_file)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CLAIM_STATUSES

    @property
    def is_undecided(self) -> bool:
        return self.status in UNDECIDED_CLAIM_STATUSES


class ReceiptCheck(models.TextChoices):
    # The receipt proves the purchase of this unit.
    VALID = "valid", _("valid")
    # The receipt does not prove it (unreadable, another product, another shop).
    INVALID = "invalid", _("not valid")


class ClaimEventKind(models.TextChoices):
    # The claim was received (data: ticket, receipt).
    SUBMITTED = "submitted", _("Submitted")
    # The automatic checks reached a decision (data: status, reason).
    CHECKED = "checked", _("Checked automatically")
    # Staff decided (data: from, to, reason).
    DECIDED = "decided", _("Decided")
    # Staff verified the uploaded receipt, or found it not valid (data: valid).
    RECEIPT_VERIFIED = "receipt_verified", _("Receipt checked")
    # The claim was withdrawn.
    CANCELLED = "cancelled", _("Cancelled")


class ClaimEvent(AppendOnlyModel):
    """An append-only fact in a claim's history: who decided what, when."""

    claim = models.ForeignKey(WarrantyClaim, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("kind"), max_length=30)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        indexes = [models.Index(fields=["claim", "at"], name="claim_event_claim_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"
