"""The cost of after-sales: one append-only ledger that every claim, repair, replacement, refund
and visit writes to, so the company sees what after-sales costs it per product and per period."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Product
from aftersales.core.models import AppendOnlyModel
from aftersales.customers.models import Customer
from aftersales.sales.models import Unit


class CostSource(models.TextChoices):
    # A warranty claim (handling, inspection).
    CLAIM = "claim", _("Warranty claim")
    # A repair order (parts, labour, shipping).
    REPAIR = "repair", _("Repair")
    # A unit swapped for a new one (the new unit's value, delivery).
    REPLACEMENT = "replacement", _("Replacement")
    # A return or an exchange (refund, restocking, collection).
    RETURN = "return", _("Return or exchange")
    # A technician's visit (labour, travel, parts).
    VISIT = "visit", _("Technician visit")
    # Anything else recorded by hand.
    OTHER = "other", _("Other")


class CostKind(models.TextChoices):
    # Spare parts at their cost price.
    PARTS = "parts", _("Parts")
    # Staff time at the labour rate.
    LABOUR = "labour", _("Labour")
    # Collection, shipping, courier, travel.
    LOGISTICS = "logistics", _("Logistics")
    # Money paid back to the customer.
    REFUND = "refund", _("Refund")
    # A new unit given in place of a faulty one.
    REPLACEMENT_UNIT = "replacement_unit", _("Replacement unit")
    # Anything else; the note says what.
    OTHER = "other", _("Other")


class CostEntry(AppendOnlyModel):
    """One cost of after-sales: what it was for, how much, and who bears it.

    Entries are never changed; a correction is a new entry with the opposite amount. ``covered``
    says the company bears the cost (warranty, contract, goodwill); otherwise it is billed to the
    customer and is not a cost to the company.
    """

    source = models.CharField(_("source"), max_length=20, choices=CostSource.choices)
    # The id of the claim, repair order, return, work order… the cost belongs to.
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CostKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    covered = models.BooleanField(_("borne by the company"), default=True)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="cost_entries"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    incurred_on = models.DateField(_("incurred on"), db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Recording the same cost twice (a retried request, a re-run task) returns the first entry.
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-incurred_on", "-id"]
        verbose_name = _("after-sales cost")
        verbose_name_plural = _("after-sales costs")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=Decimal("0")), name="cost_entry_amount_not_zero"),
        ]
        indexes = [
            models.Index(fields=["product", "incurred_on"], name="cost_product_day_idx"),
            models.Index(fields=["source", "source_id"], name="cost_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.reference} {self.get_kind_display()} {self.amount} {self.currency}"
