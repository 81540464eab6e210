"""Seeding twice creates nothing twice: the marker row is found and nothing is written."""

from consilium.apps.access.models import AuditEvent
from consilium.apps.accounts.models import Program, User
from consilium.apps.cases.models import Case, TimelineEvent
from consilium.apps.demo import seed
from consilium.apps.demo.models import DemoSeed
from consilium.apps.people.models import Member
from consilium.apps.records.models import Document
from consilium.apps.reports.models import Report

MODELS = (Program, User, Member, Case, Document, Report, TimelineEvent, AuditEvent, DemoSeed)


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_seeding_twice_keeps_the_same_rows(db):
    first = seed.seed(seed=7, cases=12)
    assert first.created and first.passwords
    after_first = _counts()
    assert after_first["Case"] == 12 and after_first["DemoSeed"] == 1

    second = seed.seed(seed=7, cases=12)
    assert not second.created and second.passwords == {}
    assert second.demo.pk == first.demo.pk
    assert _counts() == after_first


def test_a_foreign_program_with_the_demo_name_is_not_taken_over(db):
    from consilium.engines.synthetic.facts import load

    Program.objects.create(name=load("program")["program"]["name"], sponsor="Someone else")
    try:
        seed.seed(seed=7, cases=12)
    except seed.SeedConflict as exc:
        assert "not created by the demo" in str(exc)
    else:
        raise AssertionError("seeding over a foreign program must be refused")
    assert Case.objects.count() == 0
