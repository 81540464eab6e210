"""Navigation for the signed-in user's role."""

from __future__ import annotations

from django.urls import reverse

from consilium.apps.access.policy import role_of
from consilium.engines.casework.roles import Role

NAV = {
    Role.MEMBER: [("My reviews", "portal:home"), ("Request a review", "portal:request")],
    Role.PHYSICIAN: [("My patients", "physician:home"), ("Refer a patient", "physician:refer")],
    Role.COORDINATOR: [
        ("Worklist", "cases:worklist"),
        ("Open a case", "cases:open"),
        ("Outreach", "outreach:worklist"),
        ("Claims scans", "outreach:scans"),
        ("Trials", "trials:registry"),
    ],
    Role.EXPERT: [("My assigned cases", "reviews:workspace"), ("Trials", "trials:registry")],
    Role.ADMIN: [
        ("Users", "accounts:users"),
        ("Program settings", "accounts:settings"),
        ("Outreach settings", "outreach:settings"),
        ("Trials", "trials:registry"),
        ("Audit trail", "access:audit"),
    ],
}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    role = role_of(user)
    if role is None:
        return {"nav": [], "role": None}
    items = []
    for label, name in NAV.get(role, []):
        url = reverse(name)
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav": items, "role": role.value, "role_label": role.label}
