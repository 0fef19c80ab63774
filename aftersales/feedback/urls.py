from django.urls import path

from aftersales.feedback import views

app_name = "feedback"

urlpatterns = [
    path("a/<str:token>/", views.answer, name="answer"),
    path("f/<str:token>/", views.survey_form, name="form"),
]
