"""Background work of outreach (Huey finds tasks in each app's ``tasks.py``)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def run_scan_task(scan_id: int) -> None:
    """Scan a delivery of the inbox and import the result. The scan records its own
    status (queued, running with its stage and lines read, done, failed, duplicate), so
    the scans page shows where it stands whoever runs the queue."""
    from consilium.apps.outreach.services import run_scan

    run_scan(scan_id)
