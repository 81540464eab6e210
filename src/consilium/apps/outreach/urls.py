from django.urls import path
from django.views.generic import RedirectView

from consilium.apps.outreach import views

app_name = "outreach"
urlpatterns = [
    # /outreach/ itself is the worklist (the view checks access).
    path("", RedirectView.as_view(pattern_name="outreach:worklist"), name="home"),
    path("candidates/", views.worklist, name="worklist"),
    path("candidates/<int:pk>/accept/", views.accept, name="accept"),
    path("candidates/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("scans/", views.scans, name="scans"),
    path("scans/run/", views.run_scan, name="run_scan"),
    path("scans/<int:pk>/rerun/", views.rerun_scan, name="rerun_scan"),
    path("settings/", views.outreach_settings, name="settings"),
]
