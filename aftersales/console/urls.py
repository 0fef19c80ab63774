from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "console"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="admin/login.html"), name="login"),
    path("", auth_views.LoginView.as_view(template_name="admin/login.html"), name="home"),
]
