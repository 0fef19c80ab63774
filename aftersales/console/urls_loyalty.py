"""Console screens of loyalty programme (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
