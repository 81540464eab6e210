"""Who is acting, through which channel and from where: what the audit trail records."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from consilium.apps.access.policy import role_of
from consilium.engines.casework.roles import Role


@dataclass(frozen=True)
class Actor:
    user: object  # accounts.User (or AnonymousUser for refused attempts)
    channel: str  # "web", "api" or "cli"
    address: str | None = None

    @property
    def role(self) -> Role | None:
        return role_of(self.user)

    @classmethod
    def from_request(cls, request: HttpRequest, channel: str = "web") -> Actor:
        return cls(request.user, channel, client_address(request))


def client_address(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a proxy in front must set it (gunicorn --forwarded-allow-ips),
    # since trusting X-Forwarded-For blindly lets a client write the trail's address.
    return request.META.get("REMOTE_ADDR") or None
