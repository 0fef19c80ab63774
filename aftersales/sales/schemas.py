"""API shapes for sales and units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema

from aftersales.sales.models import Sale, Unit


class SaleLineIn(Schema):
    sku: str
    quantity: int = Field(1, description="At least 1.")
    unit_price: Decimal
    serials: list[str] = Field(default_factory=list, description="One serial per item; as many as the quantity, or none.")


class SaleIn(Schema):
    number: str
    sold_on: dt.date
    channel: str = "store"
    customer_id: int
    sales_rep_id: int | None = None
    receipt_number: str = ""
    delivered_at: dt.datetime | None = None
    lines: list[SaleLineIn]


class UnitBriefOut(Schema):
    id: int
    serial: str
    status: str


class SaleLineOut(Schema):
    position: int
    sku: str = Field(alias="product.sku")
    product: str = Field(alias="product.name")
    quantity: int
    unit_price: Decimal
    units: list[UnitBriefOut]

    @staticmethod
    def resolve_units(obj: object) -> list[Unit]:
        return list(obj.units.all())  # type: ignore[attr-defined]


class SaleOut(Schema):
    id: int
    number: str
    sold_on: dt.date
    channel: str
    customer_id: int
    customer: str = Field(alias="customer.name")
    sales_rep_id: int | None
    sales_rep: str | None
    receipt_number: str
    has_proof_file: bool
    currency: str
    total: Decimal
    lines: list[SaleLineOut]

    @staticmethod
    def resolve_sales_rep(obj: Sale) -> str | None:
        return str(obj.sales_rep) if obj.sales_rep_id and obj.sales_rep else None

    @staticmethod
    def resolve_has_proof_file(obj: Sale) -> bool:
        return bool(obj.proof_file)

    @staticmethod
    def resolve_lines(obj: Sale) -> list[object]:
        return list(obj.lines.all())


class SaleFilter(FilterSchema):
    number: str | None = None
    customer_id: int | None = None
    sales_rep_id: int | None = None
    channel: str | None = None
    sold_from: Annotated[dt.date | None, FilterLookup("sold_on__gte")] = None
    sold_to: Annotated[dt.date | None, FilterLookup("sold_on__lte")] = None


class UnitOut(Schema):
    id: int
    serial: str
    sku: str = Field(alias="product.sku")
    product: str = Field(alias="product.name")
    category: str = Field(alias="product.category.name")
    customer_id: int
    sale_number: str | None
    sold_on: dt.date | None
    delivered_at: dt.datetime | None
    installed_at: dt.datetime | None
    status: str
    warranty_start: dt.date | None
    warranty_end: dt.date | None
    replaces_id: int | None

    @staticmethod
    def resolve_sale_number(obj: Unit) -> str | None:
        return obj.sale_line.sale.number if obj.sale_line_id and obj.sale_line else None

    @staticmethod
    def resolve_sold_on(obj: Unit) -> dt.date | None:
        return obj.sale_line.sale.sold_on if obj.sale_line_id and obj.sale_line else None


class UnitFilter(FilterSchema):
    serial: Annotated[str | None, FilterLookup("serial__iexact")] = None
    sku: Annotated[str | None, FilterLookup("product__sku")] = None
    customer_id: int | None = None
    status: str | None = None


class UnitMomentIn(Schema):
    at: dt.datetime | None = Field(None, description="When it happened; now when empty.")


class UnitStatusIn(Schema):
    status: str
