"""Replacements: a unit swapped for a new serial, and what the new unit keeps of the warranty."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ReplacementWarranty
from aftersales.core.models import TimeStampedModel
from aftersales.sales.models import Unit


class ReplacementReason(models.TextChoices):
    # An approved warranty claim: the fault is not worth repairing or cannot be repaired.
    WARRANTY = "warranty", _("Warranty claim")
    # The unit arrived broken or incomplete: replaced at once, no repair attempted.
    DELIVERY_DAMAGE = "delivery_damage", _("Damaged on arrival")
    # It failed within the first days of use.
    DEAD_ON_ARRIVAL = "dead_on_arrival", _("Failed on first use")
    # A repair was tried and did not fix it.
    REPAIR_FAILED = "repair_failed", _("Repair did not fix it")
    # Not owed under the warranty; the company chose to replace it for the customer's sake.
    GOODWILL = "goodwill", _("Goodwill")
    # Anything else; the note says what.
    OTHER = "other", _("Other")


class Replacement(TimeStampedModel):
    """One unit given in place of another: the old unit is marked replaced, the new one points back to it."""

    old_unit = models.OneToOneField(
        Unit, verbose_name=_("replaced unit"), on_delete=models.PROTECT, related_name="replacement_out"
    )
    new_unit = models.OneToOneField(Unit, verbose_name=_("new unit"), on_delete=models.PROTECT, related_name="replacement_in")
    claim = models.OneToOneField(
        "warranty.WarrantyClaim",
        verbose_name=_("warranty claim"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacement",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReplacementReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    warranty_rule = models.CharField(_("warranty of the new unit"), max_length=12, choices=ReplacementWarranty.choices)
    # The replacement day in the business's calendar: a restarted warranty runs from it.
    replaced_on = models.DateField(_("replaced on"))
    # The last day the replaced unit was covered (standard and extended warranties); a carried-over
    # warranty ends on it. Empty when the old unit's cover had not started or had ended.
    carried_until = models.DateField(_("carried-over cover until"), null=True, blank=True)
    unit_cost = models.DecimalField(_("cost of the new unit"), max_digits=12, decimal_places=2, default=Decimal("0"))
    logistics_cost = models.DecimalField(_("logistics cost"), max_digits=12, decimal_places=2, default=Decimal("0"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = _("replacement")
        verbose_name_plural = _("replacements")
        constraints = [
            models.CheckConstraint(condition=~Q(old_unit=models.F("new_unit")), name="replacement_units_differ"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="replacement_unit_cost_not_negative"),
            models.CheckConstraint(condition=Q(logistics_cost__gte=0), name="replacement_logistics_not_negative"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Return the number people quote (``RP-000007``)."""
        return f"RP-{self.pk:06d}" if self.pk else "RP-?"
