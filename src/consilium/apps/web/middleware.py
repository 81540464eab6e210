"""Headers for pages that show patient data."""

from __future__ import annotations


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
