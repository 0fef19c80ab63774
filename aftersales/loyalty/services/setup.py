"""Setting up the programme: its settings, its tiers and its earn rules."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.errors import FieldError, NotFound, ValidationFailed, interpolate
from aftersales.loyalty.models import EarnRule, Programme, Tier
from aftersales.loyalty.services.ledger import programme_get

if TYPE_CHECKING:
    from aftersales.core.models import User

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _decimal(
    errors: list[FieldError], field: str, value: Any, *, low: Decimal, high: Decimal, places: int, low_open: bool = False
) -> Decimal:
    try:
        number = Decimal(str(value))
        valid = number.is_finite() and -number.as_tuple().exponent <= places  # type: ignore[operator]
    except (InvalidOperation, ValueError, TypeError):
        number, valid = Decimal("0"), False
    if not valid or number < low or number > high or (low_open and number == low):
        reason = (
            _("must be a number above %(low)s and at most %(high)s, with at most %(places)s decimals")
            if low_open
            else _("must be a number from %(low)s to %(high)s, with at most %(places)s decimals")
        )
        errors.append(FieldError(field, interpolate(reason, low=low, high=high, places=places)))
    return number


def _whole(errors: list[FieldError], field: str, value: Any, *, low: int, high: int, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(FieldError(field, interpolate(_("must be a whole number from %(low)s to %(high)s"), low=low, high=high)))
        return None
    return value


@transaction.atomic
def programme_update(*, actor: User | None, data: dict[str, Any]) -> Programme:
    """Change the programme's settings; new rates apply to what is earned from now on, not to entries already written."""
    programme = Programme.objects.select_for_update().get(pk=programme_get().pk)
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors.append(FieldError("active", _("must be true or false")))
        values["active"] = data["active"]
    if "starts_on" in data:
        if data["starts_on"] is not None and not isinstance(data["starts_on"], dt.date):
            errors.append(FieldError("starts_on", _("must be a date (YYYY-MM-DD) or empty")))
        values["starts_on"] = data["starts_on"]
    if "currency" in data:
        currency = str(data["currency"] or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            errors.append(FieldError("currency", _("must be a three-letter currency code, e.g. EUR")))
        values["currency"] = currency
    if "points_per_unit" in data:
        values["points_per_unit"] = _decimal(
            errors, "points_per_unit", data["points_per_unit"], low=Decimal("0"), high=Decimal("1000"), places=2
        )
    if "point_value" in data:
        values["point_value"] = _decimal(
            errors, "point_value", data["point_value"], low=Decimal("0"), high=Decimal("1000"), places=4, low_open=True
        )
    for field, high in (("min_redemption", 10_000_000), ("survey_bonus", 1_000_000)):
        if field in data:
            values[field] = _whole(errors, field, data[field], low=0, high=high)
    if "voucher_valid_days" in data:
        values["voucher_valid_days"] = _whole(errors, "voucher_valid_days", data["voucher_valid_days"], low=1, high=3650)
    if "expiry_months" in data:
        values["expiry_months"] = _whole(errors, "expiry_months", data["expiry_months"], low=1, high=240, optional=True)
    if values.get("active") is True and not (values.get("point_value") or programme.point_value):
        errors.append(FieldError("point_value", _("is needed before the programme starts")))
    if errors:
        raise ValidationFailed(errors=errors)
    for field, value in values.items():
        setattr(programme, field, value)
    programme.save()
    programme.refresh_from_db()
    return programme


def _others(tier: Tier | None) -> QuerySet[Tier]:
    return Tier.objects.exclude(pk=tier.pk) if tier is not None and tier.pk else Tier.objects.all()


def _tier_values(data: dict[str, Any], tier: Tier | None) -> dict[str, Any]:
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    if "code" in data or tier is None:
        code = str(data.get("code") or "").strip().lower()
        if not CODE.match(code):
            errors.append(FieldError("code", _("must be 1 to 40 lowercase letters, digits, - or _")))
        elif _others(tier).filter(code=code).exists():
            errors.append(FieldError("code", _("is already used by another tier"), code="duplicate"))
        values["code"] = code
    for field in ("name", "name_es"):
        if field in data or (tier is None and field == "name"):
            text = str(data.get(field) or "").strip()
            if (field == "name" and not text) or len(text) > 80:
                errors.append(
                    FieldError(field, _("is required (at most 80 characters)") if field == "name" else _("at most 80 characters"))
                )
            values[field] = text
    if "min_spend" in data or tier is None:
        spend = _decimal(errors, "min_spend", data.get("min_spend", 0), low=Decimal("0"), high=Decimal("999999999"), places=2)
        if _others(tier).filter(min_spend=spend).exists():
            errors.append(FieldError("min_spend", _("another tier starts at this spend"), code="duplicate"))
        values["min_spend"] = spend
    if "multiplier" in data:
        values["multiplier"] = _decimal(errors, "multiplier", data["multiplier"], low=Decimal("1"), high=Decimal("100"), places=2)
    for field in ("first_response_hours", "resolution_hours"):
        if field in data:
            values[field] = _whole(errors, field, data[field], low=1, high=2080, optional=True)
    if "free_visits_per_year" in data:
        values["free_visits_per_year"] = _whole(errors, "free_visits_per_year", data["free_visits_per_year"], low=0, high=12)
    if errors:
        raise ValidationFailed(errors=errors)
    return values


@transaction.atomic
def tier_save(*, actor: User | None, data: dict[str, Any], tier: Tier | None = None) -> Tier:
    """Create or change a tier; customers move on the next recompute (a sale or the nightly sweep)."""
    values = _tier_values(data, tier)
    tier = tier or Tier()
    for field, value in values.items():
        setattr(tier, field, value)
    tier.save()
    tier.refresh_from_db()
    return tier


@transaction.atomic
def tier_delete(*, actor: User | None, tier: Tier) -> None:
    """Remove a tier; its members hold no tier until the next recompute places them."""
    if tier.grants.exists():
        raise ValidationFailed(
            errors=[FieldError("tier", _("has given free visits; rename it instead of removing it"), code="in_use")]
        )
    tier.delete()


@transaction.atomic
def earn_rule_save(*, actor: User | None, data: dict[str, Any], rule: EarnRule | None = None) -> EarnRule:
    """Create or change the earn rule of a category (one per category; it covers the categories below it)."""
    errors: list[FieldError] = []
    rule = rule or EarnRule()
    if "category_id" in data or rule.pk is None:
        category_id = data.get("category_id")
        category = None
        if isinstance(category_id, int) and not isinstance(category_id, bool):
            category = Category.objects.filter(pk=category_id).first()
        if category is None:
            errors.append(FieldError("category_id", _("does not exist"), code="not_found"))
        elif EarnRule.objects.filter(category=category).exclude(pk=rule.pk or 0).exists():
            errors.append(FieldError("category_id", _("already has an earn rule"), code="duplicate"))
        else:
            rule.category = category
    if "multiplier" in data:
        rule.multiplier = _decimal(errors, "multiplier", data["multiplier"], low=Decimal("0"), high=Decimal("100"), places=2)
    if "extra_per_unit" in data:
        rule.extra_per_unit = _decimal(
            errors, "extra_per_unit", data["extra_per_unit"], low=Decimal("0"), high=Decimal("1000"), places=2
        )
    if "active" in data:
        rule.active = bool(data["active"])
    if errors:
        raise ValidationFailed(errors=errors)
    rule.save()
    rule.refresh_from_db()
    return rule


def earn_rule_delete(*, actor: User | None, rule: EarnRule) -> None:
    """Remove an earn rule; purchases from now on earn at the programme's rate."""
    if rule.pk is None:
        raise NotFound(_("No such earn rule."))
    rule.delete()
