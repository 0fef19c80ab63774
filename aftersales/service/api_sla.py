"""REST endpoints for service levels: business calendars, SLA policies, escalation rules and a ticket's clocks.

Staff who see tickets may read the configuration; service managers and administrators change it.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router

from aftersales.core import calendars
from aftersales.core.errors import NotFound
from aftersales.core.models import BusinessCalendar, ClosedDay
from aftersales.core.permissions import require_perm
from aftersales.service import selectors, sla, sla_setup
from aftersales.service.api_setup import _ids_to_fields
from aftersales.service.models import EscalationRule, SlaPolicy
from aftersales.service.schemas_sla import (
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    ClockOut,
    ClosedDayIn,
    ClosedDayOut,
    EscalationRuleIn,
    EscalationRuleOut,
    EscalationRulePatch,
    HolidayOut,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
)

router = Router(tags=["service levels"])

VIEW_CALENDARS = "core.view_businesscalendar"
CHANGE_CALENDARS = "core.change_businesscalendar"
VIEW_POLICIES = "service.view_slapolicy"
CHANGE_POLICIES = "service.change_slapolicy"
VIEW_RULES = "service.view_escalationrule"
CHANGE_RULES = "service.change_escalationrule"


def _get(model: Any, pk: int, queryset: Any = None) -> Any:
    record = (queryset if queryset is not None else model._default_manager).filter(pk=pk).first()
    if record is None:
        raise NotFound(_("Not found."))
    return record


# --- calendars ------------------------------------------------------------------------------------


@router.get("/sla/calendars", response=list[CalendarOut])
def calendar_list(request: HttpRequest) -> Any:
    require_perm(request.user, VIEW_CALENDARS)
    return calendars.calendars_all()


@router.post("/sla/calendars", response={201: CalendarOut})
def calendar_create(request: HttpRequest, payload: CalendarIn) -> Any:
    require_perm(request.user, "core.add_businesscalendar")
    data = payload.dict(exclude={"hours"})
    hours = [row.dict() for row in payload.hours]
    return 201, calendars.calendar_create(actor=request.user, data=data, hours=hours)  # type: ignore[arg-type]


@router.get("/sla/calendars/{int:calendar_id}", response=CalendarOut)
def calendar_get(request: HttpRequest, calendar_id: int) -> Any:
    require_perm(request.user, VIEW_CALENDARS)
    return _get(BusinessCalendar, calendar_id, calendars.calendars_all())


@router.patch("/sla/calendars/{int:calendar_id}", response=CalendarOut)
def calendar_update(request: HttpRequest, calendar_id: int, payload: CalendarPatch) -> Any:
    require_perm(request.user, CHANGE_CALENDARS)
    data = payload.dict(exclude_unset=True, exclude={"hours"})
    hours = [row.dict() for row in payload.hours] if payload.hours is not None else None
    calendar = calendars.calendar_update(actor=request.user, calendar=_get(BusinessCalendar, calendar_id), data=data, hours=hours)  # type: ignore[arg-type]
    return _get(BusinessCalendar, calendar.pk, calendars.calendars_all())


@router.delete("/sla/calendars/{int:calendar_id}", response={204: None})
def calendar_delete(request: HttpRequest, calendar_id: int) -> Any:
    require_perm(request.user, "core.delete_businesscalendar")
    calendars.calendar_delete(actor=request.user, calendar=_get(BusinessCalendar, calendar_id))  # type: ignore[arg-type]
    return 204, None


@router.post("/sla/calendars/{int:calendar_id}/closed-days", response={201: ClosedDayOut})
def closed_day_add(request: HttpRequest, calendar_id: int, payload: ClosedDayIn) -> Any:
    require_perm(request.user, CHANGE_CALENDARS)
    calendar = _get(BusinessCalendar, calendar_id)
    return 201, calendars.closed_day_add(actor=request.user, calendar=calendar, date=payload.date, name=payload.name)  # type: ignore[arg-type]


@router.delete("/sla/calendars/{int:calendar_id}/closed-days/{int:day_id}", response={204: None})
def closed_day_remove(request: HttpRequest, calendar_id: int, day_id: int) -> Any:
    require_perm(request.user, CHANGE_CALENDARS)
    closed = _get(ClosedDay, day_id, ClosedDay.objects.filter(calendar_id=calendar_id))
    calendars.closed_day_remove(actor=request.user, closed_day=closed)  # type: ignore[arg-type]
    return 204, None


@router.get("/sla/calendars/{int:calendar_id}/holidays", response=list[HolidayOut])
def calendar_holidays(request: HttpRequest, calendar_id: int, year: int) -> Any:
    """The days a calendar is closed in a year: public holidays of its country and region, and company dates."""
    require_perm(request.user, VIEW_CALENDARS)
    calendar = _get(BusinessCalendar, calendar_id)
    return calendars.calendar_closed_dates(calendar=calendar, year=year)


# --- policies -------------------------------------------------------------------------------------


@router.get("/sla/policies", response=list[PolicyOut])
def policy_list(request: HttpRequest) -> Any:
    """Policies in the order they are tried; the first match wins."""
    require_perm(request.user, VIEW_POLICIES)
    return SlaPolicy.objects.prefetch_related("targets").order_by("position", "id")


@router.post("/sla/policies", response={201: PolicyOut})
def policy_create(request: HttpRequest, payload: PolicyIn) -> Any:
    require_perm(request.user, "service.add_slapolicy")
    data = _ids_to_fields(payload.dict(exclude_unset=True, exclude={"targets"}))
    targets = [row.dict() for row in payload.targets]
    return 201, sla_setup.sla_policy_create(actor=request.user, data=data, targets=targets)  # type: ignore[arg-type]


@router.get("/sla/policies/{int:policy_id}", response=PolicyOut)
def policy_get(request: HttpRequest, policy_id: int) -> Any:
    require_perm(request.user, VIEW_POLICIES)
    return _get(SlaPolicy, policy_id)


@router.patch("/sla/policies/{int:policy_id}", response=PolicyOut)
def policy_update(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> Any:
    require_perm(request.user, CHANGE_POLICIES)
    data = _ids_to_fields(payload.dict(exclude_unset=True, exclude={"targets"}))
    targets = [row.dict() for row in payload.targets] if payload.targets is not None else None
    policy = _get(SlaPolicy, policy_id)
    return sla_setup.sla_policy_update(actor=request.user, policy=policy, data=data, targets=targets)  # type: ignore[arg-type]


@router.delete("/sla/policies/{int:policy_id}", response={204: None})
def policy_delete(request: HttpRequest, policy_id: int) -> Any:
    require_perm(request.user, "service.delete_slapolicy")
    sla_setup.sla_policy_delete(actor=request.user, policy=_get(SlaPolicy, policy_id))  # type: ignore[arg-type]
    return 204, None


# --- escalation rules -----------------------------------------------------------------------------


@router.get("/sla/escalation-rules", response=list[EscalationRuleOut])
def escalation_rule_list(request: HttpRequest) -> Any:
    require_perm(request.user, VIEW_RULES)
    return EscalationRule.objects.order_by("position", "id")


@router.post("/sla/escalation-rules", response={201: EscalationRuleOut})
def escalation_rule_create(request: HttpRequest, payload: EscalationRuleIn) -> Any:
    require_perm(request.user, "service.add_escalationrule")
    data = _ids_to_fields(payload.dict(exclude_unset=True))
    return 201, sla_setup.escalation_rule_create(actor=request.user, data=data)  # type: ignore[arg-type]


@router.patch("/sla/escalation-rules/{int:rule_id}", response=EscalationRuleOut)
def escalation_rule_update(request: HttpRequest, rule_id: int, payload: EscalationRulePatch) -> Any:
    require_perm(request.user, CHANGE_RULES)
    data = _ids_to_fields(payload.dict(exclude_unset=True))
    rule = _get(EscalationRule, rule_id)
    return sla_setup.escalation_rule_update(actor=request.user, rule=rule, data=data)  # type: ignore[arg-type]


@router.delete("/sla/escalation-rules/{int:rule_id}", response={204: None})
def escalation_rule_delete(request: HttpRequest, rule_id: int) -> Any:
    require_perm(request.user, "service.delete_escalationrule")
    sla_setup.escalation_rule_delete(actor=request.user, rule=_get(EscalationRule, rule_id))  # type: ignore[arg-type]
    return 204, None


# --- a ticket's clocks ----------------------------------------------------------------------------


@router.get("/tickets/{int:number}/sla", response=list[ClockOut])
def ticket_sla(request: HttpRequest, number: int) -> Any:
    """The ticket's SLA clocks (staff only): level 1 first, first response before resolution."""
    require_perm(request.user, "service.view_ticket")
    ticket = selectors.tickets_visible_to(request.user).filter(number=number).first()
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return sla.ticket_clocks(ticket)
