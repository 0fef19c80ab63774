"""Read-only admin for the warranty; claims are worked in the console, where the services run."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import ReadOnlyAdmin as ReadOnly
from aftersales.warranty.models import ClaimEvent, Exclusion, ExtendedWarranty, RepairOrder, UnitWarrantyTerms, WarrantyClaim


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "data", "actor", "at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WarrantyClaim)
class WarrantyClaimAdmin(ReadOnly):
    list_display = ("reference", "customer", "unit", "fault_code", "status", "decision_reason", "created_at")
    list_filter = ("status", "fault_code", "decision_reason")
    search_fields = ("unit__serial", "customer__name", "customer__email")
    inlines = [ClaimEventInline]


@admin.register(ExtendedWarranty)
class ExtendedWarrantyAdmin(ReadOnly):
    list_display = ("unit", "months", "price", "sale_reference", "sold_on")
    search_fields = ("unit__serial", "sale_reference")


@admin.register(Exclusion)
class ExclusionAdmin(ReadOnly):
    list_display = ("unit", "note", "effective_on", "created_by")
    search_fields = ("unit__serial", "note")


@admin.register(UnitWarrantyTerms)
class UnitWarrantyTermsAdmin(ReadOnly):
    list_display = ("unit", "months", "starts", "recorded_at")
    search_fields = ("unit__serial",)


# Repair orders: read-only too; the workshop works them on the repair board, where the services run.
@admin.register(RepairOrder)
class RepairOrderAdmin(ReadOnly):
    list_display = ("reference", "customer", "unit", "status", "covered", "received_at", "returned_at", "turnaround_hours")
    list_filter = ("status", "covered", "cover_basis", "unrepaired")
    search_fields = ("unit__serial", "customer__name", "customer__email")
    raw_id_fields = ("unit", "customer", "claim", "ticket", "repeat_of")
