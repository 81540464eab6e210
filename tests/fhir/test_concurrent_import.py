"""Two imports of the same records into one case at the same time (two coordinators, or
the API and the command) store them once: the second waits for the first, then finds
everything stored and reports it unchanged. The database itself holds one fact of a name
per FHIR resource in a case.

The race runs in two threads with a connection each, on PostgreSQL and on SQLite (a
file, as deployed): nothing here skips."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from consilium.apps.preparation.fhir import import_fhir
from consilium.apps.preparation.models import CaseFact
from consilium.apps.records.models import Document
from consilium.engines.fhir import open_bytes
from tests import factories
from tests.fhir import builders as b

#: How long the test lets the second import reach the case lock (an upper bound on
#: waiting for another thread, not a measured duration).
REACH_LOCK = 30.0


def test_the_database_refuses_a_second_fact_for_the_same_resource(world):
    fact = dict(case=world.case, name="ER", value="positive", fhir_reference="Observation/er")
    CaseFact.objects.create(source=CaseFact.Source.FHIR, **fact)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFact.objects.create(source=CaseFact.Source.FHIR, **fact)
    # Facts read from a document or entered by a person have no such key.
    CaseFact.objects.create(source=CaseFact.Source.MANUAL, **fact)
    CaseFact.objects.create(source=CaseFact.Source.MANUAL, **fact)
    assert CaseFact.objects.filter(case=world.case, name="ER").count() == 3


def test_the_database_refuses_a_second_record_for_the_same_attachment(world, coordinator_actor):
    doc = b.document_reference("d1")
    data = json.dumps(b.bundle([b.patient(world.member), doc])).encode()
    import_fhir(coordinator_actor, world.case, open_bytes(data, "x.json"))
    stored = Document.objects.get(case=world.case)
    assert stored.fhir_source == "DocumentReference/d1#0"
    copy = Document.objects.get(pk=stored.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    # Uploaded records have no such key: the same file may be uploaded twice.
    copy.fhir_source = ""
    copy.save()
    assert Document.objects.filter(case=world.case).count() == 2


def test_a_resource_twice_in_one_input_is_stored_once(world, coordinator_actor):
    er = b.observation("er", "16112-5", **b.positive())
    doc = b.document_reference("d1")
    data = json.dumps(b.bundle([b.patient(world.member), er, doc, er, doc])).encode()
    report = import_fhir(coordinator_actor, world.case, open_bytes(data, "x.json"))
    assert CaseFact.objects.filter(case=world.case, fhir_reference="Observation/er").count() == 1
    assert Document.objects.filter(case=world.case).count() == 1
    assert report["facts"]["unchanged"] == 1
    assert report["documents"] == {"created": 1, "unchanged": 1}


class Connections:
    """A connection of its own for each thread, on a database two writers can share.

    PostgreSQL: the test database. SQLite: the in-memory test database has one shared
    cache, where a second writer is refused at once instead of waiting as it does on a
    file; so the threads use a file copy of it, opened with the project's settings (WAL,
    transactions begun IMMEDIATE, a busy timeout), as a deployment on SQLite runs."""

    def __init__(self, tmp_path):
        self.file = None
        if connection.vendor == "sqlite":
            self.file = tmp_path / "copy.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()
        self.second_waits = threading.Event()

    def open(self, *, watch: bool = False, busy_timeout: float | None = None) -> None:
        """Call first thing in a thread. ``watch``: note when this thread's import
        asks for the database's write turn (SQLite). ``busy_timeout``: how long this
        thread's connection waits for that turn (SQLite; seconds)."""
        if self.file is not None:
            settings = {**connections.settings[DEFAULT_DB_ALIAS], "NAME": str(self.file)}
            if busy_timeout is not None:
                settings["OPTIONS"] = {**settings.get("OPTIONS", {}), "timeout": busy_timeout}
            connections[DEFAULT_DB_ALIAS] = DatabaseWrapper(settings, DEFAULT_DB_ALIAS)
            if watch:
                connection.execute_wrappers.append(self._note_begin)

    def _note_begin(self, execute, sql, params, many, context):
        if sql.startswith("BEGIN"):
            self.second_waits.set()
        return execute(sql, params, many, context)

    def waiting(self) -> bool:
        """Whether the second import waits for the first to end its transaction."""
        if self.file is not None:
            # It asked for the write turn while the first held it; give it a moment to
            # be inside SQLite's wait (pacing only: the result does not depend on it).
            if self.second_waits.is_set():
                time.sleep(0.2)
                return True
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] > 0

    def run(self, work, **open_options):
        """``work()`` in a thread of its own with its own connection; a started thread
        whose result (or exception) is ``thread.result``."""

        def target() -> None:
            try:
                self.open(**open_options)
                thread.result = work()
            except Exception as exc:  # the test's assertions show it
                thread.result = exc
            finally:
                connection.close()

        thread = threading.Thread(target=target)
        thread.result = None
        thread.start()
        return thread


class Hold:
    """A progress callback that keeps the first import inside its transaction (holding
    the case) from its first resource until ``release()``."""

    def __init__(self) -> None:
        self.inside, self.go_on = threading.Event(), threading.Event()

    def __call__(self, _n: int) -> None:
        if not self.inside.is_set():
            self.inside.set()
            self.go_on.wait(REACH_LOCK * 2)

    def reached(self) -> bool:
        return self.inside.wait(REACH_LOCK)

    def release(self) -> None:
        self.go_on.set()


@pytest.fixture
def two_coordinators(audit_flushable):
    world = factories.World()
    second = factories.user("coordinator", world.program)
    return world, factories.actor(world.coordinator), factories.actor(second)


def test_two_imports_at_once_store_the_records_once(two_coordinators, tmp_path):
    world, first, second = two_coordinators
    db = Connections(tmp_path)
    data = json.dumps(b.bundle(b.breast_case_resources(world.member))).encode()
    # The first import is held inside its transaction until the second waits for it.
    hold = Hold()

    def importing(actor, name, progress=None):
        return lambda: import_fhir(
            actor, world.case, open_bytes(data, f"{name}.json"), progress=progress
        )

    a = db.run(importing(first, "first", hold))
    assert hold.reached(), "the first import never started storing"
    b_ = db.run(importing(second, "second"), watch=True)
    waited = False
    deadline = time.monotonic() + REACH_LOCK
    while not waited and time.monotonic() < deadline:
        waited = db.waiting()
        if not waited:
            time.sleep(0.05)
    hold.release()
    a.join()
    b_.join()

    assert waited, "the second import did not wait for the first"
    one, two = a.result, b_.result
    assert isinstance(one, dict), one
    assert isinstance(two, dict), two

    def stored():
        facts = CaseFact.objects.filter(case_id=world.case.pk, source=CaseFact.Source.FHIR)
        return (
            list(facts.values_list("fhir_reference", "name")),
            Document.objects.filter(case_id=world.case.pk).count(),
        )

    check = db.run(stored)
    check.join()
    keys, documents = check.result
    assert len(keys) == len(set(keys)) == one["facts"]["created"] == 7
    assert documents == 1
    assert two["facts"] == {"created": 0, "updated": 0, "unchanged": 7}
    assert two["documents"] == {"created": 0, "unchanged": 1}
