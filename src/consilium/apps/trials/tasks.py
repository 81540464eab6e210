"""Background work of the trial registry (Huey finds tasks in each app's ``tasks.py``)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def sync_registry_task(run_id: int) -> None:
    """Sync the registry from ClinicalTrials.gov; the run records its own status, pages
    and counts as it goes, so the registry page shows where it stands."""
    from consilium.apps.trials.sync import sync_run

    sync_run(run_id)
