"""In chromium: the expert writing the opinion adds a testing gap from the decision-support
panel in one click; the row joins the form on screen, so saving the draft keeps it."""

from __future__ import annotations

import pytest

from consilium.apps.reviews.models import Recommendation
from tests import factories as f
from tests.browser_support import Session
from tests.decision.conftest import add_fact


@pytest.fixture
def lung_case(audit_flushable, no_trials):
    program = f.program("Acme Health")
    expert = f.expert(tissues=("Lung",))
    case = f.case(
        program,
        exp=expert,
        status=f.Status.IN_REVIEW,
        cancer_type_code="LUAD",
        cancer_type_label="Lung Adenocarcinoma",
    )
    add_fact(case, "stage_group", "IV")
    return case


def test_adding_a_gap_on_the_opinion_page_survives_saving_the_draft(
    browser,  # noqa: F811
    live_server,
    lung_case,
):
    expert = Session(browser, live_server.url, lung_case.expert.user.username)
    page = expert.page
    page.goto(f"{live_server.url}/cases/{lung_case.pk}/opinion/")
    row = page.locator("#decision tr", has_text="ROS1 rearrangement")
    row.get_by_role("button", name="Add to recommendations").click()
    expert.expect(row.get_by_text("Added to the recommendations")).to_be_visible()
    added = page.locator("#recs fieldset", has_text="Recommendation from decision support")
    expert.expect(added.locator("textarea").first).to_have_value("ROS1 rearrangement testing")
    page.get_by_role("button", name="Save draft").click()
    expert.should_see("Draft saved.")
    texts = list(
        Recommendation.objects.filter(opinion__case=lung_case).values_list("text", flat=True)
    )
    assert texts == ["ROS1 rearrangement testing"]
    expert.close()
