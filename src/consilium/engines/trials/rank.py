"""Ranking trials for one patient.

Each candidate from the index has every structured criterion evaluated (met, not met,
unknown, with the reason). The order is:

1. eligibility: trials with nothing contradicting the record first ("eligible" when
   every structured criterion is met, "possibly eligible" when some are unknown), trials
   whose record contradicts a criterion last ("not eligible");
2. within that, a score in 0..1 that weighs the share of criteria known to be met
   (0.40), relevance: cancer-type fit and BM25 text match (0.30), phase (0.15) and the
   distance from the member's home to the nearest recruiting site (0.15).

Distance is great-circle (haversine) to the sites that are recruiting; with no home
known, distance counts as neutral and no distance is shown.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from consilium.engines.decision.profile import PatientProfile
from consilium.engines.trials.eligibility import (
    MET,
    NOT_MET,
    REGISTRY,
    UNKNOWN,
    Verdict,
    evaluate,
)
from consilium.engines.trials.geo import haversine_km
from consilium.engines.trials.index import SitePoint, TrialEntry, TrialIndex, phase_score

ELIGIBLE, POSSIBLY, NOT_ELIGIBLE = "eligible", "possibly eligible", "not eligible"
TIER = {ELIGIBLE: 2, POSSIBLY: 1, NOT_ELIGIBLE: 0}
WEIGHTS = {"eligibility": 0.40, "relevance": 0.30, "phase": 0.15, "distance": 0.15}
DISTANCE_SCALE_KM = 400.0  # a site this far away scores 1/e of one next door
PRIOR_UNKNOWN = 2
_VERDICT_ORDER = {NOT_MET: 0, UNKNOWN: 1, MET: 2}


@dataclass(frozen=True)
class SiteChoice:
    site: SitePoint
    distance_km: float | None


@dataclass(frozen=True)
class Ranked:
    entry: TrialEntry
    score: float
    eligibility: str
    verdicts: tuple[Verdict, ...]
    site: SiteChoice | None
    relevance: float

    def as_dict(self) -> dict[str, Any]:
        """The plain form other tools read (decision support, ``trials match --json``)."""
        site = None
        if self.site is not None:
            s = self.site.site
            site = {
                "facility": s.facility,
                "city": s.city,
                "state": s.state,
                "distance_km": (
                    round(self.site.distance_km, 1) if self.site.distance_km is not None else None
                ),
                "status": s.status or self.entry.status,
                "contact": s.contact or self.entry.central_contact or None,
            }
        return {
            "nct_id": self.entry.nct_id,
            "title": self.entry.title,
            "phase": self.entry.phase,
            "status": self.entry.status,
            "score": round(self.score, 3),
            "eligibility": self.eligibility,
            "criteria": [
                {"text": v.criterion.text, "verdict": v.verdict, "reason": v.reason}
                for v in self.verdicts
            ],
            "site": site,
            "url": self.entry.url,
        }


def nearest_site(entry: TrialEntry, home: tuple[float, float] | None) -> SiteChoice | None:
    """The nearest recruiting site with coordinates; without a home, the first
    recruiting site (a US one first)."""
    recruiting = entry.recruiting_sites()
    if not recruiting:
        return None
    if home is None:
        us = [s for s in recruiting if s.country.lower() in ("united states", "usa", "us")]
        return SiteChoice((us or recruiting)[0], None)
    # The nearest by a flat-earth measure (cheap, and orders sites the same way at the
    # distances that matter), then its great-circle distance.
    scale = math.cos(math.radians(home[0])) ** 2
    best, best_d2 = None, 0.0
    for s in recruiting:
        if s.lat is None or s.lon is None:
            continue
        dlon = (s.lon - home[1] + 180.0) % 360.0 - 180.0
        d2 = (s.lat - home[0]) ** 2 + scale * dlon**2
        if best is None or d2 < best_d2:
            best, best_d2 = s, d2
    if best is None:
        return SiteChoice(recruiting[0], None)
    return SiteChoice(best, haversine_km(home[0], home[1], best.lat, best.lon))


def eligibility_of(verdicts: list[Verdict]) -> str:
    return _label(
        sum(v.verdict == MET for v in verdicts),
        sum(v.verdict == UNKNOWN for v in verdicts),
        sum(v.verdict == NOT_MET for v in verdicts),
        any(v.criterion.section != REGISTRY for v in verdicts),
    )


def _label(met: int, unknown: int, not_met: int, from_text: bool) -> str:
    """Not eligible when the record contradicts a criterion; eligible when every
    structured criterion is met and at least one of them comes from the eligibility text
    (the registry's conditions and ages alone are too little to call a patient
    eligible); possibly eligible otherwise."""
    if not_met:
        return NOT_ELIGIBLE
    if met and not unknown and from_text:
        return ELIGIBLE
    return POSSIBLY


def rank(
    index: TrialIndex,
    profile: PatientProfile,
    *,
    as_of: dt.date,
    limit: int = 10,
    shortlist: int = 300,
    include_not_eligible: bool = True,
) -> list[Ranked]:
    """The best ``limit`` open trials for the patient, best first."""
    scored = []
    # The verdict on a requirement depends on what it asks, not on the trial: evaluate
    # each distinct requirement once for this patient.
    memo: dict[str, tuple[str, str]] = {}
    for cand in index.candidates(profile, shortlist=shortlist):
        entry = index.entries[cand.position]
        met = unknown = not_met = 0
        from_text = False
        for c, key in zip(entry.criteria, entry.keys, strict=True):
            known = memo.get(key)
            if known is None:
                v = evaluate(c, profile, as_of=as_of, tree=index.tree)
                known = memo[key] = (v.verdict, v.reason)
            if known[0] == MET:
                met += 1
            elif known[0] == UNKNOWN:
                unknown += 1
            else:
                not_met += 1
            from_text = from_text or c.section != REGISTRY
        label = _label(met, unknown, not_met, from_text)
        if label == NOT_ELIGIBLE and not include_not_eligible:
            continue
        # Share of criteria known to be met, shrunk towards zero for trials with few
        # structured criteria (as if two more were unknown): five met of five says more
        # than two met of two.
        met_share = met / (met + unknown + PRIOR_UNKNOWN)
        relevance = 0.6 * cand.type_score + 0.4 * cand.text_score
        site = nearest_site(entry, profile.home)
        if profile.home is None:
            closeness = 0.5
        elif site is None or site.distance_km is None:
            closeness = 0.0
        else:
            closeness = math.exp(-site.distance_km / DISTANCE_SCALE_KM)
        score = (
            WEIGHTS["eligibility"] * met_share
            + WEIGHTS["relevance"] * relevance
            + WEIGHTS["phase"] * phase_score(entry.phases)
            + WEIGHTS["distance"] * closeness
        )
        scored.append((-TIER[label], -score, entry.nct_id, label, score, entry, site, relevance))
    scored.sort(key=lambda t: t[:3])
    out = []
    for _tier, _neg, _id, label, score, entry, site, relevance in scored[:limit]:
        verdicts = [
            Verdict(c, *memo[key]) for c, key in zip(entry.criteria, entry.keys, strict=True)
        ]
        verdicts.sort(key=lambda v: _VERDICT_ORDER[v.verdict])
        out.append(Ranked(entry, score, label, tuple(verdicts), site, relevance))
    return out
