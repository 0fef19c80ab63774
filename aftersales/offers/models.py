"""Vouchers and offers: unguessable voucher codes, their redemptions, and special offers sent to an audience."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language, TimeStampedModel


class VoucherSource(models.TextChoices):
    # Issued by hand by a staff member.
    MANUAL = "manual", _("Issued by staff")
    # Bought with loyalty points.
    POINTS = "points", _("Loyalty points")
    # A birthday gift from a follow-up playbook.
    BIRTHDAY = "birthday", _("Birthday gift")
    # Another gift from a follow-up playbook (a thank-you after a purchase…).
    GIFT = "gift", _("Gift")
    # A reward for referring a new customer.
    REFERRAL = "referral", _("Referral reward")
    # Part of a special offer (shared code or one per recipient).
    OFFER = "offer", _("Special offer")
    # A contest prize.
    CONTEST = "contest", _("Contest prize")
    # A benefit of the customer's loyalty tier.
    TIER = "tier", _("Loyalty tier benefit")


class ValueKind(models.TextChoices):
    # An amount of money off.
    FIXED = "fixed", _("Fixed amount")
    # A percentage off the eligible lines.
    PERCENT = "percent", _("Percentage")


class VoucherStatus(models.TextChoices):
    # May be redeemed within its dates and limits.
    ACTIVE = "active", _("Active")
    # Withdrawn by staff; can no longer be redeemed.
    CANCELLED = "cancelled", _("Cancelled")


# Twelve characters from 32 symbols without look-alikes (no I, O, 0 or 1): 60 random bits per code.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
CODE_GROUP = 4


class Voucher(TimeStampedModel):
    """A code worth a fixed amount or a percentage, valid between two days, within usage limits and conditions."""

    # Stored as people read it (``ABCD-EFGH-JKLM``); lookups normalise case, spaces and dashes first.
    code = models.CharField(_("code"), max_length=20, unique=True)
    value_kind = models.CharField(_("kind of value"), max_length=10, choices=ValueKind.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), db_index=True)
    # Empty: no limit.
    max_uses = models.PositiveIntegerField(_("uses allowed"), null=True, blank=True)
    max_uses_per_customer = models.PositiveIntegerField(_("uses allowed per customer"), null=True, blank=True)
    # Moved only by a conditional UPDATE while redeeming.
    uses = models.PositiveIntegerField(_("times used"), default=0)
    # Empty: anyone eligible may use it.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("for customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    segments = models.ManyToManyField("customers.Segment", verbose_name=_("customer segments"), blank=True, related_name="+")
    categories = models.ManyToManyField("catalog.Category", verbose_name=_("product categories"), blank=True, related_name="+")
    min_sale_value = models.DecimalField(_("minimum sale value"), max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=VoucherSource.choices, db_index=True)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    offer = models.ForeignKey(
        "Offer", verbose_name=_("offer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="vouchers"
    )
    status = models.CharField(_("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ACTIVE)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        permissions = [
            ("issue_voucher", _("Can issue and cancel vouchers")),
            ("redeem_voucher", _("Can redeem vouchers")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="voucher_value_positive"),
            models.CheckConstraint(
                condition=~Q(value_kind="percent") | Q(value__gte=1, value__lte=100), name="voucher_percent_1_to_100"
            ),
            models.CheckConstraint(condition=Q(value_kind__in=["fixed", "percent"]), name="voucher_value_kind_valid"),
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="voucher_dates_order"),
            models.CheckConstraint(condition=Q(max_uses__isnull=True) | Q(max_uses__gte=1), name="voucher_max_uses_positive"),
            models.CheckConstraint(
                condition=Q(max_uses_per_customer__isnull=True) | Q(max_uses_per_customer__gte=1),
                name="voucher_max_uses_per_customer_positive",
            ),
            # The last line of defence behind the conditional UPDATE: never more uses than allowed.
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses__lte=F("max_uses")), name="voucher_uses_within_limit"
            ),
            models.CheckConstraint(
                condition=Q(min_sale_value__isnull=True) | Q(min_sale_value__gte=0), name="voucher_min_sale_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="active", cancelled_at__isnull=True) | Q(status="cancelled", cancelled_at__isnull=False),
                name="voucher_cancelled_has_time",
            ),
        ]
        indexes = [models.Index(fields=["customer", "status", "valid_until"], name="voucher_customer_idx")]

    def __str__(self) -> str:
        return self.code

    @property
    def is_personal(self) -> bool:
        return self.customer_id is not None

    def is_current(self, today: object = None) -> bool:
        """Return whether the voucher is active and today lies within its dates."""
        day = today or timezone.localdate()
        return self.status == VoucherStatus.ACTIVE and self.valid_from <= day <= self.valid_until  # type: ignore[operator]

    @property
    def used_up(self) -> bool:
        return self.max_uses is not None and self.uses >= self.max_uses


class VoucherRedemption(TimeStampedModel):
    """One use of a voucher by a customer, recorded once per idempotency key."""

    voucher = models.ForeignKey(Voucher, verbose_name=_("voucher"), on_delete=models.PROTECT, related_name="redemptions")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="voucher_redemptions"
    )
    sale = models.ForeignKey(
        "sales.Sale", verbose_name=_("sale"), null=True, blank=True, on_delete=models.PROTECT, related_name="voucher_redemptions"
    )
    # The amount the voucher was applied to (eligible lines of the sale, or the amount given); empty when unknown.
    eligible_amount = models.DecimalField(_("eligible amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    discount = models.DecimalField(_("discount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("redeemed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("voucher redemption")
        verbose_name_plural = _("voucher redemptions")
        constraints = [
            models.CheckConstraint(condition=Q(discount__gte=0), name="voucher_redemption_discount_not_negative"),
            # A sale takes a voucher once.
            models.UniqueConstraint(fields=["voucher", "sale"], condition=Q(sale__isnull=False), name="voucher_once_per_sale"),
        ]
        indexes = [models.Index(fields=["voucher", "customer"], name="voucher_redemption_cust_idx")]

    def __str__(self) -> str:
        return f"{self.voucher_id} → {self.customer_id}"


class OfferCode(models.TextChoices):
    # One code printed in every message; each customer may use it within the per-customer limit.
    SHARED = "shared", _("One shared code")
    # A single-use voucher issued to each recipient.
    PERSONAL = "personal", _("A personal voucher per recipient")


class OfferStatus(models.TextChoices):
    # Being written; nobody has received it.
    DRAFT = "draft", _("Draft")
    # A worker is queuing its messages in batches.
    SENDING = "sending", _("Sending")
    # Every recipient's message was queued (or suppressed).
    SENT = "sent", _("Sent")
    # Withdrawn; its vouchers are cancelled.
    CANCELLED = "cancelled", _("Cancelled")


class OfferChannel(models.TextChoices):
    # An email to each recipient.
    EMAIL = "email", _("Email")
    # A text message to each recipient.
    SMS = "sms", _("SMS")


class Offer(TimeStampedModel):
    """A special offer: bilingual text, validity, an audience, and a shared code or a personal voucher per recipient."""

    title = models.CharField(_("title"), max_length=150)
    title_es = models.CharField(_("title in Spanish"), max_length=150)
    body = models.TextField(_("text"))
    body_es = models.TextField(_("text in Spanish"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    channel = models.CharField(_("channel"), max_length=10, choices=OfferChannel.choices, default=OfferChannel.EMAIL)

    # Audience: every condition must hold; an empty one does not narrow.
    segments = models.ManyToManyField("customers.Segment", verbose_name=_("customer segments"), blank=True, related_name="+")
    bought_categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("bought from categories"), blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)
    min_lifetime_spend = models.DecimalField(_("minimum spent in total"), max_digits=14, decimal_places=2, null=True, blank=True)

    # What the recipients get.
    code_kind = models.CharField(_("code"), max_length=10, choices=OfferCode.choices, default=OfferCode.PERSONAL)
    value_kind = models.CharField(_("kind of value"), max_length=10, choices=ValueKind.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    min_sale_value = models.DecimalField(_("minimum sale value"), max_digits=14, decimal_places=2, null=True, blank=True)
    voucher_categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("voucher valid for categories"), blank=True, related_name="+"
    )
    shared_voucher = models.OneToOneField(
        Voucher, verbose_name=_("shared voucher"), null=True, blank=True, on_delete=models.PROTECT, related_name="shared_by_offer"
    )

    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    send_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("special offer")
        verbose_name_plural = _("special offers")
        permissions = [("send_offer", _("Can send special offers"))]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="offer_dates_order"),
            models.CheckConstraint(condition=Q(value__gt=0), name="offer_value_positive"),
            models.CheckConstraint(
                condition=~Q(value_kind="percent") | Q(value__gte=1, value__lte=100), name="offer_percent_1_to_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def display_title(self, language: str) -> str:
        return self.title_es if language == Language.SPANISH and self.title_es else self.title

    def display_body(self, language: str) -> str:
        return self.body_es if language == Language.SPANISH and self.body_es else self.body


class RecipientStatus(models.TextChoices):
    # The message is in the outbox.
    QUEUED = "queued", _("Queued")
    # The outbox did not send it (consent, unsubscribe, cap, no address).
    SUPPRESSED = "suppressed", _("Suppressed")


class OfferRecipient(models.Model):
    """A customer an offer went to: recorded once, with its message and personal voucher."""

    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="offer_receipts"
    )
    status = models.CharField(_("status"), max_length=12, choices=RecipientStatus.choices)
    suppressed_reason = models.CharField(_("suppressed because"), max_length=20, blank=True)
    message = models.ForeignKey(
        "messaging.Message", verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voucher = models.OneToOneField(
        Voucher, verbose_name=_("voucher"), null=True, blank=True, on_delete=models.SET_NULL, related_name="offer_recipient"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["offer", "customer"]
        verbose_name = _("offer recipient")
        verbose_name_plural = _("offer recipients")
        constraints = [models.UniqueConstraint(fields=["offer", "customer"], name="offer_recipient_once")]

    def __str__(self) -> str:
        return f"{self.offer_id} → {self.customer_id}"

    @property
    def suppressed_label(self) -> str:
        """Return why the outbox held the message back, in the reader's language."""
        from aftersales.messaging.models import SuppressedReason

        labels = dict(SuppressedReason.choices)
        return str(labels.get(self.suppressed_reason, self.suppressed_reason))
