"""Against planted truth on 20,000 synthetic members (deterministic given the seed)."""

import datetime as dt

from consilium.engines.claims.quality import evaluate
from consilium.engines.claims.synth import synth


def test_precision_and_recall_against_planted_truth(tmp_path, run):
    delivery = tmp_path / "d"
    synth(delivery, 20_000, 42, dt.date(2025, 6, 30))
    r = run(delivery)
    q = evaluate(delivery, r.out)
    assert q["qualification"]["precision"] >= 0.99
    assert q["qualification"]["recall"] >= 0.99
    assert q["cancer_group_accuracy"] >= 0.99
    assert q["enrolled_accuracy"] == 1.0
    for name, t in q["triggers"].items():
        assert t["tp"] > 0, name
        assert t["precision"] >= 0.99 and t["recall"] >= 0.99, (name, t)
