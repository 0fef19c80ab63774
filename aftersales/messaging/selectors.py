"""Reads of the outbox: which template speaks to a customer, what a template may say, who sees which messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Product
from aftersales.core.errors import FieldError, ValidationFailed
from aftersales.core.models import Language, User
from aftersales.core.permissions import is_staff_member
from aftersales.customers.models import Customer
from aftersales.messaging.models import CONSENT_FOR_CHANNEL, Message, MessageEvent, MessageTemplate, Purpose, Unsubscribe
from aftersales.messaging.sandbox import Rendered, context_clean, render
from aftersales.sales.models import Unit

# What a template can use, shown next to the editor and in the user guide.
TEMPLATE_VARIABLES = [
    ("customer.name", _("The customer's full name")),
    ("customer.first_name", _("The first word of the customer's name")),
    ("customer.email", _("The customer's email address")),
    ("customer.phone", _("The customer's phone number")),
    ("customer.city", _("The customer's city")),
    ("unit.serial", _("The serial number of the unit the message is about")),
    ("unit.sku", _("The product code of the unit")),
    ("product", _("The product's name in the message's language")),
    ("warranty_end", _("The last day of the unit's warranty (a date: use |date)")),
    ("unit.delivered_on", _("The day the unit was delivered (a date)")),
    ("unit.installed_on", _("The day the unit was installed (a date)")),
    ("portal_url", _("The address of the customer portal")),
    ("unsubscribe_url", _("The one-click unsubscribe link (marketing only; added at the end when missing)")),
]


def template_choose(*, code: str, channel: str, language: str) -> MessageTemplate | None:
    """Return the template for a code and channel in a language, falling back to English."""
    candidates = {
        template.language: template
        for template in MessageTemplate.objects.filter(code=code, channel=channel, language__in=[language, Language.ENGLISH])
    }
    return candidates.get(language) or candidates.get(Language.ENGLISH)


def templates_filtered(*, code: str = "", channel: str = "", language: str = "", text: str = "") -> QuerySet[MessageTemplate]:
    """Return templates matching the given filters, ordered by code, channel and language."""
    queryset = MessageTemplate.objects.select_related("updated_by")
    if code:
        queryset = queryset.filter(code=code)
    if channel:
        queryset = queryset.filter(channel=channel)
    if language:
        queryset = queryset.filter(language=language)
    if text:
        queryset = queryset.filter(
            Q(code__icontains=text)
            | Q(subject__icontains=text)
            | Q(description__icontains=text)
            | Q(description_es__icontains=text)
        )
    return queryset.order_by("code", "channel", "language")


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def customer_data(customer: Customer) -> dict[str, Any]:
    """Return what a template may know about a customer."""
    name = customer.name.strip()
    return {
        "name": name,
        "first_name": name.split()[0] if name else "",
        "email": customer.email,
        "phone": customer.phone,
        "city": customer.city,
    }


def unit_data(unit: Unit, *, language: str) -> dict[str, Any]:
    """Return what a template may know about a unit, with the product named in the language."""
    return {
        "serial": unit.serial,
        "sku": unit.product.sku,
        "product": unit.product.display_name(language),
        "warranty_end": unit.warranty_end,
        "delivered_on": _local_date(unit.delivered_at),
        "installed_on": _local_date(unit.installed_at),
    }


def message_context(
    *, customer: Customer, language: str, unit: Unit | None = None, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the plain data a message template is rendered with."""
    context: dict[str, Any] = {
        "customer": customer_data(customer),
        "portal_url": f"{settings.SITE_URL}/portal/",
        "site_url": settings.SITE_URL,
    }
    if unit is not None:
        context["unit"] = unit_data(unit, language=language)
        context["product"] = context["unit"]["product"]
        context["warranty_end"] = context["unit"]["warranty_end"]
    context.update(context_clean(extra or {}))
    return context


def sample_context(*, language: str, customer: Customer | None = None) -> dict[str, Any]:
    """Return a context for previews: a chosen customer with their latest unit, or a made-up pair."""
    if customer is not None:
        unit = Unit.objects.filter(customer=customer).select_related("product", "sale_line__sale").first()
        return message_context(customer=customer, language=language, unit=unit, extra=_sample_extra())
    name = "Ana García Ruiz" if language == Language.SPANISH else "Alex Morgan"
    sample_customer = Customer(name=name, email="ana@example.com", phone="+34600123456", city="Madrid", language=language)
    product = Product(sku="WM-8000", name="Washing machine WM-8000", name_es="Lavadora WM-8000", warranty_months=24)
    delivered = timezone.now() - dt.timedelta(days=300)
    sample_unit = Unit(product=product, serial="WM8-2024-000123", delivered_at=delivered, customer=sample_customer)
    return message_context(customer=sample_customer, language=language, unit=sample_unit, extra=_sample_extra())


def _sample_extra() -> dict[str, Any]:
    return {
        "link": f"{settings.SITE_URL}/portal/auth/?token=sample",
        "unsubscribe_url": f"{settings.SITE_URL}/u/sample/",
    }


def body_with_unsubscribe(body: str, *, link: str, language: str) -> str:
    """Return a marketing body that carries its unsubscribe link, adding a footer when the template left it out."""
    if not link or link in body:
        return body
    with translation.override(language):
        footer = gettext("Unsubscribe: %(url)s") % {"url": link}
    return f"{body}\n{footer}\n"


def template_preview(*, subject: str, body: str, language: str, purpose: str, customer: Customer | None = None) -> Rendered:
    """Render template text for a sample (or chosen) customer, as the customer would receive it."""
    context = sample_context(language=language, customer=customer)
    rendered = render(subject=subject, body=body, context=context, language=language)
    if purpose == Purpose.MARKETING:
        link = str(context["unsubscribe_url"])
        return Rendered(subject=rendered.subject, body=body_with_unsubscribe(rendered.body, link=link, language=language))
    return rendered


def message_by_key(key: str) -> Message | None:
    """Return the message queued under an idempotency key, if any."""
    return Message.objects.filter(idempotency_key=key).first()


def messages_visible_to(user: Any) -> QuerySet[Message]:
    """Return the messages a user may see: all for staff with the permission, none otherwise."""
    if is_staff_member(user) and user.has_perm("messaging.view_message"):
        return Message.objects.select_related("customer", "unit", "assignee")
    return Message.objects.none()


def messages_filtered(
    *,
    queryset: QuerySet[Message],
    customer_id: int | None = None,
    status: str = "",
    channel: str = "",
    purpose: str = "",
    assignee_id: int | None = None,
    text: str = "",
) -> QuerySet[Message]:
    """Return the messages matching the filters, newest first."""
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    if status:
        queryset = queryset.filter(status=status)
    if channel:
        queryset = queryset.filter(channel=channel)
    if purpose:
        queryset = queryset.filter(purpose=purpose)
    if assignee_id:
        queryset = queryset.filter(assignee_id=assignee_id)
    if text:
        queryset = queryset.filter(
            Q(subject__icontains=text) | Q(recipient__icontains=text) | Q(customer__name__icontains=text) | Q(template_code=text)
        )
    return queryset.order_by("-created_at", "-id")


def message_with_events(*, queryset: QuerySet[Message], message_id: int) -> Message | None:
    """Return one message with its delivery log in order, or None when it is not visible."""
    events = Prefetch("events", queryset=MessageEvent.objects.select_related("actor").order_by("occurred_at", "id"))
    return queryset.prefetch_related(events).filter(pk=message_id).first()


def staff_member(user_id: int, *, field: str) -> User:
    """Return an active staff member by id, or refuse the field naming the reason."""
    user = User.objects.filter(pk=user_id, is_staff=True, is_active=True).first()
    if user is None:
        raise ValidationFailed(errors=[FieldError(field=field, reason=_("is not an active staff member"))])
    return user


def customer_unsubscribed_on(customer: Customer) -> dict[str, dt.datetime]:
    """Return, per consent channel (email, sms, phone, post) the customer has not agreed to, when they last opted out."""
    consent_channel = {str(channel): consent for channel, consent in CONSENT_FOR_CHANNEL.items()}
    latest: dict[str, dt.datetime] = {}
    opt_outs = Unsubscribe.objects.filter(customer=customer).order_by("created_at", "pk").values_list("channel", "created_at")
    for channel, moment in opt_outs:
        consent = consent_channel.get(channel)
        if consent and not customer.has_consent(consent):
            latest[consent] = moment  # in order, so the latest opt-out wins
    return latest
