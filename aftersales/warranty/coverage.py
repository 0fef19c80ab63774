"""The coverage engine: for a unit on a day, the cover in force and why, in the customer's words.

Standard warranty (from the terms the unit was sold with), then extended warranties sold (each
starting when the cover before it ends), then any coverage provider registered by another
capability (maintenance contracts) through :func:`coverage_provider_register` — the one extension
point. A unit no longer in service, or an exclusion recorded on it, ends every cover.

A unit given in place of another (a :class:`~aftersales.warranty.models.Replacement`) starts from
the replacement instead of its own delivery: it keeps the replaced unit's last covered day
(carried over), or gets the product's full standard warranty again from the replacement day
(restarted), as the product's rule said on that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import dateformat, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.catalog.models import WarrantyStart
from aftersales.core.dates import period_last_day
from aftersales.sales.models import Unit, UnitStatus
from aftersales.warranty.models import Exclusion, ExtendedWarranty, Replacement, UnitWarrantyTerms


class CoverageKind(models.TextChoices):
    # The manufacturer's or seller's warranty included with the product.
    STANDARD = "standard", _("Standard warranty")
    # An extension sold on top of the standard warranty.
    EXTENDED = "extended", _("Extended warranty")
    # A maintenance contract that includes repairs.
    CONTRACT = "contract", _("Maintenance contract")
    # Nothing covers the unit on that day.
    NONE = "none", _("Not covered")


# How a date reads inside a sentence: "1 March 2027", "1 de marzo de 2027".
LONG_DATE = pgettext_lazy("date inside a sentence (PHP-style format)", "j F Y")

_REASONS: dict[str, Promise] = {}


def reason_register(code: str, sentence: Promise) -> None:
    """Register the sentence that explains a coverage reason; ``%(name)s`` takes the answer's data."""
    _REASONS[code] = sentence


reason_register(
    "standard_delivery",
    _("Covered until %(until)s by the %(months)s-month standard warranty from delivery on %(start)s"),
)
reason_register(
    "standard_installation",
    _("Covered until %(until)s by the %(months)s-month standard warranty from installation on %(start)s"),
)
reason_register(
    "standard_purchase",
    _("Covered until %(until)s by the %(months)s-month standard warranty from the purchase on %(start)s"),
)
reason_register(
    "extended",
    _("Covered until %(until)s by a %(months)s-month extended warranty that follows the cover ending on %(follows)s"),
)
reason_register(
    "not_started_delivery",
    _("Not covered yet: the %(months)s-month standard warranty starts on delivery"),
)
reason_register(
    "not_started_installation",
    _("Not covered yet: the %(months)s-month standard warranty starts on installation"),
)
reason_register("before_start", _("Not covered on %(on)s: the warranty starts on %(start)s"))
reason_register("expired", _("Not covered: the warranty ended on %(until)s"))
reason_register("unit_replaced", _("Not covered: this unit was replaced"))
reason_register("unit_returned", _("Not covered: this unit was returned"))
reason_register("unit_scrapped", _("Not covered: this unit was scrapped"))
reason_register("excluded", _("Not covered since %(since)s: %(note)s"))
reason_register(
    "carried_over",
    _("Covered until %(until)s, carried over from serial %(old_serial)s, which this unit replaced on %(start)s"),
)
reason_register(
    "restarted",
    _("Covered until %(until)s by a new %(months)s-month warranty from %(start)s, when this unit replaced serial %(old_serial)s"),
)


def date_in_words(day: dt.date) -> str:
    """Return a day as it reads in a sentence in the active language."""
    return dateformat.format(day, str(LONG_DATE))


@dataclass(frozen=True)
class Coverage:
    """The cover in force for a unit on a day, and the reason, as codes and data."""

    covered: bool
    kind: str
    reason: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def explain(self, language: str | None = None) -> str:
        """Return the answer as one sentence in a language (the active one when None)."""
        with translation.override(language or translation.get_language()):
            sentence = _REASONS.get(self.reason)
            if sentence is None:
                return self.reason
            values = {key: date_in_words(value) if isinstance(value, dt.date) else value for key, value in self.data.items()}
            return str(sentence) % values


# A provider answers for a unit on a day with a cover in force, or None; see coverage_provider_register.
CoverageProvider = Callable[[Unit, dt.date], Coverage | None]
_PROVIDERS: list[CoverageProvider] = []


def coverage_provider_register(provider: CoverageProvider) -> CoverageProvider:
    """Add a source of cover (maintenance contracts) consulted when no warranty covers the day.

    The provider returns a covered ``Coverage`` (kind ``contract``, a reason registered with
    :func:`reason_register`) or None. Usable as a decorator; registering twice has no effect.
    """
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def coverage_provider_unregister(provider: CoverageProvider) -> None:
    """Remove a source of cover (tests, an app being switched off)."""
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def unit_terms(unit: Unit) -> UnitWarrantyTerms:
    """Return the warranty terms a unit was sold with, copying its product's terms on first use."""
    try:
        return unit.warranty_terms
    except UnitWarrantyTerms.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            terms = UnitWarrantyTerms.objects.create(
                unit=unit, months=unit.product.warranty_months, starts=unit.product.warranty_starts
            )
    except IntegrityError:  # another request copied them first
        terms = UnitWarrantyTerms.objects.get(unit=unit)
    unit.warranty_terms = terms
    return terms


def _standard_reason(unit: Unit, starts: str) -> str:
    if starts == WarrantyStart.INSTALLATION:
        return "standard_installation"
    return "standard_delivery" if unit.delivered_at else "standard_purchase"


@dataclass(frozen=True)
class _Base:
    """The first cover of a unit (standard, carried over or restarted): when it runs and why."""

    start: dt.date
    until: dt.date
    reason: str
    data: dict[str, Any]


def _replacement_of(unit: Unit) -> Replacement | None:
    # Only units given in place of another carry the link; the others cost no query.
    if unit.replaces_id is None:
        return None
    return Replacement.objects.filter(new_unit=unit).select_related("old_unit").first()


def _base_cover(unit: Unit) -> _Base | Coverage:
    """Return a unit's first cover, or the answer that it has not started (a ``Coverage``)."""
    none = CoverageKind.NONE
    terms = unit_terms(unit)
    replacement = _replacement_of(unit)
    if replacement is not None:
        old_serial = replacement.old_unit.serial
        start = replacement.replaced_on
        if replacement.carried_until is not None:
            data = {"start": start, "until": replacement.carried_until, "old_serial": old_serial}
            return _Base(start=start, until=replacement.carried_until, reason="carried_over", data=data)
        until = period_last_day(start, terms.months)
        data = {"months": terms.months, "start": start, "until": until, "old_serial": old_serial}
        return _Base(start=start, until=until, reason="restarted", data=data)
    began = unit.warranty_start_by(terms.starts)
    if began is None:
        return Coverage(covered=False, kind=none, reason=f"not_started_{terms.starts}", data={"months": terms.months})
    until = period_last_day(began, terms.months)
    data = {"months": terms.months, "start": began, "until": until}
    return _Base(start=began, until=until, reason=_standard_reason(unit, terms.starts), data=data)


def cover_last_day(unit: Unit) -> dt.date | None:
    """Return the last day any warranty (standard, carried over, extended) covers a unit, whatever its status.

    None when its warranty has not started. What a replacement unit carries over.
    """
    base = _base_cover(unit)
    if isinstance(base, Coverage):
        return None
    until = base.until
    # In the order they were sold; from the caller's prefetch of ``extended_warranties`` when it made one.
    for extension in sorted(unit.extended_warranties.all(), key=attrgetter("pk")):
        until = period_last_day(until + dt.timedelta(days=1), extension.months)
    return until


def coverage_on(*, unit: Unit, on: dt.date) -> Coverage:
    """Return the cover in force for a unit on a day, with the reason."""
    none = CoverageKind.NONE
    if unit.status != UnitStatus.IN_SERVICE:
        return Coverage(covered=False, kind=none, reason=f"unit_{unit.status}", data={"status": unit.status})
    exclusion = Exclusion.objects.filter(unit=unit, effective_on__lte=on).order_by("effective_on", "id").first()
    if exclusion is not None:
        return Coverage(
            covered=False,
            kind=none,
            reason="excluded",
            data={"since": exclusion.effective_on, "note": exclusion.note, "exclusion_id": exclusion.pk},
        )
    base = _base_cover(unit)
    if isinstance(base, Coverage):
        return base
    start, until = base.start, base.until
    if on < start:
        return Coverage(covered=False, kind=none, reason="before_start", valid_from=start, data={"on": on, "start": start})
    if on <= until:
        return Coverage(
            covered=True,
            kind=CoverageKind.STANDARD,
            reason=base.reason,
            valid_from=start,
            valid_until=until,
            data=base.data,
        )
    for extension in ExtendedWarranty.objects.filter(unit=unit).order_by("id"):
        follows, begins = until, until + dt.timedelta(days=1)
        until = period_last_day(begins, extension.months)
        if begins <= on <= until:
            return Coverage(
                covered=True,
                kind=CoverageKind.EXTENDED,
                reason="extended",
                valid_from=begins,
                valid_until=until,
                data={"months": extension.months, "follows": follows, "until": until, "extended_warranty_id": extension.pk},
            )
    for provider in _PROVIDERS:
        answer = provider(unit, on)
        if answer is not None and answer.covered:
            return answer
    return Coverage(covered=False, kind=none, reason="expired", valid_from=start, valid_until=until, data={"until": until})
