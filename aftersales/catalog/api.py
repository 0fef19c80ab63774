"""REST endpoints for categories and products."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.catalog import services
from aftersales.catalog.models import Category, Product
from aftersales.catalog.schemas import CategoryIn, CategoryOut, ProductFilter, ProductIn, ProductOut, ProductPatch
from aftersales.core.errors import NotFound
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm

router = Router(tags=["catalogue"])

ProductOrdering = Literal["name", "-name", "sku", "-sku", "list_price", "-list_price"]


@router.get("/categories", response=list[CategoryOut])
@paginate(Paged)
def category_list(request: HttpRequest) -> Any:
    require_perm(request.user, "catalog.view_category")
    return Category.objects.order_by("name")


@router.post("/categories", response={201: CategoryOut})
def category_create(request: HttpRequest, payload: CategoryIn) -> Any:
    require_perm(request.user, "catalog.add_category")
    return 201, services.category_create(actor=request.user, data=payload.dict())  # type: ignore[arg-type]


@router.get("/products", response=list[ProductOut])
@paginate(Paged)
def product_list(request: HttpRequest, filters: Query[ProductFilter], ordering: ProductOrdering = "name") -> Any:
    require_perm(request.user, "catalog.view_product")
    return filters.filter(Product.objects.all()).order_by(ordering, "id")


@router.post("/products", response={201: ProductOut})
def product_create(request: HttpRequest, payload: ProductIn) -> Any:
    require_perm(request.user, "catalog.add_product")
    return 201, services.product_create(actor=request.user, data=payload.dict())  # type: ignore[arg-type]


def _product(sku: str) -> Product:
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise NotFound(_("No such product."))
    return product


@router.get("/products/{sku}", response=ProductOut)
def product_get(request: HttpRequest, sku: str) -> Any:
    require_perm(request.user, "catalog.view_product")
    return _product(sku)


@router.put("/products/{sku}", response=ProductOut)
def product_update(request: HttpRequest, sku: str, payload: ProductIn) -> Any:
    require_perm(request.user, "catalog.change_product")
    return services.product_update(actor=request.user, product=_product(sku), data=payload.dict())  # type: ignore[arg-type]


@router.patch("/products/{sku}", response=ProductOut)
def product_patch(request: HttpRequest, sku: str, payload: ProductPatch) -> Any:
    require_perm(request.user, "catalog.change_product")
    data = payload.dict(exclude_unset=True)
    return services.product_update(actor=request.user, product=_product(sku), data=data)  # type: ignore[arg-type]
