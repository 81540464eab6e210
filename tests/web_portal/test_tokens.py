"""Every user manages their own API tokens: shown once, revocable, others' invisible."""

import re

from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.accounts.models import ApiToken


def test_create_shows_the_token_once(client, world):
    client.force_login(world.coordinator)

    response = client.post(reverse("accounts:tokens"), {"name": "Claims import"})

    body = response.content.decode()
    raw = re.search(r'value="(csm_[^"]+)"', body).group(1)
    assert ApiToken.authenticate(raw) == world.coordinator
    token = ApiToken.objects.get(user=world.coordinator)
    assert token.name == "Claims import"
    assert raw not in client.get(reverse("accounts:tokens")).content.decode()
    assert f"****{token.hint}" in client.get(reverse("accounts:tokens")).content.decode()
    assert AuditEvent.objects.filter(action="tokens.own", object_id=str(token.pk)).exists()


def test_revoke_own_token(client, world):
    token, raw = ApiToken.issue(world.member.user, "phone app")
    client.force_login(world.member.user)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.authenticate(raw) is None


def test_revoke_needs_post(client, world):
    token, _ = ApiToken.issue(world.member.user, "phone app")
    client.force_login(world.member.user)

    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_someone_elses_token_is_404(client, world):
    token, raw = ApiToken.issue(world.expert.user, "expert script")
    client.force_login(world.member.user)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "expert script" not in client.get(reverse("accounts:tokens")).content.decode()
