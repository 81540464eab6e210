"""Who a command acts as. Commands pass the same policy and write the same audit events
as pages: ``--as USERNAME`` names the user, and without it a case command acts as the
first active coordinator of the case's program (the person who runs the program's
operations), so the contract forms such as ``consilium trials match --case ID --json``
work as written."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from consilium.apps.access.actors import Actor
from consilium.apps.access.policy import Forbidden, NotFound
from consilium.engines.casework.roles import Role


def acting_user(username: str | None, program_id: int | None, what: str):
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--as {username}: no active user of that name")
        return user
    user = (
        User.objects.filter(role=Role.COORDINATOR.value, program_id=program_id, is_active=True)
        .order_by("pk")
        .first()
        if program_id is not None
        else None
    )
    if user is None:
        raise CommandError(f"{what}: no active coordinator of its program; name one with --as")
    return user


def case_actor(case_id: int, username: str | None, action: str):
    """The acting user and the case, fetched through the policy for ``action`` (a
    refusal is audited like a page's). Raises CommandError with the reason."""
    from consilium.apps.cases.lookup import get_case
    from consilium.apps.cases.models import Case

    program_id = Case.objects.filter(pk=case_id).values_list("program_id", flat=True).first()
    user = acting_user(username, program_id, f"--case {case_id}")
    actor = Actor(user, "cli")
    try:
        return actor, get_case(actor, case_id, action)
    except NotFound:
        who = user.get_username()
        raise CommandError(f"--case {case_id}: no such case visible to {who}") from None
    except Forbidden as exc:
        raise CommandError(f"--case {case_id}: {user.get_username()} may not: {exc}") from None
