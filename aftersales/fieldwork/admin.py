"""Admin for field-service master data: zones, technicians, checklists; work orders read-only."""

from __future__ import annotations

from django.contrib import admin

from aftersales.fieldwork.models import (
    Certification,
    ChecklistTemplate,
    ChecklistTemplateItem,
    ServiceZone,
    Technician,
    TechnicianAbsence,
    TechnicianShift,
    WorkOrder,
)


@admin.register(ServiceZone)
class ServiceZoneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_es", "postal_prefixes")
    search_fields = ("code", "name", "postal_prefixes")


class ShiftInline(admin.TabularInline):
    model = TechnicianShift
    extra = 0


class AbsenceInline(admin.TabularInline):
    model = TechnicianAbsence
    extra = 0


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ("user", "home_zone", "languages", "is_active")
    list_filter = ("is_active", "zones")
    filter_horizontal = ("zones",)
    inlines = [ShiftInline, AbsenceInline, CertificationInline]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistTemplateItem
    extra = 1


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "category", "is_active")
    list_filter = ("kind", "category", "is_active")
    inlines = [ChecklistItemInline]


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("reference", "kind", "status", "customer", "assignee", "scheduled_start")
    list_filter = ("kind", "status")
    search_fields = ("customer__name", "customer__email")
    raw_id_fields = ("customer", "sale", "ticket", "follow_up_ticket", "units")

    def has_add_permission(self, request: object) -> bool:
        # Work orders are created through the services (history, timeline, idempotency).
        return False
