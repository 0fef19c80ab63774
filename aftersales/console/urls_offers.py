"""Console screens of vouchers and offers (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.console import views_offers

urlpatterns: list[URLPattern] = [
    path("vouchers/", views_offers.voucher_list, name="vouchers"),
    path("vouchers/new/", views_offers.voucher_new, name="voucher_new"),
    path("vouchers/redeem/", views_offers.voucher_redeem, name="voucher_redeem"),
    path("vouchers/<int:voucher_id>/", views_offers.voucher_detail, name="voucher"),
    path("vouchers/<int:voucher_id>/cancel/", views_offers.voucher_cancel, name="voucher_cancel"),
    path("offers/", views_offers.offer_list, name="offers"),
    path("offers/new/", views_offers.offer_new, name="offer_new"),
    path("offers/<int:offer_id>/", views_offers.offer_detail, name="offer"),
    path("offers/<int:offer_id>/edit/", views_offers.offer_edit, name="offer_edit"),
    path("offers/<int:offer_id>/send/", views_offers.offer_send, name="offer_send"),
    path("offers/<int:offer_id>/cancel/", views_offers.offer_cancel, name="offer_cancel"),
]
