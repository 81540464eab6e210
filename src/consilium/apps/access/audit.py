"""Writing the audit trail. Every read or write of patient data goes through ``audited``
(or ``policy.require`` for a refusal), so the trail is complete by construction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from consilium.apps.access.models import AuditEvent
from consilium.apps.access.policy import require

ALLOWED = AuditEvent.Outcome.ALLOWED
DENIED = AuditEvent.Outcome.DENIED
FAILED = AuditEvent.Outcome.FAILED


def record(actor, action: str, outcome: str, *, case=None, obj=None, detail: str = "") -> None:
    user = actor.user
    authenticated = getattr(user, "is_authenticated", False)
    target = obj if obj is not None else case
    AuditEvent.objects.create(
        actor_id=user.pk if authenticated else None,
        actor_username=user.get_username() if authenticated else "",
        actor_role=getattr(user, "role", "") if authenticated else "",
        action=action,
        object_type=target._meta.model_name if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        case_id=case.pk if case is not None else None,
        channel=actor.channel,
        client_address=actor.address,
        outcome=outcome,
        detail=detail[:2000],
    )


@dataclass
class Audit:
    """Lets the audited block name what it created (``obj``) or add a detail."""

    obj: object = None
    case: object = None  # set when the block creates the case itself
    detail: str = ""


@contextmanager
def audited(actor, action: str, case=None, *, obj=None) -> Iterator[Audit]:
    """Check the policy, run the block, and write one audit event with its outcome."""
    require(actor, action, case, obj=obj)
    ctx = Audit(obj=obj, case=case)
    try:
        yield ctx
    except Exception as exc:
        detail = getattr(exc, "message", None) or str(exc)
        record(actor, action, FAILED, case=ctx.case, obj=ctx.obj, detail=ctx.detail + " " + detail)
        raise
    record(actor, action, ALLOWED, case=ctx.case, obj=ctx.obj, detail=ctx.detail)
