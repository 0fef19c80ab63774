"""Admin for customers (read-only: staff edit them in the console, where changes are validated and recorded) and segments."""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin
from aftersales.customers.models import Customer, Segment


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("slug", "name")
    search_fields = ("slug", "name")


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "email", "phone", "city", "country", "language", "created_at")
    list_filter = ("language", "country", "segments", "age_band", "education_level")
    search_fields = ("name", "email", "phone", "external_ref", "postal_code")
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
