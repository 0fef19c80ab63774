"""The site's URLs as served when ANYMAIL_WEBHOOK_SECRET is set: with the email providers' webhooks."""

from django.urls import include, path

from aftersales.config.urls import urlpatterns as site

urlpatterns = [path("anymail/", include("anymail.urls")), *site]
