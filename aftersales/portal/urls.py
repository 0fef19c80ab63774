"""The customer portal, under /portal/."""

from django.urls import path

from aftersales.portal import views, views_preferences, views_tickets

app_name = "portal"

urlpatterns = [
    path("", views.products, name="products"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/sent/", views.link_sent, name="link_sent"),
    path("auth/", views.authenticate_link, name="auth"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("products/<int:unit_id>/", views.unit_detail, name="unit"),
    path("profile/", views.profile, name="profile"),
    path("preferences/", views_preferences.preferences, name="preferences"),
    path("preferences/unsubscribe/", views_preferences.unsubscribe, name="unsubscribe"),
    path("requests/", views_tickets.request_list, name="requests"),
    path("requests/new/", views_tickets.request_new, name="request_new"),
    path("requests/<int:number>/", views_tickets.request_detail, name="request"),
    path("requests/files/<int:attachment_id>/", views_tickets.request_attachment, name="request_attachment"),
]
