"""URL map. Each app owns its routes; the JSON API lives under /api/v1."""

from django.urls import include, path

from consilium.api import api
from consilium.apps.web import views as web

urlpatterns = [
    path("", web.home, name="home"),
    path("login/", web.LoginView.as_view(), name="login"),
    path("logout/", web.logout_view, name="logout"),
    path("cases/", include("consilium.apps.cases.urls")),
    path("cases/<int:pk>/documents/", include("consilium.apps.records.urls")),
    path("cases/<int:pk>/decision/", include("consilium.apps.decision.urls")),
    path("cases/<int:pk>/summary/", include("consilium.apps.preparation.urls")),
    path("cases/<int:pk>/fhir/", include("consilium.apps.preparation.fhir_urls")),
    path("", include("consilium.apps.reviews.urls")),
    path("", include("consilium.apps.reports.urls")),
    path("my/", include("consilium.apps.portal.urls_member")),
    path("physician/", include("consilium.apps.portal.urls_physician")),
    path("outreach/", include("consilium.apps.outreach.urls")),
    path("trials/", include("consilium.apps.trials.urls")),
    path("admin/audit/", include("consilium.apps.access.urls")),
    path("", include("consilium.apps.accounts.urls")),
    path("api/v1/", api.urls),
]

handler404 = "consilium.apps.web.views.not_found"
handler403 = "consilium.apps.web.views.forbidden"
