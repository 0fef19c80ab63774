"""Portal screens of contests (included by ``aftersales/portal/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.portal import views_contests

urlpatterns: list[URLPattern] = [
    path("contests/", views_contests.contest_list, name="contests"),
    path("contests/<int:contest_id>/", views_contests.contest_detail, name="contest"),
    path("contests/<int:contest_id>/entries.csv", views_contests.contest_entries_csv, name="contest_entries_csv"),
]
