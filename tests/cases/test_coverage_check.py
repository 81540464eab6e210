"""The coverage check at intake, through the case service."""

from datetime import timedelta

from django.utils import timezone

from consilium.apps.cases import services
from consilium.engines.casework.lifecycle import Status
from tests import factories as f


def _case(**member_kw):
    prog = f.program()
    mem = f.member(prog, **member_kw)
    return f.case(prog, mem=mem, status=Status.INTAKE), f.user("coordinator", prog)


def test_covered_member(db):
    case, coord = _case()
    check = services.run_coverage_check(f.actor(coord), case)
    assert check.covered
    assert check.checked_for == case.request_date
    assert services.facts_for(case).coverage_passed


def test_member_without_the_benefit_is_declinable_with_the_reason(db):
    case, coord = _case(benefit=False)
    check = services.run_coverage_check(f.actor(coord), case)
    assert not check.covered
    assert "expert-review benefit" in check.reason
    event = case.timeline.get(kind="coverage")
    assert not event.member_visible
    declined = services.transition(f.actor(coord), case, "decline", check.reason)
    assert declined.status == Status.DECLINED


def test_lapsed_member_is_not_covered(db):
    today = timezone.localdate()
    case, coord = _case(span_start=today - timedelta(days=400), span_end=today - timedelta(days=30))
    assert not services.run_coverage_check(f.actor(coord), case).covered


def test_the_latest_check_counts(db):
    case, coord = _case()
    f.coverage(case, covered=False)
    services.run_coverage_check(f.actor(coord), case)
    assert services.facts_for(case).coverage_passed
