"""The administration pages answer 404 to every other role, and the refusal is audited."""

import pytest
from django.urls import reverse

from consilium.apps.access.models import AuditEvent

ADMIN_PAGES = ["accounts:users", "accounts:user_new", "accounts:settings", "access:audit"]


@pytest.mark.parametrize("role", ["member", "physician", "expert", "coordinator"])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_non_admins_get_404(client, world, role, page):
    user = world.users()[role]
    client.force_login(user)

    assert client.get(reverse(page)).status_code == 404
    assert AuditEvent.objects.filter(actor_id=user.pk, outcome="denied").exists()


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_non_admins_cannot_edit_users(client, world, role):
    client.force_login(world.users()[role])
    url = reverse("accounts:user_edit", args=[world.admin.pk])

    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"role": role, "first_name": "x", "last_name": "y", "is_active": "on"}
        ).status_code
        == 404
    )
    world.admin.refresh_from_db()
    assert world.admin.role == "admin"


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_sees_the_pages(client, world, page):
    client.force_login(world.admin)
    assert client.get(reverse(page)).status_code == 200
