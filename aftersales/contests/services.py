"""Every write of contests: the contest's life (draft → open → closed → drawn), entries, exclusions, the draw.

Entries are one row per ticket, unique per (contest, source, reference, n): a signal and a later catch-up
for the same sale, answer or referral find the rows already there and add nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import CharField, Count, DecimalField, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Cast, Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.contests import draw as drawing
from aftersales.contests.models import Contest, ContestStatus, Entry, EntrySource, Exclusion, Winner, customer_ref
from aftersales.core.errors import Conflict, FieldError, NotFound, ValidationFailed, interpolate
from aftersales.core.models import User
from aftersales.core.timeline import timeline_build, timeline_record
from aftersales.customers.models import Customer
from aftersales.messaging.services import message_enqueue
from aftersales.offers.services import voucher_issue
from aftersales.sales.models import Sale, SaleLine

WINNER_TEMPLATE = "contest_winner"
TEXT_FIELDS = ("code", "name", "name_es", "rules", "rules_es", "prize", "prize_es")
TERM_FIELDS = (
    *TEXT_FIELDS,
    "opens_at",
    "closes_at",
    "draw_at",
    "winners_count",
    "prize_voucher_value",
    "prize_voucher_valid_days",
    "entries_per_sale",
    "sale_amount_step",
    "entries_per_survey",
    "entries_per_referral",
    "max_entries_per_customer",
    "exclude_staff",
)
MAX_MANUAL_ENTRIES = 100


def _terms_check(contest: Contest) -> list[FieldError]:
    errors: list[FieldError] = []
    if not contest.code:
        errors.append(FieldError(field="code", reason=_("is required")))
    elif Contest.objects.filter(code=contest.code).exclude(pk=contest.pk).exists():
        errors.append(FieldError(field="code", reason=_("is already used by another contest")))
    for field in ("name", "prize"):
        if not (getattr(contest, field) or "").strip():
            errors.append(FieldError(field=field, reason=_("is required")))
    dates_known = True
    for field in ("opens_at", "closes_at", "draw_at"):
        value = getattr(contest, field)
        if value is None:
            errors.append(FieldError(field=field, reason=_("is required")))
            dates_known = False
        elif timezone.is_naive(value):
            errors.append(FieldError(field=field, reason=_("must include a time zone")))
            dates_known = False
    if dates_known:
        if contest.closes_at <= contest.opens_at:
            errors.append(FieldError(field="closes_at", reason=_("must be after the opening")))
        if contest.draw_at < contest.closes_at:
            errors.append(FieldError(field="draw_at", reason=_("must not be before entries close")))
    if not contest.winners_count or contest.winners_count < 1:
        errors.append(FieldError(field="winners_count", reason=_("must be at least 1")))
    if contest.prize_voucher_value is not None and contest.prize_voucher_value <= 0:
        errors.append(FieldError(field="prize_voucher_value", reason=_("must be more than zero")))
    if contest.sale_amount_step is not None and contest.sale_amount_step <= 0:
        errors.append(FieldError(field="sale_amount_step", reason=_("must be more than zero")))
    if contest.prize_voucher_valid_days < 1:
        errors.append(FieldError(field="prize_voucher_valid_days", reason=_("must be at least 1")))
    if contest.max_entries_per_customer is not None and contest.max_entries_per_customer < 1:
        errors.append(FieldError(field="max_entries_per_customer", reason=_("must be at least 1 (or empty for no limit)")))
    for field in ("entries_per_sale", "entries_per_survey", "entries_per_referral"):
        value = getattr(contest, field)
        if value is None or value < 0 or value > MAX_MANUAL_ENTRIES:
            errors.append(FieldError(field=field, reason=interpolate(_("must be between 0 and %(max)s"), max=MAX_MANUAL_ENTRIES)))
    return errors


def _terms_apply(contest: Contest, terms: Mapping[str, Any]) -> None:
    unknown = sorted(set(terms) - set(TERM_FIELDS) - {"categories"})
    if unknown:
        raise ValidationFailed(errors=[FieldError(field=name, reason=_("is not a contest field")) for name in unknown])
    for name, value in terms.items():
        if name == "categories":
            continue
        if name in TEXT_FIELDS:
            value = (value or "").strip()
        setattr(contest, name, value)


def _categories_set(contest: Contest, categories: Iterable[Category] | None) -> None:
    if categories is not None:
        contest.categories.set(list(categories))


@transaction.atomic
def contest_create(*, actor: User | None, terms: Mapping[str, Any]) -> Contest:
    """Create a contest as a draft: nothing is published and no entries are earned until it opens."""
    contest = Contest(created_by=actor)
    _terms_apply(contest, terms)
    errors = _terms_check(contest)
    if errors:
        raise ValidationFailed(errors=errors)
    contest.save()
    _categories_set(contest, terms.get("categories"))
    return contest


@transaction.atomic
def contest_update(*, actor: User | None, contest: Contest, terms: Mapping[str, Any]) -> Contest:
    """Change a draft contest's terms; once open, its rules are published and cannot change."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status != ContestStatus.DRAFT:
        raise Conflict(_("Only a draft contest can be edited."))
    _terms_apply(contest, terms)
    errors = _terms_check(contest)
    if errors:
        raise ValidationFailed(errors=errors)
    contest.save()
    _categories_set(contest, terms.get("categories"))
    return contest


@transaction.atomic
def contest_delete(*, actor: User | None, contest: Contest) -> None:
    """Delete a draft contest; an opened one has published data and is cancelled instead."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status != ContestStatus.DRAFT:
        raise Conflict(_("Only a draft contest can be deleted; cancel it instead."))
    contest.delete()


@transaction.atomic
def contest_open(*, actor: User | None, contest: Contest, now: dt.datetime | None = None) -> Contest:
    """Open a draft contest: draw its secret seed now and publish the seed's SHA-256.

    ``now`` lets the demo open a contest as of a past day; everyone else opens it as of the present.
    """
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status != ContestStatus.DRAFT:
        raise Conflict(_("Only a draft contest can be opened."))
    now = now or timezone.now()
    if contest.closes_at <= now:
        raise ValidationFailed(errors=[FieldError(field="closes_at", reason=_("has already passed"))])
    seed = secrets.token_bytes(32)
    contest.seed = seed.hex()
    contest.seed_hash = drawing.seed_hash(seed)
    contest.status = ContestStatus.OPEN
    contest.opened_at = now
    contest.save(update_fields=["seed", "seed_hash", "status", "opened_at", "updated_at"])
    return contest


@transaction.atomic
def contest_cancel(*, actor: User | None, contest: Contest) -> Contest:
    """Call off a contest before its draw; its entries stay for the record, nobody wins."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status in (ContestStatus.DRAWN, ContestStatus.CANCELLED):
        raise Conflict(_("A drawn or cancelled contest cannot be cancelled."))
    contest.status = ContestStatus.CANCELLED
    contest.cancelled_at = timezone.now()
    contest.save(update_fields=["status", "cancelled_at", "updated_at"])
    return contest


# -- entries ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """Entries a customer earned from one source."""

    customer_id: int
    source: str
    source_ref: str
    count: int
    occurred_at: dt.datetime
    reason: str = ""


def _in_window(contest: Contest, moment: dt.datetime) -> bool:
    return contest.opens_at <= moment <= contest.closes_at


def _window_days(contest: Contest) -> tuple[dt.date, dt.date]:
    return timezone.localdate(contest.opens_at), timezone.localdate(contest.closes_at)


def _grants_write(contest: Contest, grants: list[Grant], *, actor: User | None = None, record: bool = True) -> list[Entry]:
    """Write the entries of grants not yet written, within the contest's maximum per customer.

    The customers' rows are locked (in id order) while their entries are counted, so two receivers
    for one customer cannot both pass the maximum.
    """
    grants = [grant for grant in grants if grant.count > 0]
    if not grants:
        return []
    customer_ids = sorted({grant.customer_id for grant in grants})
    list(Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk").values_list("pk", flat=True))
    done = set(Entry.objects.filter(contest=contest, customer_id__in=customer_ids).values_list("source", "source_ref").distinct())
    held = dict(
        Entry.objects.filter(contest=contest, customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(total=Count("pk"))
        .values_list("customer_id", "total")
    )
    rows: list[Entry] = []
    events = []
    for grant in grants:
        if (grant.source, grant.source_ref) in done:
            continue
        done.add((grant.source, grant.source_ref))
        count = grant.count
        if contest.max_entries_per_customer is not None:
            count = min(count, contest.max_entries_per_customer - held.get(grant.customer_id, 0))
        if count <= 0:
            continue
        held[grant.customer_id] = held.get(grant.customer_id, 0) + count
        rows.extend(
            Entry(
                contest=contest,
                customer_id=grant.customer_id,
                source=grant.source,
                source_ref=grant.source_ref,
                n=n,
                reason=grant.reason,
                created_by=actor,
            )
            for n in range(1, count + 1)
        )
        if record:
            events.append(
                timeline_build(
                    customer=Customer(pk=grant.customer_id),
                    kind="contest_entries",
                    occurred_at=timezone.now(),
                    actor=actor,
                    data={"contest": contest.name, "contest_id": contest.pk, "count": count, "source": grant.source},
                )
            )
    created = Entry.objects.bulk_create(rows, ignore_conflicts=True)
    if events:
        from aftersales.core.models import TimelineEvent

        TimelineEvent.objects.bulk_create(events)
    return created


def _open_contests(moment: dt.datetime | None = None) -> list[Contest]:
    contests = Contest.objects.filter(status=ContestStatus.OPEN).prefetch_related("categories")
    if moment is not None:
        contests = contests.filter(opens_at__lte=moment, closes_at__gte=moment)
    return list(contests)


def _sale_entries(contest: Contest, *, total: Decimal, category_amount: Decimal | None) -> int:
    """Return the entries a sale earns: per sale, or per full step of the counted amount."""
    amount = category_amount if category_amount is not None else total
    if category_amount is not None and amount <= 0:
        return 0
    if contest.sale_amount_step:
        return contest.entries_per_sale * int(amount // contest.sale_amount_step)
    return contest.entries_per_sale


def _sales_grants(contest: Contest, sales: Any) -> list[Grant]:
    category_ids = [category.pk for category in contest.categories.all()]
    rows = sales.values("pk", "customer_id", "total", "sold_on")
    if category_ids:
        counted = SaleLine.objects.filter(sale=OuterRef("pk"), product__category_id__in=category_ids).values("sale")
        rows = rows.annotate(
            category_amount=Coalesce(
                counted.annotate(line_amount=Sum(F("unit_price") * F("quantity"))).values("line_amount")[:1],
                Decimal("0"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    grants = []
    for row in rows:
        count = _sale_entries(contest, total=row["total"], category_amount=row.get("category_amount") if category_ids else None)
        moment = timezone.make_aware(dt.datetime.combine(row["sold_on"], dt.time(12)))
        grants.append(
            Grant(
                customer_id=row["customer_id"],
                source=EntrySource.SALE,
                source_ref=str(row["pk"]),
                count=count,
                occurred_at=moment,
            )
        )
    return grants


def _sales_in_window(contest: Contest) -> Any:
    first, last = _window_days(contest)
    return Sale.objects.filter(sold_on__gte=first, sold_on__lte=last)


@transaction.atomic
def entries_for_sales(*, sale_ids: list[int]) -> int:
    """Give the entries that recorded sales earn in every open contest whose window holds their date."""
    created = 0
    for contest in _open_contests():
        if not contest.entries_per_sale:
            continue
        sales = _sales_in_window(contest).filter(pk__in=sale_ids).order_by("pk")
        created += len(_grants_write(contest, _sales_grants(contest, sales)))
    return created


def entries_catch_up(*, contest: Contest | None = None, batch: int = 1000) -> int:
    """Give the entries of sales in an open contest's window that have none yet (after an import).

    Set-based: the sales without entries are found by one anti-join per batch, not one query per sale.
    """
    created = 0
    contests = [contest] if contest is not None else _open_contests()
    for item in contests:
        if item.status != ContestStatus.OPEN or not item.entries_per_sale:
            continue
        credited = Entry.objects.filter(
            contest=item, source=EntrySource.SALE, source_ref=Cast(OuterRef("pk"), output_field=CharField())
        )
        last_id = 0
        while True:
            with transaction.atomic():
                sales = _sales_in_window(item).filter(pk__gt=last_id).exclude(Exists(credited)).order_by("pk")[:batch]
                ids = list(sales.values_list("pk", flat=True))
                if not ids:
                    break
                last_id = ids[-1]
                created += len(
                    _grants_write(item, _sales_grants(item, Sale.objects.filter(pk__in=ids).order_by("pk")), record=False)
                )
    return created


def _entries_per_event(*, source: str, per_contest: str, customer_id: int, source_ref: str, moment: dt.datetime) -> int:
    """Give the entries one event earns (a survey, a referral) in every open contest whose window holds it."""
    created = 0
    for contest in _open_contests(moment):
        count = getattr(contest, per_contest)
        if count:
            grant = Grant(customer_id=customer_id, source=source, source_ref=source_ref, count=count, occurred_at=moment)
            created += len(_grants_write(contest, [grant]))
    return created


@transaction.atomic
def entries_for_survey(*, response_id: int, customer_id: int, answered_at: dt.datetime | None = None) -> int:
    """Give the entries a completed survey earns in every open contest whose window holds the answer."""
    return _entries_per_event(
        source=EntrySource.SURVEY,
        per_contest="entries_per_survey",
        customer_id=customer_id,
        source_ref=str(response_id),
        moment=answered_at or timezone.now(),
    )


@transaction.atomic
def entries_for_referral(*, referral_id: int, referrer_id: int, converted_at: dt.datetime | None = None) -> int:
    """Give the referring customer the entries a converted referral earns in every open contest."""
    return _entries_per_event(
        source=EntrySource.REFERRAL,
        per_contest="entries_per_referral",
        customer_id=referrer_id,
        source_ref=str(referral_id),
        moment=converted_at or timezone.now(),
    )


@transaction.atomic
def entry_manual_add(
    *, actor: User | None, contest: Contest, customer: Customer, count: int = 1, reason: str, idempotency_key: str = ""
) -> list[Entry]:
    """Give a customer entries by hand, with a reason, while the contest is open (within its maximum)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    errors = []
    reason = (reason or "").strip()
    if not reason:
        errors.append(FieldError(field="reason", reason=_("is required")))
    if count < 1 or count > MAX_MANUAL_ENTRIES:
        errors.append(FieldError(field="count", reason=interpolate(_("must be between 1 and %(max)s"), max=MAX_MANUAL_ENTRIES)))
    key = (idempotency_key or "").strip()
    if len(key) > 60:
        errors.append(FieldError(field="idempotency_key", reason=_("must be at most 60 characters")))
    if errors:
        raise ValidationFailed(errors=errors)
    if contest.status != ContestStatus.OPEN:
        raise Conflict(_("Entries can only be given while the contest is open."))
    source_ref = f"key:{key}" if key else f"manual:{secrets.token_hex(8)}"
    existing = list(Entry.objects.filter(contest=contest, source=EntrySource.MANUAL, source_ref=source_ref).order_by("n"))
    if existing:
        return existing
    if contest.max_entries_per_customer is not None:
        held = Entry.objects.filter(contest=contest, customer=customer).count()
        if held + count > contest.max_entries_per_customer:
            raise ValidationFailed(
                errors=[
                    FieldError(
                        field="count",
                        reason=interpolate(
                            _("would pass the maximum of %(max)s entries per customer (the customer holds %(held)s)"),
                            max=contest.max_entries_per_customer,
                            held=held,
                        ),
                    )
                ]
            )
    grant = Grant(
        customer_id=customer.pk,
        source=EntrySource.MANUAL,
        source_ref=source_ref,
        count=count,
        occurred_at=timezone.now(),
        reason=reason,
    )
    _grants_write(contest, [grant], actor=actor)
    return list(Entry.objects.filter(contest=contest, source=EntrySource.MANUAL, source_ref=source_ref).order_by("n"))


# -- exclusions -------------------------------------------------------------------------------------------


@transaction.atomic
def exclusion_add(*, actor: User | None, customer: Customer, reason: str, contest: Contest | None = None) -> Exclusion:
    """Bar a customer from winning one contest, or every contest when no contest is named (a flag)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors=[FieldError(field="reason", reason=_("is required"))])
    if contest is not None:
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.status in (ContestStatus.DRAWN, ContestStatus.CANCELLED):
            raise Conflict(_("The draw is over: exclusions can no longer change."))
        if contest.frozen_at is not None:
            raise Conflict(_("The entries are frozen: exclusions can no longer change."))
    exclusion, _created = Exclusion.objects.get_or_create(
        contest=contest, customer=customer, defaults={"reason": reason[:200], "created_by": actor}
    )
    return exclusion


@transaction.atomic
def exclusion_remove(*, actor: User | None, exclusion: Exclusion) -> None:
    """Let a customer win again (not once the contest's entries are frozen)."""
    if exclusion.contest_id is not None:
        contest = Contest.objects.select_for_update().get(pk=exclusion.contest_id)
        if contest.frozen_at is not None:
            raise Conflict(_("The entries are frozen: exclusions can no longer change."))
    exclusion.delete()


def ineligible_customer_ids(*, contest: Contest) -> set[int]:
    """Return the entrants who cannot win: excluded from the contest, flagged, and (if so ruled) staff."""
    entrants = Entry.objects.filter(contest=contest).values("customer_id")
    barred = set(
        Exclusion.objects.filter(Q(contest=contest) | Q(contest__isnull=True), customer_id__in=entrants).values_list(
            "customer_id", flat=True
        )
    )
    if contest.exclude_staff:
        staff = User.objects.filter(is_staff=True, is_active=True).exclude(email="").annotate(email_lower=Lower("email"))
        barred |= set(
            Customer.objects.filter(pk__in=entrants)
            .exclude(email="")
            .annotate(email_lower=Lower("email"))
            .filter(Q(email_lower__in=staff.values("email_lower")) | Q(user__is_staff=True))
            .values_list("pk", flat=True)
        )
    return barred


# -- closing and drawing ----------------------------------------------------------------------------------


def frozen_tickets(*, contest: Contest) -> list[drawing.Ticket]:
    """Return the frozen entry list as it is published, in entry-number order."""
    rows = (
        Entry.objects.filter(contest=contest, number__isnull=False)
        .order_by("number")
        .values_list("number", "customer_id", "source")
    )
    return [drawing.Ticket(number=number or 0, customer=customer_ref(owner), source=source) for number, owner, source in rows]


def contest_close(*, actor: User | None, contest: Contest) -> Contest:
    """Close entries after the window: catch up on sales, number the entries, publish their digest."""
    if contest.status != ContestStatus.OPEN:
        raise Conflict(_("Only an open contest can be closed."))
    if timezone.now() < contest.closes_at:
        raise Conflict(_("The entry window has not ended yet."))
    entries_catch_up(contest=contest)
    return _freeze(actor=actor, contest_id=contest.pk)


@transaction.atomic
def _freeze(*, actor: User | None, contest_id: int) -> Contest:
    contest = Contest.objects.select_for_update().get(pk=contest_id)
    if contest.status != ContestStatus.OPEN:
        raise Conflict(_("Only an open contest can be closed."))
    entries = list(Entry.objects.filter(contest=contest).order_by("created_at", "pk").only("pk"))
    for number, entry in enumerate(entries, start=1):
        entry.number = number
    Entry.objects.bulk_update(entries, ["number"], batch_size=2000)
    barred = ineligible_customer_ids(contest=contest)
    contest.excluded_refs = sorted((customer_ref(pk) for pk in barred), key=lambda ref: int(ref[1:]))
    contest.entries_count = len(entries)
    contest.entries_digest = drawing.entries_digest(frozen_tickets(contest=contest))
    contest.frozen_at = timezone.now()
    contest.status = ContestStatus.CLOSED
    contest.save(update_fields=["excluded_refs", "entries_count", "entries_digest", "frozen_at", "status", "updated_at"])
    return contest


@transaction.atomic
def contest_draw(*, actor: User | None, contest: Contest) -> Contest:
    """Draw the winners from the seed and the frozen entries, publish the seed, notify and reward the winners."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status != ContestStatus.CLOSED:
        raise Conflict(_("Only a closed contest can be drawn."))
    if timezone.now() < contest.draw_at:
        raise Conflict(_("The draw date has not come yet."))
    picks = drawing.draw(
        seed=bytes.fromhex(contest.seed),
        tickets=frozen_tickets(contest=contest),
        winners=contest.winners_count,
        excluded=contest.excluded_refs,
    )
    entries = {
        entry.number: entry
        for entry in Entry.objects.filter(contest=contest, number__in=[pick.number for pick in picks]).select_related("customer")
    }
    for pick in picks:
        entry = entries[pick.number]
        winner = Winner.objects.create(
            contest=contest, rank=pick.rank, draw_round=pick.draw_round, entry=entry, customer=entry.customer
        )
        _winner_reward(actor=actor, contest=contest, winner=winner)
    contest.status = ContestStatus.DRAWN
    contest.drawn_at = timezone.now()
    contest.save(update_fields=["status", "drawn_at", "updated_at"])
    return contest


def _winner_reward(*, actor: User | None, contest: Contest, winner: Winner) -> None:
    customer = winner.customer
    voucher_code = ""
    valid_until = None
    if contest.prize_voucher_value is not None:
        valid_until = timezone.localdate() + dt.timedelta(days=contest.prize_voucher_valid_days)
        voucher = voucher_issue(
            actor=actor,
            customer=customer,
            value_kind="fixed",
            value=contest.prize_voucher_value,
            valid_until=valid_until,
            source="contest",
            source_ref=f"contest:{contest.pk}:rank:{winner.rank}",
            idempotency_key=f"contest:{contest.pk}:winner:{winner.rank}",
        )
        voucher_code = voucher.code
    spanish = (customer.language or "").startswith("es")
    message = message_enqueue(
        actor=actor,
        customer=customer,
        template_code=WINNER_TEMPLATE,
        channel="email",
        context={
            "contest": (contest.name_es or contest.name) if spanish else contest.name,
            "prize": (contest.prize_es or contest.prize) if spanish else contest.prize,
            "voucher_code": voucher_code,
            "voucher_value": str(contest.prize_voucher_value or ""),
            "voucher_valid_until": valid_until,
            "entry_number": winner.entry.number,
        },
        idempotency_key=f"contest:{contest.pk}:winner:{winner.customer_id}",
    )
    winner.voucher_code = voucher_code
    winner.notified_message_id = message.pk
    winner.save(update_fields=["voucher_code", "notified_message_id", "updated_at"])
    timeline_record(
        customer=customer,
        kind="contest_won",
        actor=actor,
        data={
            "contest": contest.name,
            "contest_id": contest.pk,
            "prize": contest.prize,
            "rank": winner.rank,
            "voucher": voucher_code,
        },
    )


def contest_get(*, contest_ref: str) -> Contest:
    """Return a contest by its code or its id."""
    query = Q(code=contest_ref)
    if contest_ref.isdigit():
        query |= Q(pk=int(contest_ref))
    contest = Contest.objects.filter(query).first()
    if contest is None:
        raise NotFound(_("No such contest."))
    return contest


def contests_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every open contest whose window has ended (run by the tick)."""
    now = now or timezone.now()
    closed = 0
    for contest in Contest.objects.filter(status=ContestStatus.OPEN, closes_at__lt=now).order_by("pk"):
        try:
            contest_close(actor=None, contest=contest)
        except Conflict:
            continue
        closed += 1
    return closed
