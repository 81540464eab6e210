"""Uploading a record from the case page: good files are kept, bad ones are refused
with the reason, leaving no row and no stored file."""

from __future__ import annotations

import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consilium.apps.records.models import Document
from consilium.engines.casework.lifecycle import Status
from tests import factories as f
from tests.web_staff.conftest import stored_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def _pdf() -> bytes:
    return weasyprint.HTML(
        string="<h1>Pathology</h1><p>Invasive ductal carcinoma, grade 2.</p>"
    ).write_pdf()


def _upload(client, case, name, data, kind="pathology_report", title=""):
    return client.post(
        reverse("records:upload", args=[case.pk]),
        {"kind": kind, "title": title, "file": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def intake_case(world):
    return f.case(world.program, mem=world.member, status=Status.INTAKE)


def test_the_upload_page_shows_the_form(world, intake_case, as_user):
    response = as_user(world.coordinator).get(reverse("records:upload", args=[intake_case.pk]))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_a_pdf_is_accepted_with_its_text(world, intake_case, as_user, settings):
    response = _upload(
        as_user(world.coordinator), intake_case, "path.pdf", _pdf(), title="Core biopsy"
    )
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[intake_case.pk]) + "#documents"
    doc = Document.objects.get(case=intake_case)
    assert doc.file_type == "pdf" and doc.title == "Core biopsy"
    assert "Invasive ductal carcinoma" in doc.text
    assert len(stored_files(settings)) == 1


def test_the_member_uploads_text(world, intake_case, as_user):
    response = _upload(
        as_user(world.member.user),
        intake_case,
        "note.txt",
        b"Clinic note: doing well.\n",
        kind="clinical_note",
    )
    assert response.status_code == 302
    doc = Document.objects.get(case=intake_case)
    assert doc.file_type == "text" and doc.uploaded_by == world.member.user


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "scan.exe",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff" + bytes(range(256)) * 4,
            "is not a supported record type",
        ),
        ("empty.pdf", b"", "empty.pdf is empty"),
        ("report.pdf", PNG, "is named like a PDF document but its content is a PNG image"),
    ],
)
def test_bad_files_are_refused_with_the_reason(
    world, intake_case, as_user, settings, name, data, reason
):
    response = _upload(as_user(world.coordinator), intake_case, name, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file was not added." in html
    assert reason in html
    assert not Document.objects.filter(case=intake_case).exists()
    assert stored_files(settings) == []


def test_a_file_over_the_limit_is_refused(world, intake_case, as_user, settings):
    settings.MAX_UPLOAD_BYTES = 1_000_000
    response = _upload(as_user(world.coordinator), intake_case, "big.txt", b"a" * 1_500_000)
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()
    assert not Document.objects.filter(case=intake_case).exists()
    assert stored_files(settings) == []


def test_missing_kind_or_file_is_explained(world, intake_case, as_user, settings):
    response = as_user(world.coordinator).post(
        reverse("records:upload", args=[intake_case.pk]), {"kind": ""}
    )
    html = response.content.decode()
    assert "Choose the kind of record." in html and "Choose a file to upload." in html
    assert stored_files(settings) == []


def test_no_upload_to_a_closed_case(world, as_user, settings):
    case = f.case(world.program, status=Status.CLOSED)
    response = _upload(as_user(world.coordinator), case, "note.txt", b"hello\n")
    assert "Records cannot be added to a closed case" in response.content.decode()
    assert stored_files(settings) == []


def test_an_expert_may_not_upload(world, as_user):
    response = _upload(as_user(world.expert.user), world.case, "note.txt", b"hello\n")
    assert response.status_code == 403
    assert not Document.objects.filter(case=world.case).exists()
