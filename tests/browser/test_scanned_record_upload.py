"""A coordinator uploads a scanned pathology report through the case page in chromium: the
record waits for OCR, the background reads it, the record then says "Read by OCR" with
its confidence, and the case summary shows a fact from the scan with its "check it
against the scan" badge. Skips (with the reason) without chromium or Tesseract;
CONSILIUM_STRICT=1 turns those skips into failures."""

from __future__ import annotations

import re

import pytest
from huey.contrib.djhuey import HUEY

from consilium.apps.records.models import Document
from consilium.engines.casework.lifecycle import Status
from tests import factories as f
from tests import ocr_support as scans
from tests.browser_support import Session


@pytest.fixture
def queued_background():
    """Background tasks wait in the in-memory queue (as behind a real worker) until the
    test runs them with ``run_queued``, instead of running inline at the commit. The
    test server shares its SQLite connection with this thread, so the test runs the
    queue itself, while no page is loading, rather than in a worker thread of its own."""
    HUEY.storage.flush_queue()
    HUEY.immediate_use_memory = False  # keep the memory queue when leaving immediate mode
    HUEY.immediate = False
    try:
        yield
    finally:
        HUEY.storage.flush_queue()
        HUEY.immediate = True
        HUEY.immediate_use_memory = True


def run_queued() -> int:
    """Run every queued task, and those they queue in turn (OCR, then abstraction)."""
    ran = 0
    while (message := HUEY.storage.dequeue()) is not None:
        HUEY.execute(HUEY.deserialize_task(message))
        ran += 1
    return ran


@pytest.fixture
def intake_case(audit_flushable):
    program = f.program("Acme Health")
    coordinator = f.user("coordinator", program, username="coord")
    return f.case(program, status=Status.INTAKE), coordinator


@pytest.mark.browser
def test_an_uploaded_scan_is_read_by_ocr_and_its_facts_reach_the_summary(
    browser, live_server, intake_case, queued_background, tmp_path
):
    scans.needs_tesseract()
    case, _ = intake_case
    scan = tmp_path / "outside-pathology-fax.pdf"
    scan.write_bytes(scans.scanned_pdf(scans.REPORT, skew=2))

    coord = Session(browser, live_server.url, "coord")
    page = coord.page
    case_url = f"{live_server.url}/cases/{case.pk}/"
    page.goto(case_url)
    documents = page.locator("#documents")
    documents.get_by_label("Kind of record").select_option("pathology_report")
    documents.get_by_label("File").set_input_files(str(scan))
    coord.click("Upload")
    coord.should_see("Pathology report added: outside-pathology-fax.pdf")
    row = documents.get_by_role("row").filter(has_text="outside-pathology-fax.pdf")
    coord.expect(row).to_contain_text("Waiting for OCR")  # read after the upload, not in it

    # The worker reads the scan (OCR, then its facts) while no page is open.
    page.goto("about:blank")
    assert run_queued() >= 2
    doc = Document.objects.get(case=case)
    assert doc.text_status == Document.TextStatus.OCR, doc.text_detail
    badge = f"Read by OCR · {doc.ocr_confidence}%"

    page.goto(case_url)
    coord.expect(row).to_contain_text(badge)
    coord.expect(row).to_contain_text(re.compile(r"\d+ facts?"))

    page.get_by_role("link", name="Open the case summary").click()
    er = page.locator("#fact-er")
    coord.expect(er.locator(".merged-value")).to_contain_text("positive (90%)")  # as scanned
    coord.expect(er.locator(".merged-value")).to_contain_text(badge)
    er.get_by_text(re.compile(r"Sources and review")).click()
    coord.expect(er.get_by_text("check it against the scan")).to_be_visible()
    coord.expect(er.locator(".source")).to_contain_text("outside-pathology-fax.pdf")
    coord.close()
