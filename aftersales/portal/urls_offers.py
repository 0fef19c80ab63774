"""Portal screens of vouchers and offers (included by ``aftersales/portal/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.portal import views_offers

urlpatterns: list[URLPattern] = [
    path("vouchers/", views_offers.voucher_list, name="vouchers"),
]
