"""The demo's registry: the synthetic trials of engines/trials/data/demo_registry.yaml,
imported through the same path as a real export (once; later runs find them)."""

from __future__ import annotations

from django.utils import timezone

from consilium.apps.trials import services
from consilium.apps.trials.models import RegistryRun, Trial
from consilium.engines.trials.ctgov import parse_records
from consilium.engines.trials.demo import demo_records

SOURCE = "demo registry (synthetic)"


def ensure_demo_registry() -> services.ImportResult | None:
    """Import the demo trials unless they are there; None when nothing was done."""
    records = demo_records()
    ids = [r["protocolSection"]["identificationModule"]["nctId"] for r in records]
    if Trial.objects.filter(nct_id__in=ids).count() == len(ids):
        return None
    started = timezone.now()
    result = services.import_parsed(parse_records(records, SOURCE, services.tree()), source=SOURCE)
    RegistryRun.objects.create(
        kind=RegistryRun.Kind.DEMO,
        status=RegistryRun.Status.DONE,
        source=SOURCE,
        queued_at=started,
        started_at=started,
        finished_at=timezone.now(),
        fetched=len(records),
        new=result.new,
        updated=result.updated,
        unchanged=result.unchanged,
        refused=len(result.refused),
        problems=[str(p) for p in result.refused],
        message=result.summary(),
    )
    return result
