"""Newsletter: lists (who receives it, computed from consent, language and segments), articles, and issues.

A list stores only its rules; its members are the customers who match them *now* (see ``selectors``), so
a customer who withdraws consent or unsubscribes leaves every list at once. An issue is composed as a
draft, frozen when it is sent (its rendered subject and text are stored, so the archive shows exactly what
went out) and queued through the outbox in batches by a background task that can resume after a crash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language, TimeStampedModel


class NewsletterList(TimeStampedModel):
    """A mailing list: a language and optional segments; members are the consenting customers who match now."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    # Empty: every customer who speaks the language and agreed to email; else only those in one of these segments.
    segments = models.ManyToManyField(
        "customers.Segment", verbose_name=_("segments"), blank=True, related_name="newsletter_lists"
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("newsletter list")
        verbose_name_plural = _("newsletter lists")

    def __str__(self) -> str:
        return self.name


class Article(TimeStampedModel):
    """A short article written in one language for the newsletters of that language."""

    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    title = models.CharField(_("title"), max_length=200)
    # Plain paragraphs separated by a blank line; lines starting with "- " are a list. Never HTML.
    body = models.TextField(_("text"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["language", "-published_on"], name="newsletter_article_lang_idx")]

    def __str__(self) -> str:
        return self.title


class IssueStatus(models.TextChoices):
    # Being composed; can be edited, previewed and test-sent.
    DRAFT = "draft", _("Draft")
    # Frozen; the background task is queueing one message per member, batch by batch.
    SENDING = "sending", _("Sending")
    # Every member was handled; the counts are final.
    SENT = "sent", _("Sent")


class Issue(TimeStampedModel):
    """One edition of a list's newsletter: subject, introduction, new products and articles."""

    newsletter_list = models.ForeignKey(NewsletterList, verbose_name=_("list"), on_delete=models.PROTECT, related_name="issues")
    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    products = models.ManyToManyField("catalog.Product", verbose_name=_("new products"), blank=True, related_name="+")
    articles = models.ManyToManyField(Article, verbose_name=_("articles"), blank=True, related_name="issues")
    status = models.CharField(_("status"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT)
    # Frozen when sending starts: exactly what the members receive and the portal archive shows.
    rendered_subject = models.CharField(_("sent subject"), max_length=300, blank=True)
    rendered_body = models.TextField(_("sent text"), blank=True)
    # Sending: members are handled in customer id order; the last one handled lets a resumed task go on.
    last_customer_id = models.BigIntegerField(_("last customer handled"), default=0)
    queued_count = models.PositiveIntegerField(_("queued"), default=0)
    suppressed_count = models.PositiveIntegerField(_("not sent"), default=0)
    task_id = models.CharField(_("sending task"), max_length=64, blank=True)
    send_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        permissions = [("send_issue", _("Can send a newsletter issue to its list"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(send_started_at__isnull=False) & ~Q(rendered_body="")),
                name="newsletter_issue_frozen_when_sending",
            ),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="newsletter_issue_sent_at"),
        ]
        indexes = [models.Index(fields=["newsletter_list", "status", "-sent_at"], name="newsletter_issue_list_idx")]

    def __str__(self) -> str:
        return self.subject
