"""Every write to the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.validators import slug_re
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category, Part, PartMovement, Product, WarrantyStart
from aftersales.core.errors import FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import User


@transaction.atomic
def category_create(*, actor: User | None, data: Mapping[str, Any]) -> Category:
    """Create a category; its code must be new."""
    errors: list[FieldError] = []
    if not str(data.get("slug", "")).strip():
        errors.append(FieldError(field="slug", reason=_("is required")))
    elif not slug_re.fullmatch(str(data["slug"])):
        errors.append(FieldError(field="slug", reason=_("may contain only letters, digits, hyphens and underscores")))
    elif Category.objects.filter(slug=data["slug"]).exists():
        errors.append(FieldError(field="slug", reason=_("is already used by another category"), code="duplicate"))
    if not str(data.get("name", "")).strip():
        errors.append(FieldError(field="name", reason=_("is required")))
    if data.get("parent_id") and not Category.objects.filter(pk=data["parent_id"]).exists():
        errors.append(FieldError(field="parent_id", reason=_("no such category")))
    if errors:
        raise ValidationFailed(errors=errors)
    return Category.objects.create(**data)


# Terms every product has; a partial update may change them but not empty them.
_PRODUCT_REQUIRED = (
    "list_price",
    "warranty_months",
    "needs_installation",
    "return_window_days",
    "exchange_window_days",
    "is_active",
)


def _product_check(data: Mapping[str, Any], *, exclude_id: int | None = None) -> list[FieldError]:
    errors = [
        FieldError(field=name, reason=_("is required")) for name in _PRODUCT_REQUIRED if name in data and data[name] is None
    ]
    if "sku" in data:
        if not str(data["sku"] or "").strip():
            errors.append(FieldError(field="sku", reason=_("is required")))
        elif Product.objects.filter(sku=data["sku"]).exclude(pk=exclude_id or 0).exists():
            errors.append(FieldError(field="sku", reason=_("is already used by another product"), code="duplicate"))
    if "name" in data and not str(data["name"] or "").strip():
        errors.append(FieldError(field="name", reason=_("is required")))
    if "category_id" in data and not Category.objects.filter(pk=data["category_id"]).exists():
        errors.append(FieldError(field="category_id", reason=_("no such category")))
    if "warranty_starts" in data and data["warranty_starts"] not in WarrantyStart.values:
        errors.append(FieldError(field="warranty_starts", reason=one_of(WarrantyStart.values)))
    return errors


@transaction.atomic
def product_create(*, actor: User | None, data: Mapping[str, Any]) -> Product:
    """Create a product; its SKU must be new."""
    errors = _product_check(data)
    if errors:
        raise ValidationFailed(errors=errors)
    return Product.objects.create(**data)


@transaction.atomic
def product_update(*, actor: User | None, product: Product, data: Mapping[str, Any]) -> Product:
    """Change a product's terms; units already sold keep their recorded history."""
    errors = _product_check(data, exclude_id=product.pk)
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in data.items():
        setattr(product, name, value)
    product.save()
    return product


class StockReason:
    """Why a part's stock changed (stored on each movement)."""

    # A delivery from the supplier.
    RECEIVED = "received"
    # Used in a repair or a visit.
    USED = "used"
    # Put back: a part taken for a job and not used.
    RETURNED = "returned"
    # A stock count corrected the figure.
    COUNTED = "counted"


def part_stock_take(*, actor: User | None, part: Part, quantity: int, reference: str = "") -> Part:
    """Take parts out of stock for a job; refuse when fewer are on hand, even under concurrent takes."""
    if quantity <= 0:
        raise ValidationFailed(errors=[FieldError(field="quantity", reason=_("must be at least 1"))])
    with transaction.atomic():
        # One conditional UPDATE: two technicians taking the last part cannot both succeed.
        taken = Part.objects.filter(pk=part.pk, stock_on_hand__gte=quantity).update(stock_on_hand=F("stock_on_hand") - quantity)
        if not taken:
            on_hand = Part.objects.filter(pk=part.pk).values_list("stock_on_hand", flat=True).first() or 0
            raise ValidationFailed(
                errors=[
                    FieldError(
                        field="quantity",
                        reason=interpolate(_("only %(on_hand)s of %(part)s in stock"), on_hand=on_hand, part=part.sku),
                        code="out_of_stock",
                    )
                ]
            )
        PartMovement.objects.create(part=part, quantity=-quantity, reason=StockReason.USED, reference=reference, actor=actor)
    part.refresh_from_db(fields=["stock_on_hand"])
    return part


def part_stock_receive(
    *, actor: User | None, part: Part, quantity: int, reference: str = "", reason: str = StockReason.RECEIVED
) -> Part:
    """Put parts into stock (a delivery, or parts brought back unused)."""
    if quantity <= 0:
        raise ValidationFailed(errors=[FieldError(field="quantity", reason=_("must be at least 1"))])
    with transaction.atomic():
        Part.objects.filter(pk=part.pk).update(stock_on_hand=F("stock_on_hand") + quantity)
        PartMovement.objects.create(part=part, quantity=quantity, reason=reason, reference=reference, actor=actor)
    part.refresh_from_db(fields=["stock_on_hand"])
    return part
