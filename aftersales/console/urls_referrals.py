"""Console screens of referrals (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
