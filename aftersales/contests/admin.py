"""Admin for contests: read only (contests are run in the console). The secret seed is never shown here."""

from __future__ import annotations

from django.contrib import admin

from aftersales.contests.models import Contest, Entry, Exclusion, Winner
from aftersales.core.admin import ReadOnlyAdmin as ReadOnly


@admin.register(Contest)
class ContestAdmin(ReadOnly):
    list_display = ("code", "name", "status", "opens_at", "closes_at", "draw_at", "winners_count")
    list_filter = ("status",)
    search_fields = ("code", "name", "name_es")
    # Before the draw the seed is secret; after it, the audit panel shows it.
    exclude = ("seed",)
    readonly_fields = ("seed_hash", "entries_digest")


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ("contest", "number", "customer", "source", "source_ref", "n", "created_at")
    list_filter = ("source",)
    search_fields = ("contest__code", "customer__name", "customer__email", "source_ref")
    raw_id_fields = ("customer",)


@admin.register(Exclusion)
class ExclusionAdmin(ReadOnly):
    list_display = ("customer", "contest", "reason", "created_at")
    search_fields = ("customer__name", "customer__email", "reason")


@admin.register(Winner)
class WinnerAdmin(ReadOnly):
    list_display = ("contest", "rank", "customer", "entry", "voucher_code")
