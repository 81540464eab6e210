"""``consilium fhir import PATH --case ID`` and ``consilium fhir export --case ID --out FILE``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation.models import CaseFact
from tests import factories
from tests.fhir import builders as b


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("fhir", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_directory_prints_the_report(world, tmp_path):
    export = tmp_path / "bulk"
    resources = b.breast_case_resources(world.member)
    broken = b.observation("bad", "16112-5", **b.positive())
    del broken["status"]
    b.write_ndjson(export, resources + [broken, b.stranger("p2")])
    out, _ = _run("import", str(export), "--case", str(world.case.pk))
    assert "imported: 9 (Condition 1, DocumentReference 1" in out
    assert "facts: created 7, updated 0, unchanged 0" in out
    assert "invalid: 1" in out
    assert "Observation.000.ndjson line 5: Observation/bad: status: required element missing" in out
    assert "Patient: another person than the member" in out
    assert CaseFact.objects.filter(case=world.case).count() == 7
    # Acted as the program's first coordinator, through the audit trail.
    event = AuditEvent.objects.filter(action="fhir.import").latest("pk")
    assert (event.actor_id, event.channel) == (world.coordinator.pk, "cli")


def test_progress_bar_for_a_big_export(world, tmp_path):
    export = tmp_path / "bulk"
    many = [b.observation(f"o{i}", "16112-5", **b.positive()) for i in range(600)]
    b.write_ndjson(export, [b.patient(world.member), *many])
    _, err = _run("import", str(export), "--case", str(world.case.pk))
    assert "100%" in err and "601 resources read" in err


def test_exit_status_nonzero_only_when_nothing_imported(world, tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(b.bundle([b.stranger("p1"), b.condition("c1")])))
    with pytest.raises(CommandError, match="is the member") as refused:
        _run("import", str(path), "--case", str(world.case.pk))
    assert "birth date differs" in str(refused.value)
    path.write_text(json.dumps(b.bundle([b.patient(world.member), b.observation("x", "1-8")])))
    with pytest.raises(CommandError, match="nothing could be imported"):
        _run("import", str(path), "--case", str(world.case.pk))
    with pytest.raises(CommandError, match="no such file"):
        _run("import", str(tmp_path / "missing.json"), "--case", str(world.case.pk))


def test_acting_user(world, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(b.bundle(b.breast_case_resources(world.member))))
    physician = world.physician.user.username
    _run("import", str(path), "--case", str(world.case.pk), "--as", physician)
    assert AuditEvent.objects.filter(action="fhir.import").latest("pk").actor_id == (
        world.physician.user.pk
    )
    with pytest.raises(CommandError, match="no such case visible to"):
        _run(
            "import",
            str(path),
            "--case",
            str(world.case.pk),
            "--as",
            world.other_coordinator.username,
        )
    with pytest.raises(CommandError, match="no active user"):
        _run("import", str(path), "--case", str(world.case.pk), "--as", "nobody")
    lonely = factories.case(factories.program())
    with pytest.raises(CommandError, match="no active coordinator"):
        _run("import", str(path), "--case", str(lonely.pk))


def test_export_summary_and_opinion(world, tmp_path):
    out_file = tmp_path / "mcode.json"
    _, err = _run("export", "--case", str(world.case.pk), "--out", str(out_file))
    bundle = json.loads(out_file.read_text())
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert "mCODE summary" in err
    with pytest.raises(CommandError, match="not signed"):
        _run("export", "--case", str(world.case.pk), "--out", str(tmp_path / "o.json"), "--opinion")
    factories.delivered(world.case)
    _run("export", "--case", str(world.case.pk), "--out", str(tmp_path / "o.json"), "--opinion")
    assert json.loads((tmp_path / "o.json").read_text())["type"] == "document"
