"""factory_boy factories for the installed base, shared by every test module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from aftersales.catalog.models import Category, Product
from aftersales.core.models import User
from aftersales.core.roles import Role
from aftersales.customers.models import Customer
from aftersales.sales.models import Sale, SaleLine, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "s3cret-pass")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


def staff(role: str = Role.SUPPORT_AGENT, **kwargs: object) -> User:
    """Return a staff member holding one role."""
    return UserFactory(role=role, **kwargs)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"+3461{n:07d}")
    language = "en"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    name_es = factory.LazyAttribute(lambda o: f"Categoría {o.name}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    list_price = Decimal("499.00")
    warranty_months = 24


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    number = factory.Sequence(lambda n: f"S-{n:06d}")
    sold_on = dt.date(2025, 3, 1)
    customer = factory.SubFactory(CustomerFactory)
    receipt_number = factory.Sequence(lambda n: f"R-{n:06d}")
    total = Decimal("499.00")


class SaleLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SaleLine

    sale = factory.SubFactory(SaleFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = Decimal("499.00")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    sale_line = factory.SubFactory(SaleLineFactory)
    product = factory.LazyAttribute(lambda o: o.sale_line.product)
    customer = factory.LazyAttribute(lambda o: o.sale_line.sale.customer)
    serial = factory.Sequence(lambda n: f"SN{n:08d}")
