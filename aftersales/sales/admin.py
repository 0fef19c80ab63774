"""Admin for sales and units: read-only, since sales and unit events go through the services and the timeline."""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from aftersales.sales.models import Sale, SaleLine, SalesImport, Unit


class SaleLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SaleLine
    fields = ("position", "product", "quantity", "unit_price")
    extra = 0


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    list_display = ("number", "sold_on", "customer", "channel", "sales_rep", "total", "currency", "imported")
    list_filter = ("channel", "imported", "sold_on")
    search_fields = ("number", "receipt_number", "customer__name", "customer__email")
    date_hierarchy = "sold_on"
    list_select_related = ("customer", "sales_rep")
    exclude = ("proof_file",)  # served only through the console's permission-checked download
    inlines = [SaleLineInline]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("serial", "product", "customer", "status", "delivered_at", "installed_at")
    list_filter = ("status", "product__category")
    search_fields = ("serial", "product__sku", "product__name", "customer__name")
    list_select_related = ("product", "customer")


@admin.register(SalesImport)
class SalesImportAdmin(ReadOnlyAdmin):
    list_display = ("id", "file_name", "status", "created_by", "created_at", "rows", "sales_created", "error_count")
    list_filter = ("status",)
    search_fields = ("file_name", "created_by__username")
    date_hierarchy = "created_at"
