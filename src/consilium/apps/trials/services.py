"""The trial registry's rules: importing study records, the in-process candidate index,
and ranking trials for a case.

Import is idempotent by NCT number and last update date: a record already stored with
the same (or a later) update date is unchanged; a later one replaces the stored trial
with its sites and criteria. Records are written in batches, one transaction each, so a
failure never leaves a trial half written; a bad record is refused with its reason and
the others still import.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from consilium.apps.trials.models import Trial, TrialCriterion, TrialSite
from consilium.engines.knowledge.oncotree import OncoTree, current_tree
from consilium.engines.trials import ctgov
from consilium.engines.trials.ctgov import Parsed, Problem, Study
from consilium.engines.trials.eligibility import Criterion, parse_criteria
from consilium.engines.trials.geo import Gazetteer
from consilium.engines.trials.index import SitePoint, TrialEntry, TrialIndex
from consilium.engines.trials.rank import rank
from consilium.engines.trials.vocab import load

BATCH = 200
NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"


def parser_version() -> str:
    """Which reading of the text the stored criteria come from; a new vocabulary makes
    the next import of the same record re-read it."""
    return "e{}-c{}".format(load("eligibility")["version"], load("conditions")["version"])


def tree() -> OncoTree:
    return current_tree(settings.VAR_DIR)


# --- import ----------------------------------------------------------------------------


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Problem] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.refused)

    def add(self, other: ImportResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.refused.extend(other.refused)

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.refused)} refused"
        )


def decide(stored: dict[str, Any] | None, study: Study, version: str) -> str:
    """new, updated or unchanged, for a study against what is stored under its NCT id.

    A dated copy replaces the stored one when it is later (or when the stored one was
    read by an older vocabulary); an undated copy (a search result slice) never replaces
    anything, since nothing says it is newer."""
    if stored is None:
        return NEW
    same_version = stored["parser_version"] == version
    same_content = stored["content_sha256"] == study.content_hash
    if same_content:
        return UNCHANGED if same_version else UPDATED
    have = stored["last_update"]
    if study.last_update is None:
        return UNCHANGED
    if have is not None and study.last_update < have:
        return UNCHANGED
    if have is not None and study.last_update == have and same_version:
        return UNCHANGED
    return UPDATED


def import_parsed(
    parsed: Iterable[Parsed],
    *,
    source: str,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Store parsed records, ``batch_size`` to a transaction."""
    result = ImportResult()
    batch: list[Parsed] = []
    for item in parsed:
        batch.append(item)
        if len(batch) >= batch_size:
            result.add(_import_batch(batch, source))
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        result.add(_import_batch(batch, source))
        if progress:
            progress(len(batch))
    return result


def _import_batch(batch: list[Parsed], source: str) -> ImportResult:
    result = ImportResult()
    version = parser_version()
    t = tree()
    studies = [p.study for p in batch if p.study is not None]
    result.refused.extend(p.problem for p in batch if p.problem is not None)
    with transaction.atomic():
        stored = {
            row["nct_id"]: row
            for row in Trial.objects.filter(nct_id__in=[s.nct_id for s in studies]).values(
                "id", "nct_id", "last_update", "content_sha256", "parser_version"
            )
        }
        for study in studies:
            verdict = decide(stored.get(study.nct_id), study, version)
            if verdict == UNCHANGED:
                result.unchanged += 1
                continue
            trial = _write(study, stored.get(study.nct_id), source, version, t)
            stored[study.nct_id] = {
                "id": trial.pk,
                "nct_id": study.nct_id,
                "last_update": study.last_update,
                "content_sha256": study.content_hash,
                "parser_version": version,
            }
            if verdict == NEW:
                result.new += 1
            else:
                result.updated += 1
    return result


def criteria_for(study: Study, t: OncoTree | None = None) -> list[Criterion]:
    return parse_criteria(
        study.inclusion,
        study.exclusion,
        min_age=study.min_age_years,
        max_age=study.max_age_years,
        sex=study.sex,
        condition_codes=study.oncotree_codes,
        conditions=study.conditions,
        tree=t,
    )


def _write(
    study: Study, stored: dict[str, Any] | None, source: str, version: str, t: OncoTree
) -> Trial:
    now = timezone.now()
    fields = dict(
        title=study.title,
        official_title=study.official_title,
        acronym=study.acronym[:100],
        brief_summary=study.brief_summary,
        conditions=list(study.conditions),
        keywords=list(study.keywords),
        mesh_terms=list(study.mesh_terms),
        oncotree_codes=list(study.oncotree_codes),
        codes_text=(" " + " ".join(study.oncotree_codes) + " ")[:500],
        search_text=" ".join(
            [
                study.nct_id,
                study.title,
                study.official_title,
                study.acronym,
                *study.conditions,
                *study.keywords,
                study.sponsor,
                *(i.name for i in study.interventions),
                study.brief_summary,
            ]
        ).lower(),
        phases=list(study.phases),
        phase=study.phase_label,
        overall_status=study.overall_status,
        study_type=study.study_type[:30],
        sponsor=study.sponsor[:300],
        enrollment=study.enrollment if study.enrollment and study.enrollment >= 0 else None,
        min_age_years=study.min_age_years,
        max_age_years=study.max_age_years,
        sex=study.sex,
        healthy_volunteers=study.healthy_volunteers,
        interventions=[
            {
                "type": i.type,
                "name": i.name,
                "description": i.description,
                "arm_labels": list(i.arm_labels),
                "other_names": list(i.other_names),
            }
            for i in study.interventions
        ],
        arms=[
            {
                "label": a.label,
                "type": a.type,
                "description": a.description,
                "interventions": list(a.interventions),
            }
            for a in study.arms
        ],
        central_contacts=[c.as_dict() for c in study.central_contacts],
        eligibility_text=study.eligibility_text,
        inclusion=list(study.inclusion),
        exclusion=list(study.exclusion),
        last_update=study.last_update,
        first_posted=study.first_posted,
        content_sha256=study.content_hash,
        parser_version=version,
        raw=dict(study.raw),
        source=source[:300],
        updated_at=now,
    )
    if stored is None:
        trial = Trial.objects.create(nct_id=study.nct_id, imported_at=now, **fields)
    else:
        Trial.objects.filter(pk=stored["id"]).update(**fields)
        trial = Trial.objects.get(pk=stored["id"])
        trial.sites.all().delete()
        trial.criteria.all().delete()
    TrialSite.objects.bulk_create(
        [
            TrialSite(
                trial=trial,
                position=i,
                facility=s.facility[:300],
                city=s.city[:120],
                state=s.state[:120],
                country=s.country[:120],
                zip=s.zip[:20],
                lat=s.lat,
                lon=s.lon,
                status=s.status[:30],
                contacts=[c.as_dict() for c in s.contacts],
            )
            for i, s in enumerate(study.sites)
        ]
    )
    TrialCriterion.objects.bulk_create(
        [
            TrialCriterion(
                trial=trial,
                position=i,
                section=c.section,
                bullet=c.position,
                kind=c.kind,
                polarity=c.polarity,
                params=dict(c.params),
                text=c.text,
            )
            for i, c in enumerate(criteria_for(study, t))
        ]
    )
    return trial


def import_path(path, *, progress: Callable[[int], None] | None = None) -> ImportResult:
    """A file or a directory of ClinicalTrials.gov v2 JSON."""
    return import_parsed(ctgov.read_path(path, tree()), source=str(path), progress=progress)


def count_records(path) -> int:
    """How many records a file or directory holds (for a progress bar); unreadable
    files count as one."""
    import json

    total = 0
    for file in ctgov.json_files(path):
        try:
            total += len(ctgov.records_of(json.loads(ctgov.decode(file.read_bytes()))).records)
        except (OSError, ValueError):
            total += 1
    return total


# --- the in-process index ----------------------------------------------------------------


@dataclass
class Registry:
    """The built index and gazetteer, with the registry state they were built from."""

    key: tuple
    index: TrialIndex
    gazetteer: Gazetteer
    built_at: float  # time.monotonic()
    build_seconds: float


_lock = threading.Lock()
_current: Registry | None = None


def registry_key() -> tuple:
    agg = Trial.objects.aggregate(n=Count("pk"), changed=Max("updated_at"), top=Max("pk"))
    return (agg["n"], agg["changed"], agg["top"], parser_version())


#: A large registry (one whose index took longer than this to build) is rebuilt at most
#: once per ten build times: while a sync imports page after page, ranking keeps
#: answering from the index of a minute ago instead of rebuilding after every page.
SLOW_BUILD_SECONDS = 5.0


def registry() -> Registry:
    """The index for the registry as it is now: built once per process and rebuilt
    when trials were imported, updated or removed since (one cheap query decides)."""
    global _current
    key = registry_key()
    current = _current
    if current is not None and (current.key == key or _recent_slow(current)):
        return current
    with _lock:
        if _current is not None and (_current.key == key or _recent_slow(_current)):
            return _current
        _current = _build(key)
        return _current


def _recent_slow(reg: Registry) -> bool:
    return (
        reg.build_seconds > SLOW_BUILD_SECONDS
        and time.monotonic() - reg.built_at < 10 * reg.build_seconds
    )


def forget_index() -> None:
    global _current
    with _lock:
        _current = None


def _build(key: tuple) -> Registry:
    started = time.monotonic()
    open_statuses = sorted(ctgov.OPEN_STATUSES)
    trials = list(
        Trial.objects.filter(overall_status__in=open_statuses)
        .order_by("pk")
        .values_list(
            "pk",
            "nct_id",
            "title",
            "official_title",
            "brief_summary",
            "conditions",
            "keywords",
            "inclusion",
            "phases",
            "overall_status",
            "oncotree_codes",
            "central_contacts",
        )
    )
    ids = [row[0] for row in trials]
    sites: dict[int, list[SitePoint]] = {}
    gazetteer = Gazetteer()
    for row in TrialSite.objects.order_by("trial_id", "position").values_list(
        "trial_id",
        "facility",
        "city",
        "state",
        "country",
        "zip",
        "lat",
        "lon",
        "status",
        "contacts",
    ):
        trial_id, facility, city, state, country, zip_code, lat, lon, status, contacts = row
        gazetteer.add(city=city, state=state, country=country, zip=zip_code, lat=lat, lon=lon)
        sites.setdefault(trial_id, []).append(
            SitePoint(facility, city, state, country, lat, lon, status, _contact(contacts))
        )
    criteria: dict[int, list[Criterion]] = {}
    for trial_id, kind, polarity, params, text, section, bullet in (
        TrialCriterion.objects.filter(trial_id__in=ids)
        .exclude(kind="text")
        .order_by("trial_id", "position")
        .values_list("trial_id", "kind", "polarity", "params", "text", "section", "bullet")
        .iterator(chunk_size=5000)
    ):
        criteria.setdefault(trial_id, []).append(
            Criterion(kind, polarity, params, text, section, bullet)
        )
    entries = [
        TrialEntry(
            nct_id=nct_id,
            title=title,
            phases=tuple(phases),
            status=status,
            codes=tuple(codes),
            criteria=tuple(criteria.get(pk, ())),
            sites=tuple(sites.get(pk, ())),
            central_contact=_contact(central),
            text=" ".join(
                [title, official, " ".join(conds), " ".join(kws), summary, " ".join(incl)]
            ),
        )
        for (
            pk,
            nct_id,
            title,
            official,
            summary,
            conds,
            kws,
            incl,
            phases,
            status,
            codes,
            central,
        ) in trials
    ]
    index = TrialIndex.build(entries, tree())
    return Registry(key, index, gazetteer, time.monotonic(), time.monotonic() - started)


def _contact(contacts: list[dict]) -> str:
    for c in contacts or []:
        text = " · ".join(p for p in (c.get("name"), c.get("phone"), c.get("email")) if p)
        if text:
            return text
    return ""


# --- ranking for a case -------------------------------------------------------------------


def home_of(member, gazetteer: Gazetteer | None = None) -> tuple[float, float] | None:
    """The member's home as coordinates, from their ZIP code, city or state (offline)."""
    gazetteer = gazetteer if gazetteer is not None else registry().gazetteer
    place = gazetteer.locate(
        city=member.city or "", state=member.state or "", postal_code=member.postal_code or ""
    )
    return place.point if place else None


def rank_for_case(case, limit: int = 10, as_of: dt.date | None = None) -> list[dict]:
    """Open trials for the case's patient, best first, as plain dicts:
    {nct_id, title, phase, status, score, eligibility, criteria: [{text, verdict,
    reason}], site: {facility, city, state, distance_km, status, contact} or None, url}.

    Reads the case's current facts: only a caller that passed the access policy
    ("decision.view") may call it; it does not audit by itself.
    """
    from consilium.apps.preparation.facts import patient_profile

    reg = registry()
    profile = patient_profile(case, home=home_of(case.member, reg.gazetteer))
    ranked = rank(reg.index, profile, as_of=as_of or timezone.localdate(), limit=limit)
    return [r.as_dict() for r in ranked]


# --- the registry page --------------------------------------------------------------------


def criteria_rows(trial: Trial) -> Iterator[dict[str, Any]]:
    """The trial's bullets in order, each with the structured criteria read from it."""
    by_bullet: dict[tuple[str, int], dict[str, Any]] = {}
    for c in trial.criteria.order_by("position"):
        key = (c.section, c.bullet)
        row = by_bullet.setdefault(
            key, {"section": c.section, "text": c.text, "structured": [], "bullet": c.bullet}
        )
        if c.kind != "text":
            crit = Criterion(c.kind, c.polarity, c.params, c.text, c.section, c.bullet)
            row["structured"].append(
                {"kind": c.kind, "polarity": c.polarity, "reads": crit.describe()}
            )
    yield from by_bullet.values()
