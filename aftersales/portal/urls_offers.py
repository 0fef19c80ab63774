"""Portal screens of vouchers and offers (included by ``aftersales/portal/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
