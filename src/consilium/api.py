"""The JSON API under /api/v1, documented at /api/v1/docs (OpenAPI at /api/v1/openapi.json).

Session auth for the browser (with CSRF) and per-user bearer tokens for systems. Errors
are JSON: 401 unauthenticated, 403 an action the role may not take on a visible case,
404 for a missing or hidden object, 409 a lifecycle or program rule refused the request
(with its reasons), 422 invalid fields.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from consilium.apps.accounts.models import ApiToken
from consilium.apps.cases.services import RuleError


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
            request.api_channel = "api"
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        if request.user.is_authenticated and request.user.is_active:
            return request.user
        return None


api = NinjaAPI(
    title="Consilium API",
    version="1",
    description=__doc__,
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(RuleError)
def rule_error(request, exc: RuleError):
    return api.create_response(
        request, {"detail": exc.message, "reasons": list(exc.reasons)}, status=409
    )


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


# Each app keeps its routes in its own api.py and its schemas in schemas.py.
