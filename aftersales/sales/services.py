"""Every write to sales and units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from aftersales.catalog.models import Product
from aftersales.core.errors import FieldError, Text, ValidationFailed, interpolate, one_of
from aftersales.core.files import upload_check
from aftersales.core.models import User
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer
from aftersales.sales.models import Sale, SaleChannel, SaleLine, Unit, UnitStatus
from aftersales.sales.signals import sales_recorded

MAX_SERIAL_LENGTH = 64
# SaleChannel.values builds a new list on every access; imports validate one header per sale.
_CHANNEL_CODES = frozenset(SaleChannel.values)


def decimal_parse(raw: Any) -> Decimal | None:
    """Return a money amount from ``12.50`` or ``12,50``; None when it is not a number."""
    if isinstance(raw, Decimal):
        return raw
    text = str(raw).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def sale_line_clean(
    *,
    product: Product | None,
    sku: str,
    quantity: Any,
    unit_price: Any,
    serials: Sequence[str],
    field_prefix: str = "",
    line: int | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Return a validated sale line (product, quantity, price, serials) and its errors."""
    errors: list[FieldError] = []

    def fail(name: str, reason: Text, code: str = "invalid") -> None:
        errors.append(FieldError(field=field_prefix + name, reason=reason, line=line, code=code))

    if product is None:
        if sku:
            fail("sku", interpolate(_("no product with SKU %(sku)r"), sku=sku), "unknown")
        else:
            fail("sku", _("is required"), "required")
    try:
        qty = int(str(quantity).strip())
    except (TypeError, ValueError):
        qty = 0
        fail("quantity", interpolate(_("%(value)r is not a whole number"), value=quantity))
    else:
        if qty <= 0:
            fail("quantity", _("must be at least 1"))
    price = decimal_parse(unit_price)
    if price is None:
        fail("unit_price", interpolate(_("%(value)r is not a number"), value=unit_price))
    elif price < 0:
        fail("unit_price", _("must not be negative"))
    elif price.as_tuple().exponent < -2:  # type: ignore[operator]
        fail("unit_price", _("has more than two decimals"))
    clean_serials = [s.strip() for s in serials if s and s.strip()]
    if len(set(clean_serials)) != len(clean_serials):
        fail("serials", _("lists the same serial twice"), "duplicate")
    if any(len(s) > MAX_SERIAL_LENGTH for s in clean_serials):
        fail("serials", interpolate(_("a serial is longer than %(limit)s characters"), limit=MAX_SERIAL_LENGTH))
    if clean_serials and qty > 0 and len(clean_serials) != qty:
        given = interpolate(
            ngettext_lazy(
                "%(count)s serial given for a quantity of %(quantity)s",
                "%(count)s serials given for a quantity of %(quantity)s",
                "count",
            ),
            count=len(clean_serials),
            quantity=qty,
        )
        fail("serials", given)
    return {"product": product, "quantity": qty, "unit_price": price, "serials": clean_serials}, errors


def _utc_yesterday() -> dt.date:
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


def sale_header_clean(
    *, number: Any, sold_on: Any, channel: Any, field_prefix: str = "", line: int | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Return a validated sale header (number, date, channel) and its errors."""
    errors: list[FieldError] = []

    def fail(name: str, reason: Text) -> None:
        errors.append(FieldError(field=field_prefix + name, reason=reason, line=line))

    number_text = str(number or "").strip()
    if not number_text:
        fail("number", _("is required"))
    elif len(number_text) > 64:
        fail("number", interpolate(_("is longer than %(limit)s characters"), limit=64))
    day: dt.date | None = None
    if isinstance(sold_on, dt.date):
        day = sold_on
    elif not str(sold_on or "").strip():
        fail("sold_on", _("is required"))
    else:
        try:
            day = dt.date.fromisoformat(str(sold_on).strip())
        except ValueError:
            fail("sold_on", interpolate(_("%(value)r is not a date as YYYY-MM-DD"), value=sold_on))
    # Looking up the business's calendar day is slow; a day before yesterday in UTC is past everywhere.
    if day is not None and day >= _utc_yesterday() and day > timezone.localdate():
        fail("sold_on", _("is in the future"))
    channel_text = str(channel or SaleChannel.STORE).strip().lower()
    if channel_text not in _CHANNEL_CODES:
        fail("channel", one_of(SaleChannel.values))
    return {"number": number_text, "sold_on": day, "channel": channel_text}, errors


def proof_file_check(upload: UploadedFile | None) -> list[FieldError]:
    """Return why an uploaded proof of purchase is refused (size and type)."""
    _kind, errors = upload_check(
        upload,
        field="proof_file",
        max_bytes=settings.PROOF_OF_PURCHASE_MAX_BYTES,
        content_types=settings.PROOF_OF_PURCHASE_CONTENT_TYPES,
        type_reason=_("must be a PDF, JPEG or PNG file"),
    )
    return errors


def serials_taken(pairs: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
    """Return which (product id, serial) pairs already exist."""
    from django.db.models import Q

    taken: set[tuple[int, str]] = set()
    pairs = list(pairs)
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        query = Q()
        for product_id, serial in chunk:
            query |= Q(product_id=product_id, serial=serial)
        taken.update(Unit.objects.filter(query).values_list("product_id", "serial"))
    return taken


@transaction.atomic
def sale_create(
    *,
    actor: User | None,
    customer: Customer,
    number: str,
    sold_on: Any,
    channel: str = SaleChannel.STORE,
    sales_rep: User | None = None,
    receipt_number: str = "",
    proof_file: UploadedFile | None = None,
    lines: Sequence[Mapping[str, Any]],
    delivered_at: dt.datetime | None = None,
) -> Sale:
    """Record a sale with its lines and one unit per serial; the number and each serial must be new."""
    header, errors = sale_header_clean(number=number, sold_on=sold_on, channel=channel)
    if header["number"] and Sale.objects.filter(number=header["number"]).exists():
        errors.append(
            FieldError(
                field="number", reason=interpolate(_("sale %(number)r already exists"), number=header["number"]), code="duplicate"
            )
        )
    if not lines:
        errors.append(FieldError(field="lines", reason=_("a sale needs at least one line"), code="required"))
    if sales_rep is not None and not sales_rep.is_staff:
        errors.append(FieldError(field="sales_rep", reason=_("must be a staff member")))
    if delivered_at is not None:
        errors += moment_check(delivered_at, sale_day=header["sold_on"], field="delivered_at")
    errors += proof_file_check(proof_file)
    products = {p.sku: p for p in Product.objects.filter(sku__in=[str(line.get("sku", "")).strip() for line in lines])}
    clean_lines = []
    for index, raw in enumerate(lines):
        sku = str(raw.get("sku", "")).strip()
        clean, line_errors = sale_line_clean(
            product=products.get(sku),
            sku=sku,
            quantity=raw.get("quantity", 1),
            unit_price=raw.get("unit_price", ""),
            serials=list(raw.get("serials") or []),
            field_prefix=f"lines[{index}].",
        )
        errors += line_errors
        clean_lines.append(clean)
    pairs = [(c["product"].pk, s) for c in clean_lines if c["product"] for s in c["serials"]]
    if len(set(pairs)) != len(pairs):
        errors.append(FieldError(field="lines", reason=_("the same serial appears on two lines"), code="duplicate"))
    taken = serials_taken(pairs)
    for index, clean in enumerate(clean_lines):
        for serial in clean["serials"]:
            if clean["product"] and (clean["product"].pk, serial) in taken:
                reason = interpolate(_("serial %(serial)r is already registered for this product"), serial=serial)
                errors.append(FieldError(field=f"lines[{index}].serials", reason=reason, code="duplicate"))
    if errors:
        raise ValidationFailed(errors=errors)

    total = sum((c["unit_price"] * c["quantity"] for c in clean_lines), Decimal("0"))
    sale = Sale.objects.create(
        **header,
        customer=customer,
        sales_rep=sales_rep,
        receipt_number=receipt_number.strip(),
        proof_file=proof_file or "",
        currency=settings.DEFAULT_CURRENCY,
        total=total,
    )
    occurred = timezone.make_aware(dt.datetime.combine(sale.sold_on, dt.time(12)))
    timeline_record(
        customer=customer,
        kind="sale_recorded",
        actor=actor,
        occurred_at=occurred,
        data={"sale": sale.number, "total": f"{total} {sale.currency}"},
    )
    for position, clean in enumerate(clean_lines, start=1):
        line = SaleLine.objects.create(
            sale=sale, position=position, product=clean["product"], quantity=clean["quantity"], unit_price=clean["unit_price"]
        )
        for serial in clean["serials"]:
            unit = Unit.objects.create(
                product=clean["product"], serial=serial, sale_line=line, customer=customer, delivered_at=delivered_at
            )
            data = {"product": clean["product"].name, "serial": serial, "sale": sale.number}
            timeline_record(customer=customer, unit=unit, kind="sold", actor=actor, occurred_at=occurred, data=data)
            if delivered_at:
                timeline_record(customer=customer, unit=unit, kind="delivered", actor=actor, occurred_at=delivered_at, data=data)
    sale_ids = [sale.pk]
    transaction.on_commit(lambda: sales_recorded.send(sender=Sale, sale_ids=sale_ids))
    return sale


@transaction.atomic
def sale_attach_proof(*, actor: User | None, sale: Sale, proof_file: UploadedFile) -> Sale:
    """Attach the proof of purchase file to a sale, replacing any earlier one; only PDF, JPEG or PNG within the size limit."""
    errors = proof_file_check(proof_file)
    if errors:
        raise ValidationFailed(errors=errors)
    previous = sale.proof_file.name if sale.proof_file else ""
    sale.proof_file = proof_file  # type: ignore[assignment]
    sale.save(update_fields=["proof_file", "updated_at"])
    if previous:
        storage = sale.proof_file.storage
        # Remove the replaced file only once the new one is safely recorded.
        transaction.on_commit(lambda: storage.delete(previous))
    return sale


def _unit_event_data(unit: Unit) -> dict[str, str]:
    return {"product": unit.product.name, "serial": unit.serial}


@transaction.atomic
def unit_mark_delivered(*, actor: User | None, unit: Unit, delivered_at: dt.datetime | None = None) -> Unit:
    """Record the delivery of a unit; it cannot be delivered before it was sold or in the future."""
    when = delivered_at or timezone.now()
    _unit_check_moment(unit, when, "delivered_at")
    if unit.installed_at and when > unit.installed_at:
        raise ValidationFailed(errors=[FieldError(field="delivered_at", reason=_("is after the installation"))])
    unit.delivered_at = when
    unit.save(update_fields=["delivered_at", "updated_at"])
    timeline_record(
        customer=unit.customer, unit=unit, kind="delivered", actor=actor, occurred_at=when, data=_unit_event_data(unit)
    )
    return unit


@transaction.atomic
def unit_mark_installed(*, actor: User | None, unit: Unit, installed_at: dt.datetime | None = None) -> Unit:
    """Record the installation of a unit; installation cannot precede delivery."""
    when = installed_at or timezone.now()
    _unit_check_moment(unit, when, "installed_at")
    if unit.delivered_at and when < unit.delivered_at:
        raise ValidationFailed(errors=[FieldError(field="installed_at", reason=_("is before the delivery"))])
    unit.installed_at = when
    if unit.delivered_at is None:
        unit.delivered_at = when
    unit.save(update_fields=["installed_at", "delivered_at", "updated_at"])
    timeline_record(
        customer=unit.customer, unit=unit, kind="installed", actor=actor, occurred_at=when, data=_unit_event_data(unit)
    )
    return unit


@transaction.atomic
def unit_set_status(*, actor: User | None, unit: Unit, status: str) -> Unit:
    """Change a unit's status (in service, returned, replaced, scrapped), recording why on the timeline."""
    if status not in UnitStatus.values:
        raise ValidationFailed(errors=[FieldError(field="status", reason=one_of(UnitStatus.values))])
    if status == unit.status:
        return unit
    unit.status = status
    unit.save(update_fields=["status", "updated_at"])
    timeline_record(
        customer=unit.customer,
        unit=unit,
        kind="unit_status_changed",
        actor=actor,
        data={"serial": unit.serial, "status": status},
    )
    return unit


def moment_check(when: dt.datetime, *, sale_day: dt.date | None, field: str) -> list[FieldError]:
    """Return why a delivery or installation moment is refused: in the future, or before the sale."""
    if when > timezone.now() + dt.timedelta(minutes=5):
        return [FieldError(field=field, reason=_("is in the future"))]
    if sale_day and timezone.localtime(when).date() < sale_day:
        return [FieldError(field=field, reason=_("is before the sale date"))]
    return []


def _unit_check_moment(unit: Unit, when: dt.datetime, field: str) -> None:
    sale_day = unit.sale_line.sale.sold_on if unit.sale_line_id and unit.sale_line else None
    errors = moment_check(when, sale_day=sale_day, field=field)
    if errors:
        raise ValidationFailed(errors=errors)
