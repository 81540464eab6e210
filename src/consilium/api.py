"""The JSON API under /api/v1, documented at /api/v1/docs (OpenAPI at /api/v1/openapi.json).

Session auth for the browser (with CSRF) and per-user bearer tokens for systems
(`Authorization: Bearer csm_…`). Errors are JSON: 401 unauthenticated, 403 an action the
role may not take on a visible case, 404 for a missing or hidden object (the same body
for both), 409 a lifecycle or program rule refused the request (with its reasons), 422
invalid fields (or a refused record file).
"""

from __future__ import annotations

import json
from pathlib import Path

import ninja
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template import engines
from django.urls import reverse
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase
from ninja.security import APIKeyCookie, HttpBearer

from consilium.apps.accounts.models import ApiToken
from consilium.apps.cases.api import router as cases_router
from consilium.apps.cases.schemas import Error, Me, ProgramRef
from consilium.apps.cases.services import RuleError
from consilium.apps.decision.api import router as decision_router
from consilium.apps.outreach.api import router as outreach_router
from consilium.apps.preparation.api import router as preparation_router
from consilium.apps.preparation.fhir_api import router as fhir_router
from consilium.apps.records.api import router as records_router
from consilium.apps.reports.api import router as reports_router
from consilium.apps.reviews.api import router as reviews_router


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods need the CSRF token."""

    param_name = "sessionid"

    def _get_key(self, request):
        # Without a signed-in session there is nothing to forge: answer 401 (not a CSRF
        # 403) to a caller with no credentials. With a session, CSRF is checked as usual.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key and request.user.is_authenticated and request.user.is_active:
            return request.user
        return None


# --- docs served from this origin ---------------------------------------------------------
# ninja renders its Swagger page with assets from a CDN unless "ninja" is an installed
# app. Our CSP (and the no-CDN rule) forbid that, so the page below loads the Swagger UI
# files shipped inside the installed django-ninja package, through a route of this API.

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
    "favicon.png": "image/png",
}
DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="stylesheet" href="{{ assets.css }}">
<link rel="icon" href="{{ assets.icon }}" type="image/svg+xml">
</head>
<body data-csrf-token="{{ csrf_token }}" data-api-csrf="true">
<script type="application/json" id="swagger-settings">{{ settings_json|safe }}</script>
<div id="swagger-ui"></div>
<script src="{{ assets.bundle }}"></script>
<script src="{{ assets.init }}"></script>
</body>
</html>
"""


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        settings = {
            "layout": "BaseLayout",
            "deepLinking": True,
            "url": self.get_openapi_url(api, kwargs),
        }
        # JSON inside <script>: escape "<" so no value can close the element.
        settings_json = json.dumps(settings).replace("<", "\\u003c")

        def url(name: str) -> str:
            # The package version in the URL: a new ninja release is a new URL to cache.
            path = reverse(f"{api.urls_namespace}:docs_asset", kwargs={"name": name})
            return f"{path}?v={ninja.__version__}"

        assets = {
            "css": url("swagger-ui.css"),
            "icon": url("favicon.svg"),
            "bundle": url("swagger-ui-bundle.js"),
            "init": url("swagger-ui-init.js"),
        }
        html = (
            engines["django"]
            .from_string(DOCS_PAGE)
            .render(
                {"title": api.title, "assets": assets, "settings_json": settings_json},
                request,
            )
        )
        return HttpResponse(html)


api = NinjaAPI(
    title="Consilium API",
    version="1",
    description=__doc__,
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs=LocalSwagger(),
)


@api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs_asset")
def docs_asset(request, name: str):
    media_type = DOCS_ASSETS.get(name)
    if media_type is None:
        raise Http404("no such asset")
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=media_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- errors -------------------------------------------------------------------------------


@api.exception_handler(RuleError)
def rule_error(request, exc: RuleError):
    return api.create_response(
        request, {"detail": exc.message, "reasons": list(exc.reasons)}, status=409
    )


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    # One body for a missing object and a hidden one, in debug too: the message must not
    # tell them apart.
    return api.create_response(request, {"detail": "Not Found"}, status=404)


# --- the caller ---------------------------------------------------------------------------


@api.get("/me", response={200: Me, 401: Error}, tags=["me"], summary="Who is calling")
def me(request):
    user = request.user
    program = ProgramRef(id=user.program_id, name=user.program.name) if user.program else None
    return Me(
        username=user.get_username(),
        display_name=user.display_name,
        role=user.role,
        program=program,
    )


# Each app keeps its routes in its own api.py and its schemas in schemas.py; the routes
# about one case or the case list share the /cases prefix; outreach (claims scans and the
# members found, before any case) has its own.

api.add_router("/cases", cases_router)
api.add_router("/cases", records_router)
api.add_router("/cases", reviews_router)
api.add_router("/cases", reports_router)
api.add_router("/cases", decision_router)
api.add_router("/cases", preparation_router)
api.add_router("/cases", fhir_router)
api.add_router("/outreach", outreach_router)
