"""Portal screens of loyalty programme (included by ``aftersales/portal/urls.py``)."""

from django.urls import URLPattern, path

from aftersales.portal import views_loyalty

urlpatterns: list[URLPattern] = [
    path("points/", views_loyalty.my_points, name="loyalty"),
]
