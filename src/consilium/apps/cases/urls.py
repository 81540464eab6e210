from django.urls import path

from consilium.apps.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("open/", views.open_case, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/consent/", views.consent, name="consent"),
    path("<int:pk>/consent/<int:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("<int:pk>/coverage/", views.coverage, name="coverage"),
    path("<int:pk>/assign/", views.assign, name="assign"),
]
