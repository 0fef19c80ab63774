"""Portal screens of contests (included by ``aftersales/portal/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
