"""Portal screens of newsletter (included by ``aftersales/portal/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
