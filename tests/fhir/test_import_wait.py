"""A second FHIR import into a case waits for the first only so long: after
FHIR_IMPORT_WAIT seconds on PostgreSQL (lock_timeout) or the database's busy timeout on
SQLite, it gives up with a message saying another import is running, and stores nothing.
Runs on both databases, as the concurrency test does."""

from __future__ import annotations

import json

from django.test import override_settings

from consilium.apps.access.models import AuditEvent
from consilium.apps.preparation.fhir import ImportFailed, import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.engines.fhir import open_bytes
from tests.fhir import builders as b
from tests.fhir.test_concurrent_import import (  # noqa: F401 (a fixture)
    REACH_LOCK,
    Connections,
    Hold,
    two_coordinators,
)


@override_settings(FHIR_IMPORT_WAIT=0.5)
def test_a_second_import_gives_up_while_the_first_runs(two_coordinators, tmp_path, caplog):  # noqa: F811
    world, first, second = two_coordinators
    db = Connections(tmp_path)
    data = json.dumps(b.bundle(b.breast_case_resources(world.member))).encode()
    hold = Hold()
    a = db.run(
        lambda: import_fhir(first, world.case, open_bytes(data, "first.json"), progress=hold)
    )
    assert hold.reached(), "the first import never started storing"
    second_import = db.run(
        lambda: import_fhir(second, world.case, open_bytes(data, "second.json")),
        busy_timeout=0.5,
    )
    second_import.join(REACH_LOCK)
    finished_waiting = not second_import.is_alive()
    hold.release()
    a.join()
    second_import.join()

    assert finished_waiting, "the second import waited for as long as the first ran"
    refused = second_import.result
    assert isinstance(refused, ImportFailed), refused
    assert "another FHIR import into this case was still running" in refused.message
    assert "Nothing of it was stored" in refused.message
    assert isinstance(a.result, dict), a.result

    check = db.run(
        lambda: CaseFact.objects.filter(case_id=world.case.pk, source=CaseFact.Source.FHIR).count()
    )
    check.join()
    assert check.result == a.result["facts"]["created"] == 7

    # The refused attempt is audited; on SQLite, whose one write turn the first import
    # held, its event goes to the error log instead.
    if db.file is not None:
        assert "audit event not written" in caplog.text and "fhir.import" in caplog.text
    else:
        failed = db.run(
            lambda: AuditEvent.objects.filter(
                case_id=world.case.pk, action="fhir.import", outcome="failed"
            ).count()
        )
        failed.join()
        assert failed.result == 1
