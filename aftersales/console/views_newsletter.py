"""Console screens of newsletter: lists with their member counts, articles, and issues (compose, preview,
test-send to oneself, send, results)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Product
from aftersales.console.access import staff_view
from aftersales.console.views.common import page_of, refused
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.forms import errors_attach
from aftersales.core.models import Language, User
from aftersales.customers.models import Segment
from aftersales.messaging.models import MessageStatus
from aftersales.newsletter import selectors, services
from aftersales.newsletter.models import Article, Issue, IssueStatus, NewsletterList
from aftersales.newsletter.text import text_html

VIEW_LISTS = "newsletter.view_newsletterlist"
MANAGE_LISTS = "newsletter.change_newsletterlist"
VIEW_ARTICLES = "newsletter.view_article"
WRITE_ARTICLES = "newsletter.change_article"
VIEW_ISSUES = "newsletter.view_issue"
WRITE_ISSUES = "newsletter.change_issue"
SEND = "newsletter.send_issue"


class ListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    segment_ids = forms.MultipleChoiceField(
        label=gettext_lazy("Segments"),
        required=False,
        help_text=gettext_lazy("Empty: every customer who reads the language and agreed to email. Else only these segments."),
    )
    description = forms.CharField(label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment_ids"].choices = [(segment.pk, segment.name) for segment in Segment.objects.order_by("name")]  # type: ignore[attr-defined]


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("Plain paragraphs separated by a blank line; lines starting with “- ” make a list."),
    )
    link = forms.CharField(label=gettext_lazy("Link"), required=False, max_length=500)
    published_on = forms.DateField(
        label=gettext_lazy("Published on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class IssueForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    intro = forms.CharField(label=gettext_lazy("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    product_ids = forms.MultipleChoiceField(
        label=gettext_lazy("New products"), required=False, widget=forms.CheckboxSelectMultiple
    )
    article_ids = forms.MultipleChoiceField(label=gettext_lazy("Articles"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, newsletter_list: NewsletterList, products: list[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = newsletter_list.language
        self.fields["product_ids"].choices = [  # type: ignore[attr-defined]
            (product.pk, f"{product.display_name(language)} ({product.sku})") for product in products
        ]
        self.fields["article_ids"].choices = [  # type: ignore[attr-defined]
            (article.pk, f"{article.title} · {article.published_on:%Y-%m-%d}")
            for article in selectors.articles_for(language)[:50]
        ]


# --- lists ----------------------------------------------------------------------------------------


@staff_view(VIEW_LISTS)
def list_index(request: HttpRequest) -> HttpResponse:
    """Show the lists with how many customers are on each now; managers add lists here."""
    may_manage = request.user.has_perm("newsletter.add_newsletterlist")
    form = ListForm(request.POST or None, initial={"active": True}) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                created = services.list_create(actor=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(request, _("List “%(name)s” created.") % {"name": created.name})
                return redirect("console:newsletter_lists")
    context = {"section": "newsletter_lists", "rows": selectors.lists_with_counts(), "form": form}
    return render(request, "console/newsletter/lists.html", context)


@staff_view(VIEW_LISTS)
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    """Show a list: its rules, its member count and its issues; managers change the rules here."""
    newsletter_list = NewsletterList.objects.filter(pk=list_id).first()
    if newsletter_list is None:
        raise Http404(_("No such newsletter list."))
    may_manage = request.user.has_perm(MANAGE_LISTS)
    initial = {
        "name": newsletter_list.name,
        "language": newsletter_list.language,
        "description": newsletter_list.description,
        "active": newsletter_list.active,
        "segment_ids": [segment.pk for segment in newsletter_list.segments.all()],
    }
    form = ListForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_manage:
            raise Http404
        if form.is_valid():
            try:
                services.list_update(actor=request.user, newsletter_list=newsletter_list, data=form.cleaned_data)  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(request, _("List saved."))
                return redirect("console:newsletter_list", list_id=newsletter_list.pk)
    if not may_manage:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "section": "newsletter_lists",
        "newsletter_list": newsletter_list,
        "member_count": selectors.list_member_count(newsletter_list),
        "issues": selectors.issues_filtered(list_id=newsletter_list.pk)[:50],
        "form": form,
        "may_manage": may_manage,
    }
    return render(request, "console/newsletter/list.html", context)


# --- articles -------------------------------------------------------------------------------------


@staff_view(VIEW_ARTICLES)
def article_index(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("language", "")
    articles = (
        selectors.articles_for(language) if language in Language.values else Article.objects.order_by("-published_on", "-pk")
    )
    context = {
        "section": "newsletter_articles",
        "page": page_of(request, articles),
        "language": language,
        "languages": Language.choices,
    }
    return render(request, "console/newsletter/articles.html", context)


@staff_view(VIEW_ARTICLES)
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    """Write a new article or change one."""
    article = None
    if article_id is not None:
        article = Article.objects.filter(pk=article_id).first()
        if article is None:
            raise Http404(_("No such article."))
    needed = "newsletter.change_article" if article else "newsletter.add_article"
    may_write = request.user.has_perm(needed)
    initial: dict[str, Any] = {"published_on": timezone.localdate(), "language": request.LANGUAGE_CODE[:2]}
    if article is not None:
        initial = {name: getattr(article, name) for name in ("title", "language", "body", "link", "published_on")}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_write:
            raise Http404
        if form.is_valid():
            try:
                if article is None:
                    article = services.article_create(actor=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
                else:
                    article = services.article_update(actor=request.user, article=article, data=form.cleaned_data)  # type: ignore[arg-type]
            except ValidationFailed as failure:
                errors_attach(form, failure)
            else:
                messages.success(request, _("Article saved."))
                return redirect("console:newsletter_articles")
    if not may_write:
        for field in form.fields.values():
            field.disabled = True
    preview = text_html(article.body) if article else ""
    context = {"section": "newsletter_articles", "article": article, "form": form, "may_write": may_write, "preview": preview}
    return render(request, "console/newsletter/article_form.html", context)


# --- issues ---------------------------------------------------------------------------------------


@staff_view(VIEW_ISSUES)
def issue_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    issues = selectors.issues_filtered(status=status if status in IssueStatus.values else "")
    context = {
        "section": "newsletter_issues",
        "page": page_of(request, issues),
        "status": status,
        "statuses": IssueStatus.choices,
        "lists": NewsletterList.objects.filter(active=True).order_by("name"),
    }
    return render(request, "console/newsletter/issues.html", context)


def _issue_products(issue: Issue | None, newsletter_list: NewsletterList) -> list[Product]:
    """Return the products to offer on the form: the new ones, and any already chosen."""
    _since, new = selectors.new_products_since(newsletter_list)
    products = list(new)
    if issue is not None:
        chosen = [product for product in issue.products.all() if product not in products]
        products = chosen + products
    return products


@staff_view(VIEW_ISSUES, "newsletter.add_issue")
def issue_new(request: HttpRequest) -> HttpResponse:
    """Compose a new issue for a list: the products new since its previous issue come ticked."""
    raw = request.GET.get("list", "")
    newsletter_list = NewsletterList.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if newsletter_list is None:
        messages.error(request, _("Choose a list for the new issue."))
        return redirect("console:newsletter_issues")
    since, new = selectors.new_products_since(newsletter_list)
    products = list(new)
    initial = {"product_ids": [product.pk for product in products]}
    form = IssueForm(request.POST or None, newsletter_list=newsletter_list, products=products, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.issue_create(actor=request.user, newsletter_list=newsletter_list, data=form.cleaned_data)  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Draft saved. Check the preview before sending."))
            return redirect("console:newsletter_issue", issue_id=issue.pk)
    context = {"section": "newsletter_issues", "newsletter_list": newsletter_list, "form": form, "issue": None, "since": since}
    return render(request, "console/newsletter/issue_form.html", context)


def _issue(issue_id: int) -> Issue:
    issue = Issue.objects.select_related("newsletter_list", "sent_by").filter(pk=issue_id).first()
    if issue is None:
        raise Http404(_("No such newsletter issue."))
    return issue


@staff_view(VIEW_ISSUES, WRITE_ISSUES)
def issue_edit(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    if issue.status != IssueStatus.DRAFT:
        messages.error(request, _("This issue was sent: it can no longer be changed."))
        return redirect("console:newsletter_issue", issue_id=issue.pk)
    products = _issue_products(issue, issue.newsletter_list)
    initial = {
        "subject": issue.subject,
        "intro": issue.intro,
        "product_ids": [product.pk for product in issue.products.all()],
        "article_ids": [article.pk for article in issue.articles.all()],
    }
    form = IssueForm(request.POST or None, newsletter_list=issue.newsletter_list, products=products, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_update(actor=request.user, issue=issue, data=form.cleaned_data)  # type: ignore[arg-type]
        except (ValidationFailed, Conflict) as failure:
            if isinstance(failure, ValidationFailed):
                errors_attach(form, failure)
            else:
                refused(request, failure)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("console:newsletter_issue", issue_id=issue.pk)
    since, _new = selectors.new_products_since(issue.newsletter_list)
    context = {
        "section": "newsletter_issues",
        "newsletter_list": issue.newsletter_list,
        "form": form,
        "issue": issue,
        "since": since,
    }
    return render(request, "console/newsletter/issue_form.html", context)


@staff_view(VIEW_ISSUES)
def issue_detail(request: HttpRequest, issue_id: int) -> HttpResponse:
    """Show an issue as its members receive it, with its sending results."""
    issue = _issue(issue_id)
    preview = None
    try:
        preview = services.issue_preview(issue=issue)
    except ValidationFailed as failure:
        refused(request, failure)
    delivery = selectors.issue_delivery(issue)
    labels = dict(MessageStatus.choices)
    context = {
        "section": "newsletter_issues",
        "issue": issue,
        "preview": preview,
        "preview_html": text_html(preview.body) if preview else "",
        "member_count": selectors.list_member_count(issue.newsletter_list),
        "delivery": [(labels.get(status, status), count) for status, count in delivery.items()],
        "counts": selectors.issue_counts(issue),
    }
    return render(request, "console/newsletter/issue.html", context)


@staff_view(VIEW_ISSUES)
@require_POST
def issue_test_send(request: HttpRequest, issue_id: int) -> HttpResponse:
    """Email the preview to the signed-in staff member only."""
    issue = _issue(issue_id)
    user = request.user
    assert isinstance(user, User)
    try:
        address = services.issue_test_send(actor=user, issue=issue)
    except ValidationFailed as failure:
        refused(request, failure)
    else:
        messages.success(request, _("A test copy was sent to %(email)s.") % {"email": address})
    return redirect("console:newsletter_issue", issue_id=issue.pk)


@staff_view(VIEW_ISSUES, SEND)
@require_POST
def issue_send(request: HttpRequest, issue_id: int) -> HttpResponse:
    """Freeze the issue and queue it for every member in the background."""
    issue = _issue(issue_id)
    try:
        services.issue_send(actor=request.user, issue=issue)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        refused(request, failure)
    else:
        messages.success(request, _("Sending started: the members' messages are being queued in the outbox."))
    return redirect("console:newsletter_issue", issue_id=issue.pk)


@staff_view(VIEW_ISSUES, "newsletter.delete_issue")
@require_POST
def issue_delete(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = _issue(issue_id)
    try:
        services.issue_delete(actor=request.user, issue=issue)  # type: ignore[arg-type]
    except Conflict as failure:
        refused(request, failure)
        return redirect("console:newsletter_issue", issue_id=issue.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("console:newsletter_issues")
