"""The access matrix, written out as the program's rules say it, checked against the one
policy: each role against its own case and another program's case."""

import pytest

from consilium.apps.access.policy import RULES, permits, visible_cases

# action -> roles that may do it to THEIR OWN case (member: their case; physician: a case
# they treat; expert: assigned to them; coordinator: their program's). Nobody may act on
# another program's case, and the admin sees no patient data.
EXPECTED = {
    "case.view": {"member", "physician", "expert", "coordinator"},
    "case.edit": {"coordinator"},
    "case.transition": {"member", "physician", "expert", "coordinator"},
    "case.assign": {"coordinator"},
    "consent.view": {"member", "physician", "expert", "coordinator"},
    "consent.sign": {"member"},
    "consent.record": {"coordinator"},
    "consent.revoke": {"member", "coordinator"},
    "coverage.view": {"coordinator"},
    "coverage.check": {"coordinator"},
    "document.view": {"member", "physician", "expert", "coordinator"},
    "document.upload": {"member", "physician", "coordinator"},
    "timeline.view": {"member", "physician", "expert", "coordinator"},
    "opinion.view": {"expert", "coordinator"},
    "opinion.write": {"expert"},
    "report.physician.view": {"physician", "expert", "coordinator"},
    "report.member.view": {"member", "physician", "expert", "coordinator"},
    "followup.view": {"member", "physician", "expert", "coordinator"},
    "followup.ask": {"member"},
    "followup.answer": {"expert"},
    "facts.view": {"physician", "expert", "coordinator"},
    "facts.review": {"expert", "coordinator"},
    "abstraction.run": {"coordinator"},
    "fhir.import": {"physician", "coordinator"},
    "fhir.export": {"physician", "expert", "coordinator"},
    "decision.view": {"expert", "coordinator"},
}
ROLES = ["member", "physician", "expert", "coordinator", "admin"]


def test_every_case_action_is_in_the_expected_matrix():
    case_actions = {a for a, rule in RULES.items() if any(r.value != "none" for r in rule.values())}
    assert case_actions == set(EXPECTED)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_own_and_other_case(world, action):
    users = world.users()
    for role in ROLES:
        user = users[role]
        assert permits(user, action, world.case) is (role in EXPECTED[action]), (role, "own")
        assert not permits(user, action, world.other_case), (role, "other")


def test_admin_only_administration(world):
    users = world.users()
    for action in ("audit.view", "users.manage", "program.settings"):
        assert [r for r in ROLES if permits(users[r], action)] == ["admin"]


def test_unknown_action_is_denied(world):
    assert not permits(world.coordinator, "case.teleport", world.case)


def test_inactive_and_anonymous_users_are_denied(world):
    from django.contrib.auth.models import AnonymousUser

    assert not permits(AnonymousUser(), "case.view", world.case)
    world.coordinator.is_active = False
    assert not permits(world.coordinator, "case.view", world.case)


def test_lists_show_exactly_the_cases_each_role_may_see(world):
    users = world.users()
    for role in ROLES:
        visible = set(visible_cases(users[role]))
        assert visible == ({world.case} if role != "admin" else set()), role


def test_an_expert_loses_access_when_unassigned(world):
    world.case.expert = None
    world.case.save()
    assert not permits(world.expert.user, "case.view", world.case)
    assert world.case not in visible_cases(world.expert.user)


def test_coordinator_without_program_sees_nothing(world):
    world.coordinator.program = None
    assert not permits(world.coordinator, "case.view", world.case)
    assert not visible_cases(world.coordinator).exists()
