"""Admin for the catalogue: the master data of categories and products."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category, Part, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "name_es", "parent", "replacement_warranty")
    search_fields = ("slug", "name", "name_es")
    list_filter = ("parent",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "sku",
        "name",
        "category",
        "list_price",
        "warranty_months",
        "warranty_starts",
        "needs_installation",
        "is_active",
    )
    list_filter = ("category", "warranty_starts", "needs_installation", "is_active")
    search_fields = ("sku", "name", "name_es")
    list_select_related = ("category",)
    fieldsets = (
        (None, {"fields": ("sku", "name", "name_es", "category", "list_price", "is_active")}),
        (
            _("Service terms"),
            {
                "fields": (
                    "warranty_months",
                    "warranty_starts",
                    "maintenance_interval_months",
                    "needs_installation",
                    "return_window_days",
                    "exchange_window_days",
                    "replacement_warranty",
                )
            },
        ),
    )


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "unit_cost", "unit_price", "stock_on_hand", "reorder_level", "is_active")
    list_filter = ("is_active", "categories")
    search_fields = ("sku", "name", "name_es")
    filter_horizontal = ("categories",)
    # Stock changes only through movements (part_stock_take / part_stock_receive), never by editing the figure.
    readonly_fields = ("stock_on_hand",)
