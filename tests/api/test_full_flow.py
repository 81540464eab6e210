"""A case from the member's request to closed, driven only through the API, each person
with their own token."""

from __future__ import annotations

import pytest

from consilium.apps.access.models import AuditEvent
from tests import factories as f
from tests.api.conftest import API, token_client


@pytest.fixture
def people(db):
    prog = f.program()
    return {
        "coordinator": f.user("coordinator", prog),
        "member": f.member(prog),
        "expert": f.expert(),
    }


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_case_from_request_to_closed_over_the_api(people, settings):
    member = token_client(people["member"].user)
    coord = token_client(people["coordinator"])
    expert = token_client(people["expert"].user)
    json = "application/json"

    case = _ok(
        member.post(
            f"{API}/cases",
            {
                "cancer_type_code": "IDC",
                "questions": ["Is surgery first right?", "Chemo?"],
                "clinical_summary": "Lump found in March.",
                "urgent": False,
            },
            content_type=json,
        ),
        201,
    )
    url = f"{API}/cases/{case['id']}"
    assert case["status"] == "REQUESTED"
    assert case["origin"] == "member_request"
    assert case["member"]["member_number"] == people["member"].member_number
    assert case["transitions"] == [
        {
            "name": "withdraw",
            "label": "Withdraw",
            "target": "WITHDRAWN",
            "allowed": True,
            "needs_reason": True,
            "reasons": [],
        }
    ]

    # Intake by the coordinator; the member consents and uploads the pathology report.
    _ok(coord.post(f"{url}/transitions", {"name": "start_intake"}, content_type=json))
    blocked = _ok(coord.get(url))
    mark_ready = next(t for t in blocked["transitions"] if t["name"] == "mark_ready")
    assert not mark_ready["allowed"]
    assert "the member's consent is not signed" in mark_ready["reasons"]

    _ok(
        member.post(
            f"{url}/consents",
            {"scope": "expert_review", "signed_by_name": "Maria"},
            content_type=json,
        ),
        201,
    )
    assert _ok(coord.post(f"{url}/coverage-checks"), 201)["covered"] is True
    _ok(
        member.post(
            f"{url}/documents",
            {
                "file": _upload("path.txt", f.PATHOLOGY_TEXT.encode()),
                "kind": "pathology_report",
                "title": "Lumpectomy pathology",
            },
        ),
        201,
    )
    assigned = _ok(
        coord.post(f"{url}/assignment", {"expert_id": people["expert"].pk}, content_type=json)
    )
    assert assigned["expert"]["id"] == people["expert"].pk
    ready = _ok(coord.post(f"{url}/transitions", {"name": "mark_ready"}, content_type=json))
    assert ready["status"] == "READY_FOR_REVIEW"
    assert ready["due_date"] is not None

    # The expert reviews, drafts and signs.
    _ok(expert.post(f"{url}/transitions", {"name": "start_review"}, content_type=json))
    draft = _ok(
        expert.put(
            f"{url}/opinion",
            {
                "diagnosis_assessment": "refined",
                "treatment_assessment": "modify",
                "discrepancy": "minor",
                "narrative": "Add genomic testing before chemotherapy.",
                "member_summary": "Your diagnosis is right; one more test will guide treatment.",
                "answers": ["Yes.", "Only if the recurrence score is high."],
                "recommendations": [
                    {
                        "kind": "test",
                        "text": "Oncotype DX recurrence score",
                        "rationale": "Guides adjuvant chemotherapy",
                    }
                ],
            },
            content_type=json,
        )
    )
    assert draft["signed"] is False and draft["complete"] is True
    assert draft["answers"][1] == {
        "question": "Chemo?",
        "answer": "Only if the recurrence score is high.",
    }
    signed = _ok(expert.post(f"{url}/opinion/sign"))
    assert signed["signed"] is True
    assert _ok(coord.get(url))["status"] == "OPINION_SIGNED"

    # The member cannot read the summary before delivery.
    early = member.get(f"{url}/reports/member")
    assert early.status_code == 409

    delivered = _ok(coord.post(f"{url}/transitions", {"name": "deliver_report"}, content_type=json))
    assert delivered["status"] == "REPORT_DELIVERED"

    summary = _ok(member.get(f"{url}/reports/member"))
    assert "Oncotype DX" in summary["html"]
    assert summary["delivered_at"] is not None
    pdf = member.get(f"{url}/reports/member/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    # Three follow-up questions are allowed, the fourth is refused.
    for n in range(1, 4):
        _ok(member.post(f"{url}/questions", {"text": f"Question {n}?"}, content_type=json), 201)
    fourth = member.post(f"{url}/questions", {"text": "One more?"}, content_type=json)
    assert fourth.status_code == 409
    assert "3 follow-up questions" in fourth.json()["detail"]

    refused_close = coord.post(f"{url}/transitions", {"name": "close"}, content_type=json)
    assert refused_close.status_code == 409
    assert "follow-up questions are still unanswered" in refused_close.json()["reasons"]

    for q in _ok(expert.get(f"{url}/questions")):
        _ok(
            expert.post(
                f"{url}/questions/{q['id']}/answer",
                {"text": f"Answer to {q['text']}"},
                content_type=json,
            )
        )
    answered = _ok(member.get(f"{url}/questions"))
    assert [q["answered"] for q in answered] == [True, True, True]

    closed = _ok(coord.post(f"{url}/transitions", {"name": "close"}, content_type=json))
    assert closed["status"] == "CLOSED"
    assert closed["transitions"] == []

    statuses = [e["to_status"] for e in _ok(coord.get(f"{url}/timeline")) if e["kind"] == "status"]
    assert statuses == [
        "INTAKE",
        "READY_FOR_REVIEW",
        "IN_REVIEW",
        "OPINION_SIGNED",
        "REPORT_DELIVERED",
        "CLOSED",
    ]
    member_view = _ok(member.get(f"{url}/timeline"))
    assert not any(e["kind"] in ("coverage", "assignment") for e in member_view)
    events = AuditEvent.objects.filter(case_id=case["id"])
    assert events.filter(channel="api").count() == events.count() > 20
    assert events.filter(action="followup.ask", outcome="failed").count() == 1


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
