"""Admin for maintenance contracts: plans are kept here; contracts are read here and worked in the console."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.contracts.models import BillingLine, ContractPlan, ContractVisit, MaintenanceContract
from aftersales.core.admin import ReadOnlyAdmin as ReadOnly


@admin.register(ContractPlan)
class ContractPlanAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "months",
        "price",
        "billing_period",
        "visit_every_months",
        "response_hours",
        "repair_cover",
        "active",
    )
    list_filter = ("active", "repair_cover", "billing_period")
    search_fields = ("name", "name_es", "code")


class ContractVisitInline(admin.TabularInline):
    model = ContractVisit
    extra = 0
    can_delete = False
    readonly_fields = ("due_on", "work_order", "generated_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BillingLineInline(admin.TabularInline):
    model = BillingLine
    extra = 0
    can_delete = False
    readonly_fields = ("due_on", "amount", "paid_on", "payment_reference", "recorded_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MaintenanceContract)
class MaintenanceContractAdmin(ReadOnly):
    list_display = ("reference", "customer", "status", "starts_on", "ends_on", "price", "repair_cover")
    list_filter = ("status", "repair_cover", "billing_period")
    search_fields = ("customer__name", "customer__email", "lines__unit__serial")
    inlines = [ContractVisitInline, BillingLineInline]
