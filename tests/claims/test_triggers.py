"""Rule 5-6: each trigger fires with its evidence, and does not fire when it should not;
the score is the weighted sum from the rule file."""

from consilium.engines.claims import rules as rules_mod
from tests.claims.deliveries import AS_OF, day, fill, line, write


def _visits(person, code="C509", days=(10, 200)):
    return [line(person, d, code) for d in days]


def _run(tmp_path, run, medical, pharmacy=None):
    return run(write(tmp_path / "d", medical, pharmacy=pharmacy), as_of=AS_OF)


def test_new_diagnosis(tmp_path, run):
    medical = [
        line("NEW", 89, "C509"),
        line("NEW", 10, "C509"),  # first claim on A-89
        line("OLD", 90, "C509"),
        line("OLD", 10, "C509"),  # first claim before A-89
        # first in-window claim recent, but a claim 365 days before it: not new
        line("RECUR", 80, "C509"),
        line("RECUR", 10, "C509"),
        line("RECUR", 445, "C509"),
        # ... 366 days before it: new again
        line("CLEAN", 80, "C509"),
        line("CLEAN", 10, "C509"),
        line("CLEAN", 446, "C509"),
    ]
    r = _run(tmp_path, run, medical)
    assert "new_diagnosis" in r.triggers("NEW")
    assert "new_diagnosis" not in r.triggers("OLD")
    assert "new_diagnosis" not in r.triggers("RECUR")
    assert "new_diagnosis" in r.triggers("CLEAN")
    ev = [e for e in r.evidence if e[0] == "NEW" and e[1] == "new_diagnosis"]
    assert [str(e[3]) for e in ev] == [day(89)]


def test_metastatic(tmp_path, run):
    medical = [*_visits("MET"), line("MET", 30, "C509", "C78.01"), *_visits("LOC")]
    r = _run(tmp_path, run, medical)
    assert "metastatic" in r.triggers("MET")
    assert "metastatic" not in r.triggers("LOC")
    assert [e[4] for e in r.evidence if e[:2] == ("MET", "metastatic")] == ["C7801"]


def test_systemic_therapy_started(tmp_path, run):
    medical = [
        *_visits("JCODE"),
        line("JCODE", 20, "C509", hcpcs="J9355"),
        *_visits("ADMIN"),
        line("ADMIN", 20, "C509", hcpcs="96413"),
        *_visits("ONGOING"),
        line("ONGOING", 20, "C509", hcpcs="J9355"),
        line("ONGOING", 120, "C509", hcpcs="J9355"),
        *_visits("NONE"),
        line("NONE", 20, "C509", hcpcs="96372"),
        *_visits("ORAL"),
    ]
    pharmacy = [fill("ORAL", 15, "00078-0438-15"), fill("NONE", 15, "00093005801")]
    r = _run(tmp_path, run, medical, pharmacy)
    for p in ("JCODE", "ADMIN", "ORAL"):
        assert "systemic_therapy_started" in r.triggers(p), p
    for p in ("ONGOING", "NONE"):
        assert "systemic_therapy_started" not in r.triggers(p), p


def test_radiation_started(tmp_path, run):
    medical = [
        *_visits("RT"),
        line("RT", 30, "C509", hcpcs="77385"),
        line("RT", 29, "C509", hcpcs="77385"),
        *_visits("OLD_RT"),
        line("OLD_RT", 100, "C509", hcpcs="77385"),
        *_visits("BOUNDARY"),
        line("BOUNDARY", 20, "C509", hcpcs="77800"),  # outside 77261-77799
    ]
    r = _run(tmp_path, run, medical)
    assert "radiation_started" in r.triggers("RT")
    assert "radiation_started" not in r.triggers("OLD_RT")
    assert "radiation_started" not in r.triggers("BOUNDARY")


def test_major_surgery(tmp_path, run):
    medical = [
        *_visits("SURG"),
        line("SURG", 40, "C509", hcpcs="19303", paid=20000),
        *_visits("OLD_SURG"),
        line("OLD_SURG", 120, "C509", hcpcs="19303"),
        *_visits("BIOPSY"),
        line("BIOPSY", 40, "C509", hcpcs="19081"),
    ]
    r = _run(tmp_path, run, medical)
    assert "major_surgery" in r.triggers("SURG")
    assert "major_surgery" not in r.triggers("OLD_SURG")
    assert "major_surgery" not in r.triggers("BIOPSY")


def test_high_cost(tmp_path, run):
    medical = [
        *_visits("COSTLY"),
        line("COSTLY", 30, "I10", paid=30000),
        line("COSTLY", 50, "I10", paid=20000),
        *_visits("EXACT"),
        line("EXACT", 30, "I10", paid=50000 - 100),  # visits add 100: == limit
        *_visits("OLD_COST"),
        line("OLD_COST", 95, "I10", paid=90000),
    ]
    pharmacy = [fill("COSTLY", 5, "00093005801", paid=500)]
    r = _run(tmp_path, run, medical, pharmacy)
    assert "high_cost" in r.triggers("COSTLY")
    assert "high_cost" not in r.triggers("EXACT")
    assert "high_cost" not in r.triggers("OLD_COST")
    assert [e[4] for e in r.evidence if e[:2] == ("COSTLY", "high_cost")] == [
        "paid 50600 in recent days"
    ]


def test_rare_cancer(tmp_path, run):
    medical = [*_visits("SARCOMA", "C49.9"), *_visits("BREAST")]
    r = _run(tmp_path, run, medical)
    assert "rare_cancer" in r.triggers("SARCOMA")
    assert "rare_cancer" not in r.triggers("BREAST")


def test_biomarker_testing_missing(tmp_path, run):
    medical = [
        *_visits("UNTESTED", "C34.90"),
        line("UNTESTED", 30, "C3490", "C787"),
        *_visits("TESTED", "C34.90"),
        line("TESTED", 30, "C3490", "C787"),
        line("TESTED", 60, "C3490", hcpcs="81445"),
        *_visits("PLA", "C18.7"),
        line("PLA", 30, "C187", hcpcs="J9035"),
        line("PLA", 60, "C187", hcpcs="0037U"),
        *_visits("EARLY", "C34.90"),  # not advanced
        *_visits("BREAST_MET", "C509"),
        line("BREAST_MET", 30, "C509", "C787"),  # not listed
        *_visits("ON_THERAPY", "C43.9"),
        line("ON_THERAPY", 300, "C439", hcpcs="J9271"),
    ]
    r = _run(tmp_path, run, medical)
    assert "biomarker_testing_missing" in r.triggers("UNTESTED")
    assert "biomarker_testing_missing" in r.triggers("ON_THERAPY")
    for p in ("TESTED", "PLA", "EARLY", "BREAST_MET"):
        assert "biomarker_testing_missing" not in r.triggers(p), p


def test_score_is_the_weighted_sum(tmp_path, run):
    rules = rules_mod.load()
    medical = [
        line("P", 20, "C49.9"),
        line("P", 10, "C49.9", "C78.7"),  # new, metastatic, rare
        *_visits("Q"),
    ]
    r = _run(tmp_path, run, medical)
    assert r.triggers("P") == ["metastatic", "new_diagnosis", "rare_cancer"]
    expected = sum(rules.weight(t) for t in ("metastatic", "new_diagnosis", "rare_cancer"))
    assert r.members["P"]["score"] == expected
    assert r.members["Q"]["score"] == 0.0 and r.triggers("Q") == []
