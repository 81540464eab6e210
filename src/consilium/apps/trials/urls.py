from django.urls import path

from consilium.apps.trials import views

app_name = "trials"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("runs/", views.runs, name="runs"),
    path("import/", views.import_file, name="import"),
    path("sync/", views.sync_now, name="sync"),
    path("<str:nct_id>/", views.detail, name="detail"),
]
