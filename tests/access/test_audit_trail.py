"""The audit trail: reads, writes and denials are recorded; nothing can change them."""

import pytest
from django.db import DatabaseError, connection, transaction

from consilium.apps.access.audit import audited
from consilium.apps.access.models import AppendOnlyError, AuditEvent
from consilium.apps.access.policy import NotFound
from consilium.apps.cases import services
from tests import factories as f


def test_a_read_records_who_what_when_where(world):
    actor = f.actor(world.coordinator)
    with audited(actor, "case.view", world.case):
        pass
    event = AuditEvent.objects.get(action="case.view")
    assert event.actor_id == world.coordinator.pk
    assert event.actor_username == world.coordinator.username
    assert event.actor_role == "coordinator"
    assert (event.object_type, event.object_id) == ("case", str(world.case.pk))
    assert event.case_id == world.case.pk
    assert event.client_address == "127.0.0.1"
    assert event.channel == "web"
    assert event.outcome == "allowed"
    assert event.at is not None


def test_a_write_is_recorded_with_its_object(world):
    consent = services.sign_consent(
        f.actor(world.member.user), world.case, "expert_review", "Maria Lopez", "electronic"
    )
    event = AuditEvent.objects.get(action="consent.sign")
    assert (event.object_type, event.object_id) == ("consent", str(consent.pk))
    assert event.outcome == "allowed"


def test_a_denied_attempt_is_recorded_and_hides_the_case(world):
    with pytest.raises(NotFound):
        services.run_coverage_check(f.actor(world.other_coordinator), world.case)
    event = AuditEvent.objects.get(outcome="denied")
    assert event.actor_id == world.other_coordinator.pk
    assert event.action == "coverage.check"
    assert event.case_id == world.case.pk


def test_a_refused_write_is_recorded_as_failed_with_the_reason(world):
    with pytest.raises(services.RuleError):
        services.transition(f.actor(world.coordinator), world.case, "close")
    event = AuditEvent.objects.get(action="case.transition")
    assert event.outcome == "failed"
    assert "Cannot close case" in event.detail


def _event():
    return AuditEvent.objects.create(action="case.view", outcome="allowed", channel="web")


def test_the_model_refuses_update_and_delete(db):
    event = _event()
    event.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["detail"])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE access_auditevent SET detail = 'rewritten'",
        "DELETE FROM access_auditevent",
    ],
)
def test_the_database_refuses_update_and_delete_even_from_raw_sql(db, sql):
    with connection.cursor() as cursor:  # a reused test database starts locked too
        cursor.execute("DELETE FROM access_audit_maintenance")
    _event()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.filter(detail="rewritten").count() == 0
    assert AuditEvent.objects.count() == 1


def test_deleting_a_user_leaves_their_trail(world):
    with audited(f.actor(world.admin), "audit.view"):
        pass
    admin_id = world.admin.pk
    world.admin.delete()
    assert AuditEvent.objects.get(action="audit.view").actor_id == admin_id
