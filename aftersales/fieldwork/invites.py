"""What the customer receives about a booked visit: the iCalendar invitation and the signed email links.

The invitation keeps one UID per work order and raises its SEQUENCE on every change, so calendar
programs update (or, with ``METHOD:CANCEL``, remove) the same event instead of adding another.

A link names one work order and the booking revision it was sent for; it expires after
``FIELDWORK_LINK_MAX_AGE_DAYS`` and stops working as soon as the visit is moved again, so an old
email can never confirm a date the customer was not offered. It opens nothing but that visit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from aftersales.fieldwork.models import WorkOrder
from aftersales.messaging.backends import EmailAttachment
from aftersales.messaging.rules import customer_zone

SALT = "aftersales.fieldwork.visit-link"
# The date of a visit in an email, in the customer's language ("Tuesday, 5 May 2026, 10:00").
WHEN_FORMATS = {"en": "l, j F Y, H:i", "es": "l j \\d\\e F \\d\\e Y, H:i"}


def when_text(at: dt.datetime, *, language: str, time_zone: str = "") -> str:
    """Return an instant as a sentence-ready date and time in a customer's language and time zone."""
    local = at.astimezone(customer_zone(time_zone))
    with translation.override(language):
        return date_format(local, WHEN_FORMATS.get(language, WHEN_FORMATS["en"]))


def invitation_uid(order: WorkOrder) -> str:
    """Return the stable iCalendar UID of a work order's visit."""
    host = urlsplit(settings.SITE_URL).hostname or "aftersales.local"
    return f"work-order-{order.pk}@{host}"


def invitation_ics(order: WorkOrder, *, cancel: bool = False) -> bytes:
    """Return the .ics for a booked visit (METHOD:REQUEST), or its cancellation (METHOD:CANCEL)."""
    customer = order.customer
    with translation.override(customer.language):
        kind = str(order.get_kind_display())
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Aftersales//Field service//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", invitation_uid(order))
    event.add("sequence", order.ics_sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    if order.scheduled_start and order.scheduled_end:
        event.add("dtstart", order.scheduled_start.astimezone(dt.UTC))
        event.add("dtend", order.scheduled_end.astimezone(dt.UTC))
    event.add("summary", f"{kind} {order.reference}")
    if order.address:
        event.add("location", order.address)
    if order.description:
        event.add("description", order.description)
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "service@example.com"
    event.add("organizer", f"mailto:{organizer}")
    if customer.email:
        attendee = icalendar.vCalAddress(f"mailto:{customer.email}")
        attendee.params["cn"] = icalendar.vText(customer.name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def invitation_store(order: WorkOrder, *, cancel: bool = False) -> EmailAttachment:
    """Write the .ics to the private storage and return it as an email attachment."""
    name = f"fieldwork/invitations/{order.pk}-{order.ics_sequence}-{secrets.token_hex(8)}.ics"
    path = default_storage.save(name, ContentFile(invitation_ics(order, cancel=cancel)))
    method = "CANCEL" if cancel else "REQUEST"
    return EmailAttachment(path=path, name="invite.ics", content_type=f"text/calendar; method={method}; charset=utf-8")


# --- signed links ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitLink:
    """What a valid link names: one work order at one booking revision."""

    work_order_id: int
    revision: int


def link_max_age() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "FIELDWORK_LINK_MAX_AGE_DAYS", 30)))


def visit_token(order: WorkOrder) -> str:
    """Return the signed token for a visit's confirm/reschedule link at its current booking revision."""
    return signing.dumps({"w": order.pk, "r": order.ics_sequence}, salt=SALT, compress=False)


def visit_url(order: WorkOrder) -> str:
    """Return the absolute link a customer follows to confirm or move a visit."""
    return f"{settings.SITE_URL}{reverse('portal:visit_link', kwargs={'token': visit_token(order)})}"


def visit_link_read(token: str) -> VisitLink | None:
    """Return what a token names, or None when it was tampered with, is malformed or has expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_max_age())
        return VisitLink(work_order_id=int(data["w"]), revision=int(data["r"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
