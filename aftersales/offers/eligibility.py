"""Whether a voucher applies to a customer (and a sale or amount), and the discount it gives: reading only.

``voucher_assess`` is used by the "check" operation and, with the voucher row locked, by redemption, so a
code that checks fine redeems for the same reasons and the same discount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.errors import FieldError, interpolate
from aftersales.customers.models import Customer
from aftersales.offers.models import ValueKind, Voucher, VoucherRedemption, VoucherStatus
from aftersales.sales.models import Sale, SaleLine

CENT = Decimal("0.01")


def categories_with_descendants(category_ids: Iterable[int]) -> set[int]:
    """Return the categories and every category below them."""
    found = {int(pk) for pk in category_ids}
    frontier = set(found)
    while frontier:
        children = set(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= children
        frontier = children
    return found


def money_format(amount: Decimal, currency: str) -> str:
    """Return an amount with its currency in the active language (``1.234,50 EUR`` in Spanish)."""
    from django.utils import formats

    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)} {currency}"


def value_format(voucher_kind: str, value: Decimal, currency: str) -> str:
    """Return what a voucher is worth as people read it (``10,00 EUR`` or ``15 %``)."""
    if voucher_kind == ValueKind.PERCENT:
        return f"{value.normalize():f} %"
    return money_format(value, currency)


@dataclass
class Assessment:
    """What checking a voucher found: the reasons it does not apply, or the discount it gives."""

    voucher: Voucher | None
    errors: list[FieldError] = field(default_factory=list)
    eligible_amount: Decimal | None = None
    discount: Decimal | None = None

    @property
    def applies(self) -> bool:
        return self.voucher is not None and not self.errors


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _sale_lines(sale: Sale) -> list[tuple[int, Decimal]]:
    return [
        (category_id, unit_price * quantity)
        for category_id, unit_price, quantity in SaleLine.objects.filter(sale=sale).values_list(
            "product__category_id", "unit_price", "quantity"
        )
    ]


def voucher_assess(
    *,
    voucher: Voucher | None,
    customer: Customer,
    sale: Sale | None = None,
    amount: Decimal | None = None,
    categories: Iterable[int] | None = None,
    today: dt.date | None = None,
    for_redemption: bool = False,
) -> Assessment:
    """Return whether a voucher applies to a customer today, and the discount, checking every rule."""
    if voucher is None:
        return Assessment(
            voucher=None, errors=[FieldError(field="code", reason=_("is not a valid voucher code"), code="unknown")]
        )
    today = today or timezone.localdate()
    errors: list[FieldError] = []

    if voucher.status == VoucherStatus.CANCELLED:
        errors.append(FieldError(field="code", reason=_("was cancelled"), code="cancelled"))
    if voucher.valid_from > today:
        reason = interpolate(_("is not valid yet: it may be used from %(day)s"), day=_day(voucher.valid_from))
        errors.append(FieldError(field="code", reason=reason, code="not_yet_valid"))
    if voucher.valid_until < today:
        reason = interpolate(_("expired on %(day)s"), day=_day(voucher.valid_until))
        errors.append(FieldError(field="code", reason=reason, code="expired"))
    if voucher.max_uses is not None and voucher.uses >= voucher.max_uses:
        errors.append(FieldError(field="code", reason=_("has been used up"), code="used_up"))

    if voucher.customer_id is not None and voucher.customer_id != customer.pk:
        errors.append(FieldError(field="customer", reason=_("this voucher belongs to another customer"), code="not_yours"))
    if voucher.max_uses_per_customer is not None:
        used = VoucherRedemption.objects.filter(voucher=voucher, customer=customer).count()
        if used >= voucher.max_uses_per_customer:
            reason = interpolate(
                _("has already used this voucher the %(count)s times allowed"), count=voucher.max_uses_per_customer
            )
            errors.append(FieldError(field="customer", reason=reason, code="used_up_for_customer"))
    segment_ids = {segment.pk for segment in voucher.segments.all()}
    if segment_ids and not customer.segments.filter(pk__in=segment_ids).exists():
        names = ", ".join(sorted(segment.name for segment in voucher.segments.all()))
        reason = interpolate(_("is not in the segments this voucher is for (%(segments)s)"), segments=names)
        errors.append(FieldError(field="customer", reason=reason, code="segment"))

    if sale is not None and sale.customer_id != customer.pk:
        errors.append(FieldError(field="sale", reason=_("belongs to another customer"), code="other_customer"))
    if sale is not None and VoucherRedemption.objects.filter(voucher=voucher, sale=sale).exists():
        errors.append(FieldError(field="sale", reason=_("already used this voucher"), code="already_used"))

    # The eligible amount: the lines of eligible categories, the amount given, or unknown.
    eligible_ids = categories_with_descendants(voucher.categories.values_list("pk", flat=True))
    eligible: Decimal | None = None
    sale_value: Decimal | None = None
    if sale is not None:
        lines = _sale_lines(sale)
        sale_value = sale.total if sale.total > 0 else sum((line_amount for _id, line_amount in lines), Decimal("0"))
        eligible = sum(
            (line_amount for category_id, line_amount in lines if not eligible_ids or category_id in eligible_ids),
            Decimal("0"),
        )
        if not eligible_ids:
            eligible = sale_value
        elif eligible == 0:
            errors.append(
                FieldError(field="sale", reason=_("has no products of the categories this voucher is for"), code="category")
            )
    else:
        if amount is not None:
            eligible = sale_value = amount
        if eligible_ids:
            if categories is not None:
                if not {int(pk) for pk in categories} & eligible_ids:
                    errors.append(
                        FieldError(
                            field="categories", reason=_("none is among the categories this voucher is for"), code="category"
                        )
                    )
            elif for_redemption:
                errors.append(
                    FieldError(
                        field="sale",
                        reason=_("is required: this voucher is for some product categories only"),
                        code="category_unknown",
                    )
                )

    if voucher.min_sale_value is not None:
        if sale_value is None:
            reason = interpolate(
                _("is required: this voucher needs a purchase of at least %(amount)s"),
                amount=money_format(voucher.min_sale_value, voucher.currency),
            )
            errors.append(FieldError(field="amount", reason=reason, code="required"))
        elif sale_value < voucher.min_sale_value:
            reason = interpolate(
                _("is below the minimum of %(amount)s for this voucher"),
                amount=money_format(voucher.min_sale_value, voucher.currency),
            )
            errors.append(FieldError(field="sale" if sale is not None else "amount", reason=reason, code="below_minimum"))

    discount: Decimal | None
    if voucher.value_kind == ValueKind.PERCENT:
        if eligible is None:
            discount = None
            if for_redemption:
                errors.append(
                    FieldError(field="amount", reason=_("is required to work out a percentage discount"), code="required")
                )
        else:
            discount = (eligible * voucher.value / Decimal("100")).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        discount = voucher.value if eligible is None else min(voucher.value, eligible)
    return Assessment(voucher=voucher, errors=errors, eligible_amount=eligible, discount=discount)
