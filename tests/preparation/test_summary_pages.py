"""The case summary pages: the panel the case page loads, the full summary with review
forms, history, timeline and checklist, the intake checklist, and the record viewer
marking the sentence a fact was read from."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation import services
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.models import Document
from tests import factories as f


@pytest.fixture
def prepared(world):
    doc = f.pathology(world.case)
    note = f.pathology(world.case)
    note.kind = Document.Kind.CLINICAL_NOTE
    note.text = "Clinic note. Breast cancer, ER negative per outside review. Plan: tamoxifen.\n"
    note.save()
    for d in (doc, note):
        services.abstract_document(d)
    return world, doc, note


def test_the_case_page_loads_the_panel_for_staff_and_not_for_the_member(prepared, client):
    world, _, _ = prepared
    client.force_login(world.coordinator)
    body = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    panel_url = reverse("preparation:panel", args=[world.case.pk])
    assert f'hx-get="{panel_url}"' in body
    assert reverse("preparation:checklist", args=[world.case.pk]) in body  # intake panel
    assert "Facts</th>" in body and "fact" in body  # the records list shows run status

    client.force_login(world.member.user)
    body = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert panel_url not in body and "Facts</th>" not in body


def test_the_panel_shows_headline_facts_conflicts_and_what_is_missing(prepared, client):
    world, _, _ = prepared
    client.force_login(world.coordinator)
    response = client.get(
        reverse("preparation:panel", args=[world.case.pk]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Breast Invasive Ductal Carcinoma (IDC)" in body
    assert "1 conflict between records" in body  # ER positive vs negative
    assert "missing for the breast cancer checklist" in body
    assert "Re-run abstraction" in body
    assert AuditEvent.objects.filter(
        action="facts.view", detail="case page panel", outcome="allowed"
    ).exists()


def test_the_summary_page_shows_facts_sources_timeline_and_checklist(prepared, client):
    world, doc, note = prepared
    client.force_login(world.expert.user)
    response = client.get(reverse("preparation:summary", args=[world.case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    er = CaseFact.objects.get(document=doc, name="ER")
    sentence_start = doc.text.index("ER positive (95%)")
    sentence_end = sentence_start + len(er.sentence)
    assert f"?hl={er.start}-{er.end}&amp;s={sentence_start}-{sentence_end}#hl" in body
    assert "<mark>ER</mark> positive (95%)" in body  # the source sentence, span marked
    assert "Conflict between records" in body
    assert "Clinical timeline" in body and "Completeness: Breast cancer" in body
    assert "Missing" in body and "Breast imaging report" in body
    assert "Confirm" in body and "Correct…" in body  # an assigned expert reviews
    assert "Re-run abstraction" not in body  # only a coordinator re-runs
    assert "Enter a fact the records do not state" in body


def test_review_forms_post_and_show_the_original_and_the_history(prepared, client):
    world, doc, _ = prepared
    client.force_login(world.coordinator)
    her2 = CaseFact.objects.get(document=doc, name="HER2")
    url = reverse("preparation:review", args=[world.case.pk, her2.pk])
    response = client.post(url, {"action": "correct", "value": "equivocal", "note": "IHC 2+"})
    assert response.status_code == 302 and response.url.endswith("#fact-her2")
    body = client.get(response.url).content.decode()
    assert re.search(r"Proposed: <s>negative \(1\+\)</s> · corrected by", body)
    assert "Review history (1)" in body and "“IHC 2+”" in body

    response = client.post(url, {"action": "correct", "value": "equivocal", "note": ""})
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already corrected" in m for m in messages)


def test_a_manual_fact_and_a_rerun_from_the_page(
    prepared, client, django_capture_on_commit_callbacks
):
    world, _, _ = prepared
    client.force_login(world.coordinator)
    response = client.post(
        reverse("preparation:add_fact", args=[world.case.pk]),
        {
            "name": "CA 19-9",
            "value": "37 U/mL",
            "note": "Outside lab",
            "effective_date": "2025-01-02",
        },
    )
    assert response.status_code == 302 and response.url.endswith("#fact-ca-19-9")
    assert CaseFact.objects.filter(case=world.case, name="CA 19-9", source="manual").exists()
    bad = client.post(
        reverse("preparation:add_fact", args=[world.case.pk]),
        {"name": "pT", "value": "T2", "note": "x", "effective_date": "yesterday"},
    )
    assert bad.status_code == 302 and bad.url.endswith("#add-fact")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("preparation:rerun", args=[world.case.pk]))
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("2 already up to date" in m for m in messages)


def test_the_intake_checklist_lists_what_is_missing(prepared, client):
    world, _, _ = prepared
    client.force_login(world.coordinator)
    body = client.get(reverse("preparation:checklist", args=[world.case.pk])).content.decode()
    assert "Missing: Breast imaging report" in body
    assert "Missing: Estrogen" not in body


def test_the_viewer_marks_the_span_and_escapes_the_text(world, client):
    text = "Header <script>alert(1)</script>\nER positive & <b>strong</b> staining.\n"
    doc = f.pathology(world.case)
    doc.text = text
    doc.save()
    start = text.index("ER positive")
    client.force_login(world.coordinator)
    url = reverse("records:view", args=[world.case.pk, doc.pk])
    body = client.get(f"{url}?hl={start}-{start + 11}").content.decode()
    assert '<mark id="hl">ER positive</mark> &amp; &lt;b&gt;strong&lt;/b&gt;' in body
    # With its sentence: the sentence is marked around the span.
    end = text.index("staining.") + len("staining.")
    body = client.get(f"{url}?hl={start}-{start + 2}&s={start}-{end}").content.decode()
    assert (
        '<mark class="sentence"><mark id="hl">ER</mark> positive &amp; '
        "&lt;b&gt;strong&lt;/b&gt; staining.</mark>"
    ) in body
    # A sentence that does not hold the span is ignored.
    body = client.get(f"{url}?hl={start}-{start + 2}&s=0-5").content.decode()
    assert 'class="sentence"' not in body and '<mark id="hl">ER</mark>' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    # A span that does not fit the text, or is not a span, shows the text unmarked.
    for hl in (f"0-{len(text) + 5}", "9-3", "abc", "-1-4", "5"):
        body = client.get(f"{url}?hl={hl}").content.decode()
        assert "<mark" not in body and "&lt;script&gt;" in body


def test_a_span_in_a_pdfs_text_opens_the_text(world, client):
    doc = f.pathology(world.case)
    doc.file_type, doc.media_type = "pdf", "application/pdf"
    doc.save()
    client.force_login(world.coordinator)
    url = reverse("records:view", args=[world.case.pk, doc.pk])
    body = client.get(f"{url}?hl=0-8").content.decode()
    assert '<details class="card" open>' in body and '<mark id="hl">SURGICAL</mark>' in body
