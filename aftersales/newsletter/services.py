"""Every write of newsletter: lists, articles, issues, and sending an issue through the outbox in batches.

Sending is safe to resume. ``issue_send`` freezes the issue (its text is stored) and hands it to a
background task; each run of the task takes the next batch of members in customer id order, queues one
marketing message per member under the key ``newsletter:<issue>:<customer>`` and moves the issue's
cursor, all in one transaction. A crash loses at most the batch in flight, which the next run does
again; the outbox's unique key makes a repeated member find their message already there.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Product
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import Language, User
from aftersales.core.tasks import task_enqueue_on_commit, tasks_waiting
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer, Segment
from aftersales.customers.services import customer_set_consent
from aftersales.messaging.models import Message, MessageChannel, MessageStatus
from aftersales.messaging.sandbox import Rendered, render
from aftersales.messaging.selectors import body_with_unsubscribe, sample_context, template_choose
from aftersales.messaging.services import message_enqueue, unsubscribe_apply
from aftersales.messaging.signing import unsubscribe_token
from aftersales.newsletter import selectors
from aftersales.newsletter.models import Article, Issue, IssueStatus, NewsletterList

logger = logging.getLogger(__name__)

# The outbox template every issue goes out with (created by this app's migrations, editable in the console).
TEMPLATE_CODE = "newsletter_issue"
DEFAULT_BATCH_SIZE = 200


def _editor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _text(data: Mapping[str, Any], name: str, errors: list[FieldError], *, limit: int, required: bool) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors.append(FieldError(field=name, reason=_("is required")))
    elif len(value) > limit:
        errors.append(FieldError(field=name, reason=interpolate(_("is longer than %(limit)s characters"), limit=limit)))
    return value


def _language(data: Mapping[str, Any], errors: list[FieldError]) -> str:
    language = str(data.get("language") or "")
    if language not in Language.values:
        errors.append(FieldError(field="language", reason=one_of(Language.values)))
    return language


def _id_list(value: Any, *, field: str, errors: list[FieldError]) -> list[int]:
    try:
        return sorted({int(item) for item in value or ()})
    except (TypeError, ValueError):
        errors.append(FieldError(field=field, reason=_("must be a list of ids")))
        return []


# --- lists ----------------------------------------------------------------------------------------


def _list_clean(data: Mapping[str, Any], newsletter_list: NewsletterList | None) -> tuple[dict[str, Any], list[int] | None]:
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    if "name" in data or newsletter_list is None:
        cleaned["name"] = _text(data, "name", errors, limit=120, required=True)
        clash = NewsletterList.objects.filter(name__iexact=cleaned["name"])
        if newsletter_list is not None:
            clash = clash.exclude(pk=newsletter_list.pk)
        if cleaned["name"] and clash.exists():
            errors.append(FieldError(field="name", reason=_("another list has this name"), code="duplicate"))
    if "description" in data:
        cleaned["description"] = _text(data, "description", errors, limit=2000, required=False)
    if "language" in data or newsletter_list is None:
        cleaned["language"] = _language(data, errors)
    if "active" in data and data["active"] is not None:
        cleaned["active"] = bool(data["active"])
    segment_ids: list[int] | None = None
    if data.get("segment_ids") is not None:
        segment_ids = _id_list(data["segment_ids"], field="segment_ids", errors=errors)
        found = set(Segment.objects.filter(pk__in=segment_ids).values_list("pk", flat=True))
        missing = [pk for pk in segment_ids if pk not in found]
        if missing:
            errors.append(
                FieldError(field="segment_ids", reason=interpolate(_("no such ids: %(ids)s"), ids=", ".join(map(str, missing))))
            )
    if errors:
        raise ValidationFailed(errors=errors)
    return cleaned, segment_ids


@transaction.atomic
def list_create(*, actor: User | None, data: Mapping[str, Any]) -> NewsletterList:
    """Create a list: a new name, a language, optional segments."""
    cleaned, segment_ids = _list_clean(data, None)
    newsletter_list = NewsletterList.objects.create(**cleaned, created_by=_editor(actor))
    if segment_ids:
        newsletter_list.segments.set(segment_ids)
    return newsletter_list


@transaction.atomic
def list_update(*, actor: User | None, newsletter_list: NewsletterList, data: Mapping[str, Any]) -> NewsletterList:
    """Change a list's rules; its members follow at once (they are computed, never copied)."""
    newsletter_list = NewsletterList.objects.select_for_update().get(pk=newsletter_list.pk)
    cleaned, segment_ids = _list_clean(data, newsletter_list)
    if "language" in cleaned and cleaned["language"] != newsletter_list.language and newsletter_list.issues.exists():
        raise ValidationFailed(
            errors=[FieldError(field="language", reason=_("cannot change once the list has issues (they are written in it)"))]
        )
    for name, value in cleaned.items():
        setattr(newsletter_list, name, value)
    newsletter_list.save()
    if segment_ids is not None:
        newsletter_list.segments.set(segment_ids)
    return newsletter_list


# --- articles -------------------------------------------------------------------------------------


def _article_clean(data: Mapping[str, Any], article: Article | None) -> dict[str, Any]:
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    creating = article is None
    if "title" in data or creating:
        cleaned["title"] = _text(data, "title", errors, limit=200, required=True)
    if "body" in data or creating:
        cleaned["body"] = _text(data, "body", errors, limit=20_000, required=True)
    if "language" in data or creating:
        cleaned["language"] = _language(data, errors)
    if "link" in data:
        link = _text(data, "link", errors, limit=500, required=False)
        if link:
            try:
                URLValidator(schemes=["http", "https"])(link)
            except ValidationError:
                errors.append(FieldError(field="link", reason=_("must be a web address starting with http:// or https://")))
        cleaned["link"] = link
    if "published_on" in data or creating:
        raw = data.get("published_on")
        if raw in (None, ""):
            cleaned["published_on"] = timezone.localdate()
        elif isinstance(raw, dt.date):
            cleaned["published_on"] = raw
        else:
            parsed = parse_date(str(raw))
            if parsed is None:
                errors.append(FieldError(field="published_on", reason=_("must be a date, e.g. 2025-06-01")))
            cleaned["published_on"] = parsed
    language_changed = article is not None and "language" in cleaned and cleaned["language"] != article.language
    if language_changed and article is not None and article.issues.exists():
        errors.append(FieldError(field="language", reason=_("cannot change: the article is in an issue of its language")))
    if errors:
        raise ValidationFailed(errors=errors)
    return cleaned


@transaction.atomic
def article_create(*, actor: User | None, data: Mapping[str, Any]) -> Article:
    """Write an article in one language: a title, its text and an optional link."""
    return Article.objects.create(**_article_clean(data, None), created_by=_editor(actor))


@transaction.atomic
def article_update(*, actor: User | None, article: Article, data: Mapping[str, Any]) -> Article:
    """Change an article; issues already sent keep the text they went out with."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    for name, value in _article_clean(data, article).items():
        setattr(article, name, value)
    article.save()
    return article


# --- issues ---------------------------------------------------------------------------------------


def _issue_contents(
    newsletter_list: NewsletterList, data: Mapping[str, Any], errors: list[FieldError]
) -> tuple[list[int] | None, list[int] | None]:
    product_ids: list[int] | None = None
    article_ids: list[int] | None = None
    if data.get("product_ids") is not None:
        product_ids = _id_list(data["product_ids"], field="product_ids", errors=errors)
        found = set(Product.objects.filter(pk__in=product_ids).values_list("pk", flat=True))
        missing = [pk for pk in product_ids if pk not in found]
        if missing:
            errors.append(
                FieldError(field="product_ids", reason=interpolate(_("no such ids: %(ids)s"), ids=", ".join(map(str, missing))))
            )
    if data.get("article_ids") is not None:
        article_ids = _id_list(data["article_ids"], field="article_ids", errors=errors)
        languages = dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "language"))
        missing = [pk for pk in article_ids if pk not in languages]
        other = [pk for pk, language in languages.items() if language != newsletter_list.language]
        if missing:
            errors.append(
                FieldError(field="article_ids", reason=interpolate(_("no such ids: %(ids)s"), ids=", ".join(map(str, missing))))
            )
        elif other:
            errors.append(
                FieldError(
                    field="article_ids",
                    reason=interpolate(
                        _("articles %(ids)s are not written in the list's language"), ids=", ".join(map(str, sorted(other)))
                    ),
                )
            )
    return product_ids, article_ids


@transaction.atomic
def issue_create(*, actor: User | None, newsletter_list: NewsletterList, data: Mapping[str, Any]) -> Issue:
    """Start a draft issue for a list; without a choice of products, the products new since its last issue are taken."""
    errors: list[FieldError] = []
    subject = _text(data, "subject", errors, limit=200, required=True)
    intro = _text(data, "intro", errors, limit=10_000, required=False)
    product_ids, article_ids = _issue_contents(newsletter_list, data, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    issue = Issue.objects.create(newsletter_list=newsletter_list, subject=subject, intro=intro, created_by=_editor(actor))
    if product_ids is None:
        product_ids = list(selectors.new_products_since(newsletter_list)[1].values_list("pk", flat=True))
    issue.products.set(product_ids)
    if article_ids:
        issue.articles.set(article_ids)
    return issue


def _draft_locked(issue: Issue) -> Issue:
    issue = Issue.objects.select_for_update().select_related("newsletter_list").get(pk=issue.pk)
    if issue.status != IssueStatus.DRAFT:
        raise Conflict(_("This issue was sent: it can no longer be changed."))
    return issue


@transaction.atomic
def issue_update(*, actor: User | None, issue: Issue, data: Mapping[str, Any]) -> Issue:
    """Change a draft issue's subject, introduction, products or articles; a sent issue is frozen."""
    issue = _draft_locked(issue)
    errors: list[FieldError] = []
    if "subject" in data and data["subject"] is not None:
        issue.subject = _text(data, "subject", errors, limit=200, required=True)
    if "intro" in data and data["intro"] is not None:
        issue.intro = _text(data, "intro", errors, limit=10_000, required=False)
    product_ids, article_ids = _issue_contents(issue.newsletter_list, data, errors)
    if errors:
        raise ValidationFailed(errors=errors)
    issue.save()
    if product_ids is not None:
        issue.products.set(product_ids)
    if article_ids is not None:
        issue.articles.set(article_ids)
    return issue


@transaction.atomic
def issue_delete(*, actor: User | None, issue: Issue) -> None:
    """Delete a draft issue; a sent one stays in the archive."""
    _draft_locked(issue).delete()


def _subject_and_text(issue: Issue) -> tuple[str, str]:
    """Return what an issue says: frozen once sent, composed from its current contents while a draft."""
    if issue.status != IssueStatus.DRAFT:
        return issue.rendered_subject, issue.rendered_body
    return issue.subject, selectors.issue_text(issue)


def issue_preview(*, issue: Issue, customer: Customer | None = None) -> Rendered:
    """Render an issue exactly as a member receives it, in its list's language (a sample member unless one is given)."""
    language = issue.newsletter_list.language
    template = template_choose(code=TEMPLATE_CODE, channel=MessageChannel.EMAIL, language=language)
    if template is None:
        raise ValidationFailed(
            errors=[FieldError(field="template_code", reason=interpolate(_("no email template %(code)r"), code=TEMPLATE_CODE))]
        )
    subject, text = _subject_and_text(issue)
    context = sample_context(language=language, customer=customer)
    context.update({"newsletter_subject": subject, "newsletter_body": text, "newsletter_list": issue.newsletter_list.name})
    rendered = render(subject=template.subject, body=template.body, context=context, language=template.language)
    return Rendered(
        subject=rendered.subject,
        body=body_with_unsubscribe(rendered.body, link=str(context["unsubscribe_url"]), language=template.language),
    )


def issue_test_send(*, actor: User, issue: Issue) -> str:
    """Email the preview of an issue to the acting staff member only (not through the outbox, not to customers)."""
    if not actor.email:
        raise ValidationFailed(errors=[FieldError(field="email", reason=_("your user has no email address"))])
    preview = issue_preview(issue=issue)
    subject = f"[TEST] {preview.subject}"
    EmailMessage(subject=subject, body=preview.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[actor.email]).send()
    return actor.email


def _send_task() -> Any:
    from aftersales.newsletter.tasks import send_issue_batch

    return send_issue_batch


@transaction.atomic
def issue_send(*, actor: User | None, issue: Issue) -> Issue:
    """Freeze a draft issue and start sending it to the list's members; sending again changes nothing."""
    issue = Issue.objects.select_for_update().select_related("newsletter_list").get(pk=issue.pk)
    if issue.status != IssueStatus.DRAFT:
        return issue  # already sending or sent: a double click or a retried request
    if not issue.newsletter_list.active:
        raise ValidationFailed(errors=[FieldError(field="newsletter_list", reason=_("is switched off"))])
    text = selectors.issue_text(issue)
    if not text:
        raise ValidationFailed(
            errors=[FieldError(field="intro", reason=_("the issue is empty: write an introduction or add content"))]
        )
    if template_choose(code=TEMPLATE_CODE, channel=MessageChannel.EMAIL, language=issue.newsletter_list.language) is None:
        raise ValidationFailed(
            errors=[FieldError(field="template_code", reason=interpolate(_("no email template %(code)r"), code=TEMPLATE_CODE))]
        )
    issue.rendered_subject = issue.subject
    issue.rendered_body = text
    issue.status = IssueStatus.SENDING
    issue.send_started_at = timezone.now()
    issue.sent_by = _editor(actor)
    issue.save()
    task_enqueue_on_commit(_send_task, record=Issue, pk=issue.pk)
    return issue


def issue_send_batch(*, issue_id: int, batch_size: int | None = None) -> dict[str, Any]:
    """Queue the issue's next batch of members in the outbox; hand the rest to a new run, or mark the issue sent."""
    size: int = batch_size or int(getattr(settings, "NEWSLETTER_BATCH_SIZE", DEFAULT_BATCH_SIZE))
    with transaction.atomic():
        issue = (
            Issue.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("newsletter_list")
            .filter(pk=issue_id, status=IssueStatus.SENDING)
            .first()
        )
        if issue is None:
            return {"status": "skipped"}  # sent already, or another run holds it right now
        members = list(selectors.list_members(issue.newsletter_list).filter(pk__gt=issue.last_customer_id)[:size])
        for customer in members:
            _queue_for(issue, customer)
        counts = selectors.issue_counts(issue)
        issue.queued_count, issue.suppressed_count = counts.queued, counts.suppressed
        if len(members) < size:
            issue.status = IssueStatus.SENT
            issue.sent_at = timezone.now()
        else:
            issue.last_customer_id = members[-1].pk
            task_enqueue_on_commit(_send_task, record=Issue, pk=issue.pk)
        issue.save()
    return {"status": issue.status, "handled": len(members), "queued": issue.queued_count, "suppressed": issue.suppressed_count}


def _queue_for(issue: Issue, customer: Customer) -> Message:
    key = selectors.issue_message_key(issue.pk, customer.pk)
    already = Message.objects.filter(idempotency_key=key).first()
    if already is not None:
        return already  # a resumed run: this member was handled before the crash
    message = message_enqueue(
        actor=None,
        customer=customer,
        template_code=TEMPLATE_CODE,
        channel=MessageChannel.EMAIL,
        purpose="marketing",
        context={
            "newsletter_subject": issue.rendered_subject,
            "newsletter_body": issue.rendered_body,
            "newsletter_list": issue.newsletter_list.name,
        },
        idempotency_key=key,
    )
    if message.status != MessageStatus.SUPPRESSED:
        timeline_record(
            customer=customer,
            kind="newsletter_sent",
            data={
                "subject": issue.rendered_subject,
                "list": issue.newsletter_list.name,
                "issue_id": issue.pk,
                "message_id": message.pk,
            },
        )
    return message


def issues_resume_stalled(*, idle_for: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Hand again to the workers the issues still sending whose task is gone (a worker died, the queue refused it)."""
    resumed = 0
    stalled = list(selectors.unfinished_sendings(idle_for=idle_for))
    waiting = tasks_waiting(_send_task(), [issue.task_id for issue in stalled], statuses=("READY", "RUNNING"))
    for issue in stalled:
        if issue.task_id and issue.task_id in waiting:
            continue
        with transaction.atomic():
            Issue.objects.filter(pk=issue.pk).update(updated_at=timezone.now())
            task_enqueue_on_commit(_send_task, record=Issue, pk=issue.pk)
        resumed += 1
    return resumed


# --- subscribing ----------------------------------------------------------------------------------


@transaction.atomic
def newsletter_subscribe(*, actor: User | None, customer: Customer) -> Customer:
    """Agree to marketing email now: the customer is on every list of their language (and segments) again."""
    if not customer.email:
        raise ValidationFailed(errors=[FieldError(field="email", reason=_("we have no email address for you"))])
    return customer_set_consent(actor=actor, customer=customer, channel="email", given=True)


@transaction.atomic
def newsletter_unsubscribe(*, actor: User | None, customer: Customer) -> None:
    """Withdraw marketing email consent and record the opt-out, exactly as the one-click link in every issue does."""
    unsubscribe_apply(token=unsubscribe_token(customer_id=customer.pk, channel=MessageChannel.EMAIL))
