"""The registry pages: who may see them ("trials.view": coordinators, experts, admins),
search by text, cancer type and status, a trial's page with criteria beside their
sentences, and the Import and Sync now actions ("trials.manage": coordinators, admins)."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.trials.demo import ensure_demo_registry
from consilium.apps.trials.models import RegistryRun, Trial
from tests.trials.fake_ctgov import FakeRegistry, serve
from tests.trials.registry import demo, study

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "view", "manage"),
    [
        ("coordinator", 200, True),
        ("expert", 200, False),
        ("admin", 200, True),
        ("member", 403, False),
        ("physician", 403, False),
    ],
)
def test_who_sees_the_registry_and_who_manages_it(client, world, role, view, manage):
    ensure_demo_registry()
    user = world.users()[role]
    _as(client, user)
    response = client.get(reverse("trials:registry"))
    assert response.status_code == view
    detail = client.get(reverse("trials:detail", args=["NCT09900001"]))
    assert detail.status_code == view
    if view == 200:
        assert ("Sync now" in response.content.decode()) is manage
    sync = client.post(reverse("trials:sync"))
    assert sync.status_code == (302 if manage else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("trials:registry"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_registry_search_by_text_cancer_type_and_status(client, world):
    ensure_demo_registry()
    _as(client, world.expert.user)
    page = client.get(reverse("trials:registry")).content.decode()
    assert "22 trials" in page and "20 open to patients" in page and "never synced" in page

    def ids(**params):
        html = client.get(reverse("trials:registry"), params).content.decode()
        return {f"NCT0990{n:04d}" for n in range(1, 23) if f"NCT0990{n:04d}" in html}

    assert ids(q="osimertinib") == {"NCT09900001"}
    assert ids(q="her2-low trastuzumab") == {"NCT09900005"}
    lung = ids(cancer="LUAD")
    assert {"NCT09900001", "NCT09900002", "NCT09900004", "NCT09900021"} <= lung  # + baskets
    assert "NCT09900005" not in lung
    assert ids(status="COMPLETED") == {"NCT09900022"}
    assert "NCT09900019" not in ids(status="open")
    partial = client.get(
        reverse("trials:registry"), {"q": "melanoma", "part": "results"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "NCT09900016" in partial and "<html" not in partial


def test_trial_page_shows_sites_contacts_arms_and_criteria_with_their_readings(client, world):
    ensure_demo_registry()
    _as(client, world.coordinator)
    html = client.get(reverse("trials:detail", args=["NCT09900001"])).content.decode()
    assert "Lakeshore Cancer Institute" in html and "Recruiting" in html
    assert "trials@lakeshorecancerins.example.org" in html
    assert "Osimertinib plus MET inhibitor" in html
    assert "Documented EGFR exon 19 deletion or exon 21 L858R mutation" in html
    assert "requires EGFR exon 19 deletion or exon 21 L858R" in html
    assert "excludes symptomatic untreated brain metastases" in html
    assert client.get(reverse("trials:detail", args=["NCT00000000"])).status_code == 404


def test_import_upload_reports_counts_and_refusals(client, world):
    _as(client, world.coordinator)
    bad = study("NCT09990002")
    bad["protocolSection"]["identificationModule"]["nctId"] = "NCT12"
    upload = io.BytesIO(json.dumps({"studies": [*demo()[:2], bad]}).encode())
    upload.name = "export.json"
    response = client.post(reverse("trials:import"), {"file": upload}, follow=True)
    text = response.content.decode()
    assert "export.json: 3 record(s): 2 new, 0 updated, 0 unchanged, 1 refused" in text
    assert "export.json record 3" in text
    assert Trial.objects.count() == 2
    run = RegistryRun.objects.get(kind="import")
    assert (run.new, run.refused, run.requested_by) == (2, 1, world.coordinator)
    assert AuditEvent.objects.filter(action="trials.manage", outcome="allowed").exists()


def test_experts_may_not_import(client, world):
    _as(client, world.expert.user)
    upload = io.BytesIO(b"[]")
    upload.name = "x.json"
    assert client.post(reverse("trials:import"), {"file": upload}).status_code == 403
    assert AuditEvent.objects.filter(action="trials.manage", outcome="denied").exists()


def test_sync_now_runs_in_the_background_and_shows_its_status(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    fake = FakeRegistry([demo()[:5]])
    _as(client, world.admin)
    with serve(fake) as url:
        monkeypatch.setenv("CONSILIUM_CTGOV_URL", url)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("trials:sync"), follow=True)
    assert "queued" in response.content.decode()
    run = RegistryRun.objects.get(kind="sync")
    assert run.status == "done" and run.new == 5 and run.source == url
    panel = client.get(reverse("trials:runs")).content.decode()
    assert "Sync" in panel and "5 new" in panel and "every 2s" not in panel
    page = client.get(reverse("trials:registry")).content.decode()
    assert "current to" in page


def test_a_second_sync_is_refused_while_one_is_queued(client, world):
    _as(client, world.coordinator)
    RegistryRun.objects.create(kind="sync", status="queued", source="http://x")
    response = client.post(reverse("trials:sync"), follow=True)
    assert "already under way" in response.content.decode()
    assert RegistryRun.objects.filter(kind="sync").count() == 1
    # While it is queued the panel polls for its status.
    assert "every 2s" in client.get(reverse("trials:runs")).content.decode()


def test_the_nav_links_to_the_registry(client, world):
    _as(client, world.expert.user)
    assert reverse("trials:registry") in client.get(reverse("trials:registry")).content.decode()
