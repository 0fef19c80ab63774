"""The points ledger: awards, redemptions, adjustments and expiry, each one append-only entry.

Every write locks the customer's account row (``select_for_update``) before it reads what is left of the
customer's credits, writes the entry and its allocations, and moves the balance by a conditional UPDATE
that refuses to go below zero; the CHECK constraint on the balance is the last guard. Two redemptions of
the same customer therefore run one after the other and the second sees the first's effect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.dates import add_months
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer
from aftersales.loyalty.models import (
    EarnReason,
    EntryKind,
    PointsAccount,
    PointsAllocation,
    PointsEntry,
    PointsRedemption,
    Programme,
    RedemptionKind,
)

if TYPE_CHECKING:
    from aftersales.core.models import User
    from aftersales.sales.models import Sale

KEY_MAX = 200
NOTE_MAX = 300
# No single write may move more points than this (a typo guard, well inside a 32-bit integer).
POINTS_MAX = 10_000_000
CENT = Decimal("0.01")


def _today() -> dt.date:
    return timezone.localdate()


def _person(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _fail(field: str, reason: Any, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(errors=[FieldError(field=field, reason=reason, code=code)])


def programme_get() -> Programme:
    """Return the programme settings, creating the inactive defaults on first use."""
    programme = Programme.objects.filter(pk=1).first()
    if programme is None:
        programme, _created = Programme.objects.get_or_create(pk=1)
    return programme


def points_value(*, points: int, programme: Programme | None = None) -> Decimal:
    """Return what a number of points is worth in money, to the cent."""
    programme = programme or programme_get()
    return (Decimal(points) * programme.point_value).quantize(CENT, rounding=ROUND_HALF_UP)


def default_expiry(*, on: dt.date, programme: Programme | None = None) -> dt.date | None:
    """Return the day points earned on a day lapse under the programme's rule (None: never)."""
    programme = programme or programme_get()
    return add_months(on, programme.expiry_months) if programme.expiry_months else None


def _key_check(errors: list[FieldError], key: Any) -> str:
    key = (key or "").strip() if isinstance(key, str) else ""
    if not key or len(key) > KEY_MAX:
        errors.append(FieldError("idempotency_key", interpolate(_("is required (at most %(max)s characters)"), max=KEY_MAX)))
    return key


def _points_check(errors: list[FieldError], points: Any, *, allow_negative: bool = False) -> None:
    if isinstance(points, bool) or not isinstance(points, int):
        errors.append(FieldError("points", _("must be a whole number")))
    elif allow_negative and (points == 0 or abs(points) > POINTS_MAX):
        errors.append(FieldError("points", interpolate(_("must not be 0 and at most %(max)s either way"), max=POINTS_MAX)))
    elif not allow_negative and not 0 < points <= POINTS_MAX:
        errors.append(FieldError("points", interpolate(_("must be a whole number from 1 to %(max)s"), max=POINTS_MAX)))


def _existing(key: str, customer: Customer, kind: str) -> PointsEntry | None:
    """Return the entry already written under a key; a key reused for another customer or kind is a conflict."""
    entry = PointsEntry.objects.filter(idempotency_key=key).first()
    if entry is not None and (entry.customer_id != customer.pk or entry.kind != kind):
        raise Conflict(_("This idempotency key was already used for another request."))
    return entry


def _locked_unless_written(key: str, customer: Customer, kind: str) -> tuple[PointsAccount | None, PointsEntry | None]:
    """Return the entry already written under a key, or else the customer's account locked (and no entry).

    The key is looked up again once the lock is held: another request may have written it while this one waited.
    """
    existing = _existing(key, customer, kind)
    if existing is not None:
        return None, existing
    account = account_lock(customer=customer)
    existing = _existing(key, customer, kind)
    return (None, existing) if existing is not None else (account, None)


def account_lock(*, customer: Customer) -> PointsAccount:
    """Return the customer's account, created if needed, locked until the end of the transaction."""
    if not PointsAccount.objects.filter(customer=customer).exists():
        try:
            with transaction.atomic():
                PointsAccount.objects.create(customer=customer)
        except IntegrityError:
            pass  # created meanwhile by a concurrent write
    return PointsAccount.objects.select_for_update().get(customer=customer)


def credits_open(*, customer_id: int, on: dt.date | None = None) -> list[tuple[PointsEntry, int]]:
    """Return the customer's credits with points left, in the order they are spent: earliest expiry first,
    then in entry order, never-expiring last; each with the points it has left.

    With ``on``, credits that lapsed before that day are left out (they are the expiry sweep's).
    """
    used = PointsAllocation.objects.filter(credit=OuterRef("pk")).values("credit").annotate(total=Sum("points")).values("total")
    credits = (
        PointsEntry.objects.filter(customer_id=customer_id, points__gt=0)
        .annotate(left=F("points") - Coalesce(Subquery(used, output_field=IntegerField()), Value(0)))
        .filter(left__gt=0)
        .order_by(F("expires_on").asc(nulls_last=True), "id")
    )
    if on is not None:
        credits = credits.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    return [(entry, entry.left) for entry in credits]  # type: ignore[attr-defined]


def _write(
    *,
    account: PointsAccount,
    customer: Customer,
    kind: str,
    points: int,
    key: str,
    actor: Any,
    reason: str = "",
    source_ref: str = "",
    note: str = "",
    expires_on: dt.date | None = None,
    occurred_on: dt.date | None = None,
    consume: list[tuple[PointsEntry, int]] | None = None,
) -> PointsEntry:
    """Write one entry and move the balance with it; a debit consumes credits in the order given."""
    if points < 0:
        moved = PointsAccount.objects.filter(pk=account.pk, balance__gte=-points).update(
            balance=F("balance") + points, updated_at=timezone.now()
        )
        if not moved:
            raise _fail(
                "points",
                interpolate(_("exceeds the balance of %(balance)s points"), balance=account.balance),
                code="insufficient_points",
            )
    else:
        PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points, updated_at=timezone.now())
    entry = PointsEntry.objects.create(
        customer=customer,
        kind=kind,
        reason=reason,
        points=points,
        expires_on=expires_on if points > 0 else None,
        source_ref=source_ref[:100],
        note=note[:NOTE_MAX],
        idempotency_key=key,
        occurred_on=occurred_on or _today(),
        created_by=_person(actor),
    )
    if points < 0:
        needed = -points
        allocations = []
        for credit, left in consume if consume is not None else credits_open(customer_id=customer.pk):
            take = min(left, needed)
            allocations.append(PointsAllocation(credit=credit, debit=entry, points=take))
            needed -= take
            if not needed:
                break
        if needed:
            # The balance said yes but the credits do not cover it: the ledger is inconsistent; refuse.
            raise Conflict(_("The points ledger does not cover this debit; nothing was written."))
        PointsAllocation.objects.bulk_create(allocations)
    account.refresh_from_db(fields=["balance"])
    return entry


@transaction.atomic
def points_award(
    *,
    actor: User | None,
    customer: Customer,
    points: int,
    reason: str,
    source_ref: str,
    idempotency_key: str,
    expires_on: dt.date | None = None,
) -> PointsEntry:
    """Credit a customer with earned points, once per idempotency key (the same key returns the first entry).

    Without ``expires_on`` the points lapse after the programme's expiry months (or never).
    """
    errors: list[FieldError] = []
    key = _key_check(errors, idempotency_key)
    _points_check(errors, points)
    if reason not in EarnReason.values:
        errors.append(FieldError("reason", one_of(EarnReason.values), code="invalid_choice"))
    if expires_on is not None and expires_on <= _today():
        errors.append(FieldError("expires_on", _("must be a day after today")))
    if errors:
        raise ValidationFailed(errors=errors)
    account, existing = _locked_unless_written(key, customer, EntryKind.EARN)
    if existing is not None:
        return existing
    assert account is not None
    today = _today()
    entry = _write(
        account=account,
        customer=customer,
        kind=EntryKind.EARN,
        points=points,
        key=key,
        actor=actor,
        reason=reason,
        source_ref=source_ref or "",
        expires_on=expires_on or default_expiry(on=today),
    )
    timeline_record(
        customer=customer,
        kind="points_earned",
        actor=_person(actor),
        data={"points": points, "reason": reason, "balance": account.balance, "entry_id": entry.pk},
    )
    return entry


def points_balance(*, customer: Customer) -> int:
    """Return the customer's points balance (0 without an account)."""
    balance = PointsAccount.objects.filter(customer=customer).values_list("balance", flat=True).first()
    return balance or 0


@transaction.atomic
def points_adjust(
    *,
    actor: User | None,
    customer: Customer,
    points: int,
    note: str,
    idempotency_key: str,
    expires_on: dt.date | None = None,
) -> PointsEntry:
    """Correct a customer's points by hand, with a reason; a debit may not take the balance below zero."""
    errors: list[FieldError] = []
    key = _key_check(errors, idempotency_key)
    _points_check(errors, points, allow_negative=True)
    note = (note or "").strip()
    if not note or len(note) > NOTE_MAX:
        errors.append(FieldError("note", interpolate(_("is required: say why (at most %(max)s characters)"), max=NOTE_MAX)))
    if expires_on is not None and (expires_on <= _today() or (isinstance(points, int) and points < 0)):
        errors.append(FieldError("expires_on", _("must be a day after today, and only for points added")))
    if errors:
        raise ValidationFailed(errors=errors)
    account, existing = _locked_unless_written(key, customer, EntryKind.ADJUST)
    if existing is not None:
        return existing
    assert account is not None
    if points < 0:
        # Lapsed points are not there to take: lapse them first so the balance tells the truth.
        _expire_locked(account=account, customer=customer, today=_today())
    entry = _write(
        account=account,
        customer=customer,
        kind=EntryKind.ADJUST,
        points=points,
        key=key,
        actor=actor,
        note=note,
        expires_on=expires_on,
    )
    timeline_record(
        customer=customer,
        kind="points_adjusted",
        actor=_person(actor),
        data={"points": points, "note": note, "balance": account.balance, "entry_id": entry.pk},
    )
    return entry


@transaction.atomic
def points_take_back(
    *, customer: Customer, points: int, credit: PointsEntry, source_ref: str, note: str, idempotency_key: str
) -> PointsEntry | None:
    """Take back points a purchase earned on money refunded, once per key: that purchase's points first, never below zero.

    Points already spent or lapsed are not there to take: only what the balance holds is taken (None: nothing).
    """
    errors: list[FieldError] = []
    key = _key_check(errors, idempotency_key)
    _points_check(errors, points)
    if errors:
        raise ValidationFailed(errors=errors)
    account, existing = _locked_unless_written(key, customer, EntryKind.REFUND)
    if existing is not None:
        return existing
    assert account is not None
    today = _today()
    _expire_locked(account=account, customer=customer, today=today)
    take = min(points, account.balance)
    if take <= 0:
        return None
    open_credits = credits_open(customer_id=customer.pk)
    consume = [pair for pair in open_credits if pair[0].pk == credit.pk] + [
        pair for pair in open_credits if pair[0].pk != credit.pk
    ]
    entry = _write(
        account=account,
        customer=customer,
        kind=EntryKind.REFUND,
        points=-take,
        key=key,
        actor=None,
        source_ref=source_ref,
        note=note,
        consume=consume,
    )
    timeline_record(
        customer=customer,
        kind="points_taken_back",
        data={"points": take, "note": note, "balance": account.balance, "entry_id": entry.pk},
    )
    return entry


@dataclass(frozen=True)
class Redeemed:
    entry: PointsEntry
    redemption: PointsRedemption


def _redeem_check(*, points: Any, key: Any, programme: Programme) -> tuple[str, list[FieldError]]:
    errors: list[FieldError] = []
    key = _key_check(errors, key)
    _points_check(errors, points)
    if not programme.active:
        errors.append(FieldError("points", _("the loyalty programme is not active"), code="programme_inactive"))
    elif isinstance(points, int) and not isinstance(points, bool) and points < programme.min_redemption:
        errors.append(
            FieldError("points", interpolate(_("must be at least %(min)s"), min=programme.min_redemption), code="below_minimum")
        )
    return key, errors


def _redeemed(key: str, customer: Customer) -> Redeemed | None:
    entry = _existing(key, customer, EntryKind.REDEEM)
    return Redeemed(entry=entry, redemption=entry.redemption) if entry is not None else None


@transaction.atomic
def points_redeem_voucher(*, actor: User | None, customer: Customer, points: int, idempotency_key: str) -> Redeemed:
    """Spend points on a voucher worth their value, earliest-expiring points first."""
    from aftersales.offers.services import voucher_issue

    programme = programme_get()
    key, errors = _redeem_check(points=points, key=idempotency_key, programme=programme)
    if errors:
        raise ValidationFailed(errors=errors)
    if (done := _redeemed(key, customer)) is not None:
        return done
    account = account_lock(customer=customer)
    if (done := _redeemed(key, customer)) is not None:
        return done
    today = _today()
    _expire_locked(account=account, customer=customer, today=today)
    amount = points_value(points=points, programme=programme)
    # The voucher first, so the ledger line names it; a refused debit rolls the voucher back with it.
    voucher = voucher_issue(
        actor=actor,
        customer=customer,
        value_kind="fixed",
        value=amount,
        valid_until=today + dt.timedelta(days=programme.voucher_valid_days),
        source="points",
        source_ref=f"points:{key}",
        idempotency_key=f"loyalty:{key}",
    )
    entry = _write(
        account=account,
        customer=customer,
        kind=EntryKind.REDEEM,
        points=-points,
        key=key,
        actor=actor,
        source_ref=f"voucher:{voucher.code}"[:100],
    )
    return _redemption_record(
        entry=entry,
        account=account,
        programme=programme,
        amount=amount,
        what=voucher.code,
        actor=actor,
        kind=RedemptionKind.VOUCHER,
        voucher_code=voucher.code,
        voucher_valid_until=voucher.valid_until,
    )


@transaction.atomic
def points_redeem_sale(*, actor: User | None, customer: Customer, sale: Sale, points: int, idempotency_key: str) -> Redeemed:
    """Spend points as a discount recorded against one of the customer's sales (never more than its total)."""
    programme = programme_get()
    key, errors = _redeem_check(points=points, key=idempotency_key, programme=programme)
    if sale.customer_id != customer.pk:
        errors.append(FieldError("sale_id", _("belongs to another customer"), code="not_owned"))
    if errors:
        raise ValidationFailed(errors=errors)
    if (done := _redeemed(key, customer)) is not None:
        return done
    account = account_lock(customer=customer)
    if (done := _redeemed(key, customer)) is not None:
        return done
    amount = points_value(points=points, programme=programme)
    already = PointsRedemption.objects.filter(sale=sale).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if already + amount > sale.total:
        raise _fail(
            "points",
            interpolate(
                _("worth %(amount)s, more than the %(left)s left to discount on this sale"),
                amount=amount,
                left=sale.total - already,
            ),
            code="exceeds_sale",
        )
    _expire_locked(account=account, customer=customer, today=_today())
    entry = _write(
        account=account,
        customer=customer,
        kind=EntryKind.REDEEM,
        points=-points,
        key=key,
        actor=actor,
        source_ref=f"sale:{sale.pk}",
    )
    return _redemption_record(
        entry=entry,
        account=account,
        programme=programme,
        amount=amount,
        what=sale.number,
        actor=actor,
        kind=RedemptionKind.SALE_DISCOUNT,
        sale=sale,
    )


def _redemption_record(
    *,
    entry: PointsEntry,
    account: PointsAccount,
    programme: Programme,
    amount: Decimal,
    what: str,
    actor: User | None,
    **fields: Any,
) -> Redeemed:
    """Record what a redemption bought (a voucher, a sale's discount) and tell the customer's timeline."""
    points = -entry.points
    redemption = PointsRedemption.objects.create(
        entry=entry, customer_id=entry.customer_id, points=points, amount=amount, currency=programme.currency, **fields
    )
    timeline_record(
        customer=entry.customer,
        kind="points_redeemed",
        actor=_person(actor),
        data={"points": points, "amount": str(amount), "currency": programme.currency, "what": what, "balance": account.balance},
    )
    return Redeemed(entry=entry, redemption=redemption)


def _expire_locked(*, account: PointsAccount, customer: Customer, today: dt.date) -> int:
    """Write the expiry entries of the customer's credits that lapsed before ``today`` (account already locked)."""
    written = 0
    for credit, left in credits_open(customer_id=customer.pk):
        if credit.expires_on is None or credit.expires_on >= today:
            break  # spending order: the lapsed credits come first
        entry = _write(
            account=account,
            customer=customer,
            kind=EntryKind.EXPIRE,
            points=-left,
            key=f"expire:{credit.pk}",
            actor=None,
            source_ref=f"entry:{credit.pk}",
            occurred_on=credit.expires_on,
            consume=[(credit, left)],
        )
        timeline_record(
            customer=customer,
            kind="points_expired",
            data={"points": left, "expires_on": credit.expires_on.isoformat(), "balance": account.balance, "entry_id": entry.pk},
        )
        written += 1
    return written


def _expire_customer(*, customer_id: int, today: dt.date) -> int:
    with transaction.atomic():
        customer = Customer.objects.get(pk=customer_id)
        return _expire_locked(account=account_lock(customer=customer), customer=customer, today=today)


def points_expire(*, today: dt.date | None = None) -> int:
    """Write an expiry entry for what is left of every credit whose last day has passed; return how many."""
    today = today or _today()
    used = PointsAllocation.objects.filter(credit=OuterRef("pk")).values("credit").annotate(total=Sum("points")).values("total")
    lapsed = (
        PointsEntry.objects.filter(points__gt=0, expires_on__lt=today)
        .annotate(left=F("points") - Coalesce(Subquery(used, output_field=IntegerField()), Value(0)))
        .filter(left__gt=0)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    return sum(_expire_customer(customer_id=customer_id, today=today) for customer_id in list(lapsed))
