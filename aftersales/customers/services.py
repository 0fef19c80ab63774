"""Every write to customers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.emails import validate_email
from aftersales.core.errors import FieldError, Text, ValidationFailed, interpolate, one_of
from aftersales.core.models import Language, User
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import AgeBand, Channel, Customer, EducationLevel, Segment
from aftersales.customers.phones import InvalidPhone, phone_normalize

EDITABLE_FIELDS = (
    "name",
    "email",
    "phone",
    "language",
    "birthday",
    "time_zone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "region",
    "country",
    "age_band",
    "education_level",
    "external_ref",
    "notes",
)

# Language.values builds its list anew on each use; imports clean hundreds of thousands of customers.
_LANGUAGES = frozenset(Language.values)


def customer_clean(
    data: Mapping[str, Any], *, line: int | None = None, prefix: str = ""
) -> tuple[dict[str, Any], list[FieldError]]:
    """Return normalised customer fields and the reasons any of them is refused."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}

    def fail(name: str, reason: Text) -> None:
        errors.append(FieldError(field=prefix + name, reason=reason, line=line))

    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = value.strip()
        cleaned[name] = value if value is not None else ""

    if "name" in cleaned and not cleaned["name"]:
        fail("name", _("is required"))
    elif len(str(cleaned.get("name", ""))) > 200:
        fail("name", interpolate(_("is longer than %(limit)s characters"), limit=200))
    if cleaned.get("email"):
        cleaned["email"] = str(cleaned["email"]).lower()
        try:
            validate_email(cleaned["email"])
        except DjangoValidationError:
            fail("email", interpolate(_("%(value)r is not a valid email address"), value=cleaned["email"]))
    if cleaned.get("phone"):
        try:
            cleaned["phone"] = phone_normalize(str(cleaned["phone"]))
        except InvalidPhone:
            fail("phone", interpolate(_("%(value)r is not a valid phone number"), value=cleaned["phone"]))
    if "language" in cleaned:
        cleaned["language"] = cleaned["language"] or Language.ENGLISH
        if cleaned["language"] not in _LANGUAGES:
            fail("language", one_of(Language.values))
    if "birthday" in cleaned:
        if cleaned["birthday"] in ("", None):
            cleaned["birthday"] = None
        elif isinstance(cleaned["birthday"], str):
            try:
                cleaned["birthday"] = dt.date.fromisoformat(cleaned["birthday"])
            except ValueError:
                fail("birthday", _("must be a date as YYYY-MM-DD"))
    if isinstance(cleaned.get("birthday"), dt.date) and cleaned["birthday"] > timezone.localdate():
        fail("birthday", _("is in the future"))
    if cleaned.get("country"):
        cleaned["country"] = str(cleaned["country"]).upper()
        if len(cleaned["country"]) != 2 or not cleaned["country"].isalpha():
            fail("country", _("must be a two-letter ISO code such as ES"))
    if cleaned.get("age_band") and cleaned["age_band"] not in AgeBand.values:
        fail("age_band", one_of(v for v in AgeBand.values if v))
    if cleaned.get("education_level") and cleaned["education_level"] not in EducationLevel.values:
        fail("education_level", one_of(v for v in EducationLevel.values if v))
    return cleaned, errors


def _email_taken(email: str, *, exclude_id: int | None = None) -> bool:
    query = Customer.objects.filter(email=email)
    if exclude_id is not None:
        query = query.exclude(pk=exclude_id)
    return bool(email) and query.exists()


def _segments_set(customer: Customer, slugs: Iterable[str]) -> None:
    segments = [segment_get_or_create(slug=slug) for slug in slugs if slug.strip()]
    customer.segments.set(segments)


def segment_get_or_create(*, slug: str, name: str | None = None) -> Segment:
    """Return the segment with a code, creating it when new."""
    from django.utils.text import slugify

    code = slugify(slug)[:50]
    segment, _created = Segment.objects.get_or_create(slug=code, defaults={"name": name or slug.strip()})
    return segment


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    data: Mapping[str, Any],
    consents: Iterable[str] = (),
    segments: Iterable[str] = (),
) -> Customer:
    """Create a customer; email must be unused and each field valid."""
    cleaned, errors = customer_clean({"name": "", **data})
    if cleaned.get("email") and _email_taken(cleaned["email"]):
        errors.append(FieldError(field="email", reason=_("another customer already uses this email"), code="duplicate"))
    bad_channels = [c for c in consents if c not in Channel.values]
    if bad_channels:
        errors.append(FieldError(field="consents", reason=interpolate(_("unknown channel %(value)r"), value=bad_channels[0])))
    if errors:
        raise ValidationFailed(errors=errors)
    customer = Customer.objects.create(**cleaned)
    now = timezone.now()
    for channel in consents:
        setattr(customer, f"consent_{channel}_at", now)
    if consents:
        customer.save()
    _segments_set(customer, segments)
    timeline_record(customer=customer, kind="customer_created", actor=actor)
    return customer


@transaction.atomic
def customer_update(
    *, actor: User | None, customer: Customer, data: Mapping[str, Any], segments: Iterable[str] | None = None
) -> Customer:
    """Change a customer's details; every field is validated as on creation."""
    cleaned, errors = customer_clean(data)
    if cleaned.get("email") and _email_taken(cleaned["email"], exclude_id=customer.pk):
        errors.append(FieldError(field="email", reason=_("another customer already uses this email"), code="duplicate"))
    if errors:
        raise ValidationFailed(errors=errors)
    for name, value in cleaned.items():
        setattr(customer, name, value)
    customer.save()
    if segments is not None:
        _segments_set(customer, segments)
    if "language" in cleaned and customer.user_id:
        User.objects.filter(pk=customer.user_id).update(language=customer.language)
    return customer


@transaction.atomic
def customer_set_consent(*, actor: User | None, customer: Customer, channel: str, given: bool) -> Customer:
    """Record that consent for a channel was given now, or withdrawn."""
    if channel not in Channel.values:
        raise ValidationFailed(errors=[FieldError(field="channel", reason=one_of(Channel.values))])
    field = f"consent_{channel}_at"
    current = getattr(customer, field)
    if given == (current is not None):
        return customer
    setattr(customer, field, timezone.now() if given else None)
    customer.save(update_fields=[field, "updated_at"])
    timeline_record(
        customer=customer,
        kind="consent_changed",
        actor=actor,
        data={"channel": channel, "state": "given" if given else "withdrawn"},
    )
    return customer


@transaction.atomic
def customer_set_preferences(*, actor: User | None, customer: Customer, language: str, consents: Iterable[str]) -> Customer:
    """Set the customer's preferred language and exactly the channels they agree to be contacted on."""
    wanted = {str(channel) for channel in consents}
    errors: list[FieldError] = []
    if language not in Language.values:
        errors.append(FieldError(field="language", reason=one_of(Language.values)))
    unknown = sorted(wanted - set(Channel.values))
    if unknown:
        errors.append(FieldError(field="consents", reason=interpolate(_("unknown channel %(value)r"), value=unknown[0])))
    if errors:
        raise ValidationFailed(errors=errors)
    if language != customer.language:
        customer_update(actor=actor, customer=customer, data={"language": language})
        timeline_record(customer=customer, kind="language_changed", actor=actor, data={"language": language})
    # A channel already agreed keeps the day it was agreed; only changes are recorded.
    for channel in Channel.values:
        customer_set_consent(actor=actor, customer=customer, channel=channel, given=channel in wanted)
    return customer


@transaction.atomic
def customer_portal_user(*, customer: Customer) -> User:
    """Return the customer's portal account, creating it on first use."""
    if customer.user_id:
        user = customer.user
        assert user is not None
        if user.email != customer.email or user.language != customer.language:
            user.email, user.language = customer.email, customer.language
            user.save(update_fields=["email", "language"])
        return user
    user = User.objects.create(
        username=f"customer-{customer.pk}",
        email=customer.email,
        first_name=customer.name[:150],
        is_staff=False,
        language=customer.language,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    customer.user = user
    customer.save(update_fields=["user", "updated_at"])
    return user
