"""Contests and sweepstakes: the contest and its rules, entries earned by rule, exclusions and winners.

The draw is commit–reveal: a secret seed is drawn when the contest opens and only its SHA-256 is
published; the entry list is frozen and its digest published when entries close; the seed is published
after the draw, so anyone can recompute the winners (``aftersales/contests/draw.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category
from aftersales.core.models import TimeStampedModel
from aftersales.customers.models import Customer


class ContestStatus(models.TextChoices):
    # Being prepared: rules can be edited, nothing is published, no entries are earned.
    DRAFT = "draft", _("Draft")
    # Published with the seed's hash: entries are earned inside the window.
    OPEN = "open", _("Open")
    # Entries are frozen and their digest published; waiting for the draw.
    CLOSED = "closed", _("Closed")
    # Winners drawn and the seed published: anyone can verify the draw.
    DRAWN = "drawn", _("Drawn")
    # Called off before the draw; no winners.
    CANCELLED = "cancelled", _("Cancelled")


class EntrySource(models.TextChoices):
    # Earned by a purchase inside the window.
    SALE = "sale", _("Purchase")
    # Earned by answering a survey.
    SURVEY = "survey", _("Survey answered")
    # Earned by a referred friend's first purchase.
    REFERRAL = "referral", _("Referral")
    # Given by staff, with a reason.
    MANUAL = "manual", _("Manual entry")


class Contest(TimeStampedModel):
    """A contest or sweepstake with its entry rules, window, prize and commit–reveal audit data."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_es = models.CharField(_("name in Spanish"), max_length=160, blank=True)
    rules = models.TextField(_("rules"), blank=True)
    rules_es = models.TextField(_("rules in Spanish"), blank=True)
    opens_at = models.DateTimeField(_("entries open at"))
    closes_at = models.DateTimeField(_("entries close at"))
    draw_at = models.DateTimeField(_("draw at"))
    winners_count = models.PositiveSmallIntegerField(_("number of winners"), default=1)
    prize = models.CharField(_("prize"), max_length=200)
    prize_es = models.CharField(_("prize in Spanish"), max_length=200, blank=True)
    # Empty: the prize is not a voucher (a product, a trip…), handed over by staff.
    prize_voucher_value = models.DecimalField(_("prize voucher value"), max_digits=10, decimal_places=2, null=True, blank=True)
    prize_voucher_valid_days = models.PositiveSmallIntegerField(_("prize voucher valid for (days)"), default=90)
    entries_per_sale = models.PositiveSmallIntegerField(_("entries per purchase"), default=0)
    # Empty: a purchase earns ``entries_per_sale`` whatever its amount; set: that many per full step of amount.
    sale_amount_step = models.DecimalField(_("per amount of"), max_digits=10, decimal_places=2, null=True, blank=True)
    # Empty: every purchase counts; set: only the amount of lines in these categories counts.
    categories = models.ManyToManyField(Category, verbose_name=_("only purchases in categories"), blank=True)
    entries_per_survey = models.PositiveSmallIntegerField(_("entries per survey answered"), default=0)
    entries_per_referral = models.PositiveSmallIntegerField(_("entries per converted referral"), default=0)
    # Empty: no limit.
    max_entries_per_customer = models.PositiveIntegerField(_("maximum entries per customer"), null=True, blank=True)
    exclude_staff = models.BooleanField(_("staff cannot win"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=ContestStatus.choices, default=ContestStatus.DRAFT)
    # The secret seed (64 hex digits), kept in this column only; shown nowhere before the draw.
    seed = models.CharField(_("seed"), max_length=64, blank=True, editable=False)
    seed_hash = models.CharField(_("SHA-256 of the seed"), max_length=64, blank=True, editable=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("entries frozen at"), null=True, blank=True)
    entries_count = models.PositiveIntegerField(_("entries frozen"), default=0)
    entries_digest = models.CharField(_("SHA-256 of the entry list"), max_length=64, blank=True, editable=False)
    # Customer references that could not win, frozen with the entries (sorted).
    excluded_refs = models.JSONField(_("customers who cannot win"), default=list, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        permissions = [
            ("run_contest", _("Can open, close, draw and cancel contests")),
            ("add_manual_entry", _("Can give manual contest entries and exclude customers")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="contest_window_ordered"),
            models.CheckConstraint(condition=Q(draw_at__gte=F("closes_at")), name="contest_draw_after_close"),
            models.CheckConstraint(condition=Q(winners_count__gt=0), name="contest_winners_positive"),
            models.CheckConstraint(
                condition=Q(sale_amount_step__isnull=True) | Q(sale_amount_step__gt=0), name="contest_step_positive"
            ),
            models.CheckConstraint(
                condition=Q(prize_voucher_value__isnull=True) | Q(prize_voucher_value__gt=0),
                name="contest_voucher_value_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | ~Q(seed_hash=""), name="contest_hash_published_once_open"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_es if (get_language() or "").startswith("es") and self.name_es else self.name

    @property
    def display_rules(self) -> str:
        return self.rules_es if (get_language() or "").startswith("es") and self.rules_es else self.rules

    @property
    def display_prize(self) -> str:
        return self.prize_es if (get_language() or "").startswith("es") and self.prize_es else self.prize

    @property
    def seed_published(self) -> str:
        """Return the seed once the draw made it public, else an empty string."""
        return self.seed if self.status == ContestStatus.DRAWN else ""


def customer_ref(customer_id: int) -> str:
    """Return the public reference of a customer in entry lists (no name, no contact data)."""
    return f"C{customer_id}"


class Entry(models.Model):
    """One ticket in a contest, earned by a source; numbered when the entries are frozen."""

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="entries")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contest_entries")
    source = models.CharField(_("source"), max_length=10, choices=EntrySource.choices)
    # The sale, response or referral id, or the manual entry's key.
    source_ref = models.CharField(_("source reference"), max_length=80)
    # The n-th entry earned by the same source (a purchase may earn several).
    n = models.PositiveSmallIntegerField(_("ticket of the source"), default=1)
    # Assigned when the entries are frozen, in order of creation; empty while the contest is open.
    number = models.PositiveIntegerField(_("entry number"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("earned at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["contest", "number", "id"]
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        constraints = [
            models.UniqueConstraint(fields=["contest", "source", "source_ref", "n"], name="contest_entry_once_per_source"),
            models.UniqueConstraint(fields=["contest", "number"], name="contest_entry_number_unique"),
            models.CheckConstraint(condition=Q(n__gt=0), name="contest_entry_n_positive"),
            models.CheckConstraint(condition=~Q(source="manual") | ~Q(reason=""), name="contest_manual_entry_has_reason"),
        ]
        indexes = [models.Index(fields=["contest", "customer"], name="contest_entry_customer_idx")]

    def __str__(self) -> str:
        return f"{self.contest_id}#{self.number or '-'}"


class Exclusion(TimeStampedModel):
    """A customer who cannot win one contest, or (no contest) any contest: flagged customers."""

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), null=True, blank=True, on_delete=models.CASCADE, related_name="exclusions"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contest_exclusions"
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("excluded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contest exclusion")
        verbose_name_plural = _("contest exclusions")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "customer"], condition=Q(contest__isnull=False), name="contest_exclusion_once"
            ),
            models.UniqueConstraint(fields=["customer"], condition=Q(contest__isnull=True), name="contest_flagged_once"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} ({self.contest_id or '*'})"


class Winner(TimeStampedModel):
    """A customer drawn for a prize, with the round of the draw that chose them and the voucher they got."""

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="winners")
    rank = models.PositiveSmallIntegerField(_("rank"))
    draw_round = models.PositiveIntegerField(_("draw round"))
    entry = models.OneToOneField(Entry, verbose_name=_("winning entry"), on_delete=models.PROTECT, related_name="win")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contest_wins")
    voucher_code = models.CharField(_("voucher"), max_length=40, blank=True)
    notified_message_id = models.PositiveBigIntegerField(_("notification"), null=True, blank=True)

    class Meta:
        ordering = ["contest", "rank"]
        verbose_name = _("contest winner")
        verbose_name_plural = _("contest winners")
        constraints = [
            models.UniqueConstraint(fields=["contest", "rank"], name="contest_winner_rank_unique"),
            models.UniqueConstraint(fields=["contest", "customer"], name="contest_winner_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contest_id} #{self.rank}"

    @property
    def public_name(self) -> str:
        """Return the winner as the results page shows them: first name and initial, and city."""
        return public_name(self.customer)


def public_name(customer: Customer) -> str:
    """Return "Ana G. (Sevilla)": first name, initial of the last name and city."""
    parts = customer.name.split()
    if not parts:
        shown = "—"
    elif len(parts) == 1:
        shown = parts[0]
    else:
        shown = f"{parts[0]} {parts[-1][0]}."
    return f"{shown} ({customer.city})" if customer.city else shown
