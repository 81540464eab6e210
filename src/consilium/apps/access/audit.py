"""Writing the audit trail. Every read or write of patient data goes through ``audited``
(or ``policy.require`` for a refusal), so the trail is complete by construction."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError

from consilium.apps.access.models import AuditEvent
from consilium.apps.access.policy import require

log = logging.getLogger(__name__)

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
        try:
            record(
                actor, action, FAILED, case=ctx.case, obj=ctx.obj, detail=ctx.detail + " " + detail
            )
        except DatabaseError as audit_exc:
            # The database cannot take the event now (SQLite while another request holds
            # its one write turn). The attempt stored nothing; its own error is the one
            # to report, and the event goes to the error log rather than being lost.
            log.error(
                "audit event not written (%s): %s %s by %s on case %s: %s",
                audit_exc,
                action,
                FAILED,
                getattr(actor.user, "pk", None),
                getattr(ctx.case, "pk", None),
                (ctx.detail + " " + detail)[:2000],
            )
        raise
    record(actor, action, ALLOWED, case=ctx.case, obj=ctx.obj, detail=ctx.detail)
