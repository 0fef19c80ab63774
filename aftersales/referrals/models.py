"""Referrals: the programme's settings, each customer's personal code, referred prospects and invitations."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language, TimeStampedModel
from aftersales.customers.models import Customer
from aftersales.sales.models import Sale


class ReferralSettings(TimeStampedModel):
    """The referral programme's terms: one row, edited by managers."""

    active = models.BooleanField(_("programme active"), default=True)
    referrer_points = models.PositiveIntegerField(_("points for the referrer"), default=500)
    referrer_voucher_value = models.DecimalField(
        _("voucher for the referrer"), max_digits=10, decimal_places=2, default=Decimal("0"), help_text=_("0: no voucher")
    )
    referred_points = models.PositiveIntegerField(_("points for the friend"), default=0)
    referred_voucher_value = models.DecimalField(
        _("voucher for the friend"), max_digits=10, decimal_places=2, default=Decimal("20.00"), help_text=_("0: no voucher")
    )
    voucher_valid_days = models.PositiveIntegerField(_("vouchers valid for (days)"), default=90)
    attribution_days = models.PositiveIntegerField(
        _("attribution window (days)"), default=180, help_text=_("Days from the referral to the friend's first purchase.")
    )
    min_first_purchase = models.DecimalField(_("minimum first purchase"), max_digits=12, decimal_places=2, default=Decimal("0"))
    invitation_cooldown_days = models.PositiveIntegerField(
        _("days between two invitations"), default=90, help_text=_("A customer is invited to refer at most once in this time.")
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("referral programme settings")
        verbose_name_plural = _("referral programme settings")
        permissions = [("manage_referralsettings", _("Can change the referral programme"))]
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="referral_settings_single_row"),
            models.CheckConstraint(condition=Q(attribution_days__gte=1), name="referral_settings_window_positive"),
            models.CheckConstraint(
                condition=Q(referrer_voucher_value__gte=0) & Q(referred_voucher_value__gte=0) & Q(min_first_purchase__gte=0),
                name="referral_settings_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Referral programme"))


class ReferralCode(TimeStampedModel):
    """A customer's personal referral code, the key of their link /portal/r/<code>/."""

    customer = models.OneToOneField(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="referral_code")
    code = models.CharField(_("code"), max_length=16, unique=True)
    # Staff switch a code off when its owner abuses the programme; its link then takes no more friends.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")

    def __str__(self) -> str:
        return self.code


class ReferralLinkView(models.Model):
    """How many times a personal link was opened on one day (the funnel's "links opened")."""

    code = models.ForeignKey(ReferralCode, on_delete=models.CASCADE, related_name="views")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("referral link views")
        verbose_name_plural = _("referral link views")
        constraints = [models.UniqueConstraint(fields=["code", "day"], name="referral_link_view_per_day")]

    def __str__(self) -> str:
        return f"{self.code_id} · {self.day}: {self.count}"


class ReferralSource(models.TextChoices):
    # The friend filled in the form behind the referrer's personal link.
    LINK = "link", _("Personal link")
    # Staff took the friend's details on the phone.
    PHONE = "phone", _("Phone")
    # Staff took the friend's details in a store.
    STORE = "store", _("Store")
    # Staff took the friend's details at an event or fair.
    EVENT = "event", _("Event")
    # Another system sent the referral through the API.
    API = "api", _("API")


class ReferralStatus(models.TextChoices):
    # Recorded; waiting for the friend's first purchase within the window.
    PENDING = "pending", _("Pending")
    # The friend made their first purchase; rewards not given yet.
    CONVERTED = "converted", _("Converted")
    # The friend bought and both sides received their rewards.
    REWARDED = "rewarded", _("Rewarded")
    # Refused by a fraud guard or by staff; the reason says why.
    REJECTED = "rejected", _("Rejected")
    # The window passed without a first purchase.
    EXPIRED = "expired", _("Expired")


# A referral in these statuses holds its email, phone and address: nobody else may refer them.
HOLDING_STATUSES = (ReferralStatus.PENDING, ReferralStatus.CONVERTED, ReferralStatus.REWARDED)
_HOLDING = Q(status__in=[status.value for status in HOLDING_STATUSES])


class RejectionReason(models.TextChoices):
    # Not rejected.
    NONE = "", _("—")
    # The friend's email, phone or address is the referrer's own.
    SELF_REFERRAL = "self_referral", _("Self-referral")
    # Someone already referred this email, phone or address and that referral is still open or converted.
    DUPLICATE = "duplicate", _("Already referred")
    # The friend had bought from us before the referral.
    ALREADY_CUSTOMER = "already_customer", _("Already a customer")
    # The referrer has never bought from us, or their code was switched off.
    REFERRER_INACTIVE = "referrer_inactive", _("Referrer not active")
    # The programme was switched off.
    PROGRAMME_INACTIVE = "programme_inactive", _("Programme not active")
    # A member of staff rejected it by hand.
    STAFF = "staff", _("Rejected by staff")


class Referral(TimeStampedModel):
    """A friend a customer referred, followed to their first purchase."""

    referrer = models.ForeignKey(Customer, verbose_name=_("referrer"), on_delete=models.CASCADE, related_name="referrals_made")
    name = models.CharField(_("friend's name"), max_length=200)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # The address in lower case without spaces or punctuation, for the duplicate and self-referral checks.
    address_key = models.CharField(max_length=300, blank=True, db_index=True, editable=False)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    source = models.CharField(_("source"), max_length=10, choices=ReferralSource.choices)
    consent = models.BooleanField(_("agreed to be contacted"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    referred_on = models.DateField(_("referred on"))
    expires_on = models.DateField(_("first purchase by"))
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING)
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=20, choices=RejectionReason.choices, blank=True, default=RejectionReason.NONE
    )
    rejection_note = models.CharField(_("note"), max_length=300, blank=True)
    referred_customer = models.ForeignKey(
        Customer,
        verbose_name=_("new customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_by",
    )
    first_sale = models.ForeignKey(
        Sale, verbose_name=_("first purchase"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    rewarded_at = models.DateTimeField(_("rewarded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("rejected or expired at"), null=True, blank=True)
    referrer_points = models.PositiveIntegerField(_("referrer's points"), default=0)
    referrer_voucher = models.CharField(_("referrer's voucher"), max_length=40, blank=True)
    referred_points = models.PositiveIntegerField(_("friend's points"), default=0)
    referred_voucher = models.CharField(_("friend's voucher"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        permissions = [
            ("reject_referral", _("Can reject a referral")),
            ("invite_referral", _("Can invite a customer to refer a friend")),
        ]
        constraints = [
            # Duplicates: one open or converted referral per email, phone and address, whoever referred them.
            models.UniqueConstraint(fields=["email"], condition=_HOLDING & ~Q(email=""), name="referral_email_held_once"),
            models.UniqueConstraint(fields=["phone"], condition=_HOLDING & ~Q(phone=""), name="referral_phone_held_once"),
            models.UniqueConstraint(
                fields=["address_key"], condition=_HOLDING & ~Q(address_key=""), name="referral_address_held_once"
            ),
            # A new customer converts (and is rewarded for) one referral only.
            models.UniqueConstraint(
                fields=["referred_customer"], condition=Q(referred_customer__isnull=False), name="referral_converts_once"
            ),
            models.CheckConstraint(condition=~Q(email="") | ~Q(phone=""), name="referral_has_email_or_phone"),
            models.CheckConstraint(condition=Q(consent=False) | Q(consent_at__isnull=False), name="referral_consent_dated"),
            models.CheckConstraint(
                condition=(Q(status=ReferralStatus.REJECTED) & ~Q(rejection_reason=""))
                | (~Q(status=ReferralStatus.REJECTED) & Q(rejection_reason="")),
                name="referral_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ReferralStatus.CONVERTED, ReferralStatus.REWARDED])
                | (Q(referred_customer__isnull=False) & Q(converted_at__isnull=False)),
                name="referral_converted_has_customer",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="referral_status_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.name} ← {self.referrer}"

    @property
    def masked_name(self) -> str:
        """Return the friend's first name and the initial of the rest, as shown to the referrer."""
        words = self.name.split()
        if not words:
            return ""
        return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


class InvitationTrigger(models.TextChoices):
    # The customer answered a survey as a promoter (NPS 9–10).
    PROMOTER = "promoter", _("Promoter score")
    # A member of staff invited the customer from the console.
    STAFF = "staff", _("Staff")


class InvitationStatus(models.TextChoices):
    # The invitation went to the outbox.
    SENT = "sent", _("Sent")
    # The outbox did not send it (no consent, unsubscribed, no address, frequency cap).
    SUPPRESSED = "suppressed", _("Not sent")


class ReferralInvitation(TimeStampedModel):
    """An invitation to refer a friend sent to a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="referral_invitations"
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=InvitationTrigger.choices)
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    message = models.ForeignKey(
        "messaging.Message", verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral invitation")
        verbose_name_plural = _("referral invitations")
        indexes = [models.Index(fields=["customer", "created_at"], name="referral_invitation_recent_idx")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.created_at:%Y-%m-%d}"
