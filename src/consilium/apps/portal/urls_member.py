from django.urls import path

from consilium.apps.portal import member_views as views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("request/", views.request_review, name="request"),
]
