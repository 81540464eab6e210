"""Trial registry at scale (run by hand): 100,000 trials, 10,000 patients.

    uv run python bench/trials_registry.py [--trials 100000] [--patients 10000] \
        [--data ../shared/data/trials/ctgov-v2] [--seed 5]

1. Reads the real ClinicalTrials.gov v2 records (../shared/data/trials/ctgov-v2) and
   reads each one's eligibility criteria (timed: the per-record cost of an import).
2. Synthesizes --trials trials by varying them: a new NCT number; for a third of them
   another common cancer type (conditions, codes, title and the cancer-type criterion);
   the status (most open, some closed), the phase, the ECOG and age limits, and the sites
   (a subset, moved to one of 40 US cities with jitter, each site's recruitment status).
3. Synthesizes --patients patients: cancer type weighted like a review program, stage,
   biomarkers of that type (EGFR/ALK/KRAS/PD-L1 for lung, ER/PR/HER2 for breast,
   MSI/KRAS/BRAF for colorectal...), prior treatments, ECOG, brain metastases, age, sex
   and a home in one of the 40 cities.
4. Times the index build (cancer-type postings, BM25 over the trials' text, site grid),
   then matches and ranks every patient (top 10; every candidate's structured criteria
   evaluated) and reports p50/p95/max per patient, the total, and peak memory (max RSS).

Prints one JSON object. Goals (issue 5): index build < 60 s, one patient < 100 ms at p95,
all patients < 5 minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import resource
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from consilium.engines.decision.profile import Biomarker, PatientProfile, Treatment
from consilium.engines.knowledge.cancer_types import common_types
from consilium.engines.trials.ctgov import read_path
from consilium.engines.trials.eligibility import REGISTRY, Criterion, parse_criteria
from consilium.engines.trials.index import SitePoint, TrialEntry, TrialIndex, entry_from_study
from consilium.engines.trials.rank import rank

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "trials" / "ctgov-v2"

CITIES = [
    ("Cleveland", "Ohio", 41.50, -81.69),
    ("Columbus", "Ohio", 39.96, -83.00),
    ("Cincinnati", "Ohio", 39.10, -84.51),
    ("Detroit", "Michigan", 42.33, -83.05),
    ("Ann Arbor", "Michigan", 42.28, -83.74),
    ("Chicago", "Illinois", 41.88, -87.63),
    ("Indianapolis", "Indiana", 39.77, -86.16),
    ("Pittsburgh", "Pennsylvania", 40.44, -80.00),
    ("Philadelphia", "Pennsylvania", 39.95, -75.17),
    ("Milwaukee", "Wisconsin", 43.04, -87.91),
    ("Louisville", "Kentucky", 38.25, -85.76),
    ("New York", "New York", 40.71, -74.01),
    ("Boston", "Massachusetts", 42.36, -71.06),
    ("Baltimore", "Maryland", 39.29, -76.61),
    ("Houston", "Texas", 29.76, -95.37),
    ("Dallas", "Texas", 32.78, -96.80),
    ("San Antonio", "Texas", 29.42, -98.49),
    ("Los Angeles", "California", 34.05, -118.24),
    ("San Francisco", "California", 37.77, -122.42),
    ("San Diego", "California", 32.72, -117.16),
    ("Seattle", "Washington", 47.61, -122.33),
    ("Portland", "Oregon", 45.52, -122.68),
    ("Denver", "Colorado", 39.74, -104.99),
    ("Phoenix", "Arizona", 33.45, -112.07),
    ("Salt Lake City", "Utah", 40.76, -111.89),
    ("Minneapolis", "Minnesota", 44.98, -93.27),
    ("St. Louis", "Missouri", 38.63, -90.20),
    ("Kansas City", "Missouri", 39.10, -94.58),
    ("Nashville", "Tennessee", 36.16, -86.78),
    ("Atlanta", "Georgia", 33.75, -84.39),
    ("Miami", "Florida", 25.76, -80.19),
    ("Tampa", "Florida", 27.95, -82.46),
    ("Charlotte", "North Carolina", 35.23, -80.84),
    ("Durham", "North Carolina", 35.99, -78.90),
    ("Richmond", "Virginia", 37.54, -77.44),
    ("New Orleans", "Louisiana", 29.95, -90.07),
    ("Omaha", "Nebraska", 41.26, -95.93),
    ("Oklahoma City", "Oklahoma", 35.47, -97.52),
    ("Albuquerque", "New Mexico", 35.08, -106.65),
    ("Rochester", "Minnesota", 44.02, -92.47),
]
STATUSES = [
    ("RECRUITING", 55),
    ("NOT_YET_RECRUITING", 15),
    ("ACTIVE_NOT_RECRUITING", 12),
    ("COMPLETED", 10),
    ("TERMINATED", 4),
    ("ENROLLING_BY_INVITATION", 2),
    ("WITHDRAWN", 2),
]
SITE_STATUSES = [("RECRUITING", 70), ("NOT_YET_RECRUITING", 15), ("", 10), ("COMPLETED", 5)]
PHASES = [("PHASE1",), ("PHASE1", "PHASE2"), ("PHASE2",), ("PHASE2", "PHASE3"), ("PHASE3",)]
# Biomarkers a patient of each tissue may carry: (symbol, statuses with weights, alteration).
MARKERS = {
    "Lung": [
        ("EGFR", 0.2, ["L858R", "exon 19 deletion", "exon 20 insertion"]),
        ("ALK", 0.05, ["fusion"]),
        ("KRAS", 0.25, ["G12C", "G12D", "G12V"]),
        ("PD-L1", 0.6, None),
    ],
    "Breast": [("ER", 0.75, None), ("PR", 0.65, None), ("HER2", 0.2, None)],
    "Bowel": [
        ("MSI", 0.12, None),
        ("KRAS", 0.4, ["G12D", "G12V", "G13D"]),
        ("BRAF", 0.1, ["V600E"]),
    ],
    "Skin": [("BRAF", 0.45, ["V600E", "V600K"])],
    "Prostate": [("BRCA2", 0.1, ["mutation"])],
    "Soft Tissue": [("KIT", 0.8, ["exon 11 deletion"])],
}
TREATMENTS = [
    ("carboplatin", "chemotherapy"),
    ("paclitaxel", "chemotherapy"),
    ("pembrolizumab", "immunotherapy"),
    ("osimertinib", "targeted_therapy"),
    ("letrozole", "hormone_therapy"),
    ("trastuzumab", "targeted_therapy"),
    ("FOLFOX", "chemotherapy"),
    ("radiation therapy", "radiation"),
    ("lobectomy", "surgery"),
    ("enzalutamide", "hormone_therapy"),
]


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def base_entries(data: Path):
    studies = {}
    for parsed in read_path(data):
        if parsed.study is not None:
            studies[parsed.study.nct_id] = parsed.study
    t = time.perf_counter()
    entries = []
    for s in studies.values():
        criteria = parse_criteria(
            s.inclusion,
            s.exclusion,
            min_age=s.min_age_years,
            max_age=s.max_age_years,
            sex=s.sex,
            condition_codes=s.oncotree_codes,
            conditions=s.conditions,
        )
        entries.append(entry_from_study(s, [c for c in criteria if c.structured]))
    per_record_ms = (time.perf_counter() - t) * 1000 / max(1, len(studies))
    return entries, per_record_ms


def synthesize_trials(bases: list[TrialEntry], n: int, rng: random.Random) -> list[TrialEntry]:
    types = list(common_types())
    out = []
    for i in range(n):
        base = bases[i % len(bases)]
        codes, text, title = base.codes, base.text, base.title
        criteria = list(base.criteria)
        if rng.random() < 0.33:
            t = rng.choice(types)
            codes = (t.code,)
            title = f"{base.title.split(' in ')[0]} in {t.name}"
            text = f"{title} {t.name} {t.main_type} {base.text[:1500]}"
            criteria = [
                Criterion(
                    "cancer_type",
                    c.polarity,
                    {"codes": [t.code]},
                    f"Conditions: {t.name}",
                    REGISTRY,
                )
                if c.kind == "cancer_type" and c.section == REGISTRY
                else c
                for c in criteria
                if not (c.kind == "cancer_type" and c.section != REGISTRY)
            ]
        varied = []
        for c in criteria:
            if c.kind == "ecog" and rng.random() < 0.5:
                c = replace(c, params={**c.params, "max": rng.choice([1, 2])})
            elif c.kind == "age" and c.section == REGISTRY and rng.random() < 0.3:
                c = replace(c, params={**c.params, "min": rng.choice([18, 21, 40])})
            varied.append(c)
        sites = []
        for s in (
            rng.sample(base.sites, min(len(base.sites), rng.randint(1, 12))) if base.sites else []
        ):
            city, state, lat, lon = rng.choice(CITIES)
            sites.append(
                SitePoint(
                    s.facility,
                    city,
                    state,
                    "United States",
                    lat + rng.uniform(-0.3, 0.3),
                    lon + rng.uniform(-0.3, 0.3),
                    weighted(rng, SITE_STATUSES),
                    s.contact,
                )
            )
        out.append(
            TrialEntry(
                nct_id=f"NCT{90000000 + i:08d}",
                title=title,
                phases=rng.choice(PHASES) if rng.random() < 0.5 else base.phases,
                status=weighted(rng, STATUSES),
                codes=codes,
                criteria=tuple(varied),
                sites=tuple(sites),
                central_contact=base.central_contact,
                text=text,
            )
        )
    return out


def synthesize_patients(n: int, rng: random.Random) -> list[PatientProfile]:
    types = list(common_types())
    weights = [
        6 if t.tissue in ("Breast", "Lung") else 3 if t.tissue in ("Bowel", "Prostate") else 1
        for t in types
    ]
    out = []
    for _ in range(n):
        t = rng.choices(types, weights=weights)[0]
        stage = rng.choice(["I", "II", "IIIA", "IIIB", "IV", "IV", None])
        biomarkers = {}
        for symbol, share, alterations in MARKERS.get(t.tissue, []):
            if rng.random() < 0.8:  # tested
                positive = rng.random() < share
                value = str(rng.choice([0, 5, 30, 60, 90])) if symbol == "PD-L1" else None
                biomarkers[symbol] = Biomarker(
                    symbol,
                    "positive" if positive else "negative",
                    rng.choice(alterations) if positive and alterations else None,
                    value,
                )
        treatments = tuple(
            Treatment(name, kind, dt.date(2024, rng.randint(1, 12), 1))
            for name, kind in rng.sample(TREATMENTS, rng.randint(0, 3))
        )
        city, state, lat, lon = rng.choice(CITIES)
        out.append(
            PatientProfile(
                cancer_type=t.code,
                stage_group=stage,
                metastatic=(stage == "IV") if stage else None,
                biomarkers=biomarkers,
                treatments=treatments,
                ecog=rng.choice([0, 0, 1, 1, 2, 3, None]),
                brain_metastases=rng.choice([False, False, True, None]),
                measurable_disease=rng.choice([True, True, False, None]),
                birth_date=dt.date(rng.randint(1940, 1995), rng.randint(1, 12), rng.randint(1, 28)),
                sex="female" if t.tissue == "Breast" else rng.choice(["female", "male"]),
                home=(lat + rng.uniform(-0.5, 0.5), lon + rng.uniform(-0.5, 0.5)),
            )
        )
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=100_000)
    ap.add_argument("--patients", type=int, default=10_000)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    if not a.data.is_dir():
        sys.exit(f"{a.data}: real ClinicalTrials.gov records not found (see --data)")
    rng = random.Random(a.seed)
    result: dict = {"trials": a.trials, "patients": a.patients}

    t = time.perf_counter()
    bases, per_record_ms = base_entries(a.data)
    result["base_records"] = len(bases)
    result["criteria_reading_ms_per_record"] = round(per_record_ms, 2)
    trials = synthesize_trials(bases, a.trials, rng)
    patients = synthesize_patients(a.patients, rng)
    result["synthesis_s"] = round(time.perf_counter() - t, 1)
    result["rss_after_synthesis_mb"] = round(rss_mb())

    gc.collect()
    t = time.perf_counter()
    index = TrialIndex.build(trials)
    result["index_build_s"] = round(time.perf_counter() - t, 2)
    result["open_trials"] = int(index.open_mask.sum())
    result["recruiting_sites_indexed"] = int(index.site_lat.size)
    result["rss_after_index_mb"] = round(rss_mb())

    as_of = dt.date(2025, 6, 1)
    rank(index, patients[0], as_of=as_of)  # warm-up (first BM25 call compiles its scorer)
    times = []
    labels = {"eligible": 0, "possibly eligible": 0, "not eligible": 0}
    empty = 0
    t_all = time.perf_counter()
    for p in patients:
        t = time.perf_counter()
        ranked = rank(index, p, as_of=as_of, limit=10)
        times.append((time.perf_counter() - t) * 1000)
        if not ranked:
            empty += 1
        for r in ranked:
            labels[r.eligibility] += 1
    total = time.perf_counter() - t_all
    times.sort()
    result.update(
        {
            "match_rank_ms_p50": round(statistics.median(times), 1),
            "match_rank_ms_p95": round(times[int(0.95 * (len(times) - 1))], 1),
            "match_rank_ms_max": round(times[-1], 1),
            "all_patients_s": round(total, 1),
            "patients_without_a_trial": empty,
            "top10_labels": labels,
            "peak_rss_mb": round(rss_mb()),
        }
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
