"""Portal pages of newsletter: the archive of sent issues in the customer's language, and subscribing."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer
from aftersales.newsletter import selectors
from aftersales.newsletter.services import newsletter_subscribe, newsletter_unsubscribe
from aftersales.newsletter.text import text_html
from aftersales.portal.access import portal_view

PER_PAGE = 20


@portal_view
def archive(request: HttpRequest, customer: Customer) -> HttpResponse:
    """List the newsletters sent in the customer's language, and whether they receive them."""
    page = Paginator(selectors.archive_for(customer), PER_PAGE).get_page(request.GET.get("page"))
    context = {"section": "newsletter", "page": page, "subscribed": selectors.is_subscribed(customer), "customer": customer}
    return render(request, "portal/newsletter/archive.html", context)


@portal_view
def issue(request: HttpRequest, customer: Customer, issue_id: int) -> HttpResponse:
    """Show a sent issue as it went out; a draft or another language's issue does not exist here."""
    found = selectors.archive_for(customer).filter(pk=issue_id).first()
    if found is None:
        raise Http404(_("No such newsletter."))
    context = {"section": "newsletter", "issue": found, "body": text_html(found.rendered_body)}
    return render(request, "portal/newsletter/issue.html", context)


@portal_view
@require_POST
def subscription(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Subscribe to the newsletter (agree to marketing email) or unsubscribe from it."""
    if request.POST.get("subscribe") == "1":
        try:
            newsletter_subscribe(actor=request.user, customer=customer)  # type: ignore[arg-type]
        except ValidationFailed as failure:
            messages.error(request, "; ".join(str(error.reason) for error in failure.errors))
        else:
            messages.success(request, _("You are subscribed to our newsletter."))
    else:
        newsletter_unsubscribe(actor=request.user, customer=customer)  # type: ignore[arg-type]
        messages.success(request, _("You will no longer receive our newsletter or other marketing emails."))
    return redirect("portal:newsletter")
