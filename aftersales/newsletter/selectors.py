"""Reads of newsletter: who is on a list now, which products are new for an issue, what an issue says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from aftersales.catalog.models import Product
from aftersales.core.models import Language
from aftersales.customers.models import Customer
from aftersales.messaging.models import Message, MessageChannel, MessageStatus, Unsubscribe
from aftersales.newsletter.models import Article, Issue, IssueStatus, NewsletterList

# Without an earlier sent issue, an issue offers the products added in this many days.
FIRST_ISSUE_PRODUCT_DAYS = 30


def list_members(newsletter_list: NewsletterList) -> QuerySet[Customer]:
    """Return the customers on a list now: its language, email consent and an address, its segments, no opt-out since.

    An unsubscribe counts until the customer agrees to email again (a consent given after it).
    """
    opted_out = Unsubscribe.objects.filter(
        customer_id=OuterRef("pk"), channel=MessageChannel.EMAIL, created_at__gte=OuterRef("consent_email_at")
    )
    members = (
        Customer.objects.filter(language=newsletter_list.language, consent_email_at__isnull=False)
        .exclude(email="")
        .filter(~Exists(opted_out))
    )
    segment_ids = [segment.pk for segment in newsletter_list.segments.all()]
    if segment_ids:
        through = Customer.segments.through
        members = members.filter(Exists(through.objects.filter(customer_id=OuterRef("pk"), segment_id__in=segment_ids)))
    return members.order_by("pk")


def list_member_count(newsletter_list: NewsletterList) -> int:
    """Return how many customers are on a list now."""
    return list_members(newsletter_list).count()


def lists_with_counts() -> list[tuple[NewsletterList, int]]:
    """Return every list with its member count (one count per list: lists are few)."""
    lists = NewsletterList.objects.prefetch_related("segments").order_by("name")
    return [(newsletter_list, list_member_count(newsletter_list)) for newsletter_list in lists]


def previous_sent_issue(newsletter_list: NewsletterList, *, before: Issue | None = None) -> Issue | None:
    """Return the list's latest issue whose sending started (before another issue, when given)."""
    issues = Issue.objects.filter(newsletter_list=newsletter_list).exclude(status=IssueStatus.DRAFT)
    if before is not None and before.pk:
        issues = issues.exclude(pk=before.pk)
        if before.send_started_at:
            issues = issues.filter(send_started_at__lt=before.send_started_at)
    return issues.order_by("-send_started_at", "-pk").first()


def new_products_since(
    newsletter_list: NewsletterList, *, now: dt.datetime | None = None
) -> tuple[dt.datetime, QuerySet[Product]]:
    """Return since when products count as new for the list's next issue, and those products (on sale, oldest first)."""
    previous = previous_sent_issue(newsletter_list)
    now = now or timezone.now()
    since = (
        previous.send_started_at if previous and previous.send_started_at else now - dt.timedelta(days=FIRST_ISSUE_PRODUCT_DAYS)
    )
    products = Product.objects.filter(is_active=True, created_at__gt=since).order_by("created_at", "pk")
    return since, products


def articles_for(language: str) -> QuerySet[Article]:
    """Return the articles written in a language, newest first."""
    return Article.objects.filter(language=language).order_by("-published_on", "-pk")


def issues_filtered(*, status: str = "", list_id: int | None = None) -> QuerySet[Issue]:
    """Return issues, newest first, with their lists."""
    issues = Issue.objects.select_related("newsletter_list", "sent_by")
    if status:
        issues = issues.filter(status=status)
    if list_id:
        issues = issues.filter(newsletter_list_id=list_id)
    return issues.order_by("-created_at", "-pk")


def issue_message_key(issue_id: int, customer_id: int) -> str:
    """Return the outbox key of an issue's message to a customer: one message per issue and customer, ever."""
    return f"newsletter:{issue_id}:{customer_id}"


def issue_messages(issue: Issue) -> QuerySet[Message]:
    """Return the outbox messages of an issue."""
    return Message.objects.filter(idempotency_key__startswith=f"newsletter:{issue.pk}:")


@dataclass(frozen=True)
class IssueCounts:
    queued: int
    suppressed: int


def issue_counts(issue: Issue) -> IssueCounts:
    """Count an issue's messages in the outbox: put in it to go (whatever became of them) and refused (suppressed)."""
    messages = issue_messages(issue)
    suppressed = messages.filter(status=MessageStatus.SUPPRESSED).count()
    return IssueCounts(queued=messages.count() - suppressed, suppressed=suppressed)


def issue_delivery(issue: Issue) -> dict[str, int]:
    """Return how many of an issue's messages are in each outbox status."""
    rows = issue_messages(issue).values("status").order_by("status")
    found: dict[str, int] = {}
    for row in rows:
        found[row["status"]] = found.get(row["status"], 0) + 1
    return found


def archive_for(customer: Customer) -> QuerySet[Issue]:
    """Return the sent issues in the customer's language, newest first: the portal archive.

    An issue of a list kept for some segments (a VIP preview) shows only to customers in one of them.
    """
    through = NewsletterList.segments.through
    own_segments = Customer.segments.through.objects.filter(customer_id=customer.pk).values("segment_id")
    for_everyone = ~Exists(through.objects.filter(newsletterlist_id=OuterRef("newsletter_list_id")))
    for_them = Exists(through.objects.filter(newsletterlist_id=OuterRef("newsletter_list_id"), segment_id__in=own_segments))
    return (
        Issue.objects.filter(status=IssueStatus.SENT, newsletter_list__language=customer.language)
        .filter(for_everyone | for_them)
        .select_related("newsletter_list")
        .order_by("-sent_at", "-pk")
    )


def is_subscribed(customer: Customer) -> bool:
    """Return whether the customer receives newsletters: email consent with no opt-out since."""
    if customer.consent_email_at is None or not customer.email:
        return False
    return not Unsubscribe.objects.filter(
        customer=customer, channel=MessageChannel.EMAIL, created_at__gte=customer.consent_email_at
    ).exists()


# --- the text of an issue ---------------------------------------------------------------------------


def _rule(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def issue_text(issue: Issue, *, products: list[Product] | None = None, articles: list[Article] | None = None) -> str:
    """Return the body of an issue in its list's language, as plain text: introduction, new products, articles."""
    language = issue.newsletter_list.language
    products = products if products is not None else list(issue.products.order_by("created_at", "pk"))
    articles = articles if articles is not None else list(issue.articles.order_by("-published_on", "pk"))
    parts: list[str] = []
    with translation.override(language):
        if issue.intro.strip():
            parts.append(issue.intro.strip())
        if products:
            lines = [_rule(gettext("New products"))]
            for product in products:
                lines.append(f"- {product.display_name(language)} ({product.sku})")
            parts.append("\n".join(lines))
        for article in articles:
            section = [_rule(article.title), article.body.strip()]
            if article.link:
                section.append(gettext("Read more: %(url)s") % {"url": article.link})
            parts.append("\n\n".join(section))
    return "\n\n".join(parts).strip()


def language_label(code: str) -> str:
    """Return a language's name in the active language."""
    return str(dict(Language.choices).get(code, code))


def unfinished_sendings(*, idle_for: dt.timedelta) -> QuerySet[Issue]:
    """Return issues still sending whose last progress is older than the given time (their task may have died)."""
    return Issue.objects.filter(status=IssueStatus.SENDING, updated_at__lt=timezone.now() - idle_for).order_by("pk")
