"""Headers for pages that show patient data."""

from __future__ import annotations

import time


class SecurityHeadersMiddleware:
    # Everything is served from this origin: no CDN, no inline scripts from elsewhere.
    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.CSP)
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Patient data must not linger in shared caches or the back button.
            response.setdefault("Cache-Control", "no-store")
        return response


class SessionActivityMiddleware:
    """Sign-out after inactivity, without a database write on every request.

    The session's expiry is pushed forward (by re-saving it) at most once a minute while
    the user is active, so a session ends SESSION_COOKIE_AGE after the last activity, give
    or take a minute. Saving on every request would serialize every page view behind a
    session write.
    """

    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            if now - session.get("_active_at", 0) >= self.TOUCH_EVERY_SECONDS:
                session["_active_at"] = now
        return response
