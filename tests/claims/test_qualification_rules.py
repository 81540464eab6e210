"""Rule 1-3: qualifying codes, inpatient, the window, two outpatient dates."""

import datetime as dt

from tests.claims.deliveries import AS_OF, line, write


def _inpatient(person, days, *dx, bill="111"):
    return line(person, days, *dx, claim_type="institutional", bill=bill, hcpcs=None)


def test_window_is_364_days_before_to_as_of_inclusive(tmp_path, run):
    medical = [
        _inpatient("EDGE_OLD", 364, "C509"),  # first day of the window: in
        _inpatient("TOO_OLD", 365, "C509"),  # the day before: out
        _inpatient("TODAY", 0, "C509"),  # the as-of date: in
        _inpatient("FUTURE", -1, "C509"),  # after the as-of date: out
    ]
    r = run(write(tmp_path / "d", medical), as_of=AS_OF)
    assert set(r.members) == {"EDGE_OLD", "TODAY"}
    assert r.members["EDGE_OLD"]["first_qualifying_date"] == AS_OF - dt.timedelta(days=364)


def test_c44_is_excluded_and_codes_are_normalized(tmp_path, run):
    medical = [
        _inpatient("SKIN", 10, "C44.311"),
        _inpatient("SKIN2", 10, "c443"),
        _inpatient("DOTS", 10, "c34.90"),
        _inpatient("POS3", 10, "I10", "E119", " C61 "),
        _inpatient("BENIGN", 10, "D0510", "Z853"),
        _inpatient("MELANOMA", 10, "C43.9"),
    ]
    r = run(write(tmp_path / "d", medical), as_of=AS_OF)
    assert set(r.members) == {"DOTS", "POS3", "MELANOMA"}
    assert r.members["DOTS"]["cancer_group"] == "lung"
    assert r.members["POS3"]["cancer_group"] == "prostate"


def test_inpatient_or_two_outpatient_dates(tmp_path, run):
    medical = [
        _inpatient("INPT", 30, "C509"),
        _inpatient("SNF", 30, "C509", bill="211"),
        _inpatient("HOPD", 30, "C509", bill="131"),  # institutional outpatient: 1 date
        line("PROF_BILL", 30, "C509", bill="111"),  # professional: never inpatient
        line("TWO", 30, "C509"),
        line("TWO", 31, "C509"),
        line("SAMEDAY", 30, "C509"),
        line("SAMEDAY", 30, "C509"),
        line("ONE", 30, "C509"),
        line("ONE", 30, "I10"),
    ]
    r = run(write(tmp_path / "d", medical), as_of=AS_OF)
    assert set(r.members) == {"INPT", "SNF", "TWO"}
    assert r.members["INPT"]["qualifies_by"] == "inpatient"
    assert r.members["SNF"]["qualifies_by"] == "inpatient"
    assert r.members["TWO"]["qualifies_by"] == "outpatient"


def test_claim_qualifies_when_any_line_does(tmp_path, run):
    medical = [
        line("P", 30, "I10", claim_id="A"),
        {**line("P", 30, "C509", claim_id="A"), "claim_line_number": 2},
        line("P", 40, "C509"),
    ]
    r = run(write(tmp_path / "d", medical), as_of=AS_OF)
    assert set(r.members) == {"P"}


def test_as_of_defaults_to_latest_claim_date(tmp_path, run):
    medical = [line("P", 30, "C509"), line("P", 3, "C509")]
    r = run(write(tmp_path / "d", medical))
    assert r.summary["as_of"] == (AS_OF - dt.timedelta(days=3)).isoformat()
