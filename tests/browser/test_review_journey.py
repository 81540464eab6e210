"""One review from request to the member reading the summary, through the real pages in
chromium: member, coordinator, expert, coordinator, member."""

from __future__ import annotations

import re

import pytest

from consilium.apps.cases.models import Case
from tests import factories as f
from tests.browser_support import Session

EXPERT_WORDS = "Your diagnosis is right and the planned treatment suits you."


@pytest.fixture
def people(audit_flushable):
    program = f.program("Acme Health")
    return {
        "coordinator": f.user("coordinator", program, username="coord"),
        "member": f.member(program),
        "expert": f.expert(tissues=("Breast",)),
    }


@pytest.mark.browser
def test_member_request_to_summary(browser, live_server, people, tmp_path):
    base = live_server.url
    member, expert = people["member"], people["expert"]
    report_file = tmp_path / "pathology-report.txt"
    report_file.write_text(f.PATHOLOGY_TEXT)

    # 1. The member asks for a review, signs consent and uploads the pathology report.
    maria = Session(browser, base, member.user.username)
    maria.page.get_by_role("link", name="Request an expert review").first.click()
    maria.page.get_by_label("Type of cancer").select_option("IDC")
    maria.page.get_by_label("Question 1").fill("Do I need chemotherapy after surgery?")
    maria.page.get_by_label("What is happening now").fill(
        "Lumpectomy last month. My oncologist suggests chemotherapy."
    )
    maria.page.get_by_label("I agree to share my medical records").check()
    maria.expect(maria.page.get_by_label("Type your full name to sign")).to_have_value(
        member.full_name
    )
    maria.page.get_by_label("A medical record (optional)").set_input_files(str(report_file))
    maria.page.get_by_label("What kind of record is it?").select_option("pathology_report")
    maria.click("Send my request")
    maria.should_see("Thank you. We received your request")
    case = Case.objects.get(member=member)
    assert case.documents.filter(kind="pathology_report").exists()
    assert case.consents.filter(scope="expert_review", revoked_at__isnull=True).exists()
    maria.close()

    # 2. The coordinator runs intake and hands the case to the expert.
    coord = Session(browser, base, "coord")
    coord.page.get_by_role("link", name=case.reference).first.click()
    coord.click("Start intake")
    coord.should_see("The case is now intake")
    coord.click("Run coverage check")
    coord.expect(coord.page.locator("#intake .badge", has_text="Covered")).to_be_visible()
    coord.page.get_by_label("Assign to").select_option(str(expert.pk))
    coord.click("Assign")
    coord.expect(coord.page.locator("#intake")).to_contain_text(expert.user.display_name)
    coord.click("Ready for review")
    coord.should_see("The case is now ready for review")
    coord.close()

    # 3. The expert reviews and signs.
    ellen = Session(browser, base, expert.user.username)
    ellen.page.goto(f"{base}/cases/{case.pk}/")
    ellen.click("Start review")
    ellen.page.get_by_role("link", name=re.compile("Write the opinion")).click()
    ellen.page.get_by_label("Diagnosis confirmed").check()
    ellen.page.get_by_label("Agree with the treatment plan").check()
    ellen.page.get_by_role("group", name="Discrepancy with the original plan").get_by_label(
        "None", exact=True
    ).check()
    ellen.page.get_by_label("Do I need chemotherapy after surgery?").fill(
        "No: with this tumour profile the benefit of chemotherapy is small."
    )
    ellen.page.get_by_label("Opinion for the treating physician").fill(
        "ER/PR positive, HER2 negative IDC, grade 2, node negative: endocrine therapy alone."
    )
    ellen.page.get_by_label("Summary for the member, in plain language").fill(EXPERT_WORDS)
    ellen.page.get_by_label("I have reviewed the records and sign this opinion").check()
    ellen.click("Sign opinion")
    ellen.should_see("Opinion signed")
    ellen.close()

    # 4. The coordinator delivers the reports.
    coord = Session(browser, base, "coord")
    coord.page.goto(f"{base}/cases/{case.pk}/")
    coord.click("Deliver report")
    coord.should_see("The case is now report delivered")
    coord.close()

    # 5. The member reads the plain-language summary.
    maria = Session(browser, base, member.user.username)
    maria.should_see("Your summary is ready")
    maria.page.get_by_role("link", name="Read your summary").click()
    summary_title = maria.page.get_by_role("heading", name="Your expert review summary")
    maria.expect(summary_title).to_be_visible()
    maria.should_see(EXPERT_WORDS)
    maria.close()
