"""Rule 4: cancer group by most distinct claim dates, ties to the most recent; metastatic."""

from tests.claims.deliveries import AS_OF, line, write


def test_most_distinct_dates_wins(tmp_path, run):
    medical = [
        line("P", 10, "C50.9"),
        line("P", 10, "C50.9"),
        line("P", 10, "C50.9"),  # 1 date
        line("P", 20, "C61"),
        line("P", 30, "C61"),  # 2 dates
    ]
    r = run(write(tmp_path / "d", medical), as_of=AS_OF)
    assert r.members["P"]["cancer_group"] == "prostate"
    assert r.members["P"]["oncotree_tissue"] == "Prostate"


def test_ties_go_to_the_most_recent(tmp_path, run):
    medical = [
        line("P", 50, "C509"),
        line("P", 40, "C509"),
        line("P", 45, "C341"),
        line("P", 5, "C341"),
        line("Q", 50, "C341"),
        line("Q", 4, "C509"),
        line("Q", 40, "C341"),
        line("Q", 60, "C509"),
    ]
    r = run(write(tmp_path / "d", medical), as_of=AS_OF)
    assert r.members["P"]["cancer_group"] == "lung"
    assert r.members["Q"]["cancer_group"] == "breast"


def test_secondary_and_unknown_primary_do_not_count_but_mark_metastatic(tmp_path, run):
    medical = [
        line("P", 10, "C78.00"),
        line("P", 11, "C78.00"),
        line("P", 12, "C79.51"),
        line("P", 20, "C18.7"),
        line("ONLY_SECONDARY", 10, "C801"),
        line("ONLY_SECONDARY", 20, "C77.3"),
        line("LOCAL", 10, "C509"),
        line("LOCAL", 20, "C509"),
    ]
    r = run(write(tmp_path / "d", medical), as_of=AS_OF)
    assert r.members["P"]["cancer_group"] == "colorectal"
    assert r.members["P"]["metastatic"] is True
    assert r.members["ONLY_SECONDARY"]["cancer_group"] == "unknown_primary"
    assert r.members["ONLY_SECONDARY"]["metastatic"] is True
    assert r.members["LOCAL"]["metastatic"] is False


def test_tissue_within_a_group(tmp_path, run):
    medical = [line("P", 10, "C92.00"), line("P", 20, "C92.00"), line("P", 30, "C911")]
    r = run(write(tmp_path / "d", medical), as_of=AS_OF)
    assert r.members["P"]["cancer_group"] == "leukemia"
    assert r.members["P"]["oncotree_tissue"] == "Myeloid"
