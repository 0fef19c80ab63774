"""The customer portal, under /portal/."""

from django.urls import path

from aftersales.portal import (
    urls_contests,
    urls_loyalty,
    urls_newsletter,
    urls_offers,
    urls_referrals,
    views,
    views_contracts,
    views_feedback,
    views_fieldwork,
    views_preferences,
    views_repairs,
    views_returns,
    views_tickets,
    views_warranty,
)

app_name = "portal"

urlpatterns = [
    path("", views.products, name="products"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/sent/", views.link_sent, name="link_sent"),
    path("auth/", views.authenticate_link, name="auth"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("menu/", views.menu, name="menu"),
    path("products/<int:unit_id>/", views.unit_detail, name="unit"),
    path("products/<int:unit_id>/claim/", views_warranty.claim_new, name="claim_new"),
    path("claims/", views_warranty.claim_list, name="claims"),
    path("claims/<int:claim_id>/", views_warranty.claim_detail, name="claim"),
    path("claims/<int:claim_id>/withdraw/", views_warranty.claim_cancel, name="claim_cancel"),
    path("warranty-check/", views_warranty.warranty_check, name="warranty_check"),
    path("profile/", views.profile, name="profile"),
    path("preferences/", views_preferences.preferences, name="preferences"),
    path("preferences/unsubscribe/", views_preferences.unsubscribe, name="unsubscribe"),
    path("requests/", views_tickets.request_list, name="requests"),
    path("requests/new/", views_tickets.request_new, name="request_new"),
    path("requests/<int:number>/", views_tickets.request_detail, name="request"),
    path("requests/files/<int:attachment_id>/", views_tickets.request_attachment, name="request_attachment"),
    # Repairs: follow one, answer its quote signed in or from the email's signed link.
    path("repairs/", views_repairs.repair_list, name="repairs"),
    path("repairs/<int:order_id>/", views_repairs.repair_detail, name="repair"),
    path("repairs/<int:order_id>/quote/", views_repairs.repair_quote_answer, name="repair_quote"),
    path("repairs/quote/<str:token>/", views_repairs.quote_link, name="repair_quote_link"),
    path("products/<int:unit_id>/return/", views_returns.return_new, name="return_new"),
    path("returns/", views_returns.return_list, name="returns"),
    path("returns/<int:return_id>/", views_returns.return_detail, name="return"),
    path("returns/<int:return_id>/withdraw/", views_returns.return_cancel, name="return_cancel"),
    path("visits/", views_fieldwork.visit_list, name="visits"),
    path("visits/<int:work_order_id>/", views_fieldwork.visit_detail, name="visit"),
    path("visits/<int:work_order_id>/confirm/", views_fieldwork.visit_confirm, name="visit_confirm"),
    path("visits/link/<str:token>/", views_fieldwork.visit_link, name="visit_link"),
    path("contracts/", views_contracts.contract_list, name="contracts"),
    path("contracts/<int:contract_id>/", views_contracts.contract_detail, name="contract"),
    path("surveys/", views_feedback.survey_list, name="surveys"),
]

# Loyalty, vouchers and offers, referrals, contests, newsletter: each capability's screens in its own module.
urlpatterns += urls_loyalty.urlpatterns
urlpatterns += urls_offers.urlpatterns
urlpatterns += urls_referrals.urlpatterns
urlpatterns += urls_contests.urlpatterns
urlpatterns += urls_newsletter.urlpatterns
