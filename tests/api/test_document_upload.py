"""Records through the API: accepted files come back with their metadata, text and bytes;
refused files answer 422 with the reason and leave nothing behind."""

from __future__ import annotations

import hashlib
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consilium.apps.access.models import AuditEvent
from consilium.apps.records.models import Document
from tests import factories as f
from tests.api.conftest import API


def _pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1>Pathology</h1><p>{text}</p>").write_pdf()


def _stored_files(settings) -> list:
    root = settings.STORAGE_DIR
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def upload(world, as_user):
    client = as_user(world.member.user)
    url = f"{API}/cases/{world.case.pk}/documents"

    def send(name: str, data: bytes, kind: str = "pathology_report", title: str = ""):
        return client.post(
            url, {"file": SimpleUploadedFile(name, data), "kind": kind, "title": title}
        )

    send.client = client
    send.url = url
    return send


def test_text_record_is_accepted_listed_and_downloadable(upload, world, settings):
    data = f.PATHOLOGY_TEXT.encode()
    response = upload("pathology.txt", data, title="Lumpectomy")
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["file_type"] == "text"
    assert doc["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["size"] == len(data)
    assert doc["title"] == "Lumpectomy"
    assert doc["text_status"] == "extracted"

    listed = upload.client.get(upload.url).json()
    assert [d["id"] for d in listed] == [doc["id"]]
    assert set(listed[0]) == {
        "id",
        "kind",
        "title",
        "original_name",
        "file_type",
        "media_type",
        "sha256",
        "size",
        "text_status",
        "uploaded_at",
    }

    detail = upload.client.get(f"{upload.url}/{doc['id']}").json()
    assert "Invasive ductal carcinoma" in detail["text"]

    content = upload.client.get(f"{upload.url}/{doc['id']}/content")
    assert content.status_code == 200
    assert content.content == data
    assert content["Content-Type"] == "text/plain; charset=utf-8"
    assert content["Content-Disposition"] == 'attachment; filename="pathology.txt"'
    assert len(_stored_files(settings)) == 1
    assert AuditEvent.objects.filter(
        action="document.upload", outcome="allowed", channel="api", object_id=str(doc["id"])
    ).exists()


def test_pdf_record_is_accepted_with_its_text(upload):
    data = _pdf("ER positive, PR positive, HER2 negative")
    response = upload("report.pdf", data)
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["file_type"] == "pdf"
    assert doc["media_type"] == "application/pdf"
    detail = upload.client.get(f"{upload.url}/{doc['id']}").json()
    assert "HER2 negative" in detail["text"]
    content = upload.client.get(f"{upload.url}/{doc['id']}/content")
    assert content["Content-Type"] == "application/pdf"
    assert content.content == data


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "is empty"),
        ("big.txt", b"x" * 2_000, "the limit is"),
        ("blob.bin", random.Random(7).randbytes(512), "not a supported record type"),
        ("scan.pdf", PNG, "named like a PDF document but its content is a PNG image"),
    ],
    ids=["empty", "too-large", "wrong-type", "misleading-extension"],
)
def test_refused_file_is_422_with_the_reason_and_stores_nothing(
    upload, settings, world, name, data, reason
):
    settings.MAX_UPLOAD_BYTES = 1_000
    response = upload(name, data)
    assert response.status_code == 422, response.content
    assert reason in response.json()["detail"]
    assert not Document.objects.exists()
    assert _stored_files(settings) == []
    assert (
        AuditEvent.objects.filter(
            action="document.upload", outcome="failed", case_id=world.case.pk
        ).count()
        == 1
    )


def test_unknown_kind_is_422_naming_the_field(upload):
    response = upload("pathology.txt", f.PATHOLOGY_TEXT.encode(), kind="horoscope")
    assert response.status_code == 422
    assert any(err["loc"][-1] == "kind" for err in response.json()["detail"])
    assert not Document.objects.exists()


def test_closed_case_refuses_records_as_a_rule(upload, world, settings):
    world.case.status = "CLOSED"
    world.case.save()
    response = upload("pathology.txt", f.PATHOLOGY_TEXT.encode())
    assert response.status_code == 409
    assert response.json()["detail"] == "Records cannot be added to a closed case"
    assert _stored_files(settings) == []


def test_document_of_another_case_is_404(upload, world, as_user):
    other = f.pathology(world.other_case)
    response = upload.client.get(f"{upload.url}/{other.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert upload.client.get(f"{upload.url}/{other.pk}/content").status_code == 404
