"""The staff inbox: a staff member's notifications, newest first, marked read one by one or all at once.

Each member sees only their own; opening one marks it read and follows its link inside the console.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from aftersales.console.access import staff_view
from aftersales.console.views.common import page_of
from aftersales.core.models import Notification
from aftersales.core.notifications import notification_describe
from aftersales.core.services import notification_mark_read


@staff_view()
def inbox(request: HttpRequest) -> HttpResponse:
    """List the signed-in member's notifications in their language; ``?unread=1`` shows the unread ones only."""
    unread_only = request.GET.get("unread") == "1"
    user: Any = request.user
    notifications = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = page_of(request, notifications)
    rows = [(notification, notification_describe(notification)) for notification in page]
    context = {"section": "inbox", "page": page, "rows": rows, "unread_only": unread_only}
    return render(request, "console/inbox/list.html", context)


@staff_view()
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the ticked notifications (or, with ``all``, every one) of the signed-in member as read."""
    ids = None if request.POST.get("all") == "1" else [int(pk) for pk in request.POST.getlist("notification") if pk.isdigit()]
    changed = notification_mark_read(actor=request.user, notification_ids=ids)  # type: ignore[arg-type]
    messages.success(
        request,
        ngettext("%(count)s notification marked read.", "%(count)s notifications marked read.", changed) % {"count": changed},
    )
    return redirect(reverse("console:inbox") + ("?unread=1" if request.POST.get("unread") == "1" else ""))


@staff_view()
def inbox_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the member's notifications read and go where it points (back to the inbox without a safe link)."""
    user: Any = request.user
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise Http404(_("No such notification."))
    notification_mark_read(actor=request.user, notification_ids=[notification.pk])  # type: ignore[arg-type]
    link = notification.link
    # Only a path on this site: a stored link never sends anyone elsewhere.
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("console:inbox")
