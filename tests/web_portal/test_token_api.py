"""A token made on the tokens page works against the API until it is revoked there."""

import re

from django.test import Client
from django.urls import reverse


def test_token_from_the_page_authenticates_until_revoked(client, world):
    client.force_login(world.expert.user)
    page = client.post(reverse("accounts:tokens"), {"name": "Reading list"}).content.decode()
    raw = re.search(r'value="(csm_[^"]+)"', page).group(1)
    api = Client()  # no session: only the bearer token speaks
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    me = api.get("/api/v1/me", **auth)
    assert me.status_code == 200
    assert me.json()["username"] == world.expert.user.username
    assert api.get("/api/v1/me").status_code == 401

    token_id = world.expert.user.api_tokens.get().pk
    client.post(reverse("accounts:token_revoke", args=[token_id]))

    assert api.get("/api/v1/me", **auth).status_code == 401
