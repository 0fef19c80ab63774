"""Shared kernel: staff users, departments, API tokens and the timeline."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TimeStampedModel(models.Model):
    """Abstract base with creation and last-change times."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Language(models.TextChoices):
    # The customer or staff member reads English.
    ENGLISH = "en", _("English")
    # The customer or staff member reads Spanish.
    SPANISH = "es", _("Spanish")


# Help text of the Spanish twin of a staff-facing text.
SPANISH_HELP = _("Shown to Spanish-speaking staff; leave empty to show the English text.")


def in_language(english: str, spanish: str, language: str) -> str:
    """Return the Spanish text to a Spanish reader when there is one, else the English text."""
    return spanish if language == Language.SPANISH and spanish else english


class SpanishNameMixin:
    """`display_name(language)` for a model with `name` and an optional `name_es`."""

    name: Any
    name_es: Any

    def display_name(self, language: str) -> str:
        """Return the name in a language, falling back to English."""
        return in_language(self.name, self.name_es, language)


class SpanishDescriptionMixin:
    """`display_description(language)` for a model with `description` and an optional `description_es`."""

    description: Any
    description_es: Any

    def display_description(self, language: str) -> str:
        """Return the description in a language, falling back to English."""
        return in_language(self.description, self.description_es, language)


class Department(SpanishNameMixin, TimeStampedModel):
    """A part of the company that owns work: sales, service, administration…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: a staff member (is_staff) or a customer on the portal."""

    email = models.EmailField(_("email address"), blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_codes(self) -> set[str]:
        """Return the role codes (group names) this user holds."""
        return {group.name for group in self.groups.all()}


class ApiToken(TimeStampedModel):
    """A personal token for integrations; only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Refuse bulk rewrites, so the history cannot be changed behind the model's back either."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError(f"{self.model._meta.verbose_name_plural} are append-only.".capitalize())

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self.model._meta.verbose_name_plural} are append-only.".capitalize())


class AppendOnlyModel(models.Model):
    """A history row: written once, never updated or deleted (cascades from its owner aside)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError(f"{self._meta.verbose_name_plural} are append-only.".capitalize())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self._meta.verbose_name_plural} are append-only.".capitalize())


class TimelineEvent(AppendOnlyModel):
    """An append-only fact about a customer and optionally one of their units.

    Later capabilities add their own kinds through ``aftersales.core.timeline``;
    nothing updates or deletes a row once written.
    """

    # No single-column indexes on customer and unit: the composite indexes below start with them.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="timeline_events",
        db_index=False,
    )
    unit = models.ForeignKey(
        "sales.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="timeline_events",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=60)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="timeline_customer_idx"),
            models.Index(fields=["unit", "-occurred_at"], name="timeline_unit_idx"),
            # Reports read one kind of event over a period ("units delivered last month").
            models.Index(fields=["kind", "occurred_at"], name="timeline_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.occurred_at:%Y-%m-%d}"


class SweepRun(models.Model):
    """When a periodic sweep last ran; its row is the lock that keeps two ticks from running it at once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("periodic sweep")
        verbose_name_plural = _("periodic sweeps")

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """A line in a staff member's inbox: something happened that they should look at.

    ``verb`` is a code registered by the capability that sends it (``ticket_follower_added``);
    ``data`` holds the values its sentence needs, so the inbox reads in the reader's language.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(_("kind"), max_length=60)
    data = models.JSONField(_("data"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.verb} → {self.user_id}"


class Weekday(models.IntegerChoices):
    """Days of the week as Python numbers them (Monday is 0).

    The labels carry their own context: a plain "Monday" in our catalogue would replace Django's own
    translation, which date formatting uses mid-sentence ("lunes, 5 de mayo").
    """

    MONDAY = 0, pgettext_lazy("weekday", "Monday")
    TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
    THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
    FRIDAY = 4, pgettext_lazy("weekday", "Friday")
    SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
    SUNDAY = 6, pgettext_lazy("weekday", "Sunday")


class BusinessCalendar(SpanishNameMixin, TimeStampedModel):
    """When the company works: weekly hours in a time zone, a country's public holidays and its own closed days.

    Service targets count only working time of a calendar (``aftersales.core.business_time``).
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True, help_text=SPANISH_HELP)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", help_text=_("IANA name, e.g. Europe/Madrid")
    )
    country = models.CharField(
        _("holidays of country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 code whose public holidays close the business; blank for none"),
    )
    subdivision = models.CharField(
        _("region"), max_length=20, blank=True, help_text=_("Adds the region's own holidays, e.g. MD for the Community of Madrid")
    )
    is_default = models.BooleanField(
        _("default calendar"), default=False, help_text=_("Used by service policies that name no calendar.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="business_calendar_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One working interval of a weekday; a day may have several (09:00–13:00 and 15:00–18:00)."""

    calendar = models.ForeignKey(BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    # 00:00 means midnight at the end of the day, so 00:00–00:00 is the whole day.
    ends_at = models.TimeField(_("until"))

    class Meta:
        ordering = ["calendar", "weekday", "starts_at"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__gte=0, weekday__lte=6), name="working_hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class ClosedDay(models.Model):
    """A date on which the company does not work although the calendar says it would (a closure, a local fair)."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="closed_days"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
