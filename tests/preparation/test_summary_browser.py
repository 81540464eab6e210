"""In chromium: a coordinator uploads a pathology report, the case page's facts panel
loads by itself (htmx, under the CSP) with the abstracted facts and what the checklist
still misses, and the summary's source link opens the record with the sentence marked."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.browser_support import Session


@pytest.fixture
def intake_case(audit_flushable):
    program = f.program("Acme Health")
    f.user("coordinator", program, username="coord")
    case = f.case(program, status=f.Status.INTAKE)
    f.consent(case)
    return case


@pytest.mark.browser
def test_upload_then_facts_then_source(browser, live_server, intake_case, tmp_path):  # noqa: F811
    case = intake_case
    report = tmp_path / "pathology-report.txt"
    report.write_text("Collected: 2025-01-06\n" + f.PATHOLOGY_TEXT)

    coord = Session(browser, live_server.url, "coord")
    page = coord.page
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    # The live server's threads share one in-memory SQLite connection in tests: let the
    # page's htmx panels finish loading before posting, so two requests never overlap.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Kind of record").select_option("pathology_report")
    page.get_by_label("File").set_input_files(str(report))
    coord.click("Upload")
    coord.should_see("Pathology report added")

    panel = page.locator("#case-facts")
    coord.expect(panel).to_contain_text("Breast Invasive Ductal Carcinoma (IDC)")
    coord.expect(panel).to_contain_text("not reviewed yet")
    coord.expect(page.locator("#intake-completeness")).to_contain_text(
        "Missing: Breast imaging report"
    )
    # The records list shows the run's outcome once the page is loaded again.
    page.reload()
    page.wait_for_load_state("networkidle")
    coord.expect(page.locator("#documents")).to_contain_text("10 facts")

    panel.get_by_role("link", name="Open the case summary").click()
    coord.should_see("Completeness: Breast cancer")
    page.wait_for_load_state("networkidle")
    er = page.locator("#fact-er")
    er.locator("summary", has_text="Sources and review").click()
    er.get_by_role("button", name="Confirm", exact=True).click()
    coord.should_see("ER: confirmed (positive).")
    coord.expect(page.locator("#fact-er")).to_contain_text("Confirmed")

    page.locator("#fact-er summary", has_text="Sources and review").click()
    page.locator("#fact-er").get_by_role("link", name="path").first.click()
    mark = page.locator("mark#hl")
    coord.expect(mark).to_have_text("ER")
    coord.expect(mark).to_be_in_viewport()
    coord.close()
