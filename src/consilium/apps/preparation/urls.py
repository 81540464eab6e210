from django.urls import path

from consilium.apps.preparation import views

app_name = "preparation"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("panel/", views.panel, name="panel"),
    path("checklist/", views.checklist_panel, name="checklist"),
    path("facts/", views.add_fact, name="add_fact"),
    path("facts/<int:fact_id>/review/", views.review, name="review"),
    path("abstraction/", views.rerun, name="rerun"),
]
