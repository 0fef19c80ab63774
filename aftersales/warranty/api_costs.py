"""REST endpoint of the cost of after-sales: the ledger summed per product, category, source, kind or month.

Managers and administrators only (``warranty.view_costentry``).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from ninja import Router

from aftersales.core.errors import FieldError, ValidationFailed, one_of
from aftersales.core.permissions import require_perm
from aftersales.warranty.models import CostKind, CostSource
from aftersales.warranty.schemas_returns import CostReportOut
from aftersales.warranty.selectors_costs import GROUPINGS, cost_summary

router = Router(tags=["costs"])


def period_parse(start: str, end: str) -> tuple[dt.date, dt.date, list[FieldError]]:
    """Return a period from two ISO dates (the current month when empty) and why they are refused."""
    errors: list[FieldError] = []
    today = timezone.localdate()
    days: dict[str, dt.date] = {"start": today.replace(day=1), "end": today}
    for field, raw in (("start", start), ("end", end)):
        if not raw:
            continue
        try:
            days[field] = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(FieldError(field=field, reason=_("must be a date like 2025-06-01")))
    if not errors and days["end"] < days["start"]:
        errors.append(FieldError(field="end", reason=_("must not be before the start")))
    return days["start"], days["end"], errors


@router.get("/costs/summary", response=CostReportOut)
def costs_summary(
    request: HttpRequest,
    start: str = "",
    end: str = "",
    group_by: str = "product",
    source: str = "",
    kind: str = "",
    category_id: int | None = None,
    product_id: int | None = None,
) -> Any:
    """Return after-sales costs in a period (the current month by default), company-borne and billed, per group."""
    require_perm(request.user, "warranty.view_costentry")
    first, last, errors = period_parse(start, end)
    if group_by not in GROUPINGS:
        errors.append(FieldError(field="group_by", reason=one_of(GROUPINGS)))
    if source and source not in CostSource.values:
        errors.append(FieldError(field="source", reason=one_of(CostSource.values)))
    if kind and kind not in CostKind.values:
        errors.append(FieldError(field="kind", reason=one_of(CostKind.values)))
    if errors:
        raise ValidationFailed(errors=errors)
    report = cost_summary(
        start=first,
        end=last,
        group_by=group_by,
        source=source,
        kind=kind,
        category_id=category_id,
        product_id=product_id,
        language=translation.get_language() or "en",
    )
    return CostReportOut.of(report)
