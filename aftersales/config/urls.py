"""URL map: console at /, portal at /portal/, API at /api/, admin at /admin/, unsubscribe links at /u/, survey
links at /s/."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.i18n import JavaScriptCatalog

from aftersales.config.api import api


def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Answer unknown API paths in the API's JSON error format, not with an HTML page."""
    return JsonResponse({"detail": _("No such endpoint."), "errors": []}, status=404)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("portal/", include("aftersales.portal.urls")),
    path("u/", include("aftersales.messaging.urls")),
    path("s/", include("aftersales.feedback.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("aftersales.console.urls")),
]

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # Email providers' delivery and bounce reports; served only when they must authenticate.
    urlpatterns.insert(0, path("anymail/", include("anymail.urls")))

# Uploaded files (proofs of purchase, import files) are never served from a public URL, not even with
# DEBUG on: permission-checked views stream them.
