"""Console screens of newsletter (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.console import views_newsletter as views

urlpatterns: list[URLPattern] = [
    path("newsletter/lists/", views.list_index, name="newsletter_lists"),
    path("newsletter/lists/<int:list_id>/", views.list_detail, name="newsletter_list"),
    path("newsletter/articles/", views.article_index, name="newsletter_articles"),
    path("newsletter/articles/new/", views.article_edit, name="newsletter_article_new"),
    path("newsletter/articles/<int:article_id>/", views.article_edit, name="newsletter_article"),
    path("newsletter/issues/", views.issue_index, name="newsletter_issues"),
    path("newsletter/issues/new/", views.issue_new, name="newsletter_issue_new"),
    path("newsletter/issues/<int:issue_id>/", views.issue_detail, name="newsletter_issue"),
    path("newsletter/issues/<int:issue_id>/edit/", views.issue_edit, name="newsletter_issue_edit"),
    path("newsletter/issues/<int:issue_id>/test/", views.issue_test_send, name="newsletter_issue_test"),
    path("newsletter/issues/<int:issue_id>/send/", views.issue_send, name="newsletter_issue_send"),
    path("newsletter/issues/<int:issue_id>/delete/", views.issue_delete, name="newsletter_issue_delete"),
]
