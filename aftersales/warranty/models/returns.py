"""Returns and exchanges: the policy per category, the return request (RMA) and its history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category, Product
from aftersales.core.models import SPANISH_HELP, AppendOnlyModel, SpanishNameMixin, TimeStampedModel
from aftersales.customers.models import Customer
from aftersales.sales.models import Sale, Unit


class ReturnWish(models.TextChoices):
    # The customer wants their money back.
    RETURN = "return", _("Return for a refund")
    # The customer wants another unit (the same product, or another one) instead.
    EXCHANGE = "exchange", _("Exchange")


class ReturnCondition(models.TextChoices):
    # Still sealed in its original packaging.
    UNOPENED = "unopened", _("Unopened")
    # The box was opened; the product looks and works as new.
    OPENED = "opened", _("Opened, as new")
    # It was used.
    USED = "used", _("Used")
    # It does not work as it should.
    DEFECTIVE = "defective", _("Does not work")
    # It arrived broken or incomplete.
    DAMAGED_ON_ARRIVAL = "damaged_on_arrival", _("Damaged on arrival")
    # It was damaged after delivery.
    DAMAGED_BY_CUSTOMER = "damaged_by_customer", _("Damaged after delivery")


class RefundMethod(models.TextChoices):
    # Back to the card or account the customer paid with.
    ORIGINAL_PAYMENT = "original_payment", _("Original payment method")
    # A credit to spend in the shop.
    STORE_CREDIT = "store_credit", _("Store credit")
    # A transfer to a bank account the customer gives.
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    # Cash at the counter.
    CASH = "cash", _("Cash")


class ReturnPolicy(SpanishNameMixin, TimeStampedModel):
    """The return and exchange rules for a category, or the default that applies to every other category."""

    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True, help_text=SPANISH_HELP)
    # Empty for the default policy; a category's own policy covers its products.
    category = models.OneToOneField(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="return_policy"
    )
    is_default = models.BooleanField(_("default for every category"), default=False)
    return_window_days = models.PositiveSmallIntegerField(_("return window (days)"), default=30)
    exchange_window_days = models.PositiveSmallIntegerField(_("exchange window (days)"), default=30)
    # The restocking fee is charged on refunds; exchanges are free unless this is set.
    fee_on_exchange = models.BooleanField(_("restocking fee on exchanges too"), default=False)
    refund_methods = models.JSONField(_("refund methods"), default=list, blank=True)
    notes = models.TextField(_("notes for staff"), blank=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("return policy")
        verbose_name_plural = _("return policies")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="return_policy_one_default"),
            models.CheckConstraint(
                condition=Q(is_default=True, category__isnull=True) | Q(is_default=False, category__isnull=False),
                name="return_policy_default_or_category",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReturnPolicyCondition(models.Model):
    """What a policy accepts for one condition of the goods, and the restocking fee it charges."""

    policy = models.ForeignKey(ReturnPolicy, on_delete=models.CASCADE, related_name="conditions")
    condition = models.CharField(_("condition"), max_length=20, choices=ReturnCondition.choices)
    accepts_return = models.BooleanField(_("accepted for a refund"), default=True)
    accepts_exchange = models.BooleanField(_("accepted for an exchange"), default=True)
    fee_percent = models.DecimalField(_("restocking fee (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    fee_flat = models.DecimalField(_("restocking fee (flat)"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["policy", "id"]
        verbose_name = _("accepted condition")
        verbose_name_plural = _("accepted conditions")
        constraints = [
            models.UniqueConstraint(fields=["policy", "condition"], name="return_policy_condition_once"),
            models.CheckConstraint(condition=Q(fee_percent__gte=0, fee_percent__lte=100), name="return_fee_percent_range"),
            models.CheckConstraint(condition=Q(fee_flat__gte=0), name="return_fee_flat_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.condition}"


class ReturnStatus(models.TextChoices):
    # Asked for outside the policy: staff decide whether to authorise it.
    REQUESTED = "requested", _("Requested")
    # Authorised: the customer may send or bring the goods back quoting the RMA number.
    AUTHORISED = "authorised", _("Authorised")
    # Not authorised, or refused at inspection; the reason says why.
    REJECTED = "rejected", _("Rejected")
    # The goods are back in the warehouse, waiting for inspection.
    RECEIVED = "received", _("Goods received")
    # Inspected and accepted: the refund or the exchange is next.
    INSPECTED = "inspected", _("Inspected")
    # The money was paid back.
    REFUNDED = "refunded", _("Refunded")
    # The new unit was sold in exchange.
    EXCHANGED = "exchanged", _("Exchanged")
    # Nothing more to do.
    CLOSED = "closed", _("Closed")
    # Withdrawn before the goods came back.
    CANCELLED = "cancelled", _("Cancelled")


# A return in one of these still needs someone to act; a unit may have only one at a time.
OPEN_RETURN_STATUSES = (ReturnStatus.REQUESTED, ReturnStatus.AUTHORISED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED)


class ReturnRequest(TimeStampedModel):
    """A customer's request to return or exchange a unit (an RMA), from the policy's answer to the refund or exchange."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="return_requests")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="return_requests")
    wish = models.CharField(_("the customer wants"), max_length=10, choices=ReturnWish.choices)
    condition = models.CharField(_("condition stated"), max_length=20, choices=ReturnCondition.choices)
    reason = models.TextField(_("reason given"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED, db_index=True
    )
    requested_on = models.DateField(_("requested on"))
    # The policy's answer when the request was made (codes and data, explained in any language).
    evaluation = models.JSONField(_("policy evaluation"), default=dict, blank=True)
    within_policy = models.BooleanField(_("within the policy"), default=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    price = models.DecimalField(_("price paid"), max_digits=12, decimal_places=2, default=Decimal("0"))
    restocking_fee = models.DecimalField(_("restocking fee"), max_digits=12, decimal_places=2, default=Decimal("0"))
    exchange_product = models.ForeignKey(
        Product, verbose_name=_("exchange for"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    condition_found = models.CharField(_("condition found"), max_length=20, choices=ReturnCondition.choices, blank=True)
    inspection_notes = models.TextField(_("inspection notes"), blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    refund_amount = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, null=True, blank=True)
    refund_method = models.CharField(_("refund method"), max_length=20, choices=RefundMethod.choices, blank=True)
    refund_reference = models.CharField(_("refund reference"), max_length=100, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    exchange_sale = models.OneToOneField(
        Sale, verbose_name=_("exchange sale"), null=True, blank=True, on_delete=models.PROTECT, related_name="exchange_of"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        permissions = [
            ("authorise_returnrequest", _("Can authorise or reject returns")),
            ("inspect_returnrequest", _("Can inspect returned goods")),
            ("refund_returnrequest", _("Can refund returns and carry out exchanges")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(restocking_fee__gte=0), name="return_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0), name="return_refund_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="return_queue_idx")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Return the number people quote (``RMA-000123``)."""
        return f"RMA-{self.pk:06d}" if self.pk else "RMA-?"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RETURN_STATUSES

    @property
    def expected_refund(self) -> Decimal:
        """Return what the customer gets back: the price paid less the restocking fee, never below zero."""
        return max(self.price - self.restocking_fee, Decimal("0"))


class ReturnEvent(AppendOnlyModel):
    """An append-only fact in a return's history: who moved it to which status, when, and why."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("kind"), max_length=20)
    status_from = models.CharField(_("from"), max_length=12, blank=True)
    status_to = models.CharField(_("to"), max_length=12, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        indexes = [models.Index(fields=["request", "at"], name="return_event_request_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"
