"""The clinical timeline: diagnosis, pathology, imaging, procedures and therapies in
the order they happened, undated mentions last, each pointing to its record."""

from __future__ import annotations

from datetime import date

from consilium.engines.abstraction.merge import FactRecord, merge
from consilium.engines.abstraction.timeline import RecordInfo, clinical_timeline
from consilium.engines.records.dates import parse_date, record_date_from_text


def f(id, name, value, doc, when=None, **kw):
    return FactRecord(
        id=id,
        name=name,
        value=value,
        proposed_value=value,
        document_id=doc,
        document_kind=kw.pop("kind", "pathology_report"),
        document_title=kw.pop("title", f"record {doc}"),
        effective_date=when,
        **kw,
    )


def test_events_are_in_date_order_with_undated_mentions_last():
    facts = [
        f(1, "cancer_type", "BREAST", 3, date(2024, 4, 1), kind="clinical_note"),
        f(2, "cancer_type", "IDC", 1, date(2024, 2, 10)),
        f(3, "ER", "positive", 1, date(2024, 2, 10)),
        f(
            4,
            "treatment",
            "lumpectomy",
            1,
            date(2024, 2, 10),
            detail={"class": "surgery", "date": "March 5, 2024"},
        ),
        f(
            5,
            "treatment",
            "tamoxifen",
            3,
            date(2024, 4, 1),
            detail={"class": "hormone_therapy", "date": None},
        ),
        f(
            6,
            "treatment",
            "lumpectomy",
            3,
            date(2024, 4, 1),
            detail={"class": "surgery", "date": "2024-03-05"},
        ),
    ]
    records = [
        RecordInfo(1, "pathology_report", "Core biopsy", date(2024, 2, 10)),
        RecordInfo(
            2,
            "image",
            "ct.dcm",
            date(2024, 1, 20),
            metadata={"dicom": {"summary": "CT · Chest", "series_description": "Axial"}},
        ),
        RecordInfo(3, "clinical_note", "Consult", None, received=date(2024, 4, 2)),
    ]
    timeline = clinical_timeline(merge(facts), facts, records)
    kinds = [(e.on, e.kind, e.label) for e in timeline]
    assert kinds == [
        (date(2024, 1, 20), "imaging", "CT · Chest"),
        (date(2024, 2, 10), "diagnosis", "Breast Invasive Ductal Carcinoma (IDC)"),
        (date(2024, 2, 10), "pathology", "Core biopsy"),
        (date(2024, 3, 5), "procedure", "Lumpectomy"),
        (None, "therapy", "Tamoxifen"),
    ]
    pathology = timeline[2]
    assert "IDC" in pathology.detail and "ER positive" in pathology.detail
    # The same surgery on the same date in two records is one event with both facts.
    assert set(timeline[3].fact_ids) == {4, 6}


def test_dates_in_the_forms_records_use():
    assert parse_date("on 3/5/2024 the patient") == date(2024, 3, 5)
    assert parse_date("Mar. 5, 2024") == date(2024, 3, 5)
    assert parse_date("5 March 2024") == date(2024, 3, 5)
    assert parse_date("since June 2023") == date(2023, 6, 1)
    assert parse_date("2024-02-30") is None
    assert parse_date("no date here") is None


def test_the_record_date_comes_from_a_labelled_header_never_the_birth_date():
    text = (
        "Patient: DOE, JANE   DOB: 1961-04-12\n"
        "Accession: S24-1234   Collected: 2024-02-10\n"
        "Received: 2024-02-10  Reported: 2024-02-14\n"
    )
    assert record_date_from_text(text) == date(2024, 2, 10)
    assert record_date_from_text("Patient DOB: 1961-04-12\nImpression: stable.") is None
    assert record_date_from_text("Exam date: 2099-01-01", today=date(2025, 1, 1)) is None
    assert record_date_from_text("Date of visit: March 3, 2025\n") == date(2025, 3, 3)


def test_dated_serum_marker_values_are_lab_events_and_undated_ones_are_not():
    facts = [
        f(
            1,
            "PSA",
            "8.1 ng/mL",
            1,
            date(2024, 1, 20),
            detail={"date": "2024-01-10", "elevated": True},
        ),
        f(
            2,
            "PSA",
            "0.2 ng/mL",
            2,
            date(2024, 6, 2),
            kind="clinical_note",
            record_date=date(2024, 6, 2),
        ),
        f(3, "PSA", "4.0 ng/mL", 3, date(2025, 1, 5), kind="clinical_note"),  # uploaded only
        f(
            4,
            "CEA",
            "pending",
            2,
            date(2024, 6, 2),
            assertion="pending",
            detail={"date": "2024-06-02"},
        ),
    ]
    records = [
        RecordInfo(1, "pathology_report", "Prostate biopsy", date(2024, 1, 20)),
        RecordInfo(2, "clinical_note", "Follow-up", date(2024, 6, 2)),
        RecordInfo(3, "clinical_note", "Letter", None, received=date(2025, 1, 5)),
    ]
    labs = [e for e in clinical_timeline(merge(facts), facts, records) if e.kind == "lab"]
    assert [(e.on, e.label, e.dated_by, e.document_id) for e in labs] == [
        (date(2024, 1, 10), "PSA 8.1 ng/mL (elevated)", "sentence", 1),
        (date(2024, 6, 2), "PSA 0.2 ng/mL", "record", 2),
    ]
    assert labs[0].kind_label == "Lab value" and labs[0].fact_ids == (1,)
    assert labs[1].detail == "from record 2"
