"""Who the customers are: contact data, language, consent, segments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language, TimeStampedModel


class Channel(models.TextChoices):
    # Email messages.
    EMAIL = "email", _("Email")
    # Text messages to a mobile phone.
    SMS = "sms", _("SMS")
    # Phone calls by staff.
    PHONE = "phone", _("Phone")
    # Printed letters by post.
    POST = "post", _("Post")


class AgeBand(models.TextChoices):
    # Age not recorded.
    UNKNOWN = "", _("Not recorded")
    UNDER_25 = "under_25", _("Under 25")
    FROM_25_TO_39 = "25_39", _("25–39")
    FROM_40_TO_54 = "40_54", _("40–54")
    FROM_55_TO_69 = "55_69", _("55–69")
    OVER_70 = "70_plus", _("70 or older")


class EducationLevel(models.TextChoices):
    # Education not recorded.
    UNKNOWN = "", _("Not recorded")
    # Compulsory schooling.
    PRIMARY = "primary", _("Primary")
    # Upper secondary or vocational.
    SECONDARY = "secondary", _("Secondary")
    # University degree.
    TERTIARY = "tertiary", _("University")
    # Master's or doctorate.
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class Segment(TimeStampedModel):
    """A tag that groups customers (VIP, business, new…) for rules and reports."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel):
    """A person or company that bought from us."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True, help_text=_("E.164, e.g. +34911234567"))
    language = models.CharField(_("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    # Consent per channel: the moment it was given, or empty when not given.
    consent_email_at = models.DateTimeField(_("email consent given at"), null=True, blank=True)
    consent_sms_at = models.DateTimeField(_("SMS consent given at"), null=True, blank=True)
    consent_phone_at = models.DateTimeField(_("phone consent given at"), null=True, blank=True)
    consent_post_at = models.DateTimeField(_("post consent given at"), null=True, blank=True)

    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. ES"))

    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True, default="")
    education_level = models.CharField(
        _("education level"), max_length=20, choices=EducationLevel.choices, blank=True, default=""
    )
    segments = models.ManyToManyField(Segment, verbose_name=_("segments"), blank=True, related_name="customers")
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True, db_index=True)
    notes = models.TextField(_("notes"), blank=True)

    # The portal account, created the first time the customer asks for a sign-in link.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="customer_email_unique"),
        ]
        indexes = [models.Index(fields=["name"], name="customer_name_idx")]

    def __str__(self) -> str:
        return self.name

    def consent_at(self, channel: str) -> object:
        """Return when consent for a channel was given, or None."""
        return getattr(self, f"consent_{channel}_at")

    def has_consent(self, channel: str) -> bool:
        """Return whether the customer agreed to be contacted on a channel."""
        return self.consent_at(channel) is not None

    @property
    def address(self) -> str:
        parts = [
            self.address_line1,
            self.address_line2,
            " ".join(p for p in [self.postal_code, self.city] if p),
            self.region,
            self.country,
        ]
        return ", ".join(p for p in parts if p)
