"""The customer and unit timeline: one append-only event stream.

Each capability registers the kinds of event it writes, with a translatable
sentence that renders the event's ``data``; screens and the API render events
through :func:`event_describe` so the wording lives in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimelineEvent, in_language

if TYPE_CHECKING:
    from aftersales.core.models import User


@dataclass(frozen=True)
class EventKind:
    code: str
    label: Promise
    sentence: Promise
    # Data keys whose stored value is a code, translated at render time through these choices.
    choices: Mapping[str, type[models.Choices]] = field(default_factory=dict)


_KINDS: dict[str, EventKind] = {}


def kind_register(
    code: str, *, label: Promise, sentence: Promise, choices: Mapping[str, type[models.Choices]] | None = None
) -> EventKind:
    """Register a kind of timeline event with its label, sentence template and coded values.

    Store codes, not words, in ``data`` for the keys named in ``choices`` (``{"channel": "sms"}``):
    the sentence shows each code's label in the reader's language, whenever it is read. A name the
    company writes in both languages (a playbook's, a step's) is stored with its Spanish text under
    ``"<key>_es"``, which Spanish readers see when it is not empty.
    """
    kind = EventKind(code=code, label=label, sentence=sentence, choices=dict(choices or {}))
    _KINDS[code] = kind
    return kind


def kind_get(code: str) -> EventKind | None:
    """Return the registered kind for a code, if any."""
    return _KINDS.get(code)


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def event_describe(event: TimelineEvent) -> str:
    """Return the event as a sentence in the active language."""
    kind = _KINDS.get(event.kind)
    if kind is None:
        return event.kind
    values = _Defaulting(event.data or {})
    language = get_language()
    for key in [key for key in values if key.endswith("_es")]:
        if key[:-3] in values:
            values[key[:-3]] = in_language(values[key[:-3]], values[key], language)
    for key, choices in kind.choices.items():
        # Older rows kept the code beside an English word as "<key>_code".
        code = values.get(f"{key}_code", values.get(key))
        labels = dict(choices.choices)
        if code in labels:
            values[key] = str(labels[code])
    return str(kind.sentence) % values


def event_label(event: TimelineEvent) -> str:
    """Return the short label of an event's kind in the active language."""
    kind = _KINDS.get(event.kind)
    return str(kind.label) if kind else event.kind


def timeline_record(
    *,
    customer: models.Model,
    kind: str,
    unit: models.Model | None = None,
    occurred_at: dt.datetime | None = None,
    actor: User | None = None,
    data: Mapping[str, Any] | None = None,
) -> TimelineEvent:
    """Append an event to a customer's (and optionally a unit's) timeline."""
    if kind not in _KINDS:
        raise ValueError(f"Unregistered timeline event kind: {kind!r}")
    return TimelineEvent.objects.create(
        customer=customer,
        unit=unit,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        data=dict(data or {}),
    )


def timeline_build(
    *,
    customer: models.Model,
    kind: str,
    unit: models.Model | None = None,
    occurred_at: dt.datetime,
    actor: User | None = None,
    data: Mapping[str, Any] | None = None,
) -> TimelineEvent:
    """Return an unsaved event for bulk insertion (imports)."""
    return TimelineEvent(customer=customer, unit=unit, kind=kind, occurred_at=occurred_at, actor=actor, data=dict(data or {}))


def timeline_for_customer(*, customer_id: int) -> models.QuerySet[TimelineEvent]:
    """Return a customer's events, newest first, with their units and actors."""
    return TimelineEvent.objects.filter(customer_id=customer_id).select_related("unit", "unit__product", "actor")


def timeline_for_unit(*, unit_id: int) -> models.QuerySet[TimelineEvent]:
    """Return a unit's events, newest first."""
    return TimelineEvent.objects.filter(unit_id=unit_id).select_related("unit", "unit__product", "actor")


# Kinds that belong to no single capability.
kind_register("customer_created", label=_("Customer created"), sentence=_("Customer record created"))
kind_register("portal_sign_in", label=_("Portal"), sentence=_("Signed in to the customer portal"))
