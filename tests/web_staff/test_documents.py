"""Viewing and downloading a record: by role, only for the record's own case."""

from __future__ import annotations

import pytest
import weasyprint
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.records.services import add_document
from tests import factories as f


@pytest.fixture
def pdf_doc(world):
    data = weasyprint.HTML(string="<p>Biopsy: adenocarcinoma.</p>").write_pdf()
    return add_document(
        f.actor(world.coordinator),
        world.case,
        data=data,
        filename="biopsy.pdf",
        kind="pathology_report",
    )


@pytest.fixture
def text_doc(world):
    return f.pathology(world.case)


def test_text_is_shown_in_the_viewer(world, text_doc, as_user):
    response = as_user(world.expert.user).get(
        reverse("records:view", args=[world.case.pk, text_doc.pk])
    )
    html = response.content.decode()
    assert '<pre class="document-text">' in html
    assert "Invasive ductal carcinoma" in html
    assert AuditEvent.objects.filter(
        action="document.view", object_id=str(text_doc.pk), outcome="allowed"
    ).exists()


def test_a_pdf_is_framed_from_the_inline_download(world, pdf_doc, as_user):
    response = as_user(world.coordinator).get(
        reverse("records:view", args=[world.case.pk, pdf_doc.pk])
    )
    src = reverse("records:download", args=[world.case.pk, pdf_doc.pk]) + "?inline=1"
    assert f'<iframe class="pdf-viewer" src="{src}"' in response.content.decode()


def test_download_streams_the_stored_bytes(world, pdf_doc, as_user):
    client = as_user(world.member.user)
    url = reverse("records:download", args=[world.case.pk, pdf_doc.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="biopsy.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    inline = client.get(url, {"inline": "1"})
    assert inline["Content-Disposition"].startswith("inline")


def test_text_download_is_sandboxed(world, text_doc, as_user):
    response = as_user(world.coordinator).get(
        reverse("records:download", args=[world.case.pk, text_doc.pk]), {"inline": "1"}
    )
    assert response.content.decode() == f.PATHOLOGY_TEXT
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_programs_coordinator_gets_404(world, pdf_doc, as_user):
    client = as_user(world.other_coordinator)
    for name in ("records:download", "records:view"):
        response = client.get(reverse(name, args=[world.case.pk, pdf_doc.pk]))
        assert response.status_code == 404
        assert b"%PDF" not in response.content
    assert AuditEvent.objects.filter(
        actor_id=world.other_coordinator.pk, outcome="denied", case_id=world.case.pk
    ).exists()


def test_a_document_must_belong_to_the_case_in_the_url(world, pdf_doc, as_user):
    # The coordinator may see both cases of their program, but not mix them up.
    second = f.case(world.program)
    response = as_user(world.coordinator).get(
        reverse("records:download", args=[second.pk, pdf_doc.pk])
    )
    assert response.status_code == 404
