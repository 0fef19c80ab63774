"""Every write of vouchers and offers: issuing, redeeming and cancelling vouchers; composing and sending offers."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.errors import Conflict, FieldError, NotFound, ValidationFailed, interpolate, one_of
from aftersales.core.models import Language, User
from aftersales.core.tasks import task_enqueue_on_commit
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer, Segment
from aftersales.messaging.models import MessageStatus, Purpose
from aftersales.messaging.selectors import template_choose
from aftersales.messaging.services import message_enqueue
from aftersales.offers.codes import code_generate, code_normalise
from aftersales.offers.eligibility import value_format, voucher_assess
from aftersales.offers.models import (
    Offer,
    OfferChannel,
    OfferCode,
    OfferRecipient,
    OfferStatus,
    RecipientStatus,
    ValueKind,
    Voucher,
    VoucherRedemption,
    VoucherSource,
    VoucherStatus,
)
from aftersales.sales.models import Sale

logger = logging.getLogger(__name__)

OFFER_TEMPLATE = "offer_promotion"
MAX_KEY = 200


def _who(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _decimal(raw: Any, field: str, errors: list[FieldError], *, required: bool = True) -> Decimal | None:
    if raw is None or raw == "":
        if required:
            errors.append(FieldError(field=field, reason=_("is required")))
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        errors.append(FieldError(field=field, reason=_("must be a number")))
        return None
    if not value.is_finite():
        errors.append(FieldError(field=field, reason=_("must be a number")))
        return None
    return value


def _ids(items: Iterable[Any]) -> list[int]:
    return [int(item.pk if hasattr(item, "pk") else item) for item in items]


def _value_check(value_kind: str, raw_value: Any, errors: list[FieldError], *, field: str = "value") -> Decimal | None:
    if value_kind not in ValueKind.values:
        errors.append(FieldError(field="value_kind", reason=one_of(ValueKind.values)))
    value = _decimal(raw_value, field, errors)
    if value is None:
        return None
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.append(FieldError(field=field, reason=_("has more than two decimal places")))
    elif value_kind == ValueKind.PERCENT and not Decimal("1") <= value <= Decimal("100"):
        errors.append(FieldError(field=field, reason=_("must be a percentage from 1 to 100")))
    elif value <= 0:
        errors.append(FieldError(field=field, reason=_("must be more than zero")))
    elif value >= Decimal("10000000000"):
        errors.append(FieldError(field=field, reason=_("is too large")))
    return value


def _date(raw: Any, field: str, errors: list[FieldError], *, required: bool = True) -> dt.date | None:
    if raw is None or raw == "":
        if required:
            errors.append(FieldError(field=field, reason=_("is required")))
        return None
    if isinstance(raw, dt.datetime):
        return timezone.localdate(raw) if timezone.is_aware(raw) else raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        errors.append(FieldError(field=field, reason=_("must be a date, e.g. 2025-06-30")))
        return None


def _limit(raw: Any, field: str, errors: list[FieldError]) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        number = int(raw)
    except (TypeError, ValueError):
        errors.append(FieldError(field=field, reason=_("must be a whole number")))
        return None
    if number < 1 or number > 1_000_000_000:
        errors.append(FieldError(field=field, reason=_("must be at least 1 (leave empty for no limit)")))
    return number


def _key_check(idempotency_key: str, errors: list[FieldError]) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY:
        errors.append(
            FieldError(
                field="idempotency_key", reason=interpolate(_("is required (at most %(limit)s characters)"), limit=MAX_KEY)
            )
        )
    return key


# --- vouchers -------------------------------------------------------------------------------------


def _voucher_create(
    *,
    actor: User | None,
    customer: Customer | None,
    value_kind: str,
    value: Any,
    valid_until: Any,
    valid_from: Any = None,
    max_uses: int | None = 1,
    max_uses_per_customer: int | None = 1,
    segments: Iterable[Any] = (),
    categories: Iterable[Any] = (),
    min_sale_value: Any = None,
    source: str,
    source_ref: str = "",
    idempotency_key: str,
    offer: Offer | None = None,
    code: str | None = None,
) -> Voucher:
    errors: list[FieldError] = []
    key = _key_check(idempotency_key, errors)
    if key and not errors:
        existing = Voucher.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    amount = _value_check(value_kind, value, errors)
    today = timezone.localdate()
    starts = _date(valid_from, "valid_from", errors, required=False) or today
    ends = _date(valid_until, "valid_until", errors)
    if ends is not None and ends < today:
        errors.append(FieldError(field="valid_until", reason=_("is in the past")))
    elif ends is not None and ends < starts:
        errors.append(FieldError(field="valid_until", reason=_("is before the first valid day")))
    uses = _limit(max_uses, "max_uses", errors)
    per_customer = _limit(max_uses_per_customer, "max_uses_per_customer", errors)
    minimum = _decimal(min_sale_value, "min_sale_value", errors, required=False)
    if minimum is not None and minimum < 0:
        errors.append(FieldError(field="min_sale_value", reason=_("must not be negative")))
    if source not in VoucherSource.values:
        errors.append(FieldError(field="source", reason=one_of(VoucherSource.values)))
    if len(source_ref or "") > 200:
        errors.append(FieldError(field="source_ref", reason=interpolate(_("is longer than %(limit)s characters"), limit=200)))
    segment_ids = _ids(segments)
    category_ids = _ids(categories)
    missing_segments = set(segment_ids) - set(Segment.objects.filter(pk__in=segment_ids).values_list("pk", flat=True))
    if missing_segments:
        errors.append(FieldError(field="segments", reason=_("names a segment that does not exist"), code="not_found"))
    missing_categories = set(category_ids) - set(Category.objects.filter(pk__in=category_ids).values_list("pk", flat=True))
    if missing_categories:
        errors.append(FieldError(field="categories", reason=_("names a category that does not exist"), code="not_found"))
    if errors:
        raise ValidationFailed(errors=errors)
    assert amount is not None and ends is not None

    for _attempt in range(5):
        voucher = Voucher(
            code=code or code_generate(),
            value_kind=value_kind,
            value=amount,
            currency=settings.DEFAULT_CURRENCY,
            valid_from=starts,
            valid_until=ends,
            max_uses=uses,
            max_uses_per_customer=per_customer,
            customer=customer,
            min_sale_value=minimum,
            source=source,
            source_ref=source_ref or "",
            offer=offer,
            issued_by=_who(actor),
            idempotency_key=key,
        )
        try:
            with transaction.atomic():
                voucher.save(force_insert=True)
        except IntegrityError:
            existing = Voucher.objects.filter(idempotency_key=key).first()
            if existing is not None:
                # Another request with the same key won the race: theirs is the voucher.
                return existing
            # Two codes out of 2^60 met: draw another.
            code = None
            continue
        break
    else:  # pragma: no cover - needs five collisions in a row
        raise Conflict(_("Could not draw a free voucher code; try again."))
    if segment_ids:
        voucher.segments.set(segment_ids)
    if category_ids:
        voucher.categories.set(category_ids)
    if customer is not None:
        timeline_record(
            customer=customer,
            kind="voucher_issued",
            actor=actor,
            data={
                "voucher_id": voucher.pk,
                "code": voucher.code,
                "value": value_format(voucher.value_kind, voucher.value, voucher.currency),
                "valid_until": voucher.valid_until.isoformat(),
                "source": voucher.source,
            },
        )
    return voucher


@transaction.atomic
def voucher_issue(
    *,
    actor: User | None,
    customer: Customer | None,
    value_kind: str,
    value: Decimal,
    valid_until: dt.date,
    valid_from: dt.date | None = None,
    max_uses: int | None = 1,
    max_uses_per_customer: int | None = 1,
    segments: Iterable[Any] = (),
    categories: Iterable[Any] = (),
    min_sale_value: Decimal | None = None,
    source: str,
    source_ref: str = "",
    idempotency_key: str,
) -> Voucher:
    """Issue a voucher with a fresh unguessable code, once per idempotency key (a retry gets the first voucher back)."""
    return _voucher_create(
        actor=actor,
        customer=customer,
        value_kind=value_kind,
        value=value,
        valid_until=valid_until,
        valid_from=valid_from,
        max_uses=max_uses,
        max_uses_per_customer=max_uses_per_customer,
        segments=segments,
        categories=categories,
        min_sale_value=min_sale_value,
        source=source,
        source_ref=source_ref,
        idempotency_key=idempotency_key,
    )


def _redemption_replay(redemption: VoucherRedemption, *, code: str, customer: Customer) -> VoucherRedemption:
    if redemption.customer_id != customer.pk or redemption.voucher.code != code_normalise(code):
        raise Conflict(_("This idempotency key was already used for another redemption."))
    return redemption


@transaction.atomic
def voucher_redeem(
    *,
    actor: User | None,
    code: str,
    customer: Customer,
    sale: Sale | None = None,
    amount: Decimal | None = None,
    idempotency_key: str,
) -> VoucherRedemption:
    """Record one use of a voucher by a customer if every rule holds; the same key twice returns the first use."""
    errors: list[FieldError] = []
    key = _key_check(idempotency_key, errors)
    basis = _decimal(amount, "amount", errors, required=False)
    if basis is not None and basis < 0:
        errors.append(FieldError(field="amount", reason=_("must not be negative")))
    if errors:
        raise ValidationFailed(errors=errors)
    earlier = VoucherRedemption.objects.filter(idempotency_key=key).select_related("voucher").first()
    if earlier is not None:
        return _redemption_replay(earlier, code=code, customer=customer)

    normalised = code_normalise(code)
    # The voucher row is the lock: concurrent redemptions of one code take turns, so the per-customer count
    # read below cannot be overtaken by another redemption of the same code.
    voucher = Voucher.objects.select_for_update().filter(code=normalised).first() if normalised else None
    if voucher is not None:
        earlier = VoucherRedemption.objects.filter(idempotency_key=key).select_related("voucher").first()
        if earlier is not None:
            return _redemption_replay(earlier, code=code, customer=customer)
    assessment = voucher_assess(voucher=voucher, customer=customer, sale=sale, amount=basis, for_redemption=True)
    if assessment.errors:
        raise ValidationFailed(errors=assessment.errors)
    assert voucher is not None and assessment.discount is not None

    # The counter moves only while below the limit, whatever any other transaction has done.
    moved = (
        Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.ACTIVE)
        .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
        .update(uses=F("uses") + 1, updated_at=timezone.now())
    )
    if not moved:
        raise ValidationFailed(errors=[FieldError(field="code", reason=_("has been used up"), code="used_up")])
    try:
        with transaction.atomic():
            redemption = VoucherRedemption.objects.create(
                voucher=voucher,
                customer=customer,
                sale=sale,
                eligible_amount=assessment.eligible_amount,
                discount=assessment.discount,
                currency=voucher.currency,
                redeemed_by=_who(actor),
                idempotency_key=key,
            )
    except IntegrityError as error:
        raise Conflict(_("This voucher was just redeemed with the same key or for the same sale.")) from error
    timeline_record(
        customer=customer,
        kind="voucher_redeemed",
        actor=actor,
        data={
            "voucher_id": voucher.pk,
            "code": voucher.code,
            "discount": value_format(ValueKind.FIXED, redemption.discount, redemption.currency),
            "sale": sale.number if sale is not None else "",
        },
    )
    return redemption


@transaction.atomic
def voucher_cancel(*, actor: User | None, voucher: Voucher, reason: str) -> Voucher:
    """Withdraw a voucher so it can no longer be redeemed; uses already made stand."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors=[FieldError(field="reason", reason=_("is required"))])
    if len(reason) > 300:
        raise ValidationFailed(
            errors=[FieldError(field="reason", reason=interpolate(_("is longer than %(limit)s characters"), limit=300))]
        )
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.status == VoucherStatus.CANCELLED:
        raise Conflict(_("This voucher is already cancelled."))
    voucher.status = VoucherStatus.CANCELLED
    voucher.cancelled_at = timezone.now()
    voucher.cancelled_by = _who(actor)
    voucher.cancel_reason = reason
    voucher.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    return voucher


# --- offers ---------------------------------------------------------------------------------------

OFFER_TEXT_FIELDS = {"title": 150, "title_es": 150, "body": 5000, "body_es": 5000}


def _offer_clean(data: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, limit in OFFER_TEXT_FIELDS.items():
        text = str(data.get(name) or "").strip()
        if not text:
            errors.append(FieldError(field=name, reason=_("is required")))
        elif len(text) > limit:
            errors.append(FieldError(field=name, reason=interpolate(_("is longer than %(limit)s characters"), limit=limit)))
        cleaned[name] = text
    today = timezone.localdate()
    starts = _date(data.get("valid_from"), "valid_from", errors, required=False) or today
    ends = _date(data.get("valid_until"), "valid_until", errors)
    if ends is not None and ends < today:
        errors.append(FieldError(field="valid_until", reason=_("is in the past")))
    elif ends is not None and ends < starts:
        errors.append(FieldError(field="valid_until", reason=_("is before the first valid day")))
    cleaned["valid_from"], cleaned["valid_until"] = starts, ends
    channel = data.get("channel") or OfferChannel.EMAIL
    if channel not in OfferChannel.values:
        errors.append(FieldError(field="channel", reason=one_of(OfferChannel.values)))
    cleaned["channel"] = channel
    language = data.get("language") or ""
    if language and language not in Language.values:
        errors.append(FieldError(field="language", reason=one_of(Language.values)))
    cleaned["language"] = language
    spend = _decimal(data.get("min_lifetime_spend"), "min_lifetime_spend", errors, required=False)
    if spend is not None and spend < 0:
        errors.append(FieldError(field="min_lifetime_spend", reason=_("must not be negative")))
    cleaned["min_lifetime_spend"] = spend
    code_kind = data.get("code_kind") or OfferCode.PERSONAL
    if code_kind not in OfferCode.values:
        errors.append(FieldError(field="code_kind", reason=one_of(OfferCode.values)))
    cleaned["code_kind"] = code_kind
    value_kind = data.get("value_kind") or ""
    cleaned["value_kind"] = value_kind
    cleaned["value"] = _value_check(value_kind, data.get("value"), errors)
    minimum = _decimal(data.get("min_sale_value"), "min_sale_value", errors, required=False)
    if minimum is not None and minimum < 0:
        errors.append(FieldError(field="min_sale_value", reason=_("must not be negative")))
    cleaned["min_sale_value"] = minimum
    for name, model in (("segments", Segment), ("bought_categories", Category), ("voucher_categories", Category)):
        ids = _ids(data.get(name) or ())
        if set(ids) - set(model.objects.filter(pk__in=ids).values_list("pk", flat=True)):
            errors.append(FieldError(field=name, reason=_("names a record that does not exist"), code="not_found"))
        cleaned[name] = ids
    return cleaned


@transaction.atomic
def offer_create(*, actor: User | None, data: Mapping[str, Any]) -> Offer:
    """Draft a special offer: bilingual text, validity, audience and what each recipient gets."""
    errors: list[FieldError] = []
    cleaned = _offer_clean(data, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    relations = {name: cleaned.pop(name) for name in ("segments", "bought_categories", "voucher_categories")}
    offer = Offer.objects.create(**cleaned, created_by=_who(actor))
    for name, ids in relations.items():
        getattr(offer, name).set(ids)
    return offer


@transaction.atomic
def offer_update(*, actor: User | None, offer: Offer, data: Mapping[str, Any]) -> Offer:
    """Change a draft offer; one that went out keeps what its recipients received."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != OfferStatus.DRAFT:
        raise Conflict(_("Only a draft offer can be changed."))
    errors: list[FieldError] = []
    cleaned = _offer_clean(data, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    relations = {name: cleaned.pop(name) for name in ("segments", "bought_categories", "voucher_categories")}
    for name, value in cleaned.items():
        setattr(offer, name, value)
    offer.save()
    for name, ids in relations.items():
        getattr(offer, name).set(ids)
    return offer


def _send_task() -> Any:
    from aftersales.offers.tasks import send_offer

    return send_offer


@transaction.atomic
def offer_send(*, actor: User | None, offer: Offer) -> Offer:
    """Start sending a draft offer to its audience; a worker queues the messages in batches."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status in (OfferStatus.SENDING, OfferStatus.SENT):
        return offer
    if offer.status != OfferStatus.DRAFT:
        raise Conflict(_("A cancelled offer cannot be sent."))
    errors: list[FieldError] = []
    if offer.valid_until < timezone.localdate():
        errors.append(FieldError(field="valid_until", reason=_("is in the past")))
    if template_choose(code=OFFER_TEMPLATE, channel=offer.channel, language=Language.ENGLISH) is None:
        reason = interpolate(_("has no %(code)s template"), code=OFFER_TEMPLATE)
        errors.append(FieldError(field="channel", reason=reason, code="template_missing"))
    if errors:
        raise ValidationFailed(errors=errors)
    if offer.code_kind == OfferCode.SHARED and offer.shared_voucher_id is None:
        offer.shared_voucher = _voucher_create(
            actor=actor,
            customer=None,
            value_kind=offer.value_kind,
            value=offer.value,
            valid_from=offer.valid_from,
            valid_until=offer.valid_until,
            max_uses=None,
            max_uses_per_customer=1,
            segments=offer.segments.all(),
            categories=offer.voucher_categories.all(),
            min_sale_value=offer.min_sale_value,
            source=VoucherSource.OFFER,
            source_ref=f"offer:{offer.pk}",
            idempotency_key=f"offer:{offer.pk}:shared",
            offer=offer,
        )
    offer.status = OfferStatus.SENDING
    offer.sent_by = _who(actor)
    offer.send_started_at = timezone.now()
    offer.save(update_fields=["status", "sent_by", "send_started_at", "shared_voucher", "updated_at"])
    task_enqueue_on_commit(_send_task, record=Offer, pk=offer.pk)
    return offer


def _offer_to_one(offer: Offer, customer: Customer) -> OfferRecipient:
    """Queue the offer's message to one customer, with their personal voucher when the offer gives one."""
    language = customer.language
    voucher_code = offer.shared_voucher.code if offer.shared_voucher is not None else ""
    if offer.code_kind == OfferCode.PERSONAL:
        # Drawn first so the message can carry it; the voucher is only kept when the message may go.
        voucher_code = code_generate()
    context = {
        "offer_title": offer.display_title(language),
        "offer_body": offer.display_body(language),
        "voucher_code": voucher_code,
        "voucher_value": value_format(offer.value_kind, offer.value, settings.DEFAULT_CURRENCY),
        "valid_from": offer.valid_from,
        "valid_until": offer.valid_until,
    }
    message = message_enqueue(
        actor=None,
        customer=customer,
        template_code=OFFER_TEMPLATE,
        channel=offer.channel,
        context=context,
        idempotency_key=f"offer:{offer.pk}:{customer.pk}",
        purpose=Purpose.MARKETING,
    )
    suppressed = message.status == MessageStatus.SUPPRESSED
    voucher = None
    if offer.code_kind == OfferCode.PERSONAL and not suppressed:
        voucher = _voucher_create(
            actor=None,
            customer=customer,
            value_kind=offer.value_kind,
            value=offer.value,
            valid_from=offer.valid_from,
            valid_until=offer.valid_until,
            max_uses=1,
            max_uses_per_customer=1,
            categories=offer.voucher_categories.all(),
            min_sale_value=offer.min_sale_value,
            source=VoucherSource.OFFER,
            source_ref=f"offer:{offer.pk}",
            idempotency_key=f"offer:{offer.pk}:voucher:{customer.pk}",
            offer=offer,
            code=voucher_code,
        )
    recipient = OfferRecipient.objects.create(
        offer=offer,
        customer=customer,
        status=RecipientStatus.SUPPRESSED if suppressed else RecipientStatus.QUEUED,
        suppressed_reason=message.suppressed_reason if suppressed else "",
        message=message,
        voucher=voucher,
    )
    if not suppressed:
        timeline_record(
            customer=customer,
            kind="offer_sent",
            data={"offer_id": offer.pk, "title": offer.display_title(language), "channel": offer.channel},
        )
    return recipient


def offer_send_batch(*, offer_id: int, batch_size: int | None = None) -> dict[str, int]:
    """Queue the offer to the next batch of its audience not yet reached; mark it sent when nobody is left."""
    from aftersales.offers.selectors import offer_audience

    size = batch_size or getattr(settings, "OFFERS_SEND_BATCH", 200)
    with transaction.atomic():
        # The offer row is held for the batch, so two workers resuming the same offer take turns.
        offer = Offer.objects.select_for_update().filter(pk=offer_id).first()
        if offer is None:
            raise NotFound(_("No such offer."))
        if offer.status != OfferStatus.SENDING:
            return {"queued": 0, "suppressed": 0, "left": 0}
        reached = OfferRecipient.objects.filter(offer=offer, customer=OuterRef("pk"))
        batch = list(offer_audience(offer).exclude(Exists(reached)).order_by("pk")[:size])
        counts = {"queued": 0, "suppressed": 0, "left": len(batch)}
        for customer in batch:
            recipient = _offer_to_one(offer, customer)
            counts[recipient.status] += 1
        if batch:
            # A sign of life for the resume sweep, which looks for offers left untouched for a while.
            Offer.objects.filter(pk=offer.pk).update(updated_at=timezone.now())
        else:
            offer.status = OfferStatus.SENT
            offer.sent_at = timezone.now()
            offer.save(update_fields=["status", "sent_at", "updated_at"])
        return counts


def offer_deliver(*, offer_id: int, batch_size: int | None = None) -> dict[str, int]:
    """Send an offer in batches until its whole audience is reached; a crash leaves the rest for a later run."""
    totals = {"queued": 0, "suppressed": 0}
    while True:
        counts = offer_send_batch(offer_id=offer_id, batch_size=batch_size)
        totals["queued"] += counts["queued"]
        totals["suppressed"] += counts["suppressed"]
        if not counts["left"]:
            return totals


def offers_resume(*, stale_minutes: int = 10) -> int:
    """Hand offers still sending back to the workers when their task is gone (a worker died or the queue refused)."""
    from aftersales.core.tasks import tasks_waiting

    stale = timezone.now() - dt.timedelta(minutes=stale_minutes)
    rows = list(Offer.objects.filter(status=OfferStatus.SENDING, updated_at__lt=stale).values_list("pk", "task_id")[:100])
    waiting = tasks_waiting(_send_task(), [task_id for _pk, task_id in rows], statuses=("READY", "RUNNING"))
    resumed = 0
    for pk, task_id in rows:
        if task_id and task_id in waiting:
            continue
        with transaction.atomic():
            Offer.objects.filter(pk=pk).update(updated_at=timezone.now())
            task_enqueue_on_commit(_send_task, record=Offer, pk=pk)
        resumed += 1
    return resumed


@transaction.atomic
def offer_cancel(*, actor: User | None, offer: Offer, reason: str) -> Offer:
    """Withdraw an offer: no more messages go out and its vouchers can no longer be redeemed."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status == OfferStatus.CANCELLED:
        raise Conflict(_("This offer is already cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors=[FieldError(field="reason", reason=_("is required"))])
    offer.status = OfferStatus.CANCELLED
    offer.save(update_fields=["status", "updated_at"])
    Voucher.objects.filter(offer=offer, status=VoucherStatus.ACTIVE).update(
        status=VoucherStatus.CANCELLED, cancelled_at=timezone.now(), cancelled_by=_who(actor), cancel_reason=reason[:300]
    )
    return offer
