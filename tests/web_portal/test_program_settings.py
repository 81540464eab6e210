"""An admin sets the program's review time; out-of-range values are refused."""

from django.urls import reverse

from consilium.apps.access.models import AuditEvent


def test_admin_changes_review_due_days(client, world):
    client.force_login(world.admin)

    response = client.post(reverse("accounts:settings"), {"review_due_business_days": "7"})

    assert response.status_code == 302
    world.program.refresh_from_db()
    assert world.program.review_due_business_days == 7
    event = AuditEvent.objects.get(action="program.settings", outcome="allowed")
    assert event.detail == "review_due_business_days 5 -> 7"
    assert event.object_id == str(world.program.pk)


def test_out_of_range_is_refused(client, world):
    client.force_login(world.admin)

    for bad in ("0", "31", "many"):
        response = client.post(reverse("accounts:settings"), {"review_due_business_days": bad})
        assert response.status_code == 200

    world.program.refresh_from_db()
    assert world.program.review_due_business_days == 5
    assert not AuditEvent.objects.filter(action="program.settings", outcome="allowed").exists()


def test_other_programs_are_untouched(client, world):
    client.force_login(world.admin)
    client.post(reverse("accounts:settings"), {"review_due_business_days": "10"})
    world.other_program.refresh_from_db()
    assert world.other_program.review_due_business_days == 5
