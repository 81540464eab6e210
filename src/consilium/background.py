"""Background work on Huey: how the apps hand work to it and how the demo runs it.

Apps define their tasks in their own ``tasks.py`` (``huey.contrib.djhuey`` finds them)
and enqueue with ``after_commit`` so a worker never looks for a row that is not yet
committed. A task records its own status on its own model (e.g. an abstraction run), so
the UI shows where the work stands whatever runs the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def after_commit(task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task(*args, **kwargs)`` once the current transaction commits."""
    transaction.on_commit(lambda: task(*args, **kwargs))


def start_consumer(workers: int = 2):
    """Start a Huey consumer in this process (threads, no signal handlers): the demo's
    queue runs beside its web server. Returns the consumer; call ``stop()`` on exit."""
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    # Register every app's tasks.py, as `run_huey` does, so the consumer knows them all.
    autodiscover_modules("tasks")
    consumer = HUEY.create_consumer(workers=workers, worker_type="thread", periodic=False)
    consumer.start()
    log.info("background consumer started with %d workers", workers)
    return consumer
