from django.urls import path

from consilium.apps.decision import views

app_name = "decision"
urlpatterns = [
    path("", views.panel, name="panel"),
    path("add/", views.add, name="add"),
]
