"""Background work of case preparation (Huey finds tasks in each app's ``tasks.py``)."""

from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from consilium.apps.preparation.models import AbstractionRun


@db_task()
def abstract_document_task(run_id: int) -> None:
    """Run a queued abstraction. The run records its own status (running, done, failed),
    so the case page shows where it stands whoever runs the queue."""
    from consilium.apps.preparation.services import abstract_document

    # Claim the run in one UPDATE so two workers never both take it.
    claimed = AbstractionRun.objects.filter(pk=run_id, status=AbstractionRun.Status.QUEUED).update(
        status=AbstractionRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # removed with its record, or already taken
    run = AbstractionRun.objects.select_related("document").get(pk=run_id)
    abstract_document(run.document, run=run)
