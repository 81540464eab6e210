"""Members without an eligibility span covering the as-of date are reported, not enrolled."""

import datetime as dt

from tests.claims.deliveries import AS_OF, line, span, write


def test_enrolled_flag(tmp_path, run):
    people = ["OPEN", "ENDS_TODAY", "ENDED", "GAP_BACK", "NONE", "STARTS_LATER"]
    medical = [line(p, d, "C509") for p in people for d in (10, 20)]
    a = AS_OF.isoformat()
    yesterday = (AS_OF - dt.timedelta(days=1)).isoformat()
    eligibility = [
        span("OPEN"),
        span("ENDS_TODAY", end=a),
        span("ENDED", end=yesterday),
        span("GAP_BACK", end="2024-12-31"),
        span("GAP_BACK", start="2025-03-01"),
        span("STARTS_LATER", start=(AS_OF + dt.timedelta(days=1)).isoformat()),
    ]
    r = run(write(tmp_path / "d", medical, eligibility), as_of=AS_OF)
    assert set(r.members) == set(people)
    assert {p for p, m in r.members.items() if m["enrolled"]} == {"OPEN", "ENDS_TODAY", "GAP_BACK"}
    assert r.summary["members_enrolled"] == 3
