"""Bad values go to quarantine with their reason and are counted; none is dropped."""

from tests.claims.deliveries import AS_OF, fill, line, span, write


def _delivery(tmp_path, fmt="parquet"):
    medical = [
        line("P1", 10, "C50.9"),
        line("P1", 20, "C50.9"),
        line("", 5, "C509", claim_id="BAD1"),
        line("P2", 5, "C509", date="2025-02-30", claim_id="BAD2"),
        line("P2", 5, "C509", date="31/12/2024", claim_id="BAD3"),
        line("P3", 5, "C509", claim_type="dental", claim_id="BAD4"),
    ]
    eligibility = [span("P1"), span("P2", end="someday"), span("P3")]
    pharmacy = [
        fill("P1", 3, "00078043815"),
        {**fill("P1", 3, "00078043815"), "dispensing_date": "yesterday"},
    ]
    return write(tmp_path / f"d-{fmt}", medical, eligibility, pharmacy, fmt=fmt)


def test_reasons_and_counts(tmp_path, run):
    r = run(_delivery(tmp_path), as_of=AS_OF)
    assert r.summary["rows_read"] == {"medical_claim": 6, "pharmacy_claim": 2, "eligibility": 3}
    assert r.summary["quarantine_reasons"] == {
        "eligibility": {"unparseable enrollment_end_date": 1},
        "medical_claim": {
            "empty person_id": 1,
            "unknown claim_type": 1,
            "unparseable claim_start_date": 2,
        },
        "pharmacy_claim": {"unparseable dispensing_date": 1},
    }
    assert r.summary["rows_quarantined"] == {
        "medical_claim": 4,
        "pharmacy_claim": 1,
        "eligibility": 1,
    }
    bad = {(f, reason, claim, value) for f, reason, claim, _p, value in r.quarantine}
    assert ("medical_claim", "unparseable claim_start_date", "BAD2", "2025-02-30") in bad
    assert ("medical_claim", "unparseable claim_start_date", "BAD3", "31/12/2024") in bad
    assert ("medical_claim", "unknown claim_type", "BAD4", "dental") in bad
    assert ("eligibility", "unparseable enrollment_end_date", None, "someday") in bad
    # the clean rows still count: P1 qualifies on two outpatient dates
    assert set(r.members) == {"P1"}


def test_csv_delivery_gives_the_same_result(tmp_path, run):
    a = run(_delivery(tmp_path, "parquet"), as_of=AS_OF)
    b = run(_delivery(tmp_path, "csv"), as_of=AS_OF)
    assert b.summary["quarantine_reasons"] == a.summary["quarantine_reasons"]
    assert b.members.keys() == a.members.keys()
