"""Portal screens of newsletter (included by ``aftersales/portal/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.portal import views_newsletter as views

urlpatterns: list[URLPattern] = [
    path("newsletter/", views.archive, name="newsletter"),
    path("newsletter/subscription/", views.subscription, name="newsletter_subscription"),
    path("newsletter/<int:issue_id>/", views.issue, name="newsletter_issue"),
]
