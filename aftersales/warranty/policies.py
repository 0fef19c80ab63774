"""Return and exchange policies: which applies to a unit, and what it allows on a day, with the reasons in words.

The evaluation favours the customer wherever the rules leave room for doubt:

* windows count from the day of delivery (the sale day when no delivery is recorded), and the last
  day is included: delivered on 1 March with a 30-day window, the customer may ask until 31 March;
* the day of delivery is the later of the business's and the customer's calendar day, and "today"
  the earlier of the two, so a customer in another time zone never loses a day to the clock;
* the longer of the product's own window and its category policy's window applies;
* the restocking fee is rounded down to the cent and never exceeds the price paid; exchanges pay no
  fee unless the policy says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.customers.models import Customer
from aftersales.messaging.rules import customer_zone
from aftersales.sales.models import Unit, UnitStatus
from aftersales.warranty.coverage import coverage_on, date_in_words
from aftersales.warranty.models import (
    OPEN_RETURN_STATUSES,
    RefundMethod,
    ReturnCondition,
    ReturnPolicy,
    ReturnPolicyCondition,
    ReturnRequest,
    ReturnWish,
)

CENT = Decimal("0.01")
DEFAULT_REFUND_METHODS = [RefundMethod.ORIGINAL_PAYMENT, RefundMethod.STORE_CREDIT]


@dataclass(frozen=True)
class ConditionRule:
    """What a policy does with goods in one condition."""

    accepts_return: bool
    accepts_exchange: bool
    fee_percent: Decimal = Decimal("0")
    fee_flat: Decimal = Decimal("0")


# What a new policy accepts, until a manager changes it: everything but damage done after delivery;
# opened or used goods pay a restocking fee on a refund, faults and transport damage never do.
DEFAULT_CONDITION_RULES: dict[str, ConditionRule] = {
    ReturnCondition.UNOPENED: ConditionRule(True, True),
    ReturnCondition.OPENED: ConditionRule(True, True, Decimal("10")),
    ReturnCondition.USED: ConditionRule(True, True, Decimal("20")),
    ReturnCondition.DEFECTIVE: ConditionRule(True, True),
    ReturnCondition.DAMAGED_ON_ARRIVAL: ConditionRule(True, True),
    ReturnCondition.DAMAGED_BY_CUSTOMER: ConditionRule(False, False),
}

# Why a condition is named in a sentence: "... because the box was opened".
CONDITION_BECAUSE: dict[str, Promise] = {
    ReturnCondition.UNOPENED: _("the box is unopened"),
    ReturnCondition.OPENED: _("the box was opened"),
    ReturnCondition.USED: _("the product was used"),
    ReturnCondition.DEFECTIVE: _("the product does not work"),
    ReturnCondition.DAMAGED_ON_ARRIVAL: _("the product arrived damaged"),
    ReturnCondition.DAMAGED_BY_CUSTOMER: _("the product was damaged after delivery"),
}

_SENTENCES: dict[str, Promise] = {
    "return_until": _("You can return it until %(deadline)s (%(days)s days from %(counted_from)s)."),
    "exchange_until": _("You can exchange it until %(deadline)s (%(days)s days from %(counted_from)s)."),
    "return_window_ended": _("The %(days)s-day return window ended on %(deadline)s (counted from %(counted_from)s)."),
    "exchange_window_ended": _("The %(days)s-day exchange window ended on %(deadline)s (counted from %(counted_from)s)."),
    "condition_not_accepted_return": _("Returns are not accepted when %(because)s."),
    "condition_not_accepted_exchange": _("Exchanges are not accepted when %(because)s."),
    "fee_percent": _("A %(percent)s%% restocking fee (%(amount)s) applies because %(because)s."),
    "fee_flat": _("A restocking fee of %(amount)s applies because %(because)s."),
    "fee_both": _("A restocking fee of %(percent)s%% plus %(flat)s (%(amount)s in all) applies because %(because)s."),
    "no_fee": _("No restocking fee applies."),
    "refund": _("You will get %(amount)s back by %(methods)s."),
    "exchange_terms": _("You get the new product on the same terms as a new purchase, with its full warranty."),
    "unit_not_in_service": _("This product can no longer be returned: it was %(status)s."),
    "already_open": _("A return is already open for this product: %(reference)s."),
    "no_date": _("We have no delivery or purchase date for this product, so our team will look at your request."),
    "warranty_instead": _("Your warranty still covers faults until %(until)s: you can start a warranty claim instead."),
}

# How the start of a window reads: "delivery on 1 March 2026", "the purchase on …".
_COUNTED_FROM: dict[str, Promise] = {
    "delivery": _("delivery on %(day)s"),
    "sale": _("the purchase on %(day)s"),
}

_UNIT_STATUS_WORDS: dict[str, Promise] = {
    UnitStatus.RETURNED: _("returned"),
    UnitStatus.REPLACED: _("replaced"),
    UnitStatus.SCRAPPED: _("scrapped"),
}


def money_in_words(amount: Decimal, currency: str) -> str:
    """Return an amount as it reads in the active language: ``12.50 EUR``, ``12,50 EUR``."""
    return f"{formats.number_format(amount, 2, use_l10n=True)} {currency}"


def _methods_in_words(methods: Sequence[str]) -> str:
    labels = [str(RefundMethod(code).label).lower() for code in methods if code in RefundMethod.values]
    if not labels:
        return str(_("a method agreed with you"))
    if len(labels) == 1:
        return labels[0]
    return str(_("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]})


@dataclass(frozen=True)
class PolicyReason:
    """One sentence of an evaluation, as a code and its data (dates and money kept as values)."""

    code: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "data": {key: _to_json(value) for key, value in self.data.items()}}


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"date"}:
        return dt.date.fromisoformat(value["date"])
    if isinstance(value, dict) and set(value) == {"decimal"}:
        return Decimal(value["decimal"])
    return value


def _render(reason: PolicyReason, currency: str) -> str:
    sentence = _SENTENCES.get(reason.code)
    if sentence is None:
        return reason.code
    values: dict[str, Any] = {}
    for key, value in reason.data.items():
        if isinstance(value, dt.date):
            values[key] = date_in_words(value)
        elif isinstance(value, Decimal) and key in ("amount", "flat"):
            values[key] = money_in_words(value, currency)
        elif isinstance(value, Decimal):
            values[key] = formats.number_format(value.normalize(), use_l10n=True)
        else:
            values[key] = value
    if "condition" in reason.data:
        values["because"] = str(CONDITION_BECAUSE.get(reason.data["condition"], reason.data["condition"]))
    if "counted_kind" in reason.data:
        values["counted_from"] = str(_COUNTED_FROM[reason.data["counted_kind"]]) % {"day": date_in_words(reason.data["start"])}
    if "methods" in reason.data:
        values["methods"] = _methods_in_words(reason.data["methods"])
    if "status" in reason.data:
        values["status"] = str(_UNIT_STATUS_WORDS.get(reason.data["status"], reason.data["status"]))
    return str(sentence) % values


@dataclass(frozen=True)
class PolicyEvaluation:
    """What a return policy allows for a unit on a day, the money involved, and why."""

    allowed: bool
    wish: str
    condition: str
    policy_id: int | None
    policy_name: str
    window_days: int
    counted_from: dt.date | None
    deadline: dt.date | None
    price: Decimal
    currency: str
    fee: Decimal
    refund: Decimal
    refund_methods: tuple[str, ...]
    reasons: tuple[PolicyReason, ...]

    def explain(self, language: str | None = None) -> str:
        """Return the answer as a few sentences in a language (the active one when None)."""
        with translation.override(language or translation.get_language()):
            return " ".join(_render(reason, self.currency) for reason in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        """Return the evaluation as JSON-ready data, to keep with a return request and explain later."""
        return {
            "allowed": self.allowed,
            "wish": self.wish,
            "condition": self.condition,
            "policy_id": self.policy_id,
            "policy_name": self.policy_name,
            "window_days": self.window_days,
            "counted_from": self.counted_from.isoformat() if self.counted_from else None,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "price": str(self.price),
            "currency": self.currency,
            "fee": str(self.fee),
            "refund": str(self.refund),
            "refund_methods": list(self.refund_methods),
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


def evaluation_explain(stored: Mapping[str, Any], language: str | None = None) -> str:
    """Return a stored evaluation (``PolicyEvaluation.as_dict``) as sentences in a language."""
    currency = stored.get("currency", "EUR")
    reasons = [
        PolicyReason(code=item["code"], data={key: _from_json(value) for key, value in (item.get("data") or {}).items()})
        for item in stored.get("reasons", [])
    ]
    with translation.override(language or translation.get_language()):
        return " ".join(_render(reason, currency) for reason in reasons)


# --- Which policy, which rules ----------------------------------------------------------------------


def policy_default() -> ReturnPolicy:
    """Return the default policy, creating it with the standard rules when it is missing."""
    policy = ReturnPolicy.objects.filter(is_default=True).first()
    if policy is not None:
        return policy
    from aftersales.warranty.services.returns import return_policy_defaults_create

    return return_policy_defaults_create()


def policy_for_category(category: Category | None) -> ReturnPolicy:
    """Return the policy of a category, else of its nearest parent with one, else the default."""
    seen: set[int] = set()
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        policy = ReturnPolicy.objects.filter(category=category).first()
        if policy is not None:
            return policy
        category = category.parent
    return policy_default()


def condition_rule(policy: ReturnPolicy, condition: str) -> ConditionRule:
    """Return what a policy does with goods in a condition (the standard rule when it has no row for it)."""
    row: ReturnPolicyCondition | None = next((c for c in policy.conditions.all() if c.condition == condition), None)
    if row is None:
        return DEFAULT_CONDITION_RULES.get(condition, ConditionRule(False, False))
    return ConditionRule(row.accepts_return, row.accepts_exchange, row.fee_percent, row.fee_flat)


def restocking_fee(price: Decimal, rule: ConditionRule) -> Decimal:
    """Return the fee on a price: the percentage rounded down to the cent plus the flat part, at most the price."""
    percent_part = (price * rule.fee_percent / Decimal("100")).quantize(CENT, rounding=ROUND_DOWN)
    return min(percent_part + rule.fee_flat, price).quantize(CENT, rounding=ROUND_DOWN)


def customer_today(customer: Customer, now: dt.datetime | None = None) -> dt.date:
    """Return "today" for a customer's deadlines: the earlier of the business's and the customer's calendar day."""
    moment = now or timezone.now()
    return min(timezone.localdate(moment), moment.astimezone(customer_zone(customer.time_zone)).date())


def window_start(unit: Unit) -> tuple[dt.date | None, str]:
    """Return the day a unit's return windows count from and whether it is the delivery or the sale day."""
    if unit.delivered_at is not None:
        business_day = timezone.localdate(unit.delivered_at)
        customer_day = unit.delivered_at.astimezone(customer_zone(unit.customer.time_zone)).date()
        return max(business_day, customer_day), "delivery"
    if unit.sale_line_id is not None and unit.sale_line is not None:
        return unit.sale_line.sale.sold_on, "sale"
    return None, "sale"


def unit_price(unit: Unit) -> tuple[Decimal, str]:
    """Return what the customer paid for a unit and the currency (the sale line's price, else the list price)."""
    if unit.sale_line_id is not None and unit.sale_line is not None:
        return unit.sale_line.unit_price, unit.sale_line.sale.currency
    return unit.product.list_price, "EUR"


def return_policy_evaluate(
    *, unit: Unit, on: dt.date, condition: str, wish: str, ignore_request: ReturnRequest | None = None
) -> PolicyEvaluation:
    """Return whether a unit may be returned or exchanged on a day in a condition, with the money and the reasons."""
    policy = policy_for_category(unit.product.category)
    rule = condition_rule(policy, condition)
    exchange = wish == ReturnWish.EXCHANGE
    policy_days = policy.exchange_window_days if exchange else policy.return_window_days
    product_days = unit.product.exchange_window_days if exchange else unit.product.return_window_days
    days = max(policy_days, product_days)
    start, counted_kind = window_start(unit)
    deadline = start + dt.timedelta(days=days) if start is not None else None
    price, currency = unit_price(unit)
    charges_fee = not exchange or policy.fee_on_exchange
    fee = restocking_fee(price, rule) if charges_fee else Decimal("0.00")
    refund = Decimal("0.00") if exchange else max(price - fee, Decimal("0")).quantize(CENT)
    methods = tuple(code for code in (policy.refund_methods or DEFAULT_REFUND_METHODS) if code in RefundMethod.values)
    reasons: list[PolicyReason] = []
    allowed = True
    blocking: list[PolicyReason] = []

    if unit.status != UnitStatus.IN_SERVICE:
        blocking.append(PolicyReason("unit_not_in_service", {"status": unit.status}))
    open_request = ReturnRequest.objects.filter(unit=unit, status__in=OPEN_RETURN_STATUSES)
    if ignore_request is not None:
        open_request = open_request.exclude(pk=ignore_request.pk)
    existing = open_request.first()
    if existing is not None:
        blocking.append(PolicyReason("already_open", {"reference": existing.reference}))
    accepted = rule.accepts_exchange if exchange else rule.accepts_return
    if not accepted:
        blocking.append(PolicyReason(f"condition_not_accepted_{wish}", {"condition": condition}))
    window = {"days": days, "deadline": deadline, "start": start, "counted_kind": counted_kind}
    if start is None:
        blocking.append(PolicyReason("no_date"))
    elif on > deadline:  # type: ignore[operator]
        blocking.append(PolicyReason(f"{wish}_window_ended", window))
    if blocking:
        allowed = False
        reasons.extend(blocking)
        if unit.status == UnitStatus.IN_SERVICE:
            coverage = coverage_on(unit=unit, on=on)
            if coverage.covered and coverage.valid_until is not None:
                reasons.append(PolicyReason("warranty_instead", {"until": coverage.valid_until}))
    else:
        reasons.append(PolicyReason(f"{wish}_until", window))
        if fee > 0:
            reason_data: dict[str, Any] = {"amount": fee, "condition": condition}
            if rule.fee_percent and rule.fee_flat:
                reasons.append(PolicyReason("fee_both", {**reason_data, "percent": rule.fee_percent, "flat": rule.fee_flat}))
            elif rule.fee_percent:
                reasons.append(PolicyReason("fee_percent", {**reason_data, "percent": rule.fee_percent}))
            else:
                reasons.append(PolicyReason("fee_flat", reason_data))
        elif charges_fee:
            reasons.append(PolicyReason("no_fee"))
        if exchange:
            reasons.append(PolicyReason("exchange_terms"))
        else:
            reasons.append(PolicyReason("refund", {"amount": refund, "methods": list(methods)}))
    return PolicyEvaluation(
        allowed=allowed,
        wish=wish,
        condition=condition,
        policy_id=policy.pk,
        policy_name=policy.name,
        window_days=days,
        counted_from=start,
        deadline=deadline,
        price=price,
        currency=currency,
        fee=fee,
        refund=refund,
        refund_methods=methods,
        reasons=tuple(reasons),
    )
