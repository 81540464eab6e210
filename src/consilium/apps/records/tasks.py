"""Background work on records (Huey finds tasks in each app's ``tasks.py``)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def read_scanned_task(document_id: int) -> None:
    """Read a scanned record's text by OCR (seconds per page), then queue its
    abstraction. The record keeps its own status, so its page shows where OCR stands
    whoever runs the queue."""
    from consilium.apps.records.services import read_scanned

    read_scanned(document_id)
