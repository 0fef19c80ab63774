"""REST endpoints of newsletter: lists with their member counts, articles, issues (compose, preview, send)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.pagination import paginate

from aftersales.core.api import ErrorOut
from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.newsletter import selectors, services
from aftersales.newsletter.models import Article, Issue, NewsletterList
from aftersales.newsletter.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    IssueIn,
    IssueOut,
    IssuePatch,
    ListIn,
    ListOut,
    ListPatch,
    PreviewOut,
)

router = Router(tags=["newsletter"])
VIEW_LISTS = "newsletter.view_newsletterlist"
MANAGE_LISTS = "newsletter.change_newsletterlist"
VIEW_ARTICLES = "newsletter.view_article"
WRITE_ARTICLES = "newsletter.change_article"
VIEW_ISSUES = "newsletter.view_issue"
WRITE_ISSUES = "newsletter.change_issue"
SEND = "newsletter.send_issue"


def _list_out(newsletter_list: NewsletterList) -> dict[str, Any]:
    return {
        "id": newsletter_list.pk,
        "name": newsletter_list.name,
        "language": newsletter_list.language,
        "description": newsletter_list.description,
        "active": newsletter_list.active,
        "segment_ids": sorted(segment.pk for segment in newsletter_list.segments.all()),
        "member_count": selectors.list_member_count(newsletter_list),
    }


def _list(list_id: int) -> NewsletterList:
    found = NewsletterList.objects.filter(pk=list_id).first()
    if found is None:
        raise NotFound(_("No such newsletter list."))
    return found


def _article(article_id: int) -> Article:
    found = Article.objects.filter(pk=article_id).first()
    if found is None:
        raise NotFound(_("No such article."))
    return found


def _issue(issue_id: int) -> Issue:
    found = Issue.objects.select_related("newsletter_list").filter(pk=issue_id).first()
    if found is None:
        raise NotFound(_("No such newsletter issue."))
    return found


@router.get("/lists", response=list[ListOut])
def list_index(request: HttpRequest) -> Any:
    """List the newsletter lists with how many customers are on each now."""
    require_perm(request.user, VIEW_LISTS)
    return [_list_out(newsletter_list) for newsletter_list, _count in selectors.lists_with_counts()]


@router.post("/lists", response={201: ListOut, 400: ErrorOut})
def list_create(request: HttpRequest, payload: ListIn) -> Any:
    """Create a list: a name, a language and optional segments."""
    require_perm(request.user, VIEW_LISTS, "newsletter.add_newsletterlist")
    return 201, _list_out(services.list_create(actor=request.user, data=payload.dict()))  # type: ignore[arg-type]


@router.get("/lists/{int:list_id}", response=ListOut)
def list_detail(request: HttpRequest, list_id: int) -> Any:
    """Return a list with its member count."""
    require_perm(request.user, VIEW_LISTS)
    return _list_out(_list(list_id))


@router.patch("/lists/{int:list_id}", response={200: ListOut, 400: ErrorOut})
def list_update(request: HttpRequest, list_id: int, payload: ListPatch) -> Any:
    """Change a list's name, language (before its first issue), segments or whether it is active."""
    require_perm(request.user, VIEW_LISTS, MANAGE_LISTS)
    newsletter_list = _list(list_id)
    data = payload.dict(exclude_unset=True)
    return _list_out(services.list_update(actor=request.user, newsletter_list=newsletter_list, data=data))  # type: ignore[arg-type]


@router.get("/articles", response=list[ArticleOut])
@paginate(Paged)
def article_index(request: HttpRequest, language: str = "") -> Any:
    """List articles, newest first (optionally of one language)."""
    require_perm(request.user, VIEW_ARTICLES)
    return selectors.articles_for(language) if language else Article.objects.order_by("-published_on", "-pk")


@router.post("/articles", response={201: ArticleOut, 400: ErrorOut})
def article_create(request: HttpRequest, payload: ArticleIn) -> Any:
    """Write an article in one language."""
    require_perm(request.user, VIEW_ARTICLES, "newsletter.add_article")
    return 201, services.article_create(actor=request.user, data=payload.dict())  # type: ignore[arg-type]


@router.get("/articles/{int:article_id}", response=ArticleOut)
def article_detail(request: HttpRequest, article_id: int) -> Any:
    """Return an article."""
    require_perm(request.user, VIEW_ARTICLES)
    return _article(article_id)


@router.patch("/articles/{int:article_id}", response={200: ArticleOut, 400: ErrorOut})
def article_update(request: HttpRequest, article_id: int, payload: ArticlePatch) -> Any:
    """Change an article; sent issues keep what they said."""
    require_perm(request.user, VIEW_ARTICLES, WRITE_ARTICLES)
    article = _article(article_id)
    return services.article_update(actor=request.user, article=article, data=payload.dict(exclude_unset=True))  # type: ignore[arg-type]


@router.get("/issues", response=list[IssueOut])
@paginate(Paged)
def issue_index(request: HttpRequest, status: str = "", list_id: int | None = None) -> Any:
    """List issues, newest first (optionally by status or list)."""
    require_perm(request.user, VIEW_ISSUES)
    return selectors.issues_filtered(status=status, list_id=list_id).prefetch_related("products", "articles")


@router.post("/issues", response={201: IssueOut, 400: ErrorOut})
def issue_create(request: HttpRequest, payload: IssueIn) -> Any:
    """Compose a draft issue for a list; without product_ids, the products new since its previous issue are chosen."""
    require_perm(request.user, VIEW_ISSUES, "newsletter.add_issue")
    newsletter_list = NewsletterList.objects.filter(pk=payload.list_id).first()
    if newsletter_list is None:
        raise ValidationFailed(errors=[FieldError(field="list_id", reason=_("no such newsletter list"))])
    data = payload.dict(exclude={"list_id"})
    return 201, services.issue_create(actor=request.user, newsletter_list=newsletter_list, data=data)  # type: ignore[arg-type]


@router.get("/issues/{int:issue_id}", response=IssueOut)
def issue_detail(request: HttpRequest, issue_id: int) -> Any:
    """Return an issue with its status and counts."""
    require_perm(request.user, VIEW_ISSUES)
    return _issue(issue_id)


@router.patch("/issues/{int:issue_id}", response={200: IssueOut, 400: ErrorOut, 409: ErrorOut})
def issue_update(request: HttpRequest, issue_id: int, payload: IssuePatch) -> Any:
    """Change a draft issue (409 once it was sent)."""
    require_perm(request.user, VIEW_ISSUES, WRITE_ISSUES)
    issue = _issue(issue_id)
    return services.issue_update(actor=request.user, issue=issue, data=payload.dict(exclude_unset=True))  # type: ignore[arg-type]


@router.post("/issues/{int:issue_id}/preview", response={200: PreviewOut, 400: ErrorOut})
def issue_preview(request: HttpRequest, issue_id: int) -> Any:
    """Render the issue as a member receives it, in its list's language, for a sample customer."""
    require_perm(request.user, VIEW_ISSUES)
    return services.issue_preview(issue=_issue(issue_id))


@router.post("/issues/{int:issue_id}/send", response={202: IssueOut, 400: ErrorOut})
def issue_send(request: HttpRequest, issue_id: int) -> Any:
    """Freeze the issue and queue it for every member in the background; sending twice changes nothing."""
    require_perm(request.user, VIEW_ISSUES, SEND)
    return 202, services.issue_send(actor=request.user, issue=_issue(issue_id))  # type: ignore[arg-type]
