from django.urls import path

from consilium.apps.reports import views

app_name = "reports"
urlpatterns = [
    path("cases/<int:pk>/reports/<str:kind>/", views.view, name="view"),
    path("cases/<int:pk>/reports/<str:kind>.pdf", views.pdf, name="pdf"),
    path("cases/<int:pk>/questions/", views.ask, name="ask"),
    path("cases/<int:pk>/questions/<int:qid>/answer/", views.answer, name="answer"),
]
