"""Console screens of vouchers and offers (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
