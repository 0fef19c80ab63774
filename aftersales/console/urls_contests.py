"""Console screens of contests (included by ``aftersales/console/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.console import views_contests

urlpatterns: list[URLPattern] = [
    path("contests/", views_contests.contest_list, name="contests"),
    path("contests/new/", views_contests.contest_new, name="contest_new"),
    path("contests/<int:contest_id>/", views_contests.contest_detail, name="contest"),
    path("contests/<int:contest_id>/edit/", views_contests.contest_edit, name="contest_edit"),
    path("contests/<int:contest_id>/open/", views_contests.contest_open, name="contest_open"),
    path("contests/<int:contest_id>/close/", views_contests.contest_close, name="contest_close"),
    path("contests/<int:contest_id>/draw/", views_contests.contest_draw, name="contest_draw"),
    path("contests/<int:contest_id>/cancel/", views_contests.contest_cancel, name="contest_cancel"),
    path("contests/<int:contest_id>/entries/", views_contests.contest_entries, name="contest_entries"),
    path("contests/<int:contest_id>/entries.csv", views_contests.contest_entries_csv, name="contest_entries_csv"),
    path("contests/<int:contest_id>/exclusions/", views_contests.contest_exclusions, name="contest_exclusions"),
    path(
        "contests/<int:contest_id>/exclusions/<int:exclusion_id>/remove/",
        views_contests.contest_exclusion_remove,
        name="contest_exclusion_remove",
    ),
]
