"""What is sold and on which after-sales terms."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import SpanishNameMixin, TimeStampedModel


class ReplacementWarranty(models.TextChoices):
    # The new unit keeps the replaced unit's warranty end date.
    CARRY_OVER = "carry_over", _("Carried over from the replaced unit")
    # The new unit gets the product's full standard warranty again, from the replacement day.
    RESTART = "restart", _("Restarted on the replacement day")


class Category(SpanishNameMixin, TimeStampedModel):
    """A family of products sharing service terms (appliances, bicycles…)."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # What a unit swapped for a new one keeps of its warranty; a product may say otherwise.
    replacement_warranty = models.CharField(
        _("warranty of a replacement unit"),
        max_length=12,
        default=ReplacementWarranty.CARRY_OVER,
        choices=ReplacementWarranty.choices,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class WarrantyStart(models.TextChoices):
    # The standard warranty runs from the day the unit is delivered.
    DELIVERY = "delivery", _("From delivery")
    # The standard warranty runs from the day the unit is installed.
    INSTALLATION = "installation", _("From installation")


class Product(SpanishNameMixin, TimeStampedModel):
    """A sellable model, identified by its SKU, with its warranty and service terms."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products")
    list_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    warranty_months = models.PositiveSmallIntegerField(_("standard warranty (months)"), default=24)
    warranty_starts = models.CharField(
        _("warranty starts"), max_length=20, choices=WarrantyStart.choices, default=WarrantyStart.DELIVERY
    )
    maintenance_interval_months = models.PositiveSmallIntegerField(
        _("maintenance interval (months)"), null=True, blank=True, help_text=_("Empty when the product needs no maintenance.")
    )
    needs_installation = models.BooleanField(_("needs installation"), default=False)
    return_window_days = models.PositiveSmallIntegerField(_("return window (days)"), default=14)
    exchange_window_days = models.PositiveSmallIntegerField(_("exchange window (days)"), default=30)
    is_active = models.BooleanField(_("on sale"), default=True)
    # Empty: the category's rule applies.
    replacement_warranty = models.CharField(
        _("warranty of a replacement unit"),
        max_length=12,
        blank=True,
        choices=ReplacementWarranty.choices,
        help_text=_("Empty to follow the category."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
            models.CheckConstraint(
                condition=Q(maintenance_interval_months__isnull=True) | Q(maintenance_interval_months__gt=0),
                name="product_maintenance_interval_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def replacement_warranty_rule(self) -> str:
        """Return what a replacement unit keeps of its warranty: the product's rule, else its category's."""
        return self.replacement_warranty or self.category.replacement_warranty


class Part(SpanishNameMixin, TimeStampedModel):
    """A spare part used in repairs and visits, with its cost, its price and the stock on hand."""

    sku = models.CharField(_("part number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)
    # What the part costs the company; the after-sales cost of using one.
    unit_cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=Decimal("0"))
    # What a customer pays for it when the work is not covered.
    unit_price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    stock_on_hand = models.IntegerField(_("stock on hand"), default=0)
    reorder_level = models.PositiveIntegerField(_("reorder level"), default=0)
    categories = models.ManyToManyField(Category, verbose_name=_("fits categories"), blank=True, related_name="parts")
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")
        constraints = [
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="part_cost_not_negative"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="part_price_not_negative"),
            # Stock is taken with a conditional UPDATE; the constraint is the last line of defence.
            models.CheckConstraint(condition=Q(stock_on_hand__gte=0), name="part_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class PartMovement(models.Model):
    """An append-only change to a part's stock: received, used in a repair or visit, counted."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="movements")
    # Positive when stock comes in, negative when it is used.
    quantity = models.IntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=20)
    # What the part went into (``RO-000012``, ``WO-000003``) or came from (a delivery note).
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    actor = models.ForeignKey(
        "core.User", verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="part_movement_not_zero")]

    def __str__(self) -> str:
        return f"{self.part_id} {self.quantity:+d} {self.reason}"
