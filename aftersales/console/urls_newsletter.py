"""Console screens of newsletter (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
