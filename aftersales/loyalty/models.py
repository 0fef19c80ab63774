"""Loyalty programme: settings, earn rules, tiers, the per-customer account and its append-only points ledger.

The ledger is ``PointsEntry``: every change of a customer's points is one row, never updated. Entries with
positive points (earned, positive adjustments) are *credits*; entries with negative points (redeemed,
expired, negative adjustments) are *debits*. Each debit records which credits it consumed in
``PointsAllocation`` rows (also append-only), earliest-expiring credit first. What is left of a credit is its
points minus its allocations. ``PointsAccount.balance`` is kept equal to the sum of the customer's entries in
the same transaction as every entry, under a row lock, and a CHECK constraint keeps it from going negative.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import SpanishNameMixin, TimeStampedModel
from aftersales.customers.models import Customer


class Programme(TimeStampedModel):
    """The one set of programme settings (row 1): how points are earned, what they are worth, when they lapse."""

    active = models.BooleanField(_("active"), default=False)
    # Sales dated before this day earn nothing.
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # Points per whole currency unit spent; a sale's points are rounded down.
    points_per_unit = models.DecimalField(
        _("points per currency unit spent"), max_digits=8, decimal_places=2, default=Decimal("1")
    )
    # What one point is worth when redeemed (0.05: 100 points = 5.00).
    point_value = models.DecimalField(_("value of one point"), max_digits=10, decimal_places=4, default=Decimal("0.05"))
    min_redemption = models.PositiveIntegerField(_("minimum points per redemption"), default=100)
    # Empty: earned points never lapse.
    expiry_months = models.PositiveSmallIntegerField(_("earned points lapse after (months)"), null=True, blank=True, default=24)
    survey_bonus = models.PositiveIntegerField(_("bonus points for a completed survey"), default=0)
    # Days a voucher bought with points stays valid.
    voucher_valid_days = models.PositiveSmallIntegerField(_("vouchers from points valid for (days)"), default=90)

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programme")
        permissions = [
            ("manage_programme", _("Can set up the loyalty programme, its tiers and earn rules")),
            ("adjust_points", _("Can award and adjust customers' points")),
            ("redeem_points", _("Can redeem customers' points")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="loyalty_programme_single_row"),
            models.CheckConstraint(condition=Q(points_per_unit__gte=0), name="loyalty_points_per_unit_not_negative"),
            models.CheckConstraint(condition=Q(point_value__gt=0), name="loyalty_point_value_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Loyalty programme"))


class EarnRule(TimeStampedModel):
    """Extra earning for products of a category and the categories below it."""

    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="loyalty_earn_rules"
    )
    # The programme's points per unit are multiplied by this for the category's products.
    multiplier = models.DecimalField(_("multiplier"), max_digits=6, decimal_places=2, default=Decimal("1"))
    # Points added per currency unit spent on the category's products, on top of the multiplied rate.
    extra_per_unit = models.DecimalField(
        _("extra points per currency unit"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__name"]
        verbose_name = _("earn rule")
        verbose_name_plural = _("earn rules")
        constraints = [
            models.UniqueConstraint(fields=["category"], name="loyalty_earn_rule_one_per_category"),
            models.CheckConstraint(condition=Q(multiplier__gte=0), name="loyalty_earn_rule_multiplier_not_negative"),
            models.CheckConstraint(condition=Q(extra_per_unit__gte=0), name="loyalty_earn_rule_extra_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.category} ×{self.multiplier} +{self.extra_per_unit}"


class Tier(SpanishNameMixin, TimeStampedModel):
    """A level customers reach by their spend over the last 12 months, with its benefits."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_es = models.CharField(_("name in Spanish"), max_length=80, blank=True)
    min_spend = models.DecimalField(_("minimum spend over 12 months"), max_digits=14, decimal_places=2, default=Decimal("0"))
    # Points earned on purchases are multiplied by this.
    multiplier = models.DecimalField(_("points multiplier"), max_digits=6, decimal_places=2, default=Decimal("1"))
    # Empty: the service desk's usual target applies.
    first_response_hours = models.PositiveIntegerField(_("first response within (working hours)"), null=True, blank=True)
    resolution_hours = models.PositiveIntegerField(_("resolution within (working hours)"), null=True, blank=True)
    free_visits_per_year = models.PositiveSmallIntegerField(_("free maintenance visits a year"), default=0)

    class Meta:
        ordering = ["min_spend", "pk"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["min_spend"], name="loyalty_tier_min_spend_unique"),
            models.CheckConstraint(condition=Q(min_spend__gte=0), name="loyalty_tier_min_spend_not_negative"),
            models.CheckConstraint(condition=Q(multiplier__gte=1), name="loyalty_tier_multiplier_at_least_one"),
            models.CheckConstraint(
                condition=Q(first_response_hours__isnull=True) | Q(first_response_hours__gt=0),
                name="loyalty_tier_response_positive",
            ),
            models.CheckConstraint(
                condition=Q(resolution_hours__isnull=True) | Q(resolution_hours__gt=0), name="loyalty_tier_resolution_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PointsAccount(TimeStampedModel):
    """A customer's membership: the balance (always the sum of their entries) and their tier."""

    customer = models.OneToOneField(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="points_account")
    balance = models.IntegerField(_("balance"), default=0)
    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    rolling_spend = models.DecimalField(_("spend over the last 12 months"), max_digits=14, decimal_places=2, default=Decimal("0"))
    tier_computed_on = models.DateField(_("tier computed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="loyalty_balance_not_negative")]

    def __str__(self) -> str:
        return f"{self.customer}: {self.balance}"


class EntryKind(models.TextChoices):
    # Points earned: a purchase, a bonus, a referral. A credit.
    EARN = "earn", _("Earned")
    # Points spent on a voucher or a discount on a sale. A debit.
    REDEEM = "redeem", _("Redeemed")
    # What was left of an earned entry on its expiry day. A debit.
    EXPIRE = "expire", _("Expired")
    # A manual correction by a manager, with its reason; a credit or a debit.
    ADJUST = "adjust", _("Adjusted")
    # Points a purchase earned on money later refunded, taken back. A debit.
    REFUND = "refund", _("Refunded purchase")


class EarnReason(models.TextChoices):
    # Points for money spent on a sale.
    PURCHASE = "purchase", _("Purchase")
    # Bonus for a completed survey.
    SURVEY = "survey", _("Survey completed")
    # Bonus for a friend referred who bought.
    REFERRAL = "referral", _("Referral")
    # Prize of a contest.
    CONTEST = "contest", _("Contest")
    # A promotional bonus.
    BONUS = "bonus", _("Bonus")
    # Awarded by hand by a manager.
    MANUAL = "manual", _("Manual")


class PointsEntry(models.Model):
    """One append-only line of a customer's points statement."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="points_entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    # Why points were earned (earn entries only).
    reason = models.CharField(_("reason"), max_length=10, choices=EarnReason.choices, blank=True)
    points = models.IntegerField(_("points"))
    # Credits only; empty: the points never lapse.
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # What the entry is about: "sale:12", "response:4", "referral:9"…
    source_ref = models.CharField(_("source"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    occurred_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="loyalty_entry_points_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind="earn") | (Q(points__gt=0) & ~Q(reason="")), name="loyalty_earn_positive_with_reason"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["redeem", "expire", "refund"]) | Q(points__lt=0), name="loyalty_debit_negative"
            ),
            models.CheckConstraint(condition=Q(points__gt=0) | Q(expires_on__isnull=True), name="loyalty_only_credits_expire"),
        ]
        indexes = [
            models.Index(fields=["customer", "expires_on", "id"], name="loyalty_entry_fifo_idx"),
            models.Index(fields=["kind", "expires_on"], name="loyalty_entry_kind_expiry_idx"),
            models.Index(fields=["source_ref"], name="loyalty_entry_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.points:+d}"

    @property
    def is_credit(self) -> bool:
        return self.points > 0


class PointsAllocation(models.Model):
    """Which credit a debit consumed, and how many of its points (append-only FIFO bookkeeping)."""

    credit = models.ForeignKey(PointsEntry, verbose_name=_("credit"), on_delete=models.PROTECT, related_name="allocations_out")
    debit = models.ForeignKey(PointsEntry, verbose_name=_("debit"), on_delete=models.PROTECT, related_name="allocations")
    points = models.PositiveIntegerField(_("points"))

    class Meta:
        verbose_name = _("points allocation")
        verbose_name_plural = _("points allocations")
        constraints = [
            models.UniqueConstraint(fields=["credit", "debit"], name="loyalty_allocation_unique"),
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.debit_id} <- {self.credit_id}: {self.points}"


class RedemptionKind(models.TextChoices):
    # The points bought a voucher the customer uses later.
    VOUCHER = "voucher", _("Voucher")
    # The points paid part of a sale, as a discount recorded against it.
    SALE_DISCOUNT = "sale_discount", _("Discount on a sale")


class PointsRedemption(models.Model):
    """What a redemption bought: a voucher, or a discount recorded against a sale."""

    entry = models.OneToOneField(PointsEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="redemption")
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="points_redemptions"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=RedemptionKind.choices)
    points = models.PositiveIntegerField(_("points"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    sale = models.ForeignKey(
        "sales.Sale", verbose_name=_("sale"), null=True, blank=True, on_delete=models.PROTECT, related_name="points_redemptions"
    )
    voucher_code = models.CharField(_("voucher code"), max_length=40, blank=True)
    voucher_valid_until = models.DateField(_("voucher valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("redeemed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points redemption")
        verbose_name_plural = _("points redemptions")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0) & Q(amount__gt=0), name="loyalty_redemption_positive"),
            models.CheckConstraint(
                condition=(Q(kind="voucher") & ~Q(voucher_code="")) | (Q(kind="sale_discount") & Q(sale__isnull=False)),
                name="loyalty_redemption_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points} -> {self.amount}"


class TierBenefitGrant(models.Model):
    """A free maintenance visit a tier gave a customer (at most ``free_visits_per_year`` in 12 months)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tier_benefit_grants"
    )
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="grants")
    granted_on = models.DateField(_("granted on"))
    work_order = models.OneToOneField(
        "fieldwork.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_grant",
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)

    class Meta:
        ordering = ["-granted_on", "-id"]
        verbose_name = _("free maintenance visit")
        verbose_name_plural = _("free maintenance visits")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.granted_on}"
