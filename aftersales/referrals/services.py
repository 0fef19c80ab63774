"""Every write of referrals: the programme's terms, codes, recording a friend, the fraud guards, attribution,
rewards, invitations and expiry."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.emails import validate_email
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import Language
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer
from aftersales.customers.phones import InvalidPhone, phone_normalize
from aftersales.loyalty.services import points_award
from aftersales.messaging.models import MessageChannel, MessageStatus, Purpose
from aftersales.messaging.services import message_enqueue
from aftersales.offers.services import voucher_issue
from aftersales.referrals.models import (
    HOLDING_STATUSES,
    InvitationStatus,
    InvitationTrigger,
    Referral,
    ReferralCode,
    ReferralInvitation,
    ReferralLinkView,
    ReferralSettings,
    ReferralSource,
    ReferralStatus,
    RejectionReason,
)
from aftersales.referrals.signals import referral_converted
from aftersales.sales.models import Sale

if TYPE_CHECKING:
    from aftersales.core.models import User

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed
CODE_LENGTH = 8
INVITATION_TEMPLATE = "referral_invitation"
CONVERTED_TEMPLATE = "referral_converted"
NAME_MAX = 200
ADDRESS_MAX = 300
NOTE_MAX = 300
# Referrals attributed per statement of the catch-up; it goes on until none are left.
CATCH_UP_BATCH = 500

SETTINGS_FIELDS = (
    "active",
    "referrer_points",
    "referrer_voucher_value",
    "referred_points",
    "referred_voucher_value",
    "voucher_valid_days",
    "attribution_days",
    "min_first_purchase",
    "invitation_cooldown_days",
)

# Messages for refusals shown to staff and, where safe, to the friend.
GUARD_FIELDS = {
    RejectionReason.SELF_REFERRAL: "email",
    RejectionReason.DUPLICATE: "email",
    RejectionReason.ALREADY_CUSTOMER: "email",
    RejectionReason.REFERRER_INACTIVE: "referrer",
    RejectionReason.PROGRAMME_INACTIVE: "referrer",
}
GUARD_REASONS = {
    RejectionReason.SELF_REFERRAL: _("is the referrer's own: customers cannot refer themselves"),
    RejectionReason.DUPLICATE: _("was already referred (the same email, phone or address)"),
    RejectionReason.ALREADY_CUSTOMER: _("belongs to someone who has already bought from us"),
    RejectionReason.REFERRER_INACTIVE: _("has never bought from us or may no longer refer friends"),
    RejectionReason.PROGRAMME_INACTIVE: _("cannot refer friends: the referral programme is switched off"),
}


def _fail(field: str, reason: Any, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(errors=[FieldError(field=field, reason=reason, code=code)])


def _person(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- the programme --------------------------------------------------------------------------------


def programme_settings() -> ReferralSettings:
    """Return the programme's terms, creating the row with the defaults on first use."""
    programme, _created = ReferralSettings.objects.get_or_create(pk=1)
    return programme


def _whole(value: Any, field: str, errors: list[FieldError], *, minimum: int, maximum: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        errors.append(
            FieldError(field, interpolate(_("must be a whole number from %(min)s to %(max)s"), min=minimum, max=maximum))
        )
        return None
    return value


def _amount(value: Any, field: str, errors: list[FieldError]) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number.as_tuple().exponent < -2 or number >= Decimal("1e8"):  # type: ignore[operator]
        errors.append(FieldError(field, _("must be an amount of money of 0 or more, with at most 2 decimals")))
        return None
    return number


@transaction.atomic
def programme_update(*, actor: User | None, data: Mapping[str, Any]) -> ReferralSettings:
    """Change the programme's terms; the terms in force when a friend converts are the ones applied."""
    programme = ReferralSettings.objects.select_for_update().get(pk=programme_settings().pk)
    errors: list[FieldError] = []
    unknown = sorted(set(data) - set(SETTINGS_FIELDS))
    for name in unknown:
        errors.append(FieldError(name, _("is not a setting of the referral programme"), code="unknown"))
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "active":
            if not isinstance(value, bool):
                errors.append(FieldError(name, _("must be true or false")))
            values[name] = value
        elif name in ("referrer_points", "referred_points"):
            values[name] = _whole(value, name, errors, minimum=0, maximum=1_000_000)
        elif name in ("voucher_valid_days", "invitation_cooldown_days"):
            values[name] = _whole(value, name, errors, minimum=0 if name == "invitation_cooldown_days" else 1, maximum=3650)
        elif name == "attribution_days":
            values[name] = _whole(value, name, errors, minimum=1, maximum=3650)
        elif name in ("referrer_voucher_value", "referred_voucher_value", "min_first_purchase"):
            values[name] = _amount(value, name, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in values.items():
        setattr(programme, name, value)
    programme.updated_by = _person(actor)
    programme.save()
    return programme


# --- codes and links ------------------------------------------------------------------------------


def code_generate() -> str:
    """Return a new random code: 8 characters from 32, about 10^12 possibilities."""
    return "".join(secrets.choice(CODE_ALPHABET) for _index in range(CODE_LENGTH))


def code_for(*, customer: Customer) -> ReferralCode:
    """Return the customer's personal code, creating it on first need."""
    existing = ReferralCode.objects.filter(customer=customer).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(customer=customer, code=code_generate())
        except IntegrityError:
            # Either the customer got a code a moment ago, or (once in a trillion) the code was taken.
            existing = ReferralCode.objects.filter(customer=customer).first()
            if existing is not None:
                return existing
    raise Conflict(_("Could not create a referral code; please try again."))


def referral_link(code: ReferralCode | str) -> str:
    """Return the absolute personal link of a code."""
    return f"{settings.SITE_URL}{reverse('portal:referral_link', kwargs={'code': str(code)})}"


def code_normalize(raw: str) -> str:
    """Return a code as typed (spaces, lower case) in its stored form."""
    return re.sub(r"[\s-]+", "", raw or "").upper()


def link_view_count(*, code: ReferralCode, day: dt.date | None = None) -> None:
    """Count one opening of a personal link today (the funnel's "links opened")."""
    day = day or timezone.localdate()
    updated = ReferralLinkView.objects.filter(code=code, day=day).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ReferralLinkView.objects.create(code=code, day=day, count=1)
        except IntegrityError:
            ReferralLinkView.objects.filter(code=code, day=day).update(count=F("count") + 1)


@transaction.atomic
def code_set_active(*, actor: User | None, code: ReferralCode, active: bool) -> ReferralCode:
    """Switch a personal code on or off; a code switched off takes no more friends."""
    code.active = active
    code.save(update_fields=["active", "updated_at"])
    timeline_record(
        customer=code.customer,
        kind="referral_code_switched",
        actor=actor,
        data={"code": code.code, "state": "on" if active else "off"},
    )
    return code


# --- recording a friend ---------------------------------------------------------------------------


def address_key(text: str) -> str:
    """Return an address in lower case without spaces or punctuation: "Calle Mayor, 5" = "calle mayor 5"."""
    return re.sub(r"[\W_]+", "", (text or "").casefold())


def _customer_address_keys(customer: Customer) -> set[str]:
    street = " ".join([customer.address_line1, customer.address_line2, customer.postal_code])
    keys = {address_key(street), address_key(customer.address), address_key(customer.address_line1)}
    keys.discard("")
    return keys


def referrer_is_active(customer: Customer) -> bool:
    """Return whether a customer may refer friends: they bought from us and their code is not switched off."""
    code = ReferralCode.objects.filter(customer=customer).first()
    if code is not None and not code.active:
        return False
    if customer.user is not None and not customer.user.is_active:
        return False
    return Sale.objects.filter(customer=customer).exists()


def _guard(*, referrer: Customer, email: str, phone: str, key: str, programme: ReferralSettings, today: dt.date) -> str:
    """Return the reason a new referral must be rejected, or "" when it may stand."""
    if not programme.active:
        return RejectionReason.PROGRAMME_INACTIVE
    if not referrer_is_active(referrer):
        return RejectionReason.REFERRER_INACTIVE
    if (
        (email and email == (referrer.email or "").lower())
        or (phone and phone == referrer.phone)
        or (key and key in _customer_address_keys(referrer))
    ):
        return RejectionReason.SELF_REFERRAL
    matching = Q(pk__in=[])
    if email:
        matching |= Q(email=email)
    if phone:
        matching |= Q(phone=phone)
    bought = Sale.objects.filter(customer=OuterRef("pk"), sold_on__lte=today)
    if Customer.objects.filter(matching).filter(Exists(bought)).exists():
        return RejectionReason.ALREADY_CUSTOMER
    held = Q(pk__in=[])
    if email:
        held |= Q(email=email)
    if phone:
        held |= Q(phone=phone)
    if key:
        held |= Q(address_key=key)
    if Referral.objects.filter(held, status__in=HOLDING_STATUSES).exists():
        return RejectionReason.DUPLICATE
    return ""


def prospect_clean(
    *, name: Any, email: Any, phone: Any, address: Any, language: Any, source: Any, consent: Any
) -> tuple[dict[str, Any], list[FieldError]]:
    """Return a friend's details in stored form and the reasons for each field that cannot be used."""
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    clean["name"] = " ".join(str(name or "").split())
    if not clean["name"]:
        errors.append(FieldError("name", _("is required"), code="required"))
    elif len(clean["name"]) > NAME_MAX:
        errors.append(FieldError("name", interpolate(_("must be at most %(max)s characters"), max=NAME_MAX)))
    clean["email"] = str(email or "").strip().lower()
    if clean["email"]:
        try:
            validate_email(clean["email"])
        except DjangoValidationError:
            errors.append(FieldError("email", _("is not a valid email address")))
    try:
        clean["phone"] = phone_normalize(str(phone or ""))
    except InvalidPhone:
        clean["phone"] = ""
        errors.append(FieldError("phone", _("is not a valid phone number; include the country code, e.g. +34 612 345 678")))
    if not clean["email"] and not clean["phone"] and not any(error.field in ("email", "phone") for error in errors):
        errors.append(
            FieldError("email", _("give an email address or a phone number, so we can contact your friend"), code="required")
        )
    clean["address"] = " ".join(str(address or "").split())
    if len(clean["address"]) > ADDRESS_MAX:
        errors.append(FieldError("address", interpolate(_("must be at most %(max)s characters"), max=ADDRESS_MAX)))
    clean["language"] = language or Language.ENGLISH
    if clean["language"] not in Language.values:
        errors.append(FieldError("language", one_of(Language.values), code="invalid_choice"))
    if source not in ReferralSource.values:
        errors.append(FieldError("source", one_of(ReferralSource.values), code="invalid_choice"))
    clean["source"] = source
    if consent is not True:
        errors.append(FieldError("consent", _("the friend must agree to be contacted"), code="required"))
    return clean, errors


@transaction.atomic
def referral_record(
    *,
    actor: User | None,
    referrer: Customer,
    name: str,
    email: str = "",
    phone: str = "",
    address: str = "",
    language: str = Language.ENGLISH,
    source: str,
    consent: bool,
    consent_at: dt.datetime | None = None,
) -> Referral:
    """Record a friend a customer referred; a fraud guard records it as rejected, with its reason.

    Bad input raises ValidationFailed and records nothing; a guard's refusal is kept (staff see it) and the
    caller decides how much to tell the friend.
    """
    clean, errors = prospect_clean(
        name=name, email=email, phone=phone, address=address, language=language, source=source, consent=consent
    )
    if errors:
        raise ValidationFailed(errors=errors)
    programme = programme_settings()
    now = timezone.now()
    today = timezone.localdate()
    key = address_key(clean["address"])
    # One referral at a time per referrer, so two forms sent at once see each other's friend.
    referrer = Customer.objects.select_for_update(no_key=True).get(pk=referrer.pk)
    reason = _guard(referrer=referrer, email=clean["email"], phone=clean["phone"], key=key, programme=programme, today=today)
    referral = Referral(
        referrer=referrer,
        address_key=key,
        consent=True,
        consent_at=consent_at or now,
        referred_on=today,
        expires_on=today + dt.timedelta(days=programme.attribution_days),
        created_by=_person(actor),
        **clean,
    )
    if reason:
        _reject_fields(referral, reason, now)
        referral.save()
    else:
        try:
            with transaction.atomic():
                referral.save()
        except IntegrityError:
            # Another referral of the same person was recorded a moment ago: the guard's unique constraints held.
            referral.pk = None
            _reject_fields(referral, RejectionReason.DUPLICATE, now)
            referral.save()
    timeline_record(
        customer=referrer,
        kind="referral_recorded",
        actor=actor,
        data={"friend": referral.name, "source": referral.source, "status": referral.status},
    )
    if referral.status == ReferralStatus.REJECTED:
        timeline_record(
            customer=referrer,
            kind="referral_rejected",
            actor=actor,
            data={"friend": referral.name, "reason": referral.rejection_reason},
        )
    return referral


def _reject_fields(referral: Referral, reason: str, now: dt.datetime, note: str = "") -> None:
    referral.status = ReferralStatus.REJECTED
    referral.rejection_reason = reason
    referral.rejection_note = note
    referral.closed_at = now


def rejection_error(referral: Referral) -> ValidationFailed:
    """Return the field error that tells staff (or an API client) why a referral was rejected."""
    reason = RejectionReason(referral.rejection_reason)
    return _fail(GUARD_FIELDS.get(reason, "referral"), GUARD_REASONS.get(reason, reason.label), code=reason.value)


@transaction.atomic
def referral_reject(*, actor: User | None, referral: Referral, note: str) -> Referral:
    """Reject an open referral by hand, with a note saying why."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    text = " ".join(str(note or "").split())
    if not text:
        raise _fail("note", _("say why the referral is rejected"), code="required")
    if len(text) > NOTE_MAX:
        raise _fail("note", interpolate(_("must be at most %(max)s characters"), max=NOTE_MAX))
    if referral.status != ReferralStatus.PENDING:
        raise Conflict(
            interpolate(
                _("Only a pending referral can be rejected; this one is %(status)s."), status=referral.get_status_display()
            )
        )
    _reject_fields(referral, RejectionReason.STAFF, timezone.now(), text)
    referral.save()
    timeline_record(
        customer=referral.referrer,
        kind="referral_rejected",
        actor=actor,
        data={"friend": referral.name, "reason": RejectionReason.STAFF},
    )
    return referral


# --- attribution and rewards ----------------------------------------------------------------------


def _first_purchase(referral: Referral, customer: Customer, programme: ReferralSettings) -> Sale | None:
    return (
        Sale.objects.filter(
            customer=customer,
            sold_on__gte=referral.referred_on,
            sold_on__lte=referral.expires_on,
            total__gte=programme.min_first_purchase,
        )
        .order_by("sold_on", "pk")
        .first()
    )


@transaction.atomic
def referral_attribute(*, referral_id: int, customer: Customer) -> Referral | None:
    """Convert a pending referral on the customer's first purchase within the window, and reward both sides.

    A friend who bought before the referral is rejected as already a customer; a customer already counted
    for another referral is a duplicate. Safe to call twice: only a pending referral changes.
    """
    referral = Referral.objects.select_for_update().filter(pk=referral_id).select_related("referrer").first()
    if referral is None or referral.status != ReferralStatus.PENDING:
        return None
    programme = programme_settings()
    now = timezone.now()
    reason = ""
    if customer.pk == referral.referrer_id:
        reason = RejectionReason.SELF_REFERRAL
    elif Sale.objects.filter(customer=customer, sold_on__lt=referral.referred_on).exists():
        reason = RejectionReason.ALREADY_CUSTOMER
    elif Referral.objects.filter(referred_customer=customer).exclude(pk=referral.pk).exists():
        reason = RejectionReason.DUPLICATE
    if reason:
        _reject_fields(referral, reason, now)
        referral.save()
        timeline_record(customer=referral.referrer, kind="referral_rejected", data={"friend": referral.name, "reason": reason})
        return referral
    sale = _first_purchase(referral, customer, programme)
    if sale is None:
        return None
    referral.status = ReferralStatus.CONVERTED
    referral.referred_customer = customer
    referral.first_sale = sale
    referral.converted_at = now
    referral.save()
    timeline_record(customer=referral.referrer, kind="referral_converted", data={"friend": referral.name, "sale": sale.number})
    timeline_record(
        customer=customer,
        kind="referral_joined",
        data={"referrer": referral.referrer.name.split()[0] if referral.referrer.name else ""},
    )
    referral_reward(referral=referral, programme=programme)
    _notify_referrer(referral)
    ids = {"referral_id": referral.pk, "referrer_id": referral.referrer_id, "referred_id": customer.pk}
    transaction.on_commit(lambda: referral_converted.send(sender=Referral, **ids))
    return referral


def referral_reward(*, referral: Referral, programme: ReferralSettings) -> Referral:
    """Give both sides their rewards once (idempotency keys ``referral:<id>:referrer`` and ``:referred``)."""
    referred = referral.referred_customer
    assert referred is not None
    valid_until = timezone.localdate() + dt.timedelta(days=programme.voucher_valid_days)
    source_ref = f"referral:{referral.pk}"
    given = False
    for side, customer, points, value in (
        ("referrer", referral.referrer, programme.referrer_points, programme.referrer_voucher_value),
        ("referred", referred, programme.referred_points, programme.referred_voucher_value),
    ):
        key = f"referral:{referral.pk}:{side}"
        if points:
            points_award(
                actor=None, customer=customer, points=points, reason="referral", source_ref=source_ref, idempotency_key=key
            )
            setattr(referral, f"{side}_points", points)
            given = True
        if value and value > 0:
            voucher = voucher_issue(
                actor=None,
                customer=customer,
                value_kind="fixed",
                value=value,
                valid_until=valid_until,
                source="referral",
                source_ref=source_ref,
                idempotency_key=key,
            )
            setattr(referral, f"{side}_voucher", voucher.code)
            given = True
    if given:
        referral.status = ReferralStatus.REWARDED
        referral.rewarded_at = timezone.now()
        referral.save()
        timeline_record(
            customer=referral.referrer,
            kind="referral_rewarded",
            data={"friend": referral.name, "reward": reward_words(referral.referrer_points, referral.referrer_voucher)},
        )
        timeline_record(
            customer=referred,
            kind="referral_rewarded_friend",
            data={"reward": reward_words(referral.referred_points, referral.referred_voucher)},
        )
    return referral


def reward_words(points: int, voucher: str) -> str:
    """Return a reward as plain text ("500 points, voucher ABC123"), the same in every language."""
    parts = []
    if points:
        parts.append(f"{points} pts")
    if voucher:
        parts.append(voucher)
    return " + ".join(parts) or "—"


def _channel(customer: Customer) -> str | None:
    if customer.email:
        return MessageChannel.EMAIL
    if customer.phone:
        return MessageChannel.SMS
    return None


def _notify_referrer(referral: Referral) -> None:
    channel = _channel(referral.referrer)
    if channel is None:
        return
    message_enqueue(
        actor=None,
        customer=referral.referrer,
        template_code=CONVERTED_TEMPLATE,
        channel=channel,
        context={
            "friend": referral.masked_name,
            "points": referral.referrer_points,
            "voucher_code": referral.referrer_voucher,
            "referral_url": referral_link(code_for(customer=referral.referrer)),
        },
        idempotency_key=f"referral:{referral.pk}:notify",
    )


def _attribute_all(pairs: Iterable[tuple[int, Customer]]) -> int:
    converted = 0
    for referral_id, customer in pairs:
        try:
            result = referral_attribute(referral_id=referral_id, customer=customer)
        except Exception:
            # One referral that cannot be rewarded now (a reward service refused) must not stop the others;
            # it stays pending and the sweep tries again.
            logger.exception("Could not attribute referral %s", referral_id)
            continue
        converted += result is not None and result.status in (ReferralStatus.CONVERTED, ReferralStatus.REWARDED)
    return converted


def _matching_customers(referral: Referral) -> list[Customer]:
    matching = Q(pk__in=[])
    if referral.email:
        matching |= Q(email=referral.email)
    if referral.phone:
        matching |= Q(phone=referral.phone)
    return list(Customer.objects.filter(matching).order_by("pk"))


def referrals_attribute_sales(*, sale_ids: list[int]) -> int:
    """Attribute the new sales' customers to pending referrals of their email or phone; return how many converted."""
    customers = {sale.customer_id: sale.customer for sale in Sale.objects.filter(pk__in=sale_ids).select_related("customer")}
    pairs = []
    for customer in customers.values():
        matching = Q(pk__in=[])
        if customer.email:
            matching |= Q(email=customer.email.lower())
        if customer.phone:
            matching |= Q(phone=customer.phone)
        for referral_id in (
            Referral.objects.filter(matching, status=ReferralStatus.PENDING)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
        ):
            pairs.append((referral_id, customer))
    return _attribute_all(pairs)


def referrals_catch_up() -> int:
    """Attribute every pending referral whose friend has bought within the window (after an import, and by sweep)."""
    converted = 0
    last_id = 0
    while True:
        bought_by_email = Sale.objects.filter(
            customer__email=OuterRef("email"), sold_on__gte=OuterRef("referred_on"), sold_on__lte=OuterRef("expires_on")
        )
        bought_by_phone = Sale.objects.filter(
            customer__phone=OuterRef("phone"), sold_on__gte=OuterRef("referred_on"), sold_on__lte=OuterRef("expires_on")
        )
        due = list(
            Referral.objects.filter(status=ReferralStatus.PENDING, pk__gt=last_id)
            .filter((~Q(email="") & Exists(bought_by_email)) | (~Q(phone="") & Exists(bought_by_phone)))
            .order_by("pk")[:CATCH_UP_BATCH]
        )
        if not due:
            return converted
        last_id = due[-1].pk
        converted += _attribute_all((referral.pk, customer) for referral in due for customer in _matching_customers(referral))


@transaction.atomic
def referrals_expire(*, today: dt.date | None = None) -> int:
    """Mark pending referrals whose window has passed as expired; return how many."""
    today = today or timezone.localdate()
    stale = list(
        Referral.objects.select_for_update()
        .filter(status=ReferralStatus.PENDING, expires_on__lt=today)
        .select_related("referrer")
    )
    now = timezone.now()
    for referral in stale:
        referral.status = ReferralStatus.EXPIRED
        referral.closed_at = now
        referral.save(update_fields=["status", "closed_at", "updated_at"])
        timeline_record(customer=referral.referrer, kind="referral_expired", data={"friend": referral.name})
    return len(stale)


# --- invitations ----------------------------------------------------------------------------------


def _reward_context(programme: ReferralSettings) -> dict[str, Any]:
    return {
        "referrer_points": programme.referrer_points,
        "referrer_voucher_value": programme.referrer_voucher_value if programme.referrer_voucher_value > 0 else "",
        "friend_points": programme.referred_points,
        "friend_voucher_value": programme.referred_voucher_value if programme.referred_voucher_value > 0 else "",
        "currency": settings.DEFAULT_CURRENCY,
    }


@transaction.atomic
def referral_invite(*, actor: User | None, customer: Customer, trigger: str, idempotency_key: str) -> ReferralInvitation:
    """Send a customer an invitation to refer a friend, with their personal link, unless one went out within the cool-down."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 150:
        raise _fail("idempotency_key", _("is required (at most 150 characters)"))
    if trigger not in InvitationTrigger.values:
        raise _fail("trigger", one_of(InvitationTrigger.values), code="invalid_choice")
    existing = ReferralInvitation.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    programme = programme_settings()
    if not programme.active:
        raise Conflict(_("The referral programme is switched off."))
    # One invitation decision per customer at a time, so the cool-down holds against two triggers at once.
    customer = Customer.objects.select_for_update(no_key=True).get(pk=customer.pk)
    since = timezone.now() - dt.timedelta(days=programme.invitation_cooldown_days)
    last = (
        ReferralInvitation.objects.filter(customer=customer, status=InvitationStatus.SENT, created_at__gte=since)
        .order_by("-created_at")
        .first()
    )
    if programme.invitation_cooldown_days and last is not None:
        raise Conflict(
            interpolate(
                _("%(customer)s was invited to refer a friend on %(day)s; the next invitation may go %(days)s days after that."),
                customer=customer.name,
                day=timezone.localdate(last.created_at).isoformat(),
                days=programme.invitation_cooldown_days,
            )
        )
    if not referrer_is_active(customer):
        raise Conflict(_("Only customers who have bought from us (and whose code is on) may refer friends."))
    channel = _channel(customer)
    if channel is None:
        raise _fail("customer", _("has neither an email address nor a phone number"))
    code = code_for(customer=customer)
    message = message_enqueue(
        actor=actor,
        customer=customer,
        template_code=INVITATION_TEMPLATE,
        channel=channel,
        context={"referral_url": referral_link(code), "referral_code": code.code, **_reward_context(programme)},
        idempotency_key=f"referral-invitation:{key}",
        purpose=Purpose.MARKETING,
    )
    status = InvitationStatus.SUPPRESSED if message.status == MessageStatus.SUPPRESSED else InvitationStatus.SENT
    invitation = ReferralInvitation.objects.create(
        customer=customer, trigger=trigger, status=status, idempotency_key=key, message=message, created_by=_person(actor)
    )
    timeline_record(customer=customer, kind="referral_invited", actor=actor, data={"trigger": trigger, "status": status})
    return invitation
