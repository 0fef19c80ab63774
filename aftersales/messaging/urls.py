from django.urls import path

from aftersales.messaging import views

app_name = "messaging"

urlpatterns = [
    path("<str:token>/", views.unsubscribe, name="unsubscribe"),
]
