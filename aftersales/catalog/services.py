"""Every write to the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from aftersales.catalog.models import Category, Product, WarrantyStart
from aftersales.core.errors import FieldError, ValidationFailed
from aftersales.core.models import User


@transaction.atomic
def category_create(*, actor: User | None, data: Mapping[str, Any]) -> Category:
    """Create a category; its code must be new."""
    errors = []
    if not str(data.get("slug", "")).strip():
        errors.append(FieldError(field="slug", reason="is required"))
    elif Category.objects.filter(slug=data["slug"]).exists():
        errors.append(FieldError(field="slug", reason="is already used by another category", code="duplicate"))
    if not str(data.get("name", "")).strip():
        errors.append(FieldError(field="name", reason="is required"))
    if data.get("parent_id") and not Category.objects.filter(pk=data["parent_id"]).exists():
        errors.append(FieldError(field="parent_id", reason="no such category"))
    if errors:
        raise ValidationFailed(errors=errors)
    return Category.objects.create(**data)


def _product_check(data: Mapping[str, Any], *, exclude_id: int | None = None) -> list[FieldError]:
    errors = []
    if "sku" in data:
        if not str(data["sku"]).strip():
            errors.append(FieldError(field="sku", reason="is required"))
        elif Product.objects.filter(sku=data["sku"]).exclude(pk=exclude_id or 0).exists():
            errors.append(FieldError(field="sku", reason="is already used by another product", code="duplicate"))
    if "name" in data and not str(data["name"]).strip():
        errors.append(FieldError(field="name", reason="is required"))
    if "category_id" in data and not Category.objects.filter(pk=data["category_id"]).exists():
        errors.append(FieldError(field="category_id", reason="no such category"))
    if "warranty_starts" in data and data["warranty_starts"] not in WarrantyStart.values:
        errors.append(FieldError(field="warranty_starts", reason=f"must be one of {', '.join(WarrantyStart.values)}"))
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
