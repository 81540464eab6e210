from django.urls import path

from consilium.apps.records import views

app_name = "records"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("<int:doc_id>/", views.viewer, name="view"),
    path("<int:doc_id>/download/", views.download, name="download"),
]
