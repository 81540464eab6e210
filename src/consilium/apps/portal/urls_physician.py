from django.urls import path

from consilium.apps.portal import physician_views as views

app_name = "physician"
urlpatterns = [
    path("", views.home, name="home"),
    path("refer/", views.refer, name="refer"),
]
