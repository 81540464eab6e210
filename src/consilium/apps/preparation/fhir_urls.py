from django.urls import path

from consilium.apps.preparation import fhir_views

app_name = "fhir"
urlpatterns = [
    path("import/", fhir_views.import_page, name="import"),
    path("mcode.json", fhir_views.summary_download, name="summary"),
    path("opinion.json", fhir_views.opinion_download, name="opinion"),
]
