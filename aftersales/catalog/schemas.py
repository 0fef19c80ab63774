"""API shapes for the catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema


class CategoryIn(Schema):
    slug: str
    name: str
    name_es: str = ""
    parent_id: int | None = None


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    name_es: str
    parent_id: int | None


class ProductIn(Schema):
    sku: str
    name: str
    name_es: str = ""
    category_id: int
    list_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    warranty_months: int = Field(24, ge=0, le=600)
    warranty_starts: str = "delivery"
    maintenance_interval_months: int | None = Field(None, gt=0, le=600)
    needs_installation: bool = False
    return_window_days: int = Field(14, ge=0, le=3650)
    exchange_window_days: int = Field(30, ge=0, le=3650)
    is_active: bool = True


class ProductPatch(Schema):
    sku: str | None = None
    name: str | None = None
    name_es: str | None = None
    category_id: int | None = None
    list_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    warranty_months: int | None = Field(None, ge=0, le=600)
    warranty_starts: str | None = None
    maintenance_interval_months: int | None = Field(None, gt=0, le=600)
    needs_installation: bool | None = None
    return_window_days: int | None = Field(None, ge=0, le=3650)
    exchange_window_days: int | None = Field(None, ge=0, le=3650)
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    name_es: str
    category_id: int
    list_price: Decimal
    warranty_months: int
    warranty_starts: str
    maintenance_interval_months: int | None
    needs_installation: bool
    return_window_days: int
    exchange_window_days: int
    is_active: bool


class ProductFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["sku__icontains", "name__icontains", "name_es__icontains"])] = None
    category_id: int | None = None
    category: Annotated[str | None, FilterLookup("category__slug")] = Field(None, description="A category's code.")
    is_active: bool | None = None
    needs_installation: bool | None = None
