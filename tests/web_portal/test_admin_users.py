"""Admins create and edit users, with the profile the role needs; the trail records it."""

from django.urls import reverse

from consilium.apps.access.models import AuditEvent
from consilium.apps.accounts.models import User
from consilium.apps.people.models import Expert, Physician
from tests import factories as f

NEW_PASSWORD = "violet-harbor-lantern-42"


def _user(**changes):
    data = {
        "username": "dr.chen",
        "first_name": "Wei",
        "last_name": "Chen",
        "email": "wei.chen@example.org",
        "role": "expert",
        "program": "",
        "credentials": "MD, PhD",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "subspecialties": ["Breast", "Lung"],
        "licensure_states": "oh, PA",
        "institution": "Lakeside Cancer Institute",
        "languages": "English, Mandarin",
        "weekly_capacity": "4",
    }
    data.update(changes)
    return data


def test_admin_creates_an_expert_with_profile(client, world):
    client.force_login(world.admin)

    response = client.post(reverse("accounts:user_new"), _user())

    assert response.status_code == 302
    user = User.objects.get(username="dr.chen")
    assert user.role == "expert"
    assert user.check_password(NEW_PASSWORD)
    expert = Expert.objects.get(user=user)
    assert expert.subspecialties == ["Breast", "Lung"]
    assert expert.licensure_states == ["OH", "PA"]
    assert expert.languages == ["English", "Mandarin"]
    assert expert.weekly_capacity == 4
    assert AuditEvent.objects.filter(
        action="users.manage", object_id=str(user.pk), actor_id=world.admin.pk, outcome="allowed"
    ).exists()


def test_weak_password_and_missing_expert_fields_are_refused(client, world):
    client.force_login(world.admin)

    response = client.post(
        reverse("accounts:user_new"),
        _user(password1="password", password2="password", institution="", subspecialties=[]),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "This password is too common." in body
    assert "Experts need an institution." in body
    assert not User.objects.filter(username="dr.chen").exists()


def test_admin_creates_physician_and_links_member(client, world):
    client.force_login(world.admin)
    unlinked = f.member(world.program, with_login=False)

    client.post(
        reverse("accounts:user_new"),
        _user(username="dr.park", role="physician", npi="1234567890", physician_state="oh"),
    )
    client.post(
        reverse("accounts:user_new"),
        _user(username="maria", role="member", member_number=unlinked.member_number),
    )

    physician = Physician.objects.get(user__username="dr.park")
    assert physician.name == "Dr. Wei Chen"
    assert physician.state == "OH"
    unlinked.refresh_from_db()
    assert unlinked.user.username == "maria"


def test_coordinator_needs_a_program(client, world):
    client.force_login(world.admin)

    response = client.post(
        reverse("accounts:user_new"), _user(username="coord", role="coordinator")
    )

    assert "Coordinators and admins need a program." in response.content.decode()
    assert not User.objects.filter(username="coord").exists()


def test_admin_edits_a_user_and_sets_a_password(client, world):
    coordinator = world.coordinator
    client.force_login(world.admin)

    response = client.post(
        reverse("accounts:user_edit", args=[coordinator.pk]),
        {
            "first_name": "Dana",
            "last_name": "Reyes",
            "email": "",
            "role": "coordinator",
            "program": world.other_program.pk,
            "credentials": "RN",
            "is_active": "",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert (coordinator.first_name, coordinator.credentials) == ("Dana", "RN")
    assert coordinator.program == world.other_program
    assert not coordinator.is_active
    assert coordinator.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="users.manage", object_id=str(coordinator.pk))
    assert "password" in event.detail and "is_active" in event.detail


def test_admin_cannot_deactivate_themself(client, world):
    client.force_login(world.admin)

    response = client.post(
        reverse("accounts:user_edit", args=[world.admin.pk]),
        {
            "first_name": "A",
            "last_name": "B",
            "role": "admin",
            "program": world.program.pk,
            "is_active": "",
        },
    )

    assert "You cannot deactivate your own account." in response.content.decode()
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_users_list_filters_by_role(client, world):
    client.force_login(world.admin)

    body = client.get(reverse("accounts:users"), {"role": "expert"}).content.decode()

    assert world.expert.user.username in body
    assert world.coordinator.username not in body


def test_admin_changing_own_password_stays_signed_in(client, world):
    client.force_login(world.admin)

    client.post(
        reverse("accounts:user_edit", args=[world.admin.pk]),
        {
            "first_name": "A",
            "last_name": "B",
            "role": "admin",
            "program": world.program.pk,
            "is_active": "on",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    world.admin.refresh_from_db()
    assert world.admin.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:users")).status_code == 200
