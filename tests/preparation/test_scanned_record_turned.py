"""A scan uploaded upside down and tilted is read the right way up in the background, and
the record says what was done to which page: in its status line (the case page, the
record page) and, per page, in what the record keeps about its OCR."""

from __future__ import annotations

from django.urls import reverse

from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.models import Document
from consilium.apps.records.services import add_document
from tests import factories as f
from tests import ocr_support as scans

DONE = "page 1 turned 180° (it was upside down); page 1 was tilted 3.0° and levelled"


def test_an_upside_down_tilted_scan_is_read_and_the_record_says_what_was_done(
    world, client, django_capture_on_commit_callbacks
):
    scans.needs_osd()
    data = scans.scanned_pdf(scans.REPORT, turn=180, skew=-3)
    with django_capture_on_commit_callbacks(execute=True):
        doc = add_document(
            f.actor(world.coordinator),
            world.case,
            data=data,
            filename="fax-upside-down.pdf",
            kind="pathology_report",
        )
    doc.refresh_from_db()
    assert doc.text_status == Document.TextStatus.OCR
    assert "Invasive ductal carcinoma" in " ".join(doc.text.split())
    assert DONE in doc.text_detail
    page = doc.ocr["pages"][0]
    assert page["turned"] == 180 and page["turned_by"] == "orientation detection"
    assert abs(page["straightened"] - 3) <= 0.3
    facts = {(x.name, x.value) for x in CaseFact.objects.filter(document=doc)}
    assert ("ER", "positive") in facts

    client.force_login(world.coordinator)
    viewer = client.get(reverse("records:view", args=[world.case.pk, doc.pk])).content.decode()
    assert DONE in viewer
