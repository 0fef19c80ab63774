"""Console screens of loyalty programme (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.console import views_loyalty

urlpatterns: list[URLPattern] = [
    path("loyalty/", views_loyalty.loyalty_overview, name="loyalty"),
    path("loyalty/settings/", views_loyalty.loyalty_settings, name="loyalty_settings"),
    path("loyalty/tiers/new/", views_loyalty.tier_edit, name="loyalty_tier_new"),
    path("loyalty/tiers/<int:tier_id>/", views_loyalty.tier_edit, name="loyalty_tier"),
    path("loyalty/tiers/<int:tier_id>/remove/", views_loyalty.tier_remove, name="loyalty_tier_remove"),
    path("loyalty/earn-rules/new/", views_loyalty.earn_rule_edit, name="loyalty_rule_new"),
    path("loyalty/earn-rules/<int:rule_id>/", views_loyalty.earn_rule_edit, name="loyalty_rule"),
    path("loyalty/earn-rules/<int:rule_id>/remove/", views_loyalty.earn_rule_remove, name="loyalty_rule_remove"),
    path("loyalty/customers/<int:customer_id>/", views_loyalty.customer_points, name="loyalty_customer"),
]
