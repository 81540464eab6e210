"""Reading ClinicalTrials.gov API v2 records: single studies, arrays and search pages;
real exports (when ../shared is there) and the project's own records; bad records
refused one by one with the field and the reason."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from consilium.engines.trials import ctgov
from tests.conftest import SHARED_DATA
from tests.trials.registry import demo, site, study

CTGOV = SHARED_DATA / "trials" / "ctgov-v2"


def _write(tmp_path, name, data, encoding="utf-8", bom=False):
    path = tmp_path / name
    text = json.dumps(data, ensure_ascii=False)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def test_project_records_parse_into_plain_studies():
    parsed = list(ctgov.parse_records(demo(), "demo"))
    assert all(p.study is not None for p in parsed), [p.problem for p in parsed if p.problem]
    first = parsed[0].study
    assert first.nct_id == "NCT09900001"
    assert first.oncotree_codes == ("NSCLC", "LUAD")
    assert first.phases == ("PHASE2",) and first.phase_label == "Phase 2"
    assert first.overall_status == "RECRUITING" and first.is_open
    assert first.min_age_years == 18 and first.max_age_years is None
    assert first.last_update == dt.date(2025, 5, 1)
    assert first.sites[0].facility == "Lakeshore Cancer Institute"
    assert first.sites[0].status == "RECRUITING"
    assert (first.sites[0].lat, first.sites[0].lon) == (41.4993, -81.6944)
    assert first.sites[0].contacts[0].email.endswith(".example.org")
    assert first.central_contacts and first.arms and first.interventions
    assert any("exon 19 deletion" in b for b in first.inclusion)
    assert any("brain metastases" in b for b in first.exclusion)
    assert first.url == "https://clinicaltrials.gov/study/NCT09900001"


@pytest.mark.parametrize("shape", ["single", "array", "page"])
def test_every_document_shape_is_read(tmp_path, shape):
    records = [study("NCT09990001"), study("NCT09990002")]
    data = {
        "single": records[0],
        "array": records,
        "page": {"studies": records, "nextPageToken": "abc", "totalCount": 2},
    }[shape]
    parsed = list(ctgov.read_file(_write(tmp_path, "x.json", data)))
    assert [p.study.nct_id for p in parsed] == (
        ["NCT09990001"] if shape == "single" else ["NCT09990001", "NCT09990002"]
    )
    if shape == "page":
        page = ctgov.records_of(data)
        assert page.next_page_token == "abc" and page.total == 2


def test_byte_order_mark_and_windows_1252_files_are_read(tmp_path):
    record = study(title="Étude of café-au-lait spots – phase 2")
    with_bom = list(ctgov.read_file(_write(tmp_path, "bom.json", record, bom=True)))
    latin = list(ctgov.read_file(_write(tmp_path, "latin.json", record, encoding="cp1252")))
    assert (
        with_bom[0].study.title == record["protocolSection"]["identificationModule"]["briefTitle"]
    )
    assert latin[0].study.title == with_bom[0].study.title


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda r: r["protocolSection"]["identificationModule"].pop("nctId"), "nctId", "missing"),
        (
            lambda r: r["protocolSection"]["identificationModule"].update(nctId="NCT123"),
            "nctId",
            "not an NCT number",
        ),
        (
            lambda r: r["protocolSection"]["designModule"].update(phases=["PHASE9"]),
            "phases[0]",
            "PHASE9",
        ),
        (
            lambda r: r["protocolSection"]["statusModule"].update(overallStatus="OPEN"),
            "overallStatus",
            "not a registry status",
        ),
        (
            lambda r: r["protocolSection"]["eligibilityModule"].update(minimumAge="eighteen"),
            "minimumAge",
            "not an age",
        ),
        (
            lambda r: r["protocolSection"]["contactsLocationsModule"]["locations"][0].update(
                geoPoint={"lat": 123.0, "lon": 10.0}
            ),
            "locations[0].geoPoint.lat",
            "outside",
        ),
        (
            lambda r: r["protocolSection"]["conditionsModule"].update(conditions="NSCLC"),
            "conditions",
            "expected a list",
        ),
        (
            lambda r: r["protocolSection"]["statusModule"].update(
                lastUpdatePostDateStruct={"date": "yesterday"}
            ),
            "lastUpdatePostDateStruct.date",
            "not a date",
        ),
        (lambda r: r.pop("protocolSection"), "protocolSection", "missing"),
    ],
)
def test_a_bad_record_is_refused_with_its_field_and_the_good_ones_pass(mutate, field, words):
    bad = study("NCT09990002")
    mutate(bad)
    parsed = list(ctgov.parse_records([study("NCT09990001"), bad, study("NCT09990003")], "f.json"))
    assert [p.study.nct_id for p in parsed if p.study] == ["NCT09990001", "NCT09990003"]
    (problem,) = [p.problem for p in parsed if p.problem]
    assert problem.position == 2
    assert field in problem.field
    assert words in problem.message
    assert str(problem).startswith("f.json record 2")


def test_unreadable_files_are_one_problem_each(tmp_path):
    (tmp_path / "broken.json").write_text('{"studies": [')
    (tmp_path / "other.json").write_text('{"hello": 1}')
    _write(tmp_path, "good.json", study())
    parsed = list(ctgov.read_path(tmp_path))
    problems = {p.problem.source: p.problem for p in parsed if p.problem}
    assert "not JSON" in problems["broken.json"].message
    assert "not ClinicalTrials.gov v2 JSON" in problems["other.json"].message
    assert [p.study.nct_id for p in parsed if p.study] == ["NCT09990001"]


def test_half_a_coordinate_locates_nothing():
    record = study(sites=[site("A", "Cleveland", "Ohio", None, None)])
    record["protocolSection"]["contactsLocationsModule"]["locations"][0]["geoPoint"] = {"lat": 41.5}
    (parsed,) = ctgov.parse_records([record], "x")
    assert parsed.study.sites[0].lat is None and parsed.study.sites[0].lon is None


def test_ages_in_months_and_no_limit():
    assert ctgov.parse_age("6 Months", "x") == 0.5
    assert ctgov.parse_age("N/A", "x") is None
    assert ctgov.parse_age(None, "x") is None
    with pytest.raises(ctgov.RecordError):
        ctgov.parse_age("old", "x")


def test_phase_labels():
    assert ctgov.phase_label(["PHASE1", "PHASE2"]) == "Phase 1/2"
    assert ctgov.phase_label(["NA"]) == "Not applicable"
    assert ctgov.phase_label(["EARLY_PHASE1"]) == "Early phase 1"
    assert ctgov.phase_label([]) == ""


@pytest.mark.skipif(not CTGOV.is_dir(), reason=f"real registry exports not found at {CTGOV}")
def test_real_registry_exports_parse_without_refusals():
    parsed = list(ctgov.read_path(CTGOV))
    problems = [str(p.problem) for p in parsed if p.problem]
    studies = {p.study.nct_id: p.study for p in parsed if p.study}
    assert problems == []
    assert len(studies) == 267  # the distinct trials the README counts
    nsclc = [s for s in studies.values() if "NSCLC" in s.oncotree_codes]
    assert len(nsclc) >= 90  # the NSCLCBench set
    leukemia = [s for s in studies.values() if {"AML", "BLL", "TLL"} & set(s.oncotree_codes)]
    assert len(leukemia) >= 60
    with_sites = [s for s in studies.values() if any(x.lat is not None for x in s.sites)]
    assert len(with_sites) >= 200
    split = [s for s in studies.values() if s.inclusion and s.exclusion]
    assert len(split) >= 240
    # Non-oncology registrations (the dgg32 negatives) map to no cancer type.
    assert not studies["NCT05923281"].oncotree_codes  # hypercholesterolemia
