from django.urls import path

from consilium.apps.access import views

app_name = "access"
urlpatterns = [
    path("", views.audit_trail, name="audit"),
]
