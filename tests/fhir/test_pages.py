"""The case page's FHIR section: upload and report for coordinators and physicians,
downloads for whoever may export; nothing for the member."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consilium.apps.preparation.models import CaseFact
from tests import factories
from tests.fhir import builders as b


def _page(client, user, case):
    client.force_login(user)
    return client.get(reverse("cases:detail", args=[case.pk])).content.decode()


@pytest.mark.parametrize(
    ("role", "form", "download"),
    [
        ("coordinator", True, True),
        ("physician", True, True),
        ("expert", False, True),
        ("member", False, False),
    ],
)
def test_section_by_role(world, client, role, form, download):
    html = _page(client, world.users()[role], world.case)
    assert (reverse("fhir:import", args=[world.case.pk]) in html) is form
    assert (reverse("fhir:summary", args=[world.case.pk]) in html) is download
    assert ('id="fhir"' in html) is (form or download)


def test_opinion_link_once_signed(world, client):
    opinion_url = reverse("fhir:opinion", args=[world.case.pk])
    assert opinion_url not in _page(client, world.coordinator, world.case)
    factories.delivered(world.case)
    assert opinion_url in _page(client, world.coordinator, world.case)


def test_upload_shows_the_report(world, client):
    client.force_login(world.coordinator)
    resources = b.breast_case_resources(world.member)
    bad = b.observation("bad", "16112-5", **b.positive())
    del bad["status"]
    data = json.dumps(b.bundle([*resources, bad])).encode()
    upload = SimpleUploadedFile("record.json", data, "application/fhir+json")
    r = client.post(reverse("fhir:import", args=[world.case.pk]), {"file": upload})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Report for record.json" in html
    assert "record.json entry[9]" in html and "required element missing" in html
    assert CaseFact.objects.filter(case=world.case).count() == 7


def test_upload_refused_for_another_patient(world, client):
    client.force_login(world.coordinator)
    data = json.dumps(b.bundle([b.stranger("p1"), b.condition("c1")])).encode()
    upload = SimpleUploadedFile("record.json", data, "application/json")
    r = client.post(reverse("fhir:import", args=[world.case.pk]), {"file": upload})
    assert r.status_code == 409
    assert "birth date differs" in r.content.decode()


def test_downloads(world, client):
    client.force_login(world.coordinator)
    r = client.get(reverse("fhir:summary", args=[world.case.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/fhir+json"
    assert "attachment" in r["Content-Disposition"]
    assert json.loads(r.content)["type"] == "collection"
    r = client.get(reverse("fhir:opinion", args=[world.case.pk]))
    assert r.status_code == 409 and "not signed" in r.content.decode()


def test_another_program_is_404(world, client):
    client.force_login(world.coordinator)
    for name in ("fhir:import", "fhir:summary", "fhir:opinion"):
        assert client.get(reverse(name, args=[world.other_case.pk])).status_code == 404


def test_member_is_refused(world, client):
    client.force_login(world.member.user)
    assert client.get(reverse("fhir:summary", args=[world.case.pk])).status_code == 403
