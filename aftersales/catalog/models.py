"""What is sold and on which after-sales terms."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language, TimeStampedModel


class Category(TimeStampedModel):
    """A family of products sharing service terms (appliances, bicycles…)."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        """Return the category's name in a language, falling back to English."""
        return self.name_es if language == Language.SPANISH and self.name_es else self.name


class WarrantyStart(models.TextChoices):
    # The standard warranty runs from the day the unit is delivered.
    DELIVERY = "delivery", _("From delivery")
    # The standard warranty runs from the day the unit is installed.
    INSTALLATION = "installation", _("From installation")


class Product(TimeStampedModel):
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

    def display_name(self, language: str) -> str:
        """Return the product's name in a language, falling back to English."""
        return self.name_es if language == Language.SPANISH and self.name_es else self.name
