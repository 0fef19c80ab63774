"""Portal screens of referrals (included by ``aftersales/portal/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.portal import views_referrals

urlpatterns: list[URLPattern] = [
    path("referrals/", views_referrals.refer_a_friend, name="referrals"),
    path("r/<str:code>/", views_referrals.referral_link_page, name="referral_link"),
]
