"""Console screens of referrals (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.console import views_referrals

urlpatterns: list[URLPattern] = [
    path("referrals/", views_referrals.funnel, name="referrals"),
    path("referrals/list/", views_referrals.referral_list, name="referrals_list"),
    path("referrals/new/", views_referrals.referral_new, name="referral_new"),
    path("referrals/settings/", views_referrals.programme, name="referrals_settings"),
    path("referrals/<int:referral_id>/", views_referrals.referral_detail, name="referral"),
    path("referrals/<int:referral_id>/reject/", views_referrals.referral_reject, name="referral_reject"),
    path("referrals/customers/<int:customer_id>/", views_referrals.customer_referrals, name="referrals_customer"),
    path("referrals/customers/<int:customer_id>/invite/", views_referrals.customer_invite, name="referrals_customer_invite"),
    path("referrals/customers/<int:customer_id>/code/", views_referrals.customer_code, name="referrals_customer_code"),
]
