"""REST endpoints of contests: contests (edited while draft, opened, closed, drawn), entries, exclusions,
the audit data and the results. The audit data and results of a published contest are public."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.catalog.models import Category
from aftersales.contests import selectors, services
from aftersales.contests.models import Contest, ContestStatus
from aftersales.contests.schemas import (
    AuditOut,
    ContestFilter,
    ContestIn,
    ContestOut,
    ContestTermsPatch,
    EntryFilter,
    EntryOut,
    ExclusionIn,
    ExclusionOut,
    ManualEntryIn,
    ResultOut,
)
from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.models import User
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.customers.models import Customer

router = Router(tags=["contests"])
VIEW = "contests.view_contest"
EDIT = "contests.change_contest"
ADD = "contests.add_contest"
RUN = "contests.run_contest"
MANUAL = "contests.add_manual_entry"


def _contest(contest_id: int) -> Contest:
    contest = Contest.objects.prefetch_related("categories").filter(pk=contest_id).first()
    if contest is None:
        raise NotFound(_("No such contest."))
    return contest


def _public(contest_id: int) -> Contest:
    """Return a contest anyone may audit: an open, closed or drawn one."""
    contest = _contest(contest_id)
    if contest.status not in selectors.PUBLIC_STATUSES:
        raise NotFound(_("No such contest."))
    return contest


def _actor(request: HttpRequest) -> User:
    # Every writing endpoint has checked a staff permission first, so the caller is a signed-in user.
    assert isinstance(request.user, User)
    return request.user


def _customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed(errors=[FieldError(field="customer_id", reason=_("no such customer"))])
    return customer


def _terms(payload: ContestTermsPatch) -> dict[str, Any]:
    terms = payload.dict(exclude_unset=True)
    category_ids = terms.pop("category_ids", None)
    if category_ids is not None:
        categories = list(Category.objects.filter(pk__in=category_ids))
        if len(categories) != len(set(category_ids)):
            raise ValidationFailed(errors=[FieldError(field="category_ids", reason=_("names a category that does not exist"))])
        terms["categories"] = categories
    return terms


@router.get("/", response=list[ContestOut])
@paginate(Paged)
def contest_list(request: HttpRequest, filters: Query[ContestFilter]) -> Any:
    """List contests, newest window first."""
    require_perm(request.user, VIEW)
    return selectors.contests_filtered(status=filters.status, text=filters.q).prefetch_related("categories")


@router.post("/", response={201: ContestOut})
def contest_create(request: HttpRequest, payload: ContestIn) -> Any:
    """Create a draft contest."""
    require_perm(request.user, ADD)
    return 201, services.contest_create(actor=_actor(request), terms=_terms(payload))


@router.get("/{int:contest_id}", response=ContestOut)
def contest_detail(request: HttpRequest, contest_id: int) -> Any:
    """Return a contest with its rules and published audit data."""
    require_perm(request.user, VIEW)
    return _contest(contest_id)


@router.patch("/{int:contest_id}", response=ContestOut)
def contest_update(request: HttpRequest, contest_id: int, payload: ContestTermsPatch) -> Any:
    """Change a draft contest (409 once it is open)."""
    require_perm(request.user, EDIT)
    return services.contest_update(actor=_actor(request), contest=_contest(contest_id), terms=_terms(payload))


@router.delete("/{int:contest_id}", response={204: None})
def contest_delete(request: HttpRequest, contest_id: int) -> Any:
    """Delete a draft contest (an opened one is cancelled instead, so its audit data stays)."""
    require_perm(request.user, EDIT)
    services.contest_delete(actor=_actor(request), contest=_contest(contest_id))
    return 204, None


@router.post("/{int:contest_id}/open", response=ContestOut)
def contest_open(request: HttpRequest, contest_id: int) -> Any:
    """Open a draft contest, drawing its seed and publishing the seed's hash."""
    require_perm(request.user, RUN)
    return services.contest_open(actor=_actor(request), contest=_contest(contest_id))


@router.post("/{int:contest_id}/close", response=ContestOut)
def contest_close(request: HttpRequest, contest_id: int) -> Any:
    """Freeze the entries of a contest whose window ended and publish their digest."""
    require_perm(request.user, RUN)
    return services.contest_close(actor=_actor(request), contest=_contest(contest_id))


@router.post("/{int:contest_id}/draw", response=ContestOut)
def contest_draw(request: HttpRequest, contest_id: int) -> Any:
    """Draw the winners of a closed contest, publish the seed and notify the winners."""
    require_perm(request.user, RUN)
    return services.contest_draw(actor=_actor(request), contest=_contest(contest_id))


@router.post("/{int:contest_id}/cancel", response=ContestOut)
def contest_cancel(request: HttpRequest, contest_id: int) -> Any:
    """Call a contest off before its draw."""
    require_perm(request.user, RUN)
    return services.contest_cancel(actor=_actor(request), contest=_contest(contest_id))


@router.get("/{int:contest_id}/entries", response=list[EntryOut])
@paginate(Paged)
def entry_list(request: HttpRequest, contest_id: int, filters: Query[EntryFilter]) -> Any:
    """List a contest's entries in entry-number order (numbers appear when the entries are frozen)."""
    require_perm(request.user, VIEW, "contests.view_entry")
    return selectors.entries_of_contest(contest=_contest(contest_id), text=filters.q, source=filters.source)


@router.post("/{int:contest_id}/entries", response={201: list[EntryOut]})
def entry_add(request: HttpRequest, contest_id: int, payload: ManualEntryIn) -> Any:
    """Give a customer entries by hand, with a reason."""
    require_perm(request.user, MANUAL)
    entries = services.entry_manual_add(
        actor=_actor(request),
        contest=_contest(contest_id),
        customer=_customer(payload.customer_id),
        count=payload.count,
        reason=payload.reason,
        idempotency_key=payload.idempotency_key,
    )
    return 201, entries


@router.get("/{int:contest_id}/exclusions", response=list[ExclusionOut])
def exclusion_list(request: HttpRequest, contest_id: int) -> Any:
    """List the customers who cannot win this contest (its list and the customers flagged for all)."""
    require_perm(request.user, VIEW)
    return list(selectors.exclusions_for(contest=_contest(contest_id)))


@router.post("/{int:contest_id}/exclusions", response={201: ExclusionOut})
def exclusion_add(request: HttpRequest, contest_id: int, payload: ExclusionIn) -> Any:
    """Bar a customer from winning this contest."""
    require_perm(request.user, MANUAL)
    contest = _contest(contest_id)
    return 201, services.exclusion_add(
        actor=_actor(request), contest=contest, customer=_customer(payload.customer_id), reason=payload.reason
    )


@router.get("/{int:contest_id}/audit", response=AuditOut, auth=None)
def contest_audit(request: HttpRequest, contest_id: int) -> Any:
    """Return the audit data of a published contest (public): seed hash, entry digest, seed and winners after the draw."""
    return selectors.audit_of(contest=_public(contest_id))


@router.get("/{int:contest_id}/entries.csv", auth=None)
def contest_entries_csv(request: HttpRequest, contest_id: int) -> HttpResponse:
    """Return the frozen entry list as CSV (public once frozen), to verify the digest and the draw."""
    contest = _public(contest_id)
    if contest.frozen_at is None:
        raise NotFound(_("The entry list is published when entries close."))
    response = HttpResponse(selectors.entries_csv(contest=contest), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contest-{contest.code}-entries.csv"'
    return response


@router.get("/{int:contest_id}/results", response=list[ResultOut], auth=None)
def contest_results(request: HttpRequest, contest_id: int) -> Any:
    """Return a drawn contest's winners as the public sees them: first name, initial and city."""
    contest = _public(contest_id)
    if contest.status != ContestStatus.DRAWN:
        return []
    return [
        {"rank": winner.rank, "name": winner.public_name, "prize": contest.display_prize}
        for winner in selectors.winners_of(contest=contest)
    ]
