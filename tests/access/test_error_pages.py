"""Error pages say what happened and never show patient data."""

import pytest
from django.test import Client
from django.urls import path


def _boom(request):
    raise RuntimeError("Maria Lopez CR-000001 exploded")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.urls("tests.access.test_error_pages")
def test_a_server_error_shows_a_plain_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Maria" not in body and "CR-000001" not in body


def test_not_found_reveals_nothing(client, world):
    client.force_login(world.coordinator)
    response = client.get(f"/cases/{world.other_case.pk}/")
    assert response.status_code == 404
    assert world.other_member.last_name not in response.content.decode()
    assert "There is nothing here, or you do not have access to it." in response.content.decode()
