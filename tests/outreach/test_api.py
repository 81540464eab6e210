"""The outreach API: a coordinator reads their program's claims scans and the members
found (reasons in plain words, evidence claims with dates), starts a scan of a delivery
in the inbox, and accepts (a proactive case) or dismisses members, through the same
services as the pages. Another program's objects answer 404 like missing ones, other
roles 403, rule refusals 409 with the reason, bad input 422; decisions are audited."""

from __future__ import annotations

import shutil

import pytest

from consilium.apps.access.actors import Actor
from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.models import Case
from consilium.apps.outreach import services
from consilium.apps.outreach.models import ClaimsScan, OutreachCandidate
from tests.api.conftest import API, token_client
from tests.outreach.conftest import open_case_for

pytestmark = pytest.mark.django_db
OUT = f"{API}/outreach"


@pytest.fixture
def imported(world, scans):
    return services.import_output(Actor(world.coordinator, "cli"), scans.a, world.program)


@pytest.fixture
def coordinator(world):
    return token_client(world.coordinator)


def current(pid):
    return OutreachCandidate.objects.get(person_id=pid, current=True)


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


# --- the members found ---------------------------------------------------------------------


def test_candidates_highest_score_first_with_reasons_and_evidence(coordinator, world, imported):
    response = coordinator.get(f"{OUT}/candidates")
    assert response.status_code == 200
    page = response.json()
    # Pending members of the worklist (P3 is not enrolled: reported, not pending).
    assert [c["person_id"] for c in page["items"]] == ["P1", "P4", "P5", "P2"]
    assert page["count"] == 4 and [c["score"] for c in page["items"]] == [6, 3, 3, 0]
    ann = page["items"][0]
    assert ann["name"] == "Ann Avery" and ann["status"] == "pending" and ann["current"]
    assert ann["scan_id"] == imported.scan.pk and ann["scan_as_of"] == "2025-06-30"
    metastatic = next(r for r in ann["reasons"] if r["trigger"] == "metastatic")
    assert metastatic["label"] == "Metastatic disease"
    assert "secondary (metastatic) cancer code" in metastatic["because"]
    assert {
        "claim_id": "A-P1-2",
        "date": "2025-06-20",
        "detail": "C787",
        "text": "claim A-P1-2 on 2025-06-20 (C787)",
    } in metastatic["evidence"]
    assert page["items"][1]["name"] == "Member MP4"  # no name in the eligibility file
    event = AuditEvent.objects.filter(action="outreach.view", channel="api").get()
    assert event.outcome == "allowed" and "4 candidates" in event.detail


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("trigger=metastatic", ["P1"]),
        ("cancer_group=prostate", ["P2"]),
        ("status=not_enrolled", ["P3"]),
        ("status=all", ["P3", "P1", "P4", "P5", "P2"]),
        ("status=all&trigger=new_diagnosis&cancer_group=breast", ["P1", "P5"]),
        ("limit=2&offset=1", ["P4", "P5"]),
    ],
)
def test_filters(coordinator, imported, query, expected):
    page = coordinator.get(f"{OUT}/candidates?{query}").json()
    assert [c["person_id"] for c in page["items"]] == expected


def test_one_scans_members(coordinator, imported):
    page = coordinator.get(f"{OUT}/candidates?scan={imported.scan.pk}").json()
    assert page["count"] == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=maybe", "status"),
        ("trigger=bad_luck", "trigger"),
        ("cancer_group=spleen", "cancer_group"),
        ("limit=0", "limit"),
    ],
)
def test_bad_filters_are_422_naming_the_field(coordinator, imported, query, field):
    response = coordinator.get(f"{OUT}/candidates?{query}")
    assert response.status_code == 422
    assert field in [e["loc"][-1] for e in response.json()["detail"]]


def test_one_candidate(coordinator, imported):
    pk = current("P1").pk
    body = coordinator.get(f"{OUT}/candidates/{pk}").json()
    assert body["id"] == pk and body["member_number"] == "MP1" and body["reasons"]


# --- accept and dismiss --------------------------------------------------------------------


def test_accept_opens_the_proactive_case_and_a_second_accept_is_409(coordinator, world, imported):
    pk = current("P1").pk
    response = post(coordinator, f"{OUT}/candidates/{pk}/accept")
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["case_id"])
    assert case.origin == Case.Origin.PROACTIVE and case.member.member_number == "MP1"
    assert body["case_reference"] == case.reference
    assert body["candidate"]["status"] == "accepted" and body["candidate"]["case_id"] == case.pk
    assert body["candidate"]["decided_by"] == world.coordinator.get_username()
    event = AuditEvent.objects.get(action="outreach.decide", channel="api", outcome="allowed")
    assert event.object_id == str(pk) and case.reference in event.detail

    again = post(coordinator, f"{OUT}/candidates/{pk}/accept")
    assert again.status_code == 409
    assert "not pending any more" in again.json()["detail"]
    assert Case.objects.filter(member__member_number="MP1").count() == 1
    assert AuditEvent.objects.filter(action="outreach.decide", outcome="failed").count() == 1


def test_accept_for_a_member_with_an_open_case_is_409_and_opens_none(coordinator, world, imported):
    c = current("P1")
    # Meanwhile a case was opened for the member from the case pages.
    existing = open_case_for(world, "MP1")
    response = post(coordinator, f"{OUT}/candidates/{c.pk}/accept")
    assert response.status_code == 409
    body = response.json()
    assert existing.reference in body["detail"] and body["reasons"]
    assert Case.objects.filter(member__member_number="MP1").count() == 1
    c.refresh_from_db()
    assert c.status == "case_open" and c.case == existing  # linked, as on the worklist


def test_dismiss_needs_a_reason_and_happens_once(coordinator, world, imported):
    pk = current("P2").pk
    for body in ({}, {"reason": "   "}, {"reason": "x" * 2001}):
        response = post(coordinator, f"{OUT}/candidates/{pk}/dismiss", body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "reason"
    assert current("P2").status == "pending"

    response = post(coordinator, f"{OUT}/candidates/{pk}/dismiss", {"reason": " In hospice "})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("dismissed", "In hospice")
    c = current("P2")
    assert (c.status, c.decided_by) == ("dismissed", world.coordinator)
    event = AuditEvent.objects.get(action="outreach.decide", channel="api", outcome="allowed")
    assert event.detail == "dismiss: In hospice"

    again = post(coordinator, f"{OUT}/candidates/{pk}/dismiss", {"reason": "again"})
    assert again.status_code == 409 and "not pending any more" in again.json()["detail"]
    assert post(coordinator, f"{OUT}/candidates/{pk}/accept").status_code == 409


# --- scans ---------------------------------------------------------------------------------


def test_scans_with_status_counts_and_speed(coordinator, imported):
    listed = coordinator.get(f"{OUT}/scans")
    assert listed.status_code == 200
    [scan] = listed.json()
    assert scan["id"] == imported.scan.pk and scan["status"] == "done"
    assert scan["source"] == "import" and scan["as_of"] == "2025-06-30"
    assert scan["members_qualified"] == 5 and scan["members_enrolled"] == 4
    assert scan["rows_read"]["medical_claim"] == 12
    # The scan's own figures are recorded (their size is bench/'s business, not a test's).
    recorded = [scan[k] for k in ("seconds", "lines_per_second")]
    assert all(v > 0 for v in recorded)
    assert scan["import_counts"]["new"] == 5
    one = coordinator.get(f"{OUT}/scans/{imported.scan.pk}")
    assert one.status_code == 200 and one.json() == scan


@pytest.fixture
def inbox(world, claims_dirs, scans):
    root = services.program_inbox(world.program)
    root.mkdir(parents=True)
    shutil.copytree(scans.delivery_a, root / "2025-06")
    return root


def test_start_a_scan_of_the_inbox(coordinator, world, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(coordinator, f"{OUT}/scans", {"delivery": "2025-06", "as_of": "2025-06-30"})
    assert response.status_code == 202, response.content
    queued = response.json()
    assert queued["status"] == "queued" and queued["delivery_name"] == "2025-06"
    assert queued["as_of_requested"] == "2025-06-30" and queued["source"] == "inbox"
    assert queued["requested_by"] == world.coordinator.get_username()
    # The queue ran it (inline in tests): follow it by its id.
    done = coordinator.get(f"{OUT}/scans/{queued['id']}").json()
    assert done["status"] == "done", done["error"]
    assert done["lines_processed"] == 12 and done["members_qualified"] == 5
    assert OutreachCandidate.objects.filter(status="pending").count() == 4
    assert AuditEvent.objects.filter(action="outreach.scan", channel="api").exists()

    # The same files again, from another folder: the scan itself says it is a duplicate.
    shutil.copytree(inbox / "2025-06", inbox / "2025-06-resent")
    with django_capture_on_commit_callbacks(execute=True):
        again = post(
            coordinator, f"{OUT}/scans", {"delivery": "2025-06-resent", "as_of": "2025-06-30"}
        )
    assert again.status_code == 202
    dup = coordinator.get(f"{OUT}/scans/{again.json()['id']}").json()
    assert dup["status"] == "duplicate" and dup["duplicate_of"] == queued["id"]
    assert f"scan #{queued['id']}" in dup["error"]


def test_a_delivery_being_scanned_is_409(coordinator, inbox):
    # Queued but not run yet (the commit callbacks that enqueue it never fire here).
    first = post(coordinator, f"{OUT}/scans", {"delivery": "2025-06"})
    assert first.status_code == 202
    second = post(coordinator, f"{OUT}/scans", {"delivery": "2025-06"})
    assert second.status_code == 409
    assert "already being scanned" in second.json()["detail"]
    assert ClaimsScan.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"delivery": "missing"},
        {"delivery": "../"},
        {"delivery": ".."},
        {"delivery": "/etc"},
        {"delivery": " "},
        {},
        {"delivery": "2025-06", "as_of": "June"},
    ],
)
def test_not_a_delivery_of_the_inbox_is_422(coordinator, inbox, body):
    response = post(coordinator, f"{OUT}/scans", body)
    assert response.status_code == 422, response.content
    field = "as_of" if "as_of" in body else "delivery"
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not ClaimsScan.objects.exists()


# --- who may ------------------------------------------------------------------------------


def _calls(scan_id: int, candidate_id: int):
    return [
        ("get", f"{OUT}/scans", None),
        ("get", f"{OUT}/scans/{scan_id}", None),
        ("post", f"{OUT}/scans", {"delivery": "2025-06"}),
        ("get", f"{OUT}/candidates", None),
        ("get", f"{OUT}/candidates/{candidate_id}", None),
        ("post", f"{OUT}/candidates/{candidate_id}/accept", None),
        ("post", f"{OUT}/candidates/{candidate_id}/dismiss", {"reason": "no"}),
    ]


def _call(client, method, url, body):
    return client.get(url) if method == "get" else post(client, url, body)


@pytest.mark.parametrize("role", ["member", "physician", "expert", "admin"])
def test_other_roles_are_403_and_audited(world, imported, role):
    user = world.users()[role]
    client = token_client(user)
    for method, url, body in _calls(imported.scan.pk, current("P1").pk):
        response = _call(client, method, url, body)
        assert response.status_code == 403, (url, response.content)
        assert b"Ann Avery" not in response.content
    assert AuditEvent.objects.filter(actor_id=user.pk, outcome="denied").count() == 7
    assert current("P1").status == "pending" and not ClaimsScan.objects.filter(source="inbox")


def test_another_programs_coordinator_gets_404_like_missing(world, imported):
    client = token_client(world.other_coordinator)
    pk = current("P1").pk
    for method, url, body in _calls(imported.scan.pk, pk):
        if url.endswith("/scans") or url.endswith("/candidates"):
            continue
        hidden = _call(client, method, url, body)
        missing = _call(client, method, url.replace(str(pk), "999999"), body)
        if f"/scans/{imported.scan.pk}" in url:
            missing = _call(client, method, f"{OUT}/scans/999999", body)
        assert hidden.status_code == missing.status_code == 404, url
        assert hidden.json() == missing.json() == {"detail": "Not Found"}
    assert client.get(f"{OUT}/scans").json() == []
    assert client.get(f"{OUT}/candidates?status=all").json()["count"] == 0
    assert current("P1").status == "pending" and not Case.objects.filter(origin="proactive")


def test_unauthenticated_is_401(client, imported):
    for method, url, body in _calls(imported.scan.pk, current("P1").pk):
        assert _call(client, method, url, body).status_code == 401, url
