"""CTML matching benchmark (run by hand; figures go to bench/RESULTS.md).

    uv run python bench/ctml_match.py                 # shared examples + 1,000 x 1,000
    uv run python bench/ctml_match.py --trials 200 --patients 200

1. MatchMiner's example trials (../shared/data/ctml: trials/, yaml/, integration_trials/)
   against its example patients (clinical_json/genomic_json), in process.
2. A synthetic run: N trials made by varying the example trials (genes, protein changes,
   diagnoses, ages, open/suspended arms) and M patients (diagnoses from OncoTree, birth
   dates, 0-12 genomic documents), matched patient by patient: total time, clause
   evaluations and matches a second, p50/p95 per patient, peak memory.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
import resource
import statistics
import time
from pathlib import Path

from consilium.engines.knowledge.oncotree import shipped_tree
from consilium.engines.trials.ctml import load_file, parse_trial
from consilium.engines.trials.match import Matcher
from consilium.engines.trials.patients import build_patients, load_patients

CTML = Path(__file__).resolve().parents[2] / "shared" / "data" / "ctml"
AS_OF = dt.date(2025, 6, 15)
GENES = {
    "BRAF": ["p.V600E", "p.V600K", "p.G469A", "p.K601E"],
    "KRAS": ["p.G12C", "p.G12D", "p.G12V", "p.G13D", "p.Q61H"],
    "NRAS": ["p.G12D", "p.Q61K", "p.Q61R"],
    "EGFR": ["p.L858R", "p.E746_A750del", "p.T790M", "p.C797S"],
    "PIK3CA": ["p.H1047R", "p.E545K", "p.E542K"],
    "TP53": ["p.R175H", "p.R248Q", "p.R273H"],
    "IDH1": ["p.R132H", "p.R132C"],
    "ERBB2": ["p.S310F", "p.V777L"],
    "ARID1A": ["p.R911Q", "p.Q1334*"],
    "ALK": ["p.F1174L"],
}
CNV_GENES = ["ERBB2", "MET", "CDKN2A", "MYC", "FGFR1"]
CNV_CALLS = ["High level amplification", "Gain", "Homozygous deletion", "Heterozygous deletion"]
CTML_CNV = [
    "High Amplification",
    "Low Amplification",
    "Homozygous Deletion",
    "Heterozygous Deletion",
]


def shared_examples() -> None:
    if not CTML.is_dir():
        print(f"shared examples: skipped ({CTML} absent)")
        return
    started = time.perf_counter()
    trials = []
    for folder in ("trials", "yaml", "integration_trials"):
        for path in sorted((CTML / folder).iterdir()):
            trials.extend(load_file(path))  # every file, duplicates included
    clinical, genomic = [], []
    for i in (1, 2):
        patients, _ = load_patients(
            CTML / "clinical_json" / f"test_patient_{i}.json",
            CTML / "genomic_json" / f"test_patient_{i}.json",
        )
        clinical.extend(p.clinical for p in patients)
        genomic.extend(d for p in patients for d in p.genomic)
    patients, _ = build_patients(clinical, genomic)
    loaded = time.perf_counter()
    matcher = Matcher(trials, AS_OF)
    matches = matcher.match_all(patients)
    done = time.perf_counter()
    clauses = len(matcher.clauses)
    print(
        f"shared examples: {len(trials)} trial documents ({clauses} match clauses) x "
        f"{len(patients)} patients -> {len(matches)} matches; "
        f"load {1000 * (loaded - started):.1f} ms, "
        f"compile+match {1000 * (done - loaded):.2f} ms"
    )


def synthetic_trials(n: int, rng: random.Random, names: list[str]) -> list[dict]:
    base = []
    if CTML.is_dir():
        for path in sorted((CTML / "integration_trials").iterdir()) + sorted(
            (CTML / "trials").iterdir()
        ):
            text = path.read_text()
            try:
                doc = json.loads(text)
            except json.JSONDecodeError:
                continue
            base.extend(doc if isinstance(doc, list) else [doc])

    def genomic_leaf() -> dict:
        roll = rng.random()
        if roll < 0.45:
            gene = rng.choice(list(GENES))
            leaf = {"hugo_symbol": gene, "variant_category": "Mutation"}
            if rng.random() < 0.5:
                leaf["wildcard_protein_change"] = rng.choice(GENES[gene])[:-1]
            elif rng.random() < 0.5:
                leaf["protein_change"] = rng.choice(GENES[gene])
            return leaf
        if roll < 0.6:
            return {
                "hugo_symbol": rng.choice(CNV_GENES),
                "variant_category": "CNV",
                "cnv_call": rng.choice(CTML_CNV),
            }
        if roll < 0.7:
            return {"hugo_symbol": rng.choice(list(GENES)), "variant_category": "!Mutation"}
        if roll < 0.8:
            return {"ms_status": rng.choice(["MSI-H", "MSS"])}
        return {"hugo_symbol": rng.choice(list(GENES)), "variant_category": "Any Variation"}

    def clinical_leaf() -> dict:
        leaf = {"age_numerical": rng.choice([">=18", ">=18", ">=12", "<75", ">18"])}
        roll = rng.random()
        if roll < 0.15:
            leaf["oncotree_primary_diagnosis"] = rng.choice(["_SOLID_", "_LIQUID_"])
        elif roll < 0.85:
            leaf["oncotree_primary_diagnosis"] = rng.choice(names)
        if rng.random() < 0.1:
            leaf["gender"] = rng.choice(["Male", "Female"])
        return leaf

    def tree() -> list:
        alternatives = [{"clinical": clinical_leaf()} for _ in range(rng.randint(1, 4))]
        parts = [{"genomic": genomic_leaf()} for _ in range(rng.randint(1, 2))]
        return [{"and": [*parts, {"or": alternatives}]}]

    out = []
    for i in range(n):
        doc = (
            copy.deepcopy(rng.choice(base))
            if base
            else {"treatment_list": {"step": [{"arm": [{}]}]}}
        )
        doc["protocol_no"] = f"SYN-{i:05d}"
        doc["nct_id"] = f"NCT{90000000 + i}"
        for step in doc["treatment_list"]["step"]:
            if "match" in step:
                step["match"] = tree()
            arms = step.get("arm") or [{"arm_code": "A"}]
            step["arm"] = arms
            for arm in arms:
                arm["match"] = tree()
                arm["arm_suspended"] = "Y" if rng.random() < 0.2 else "N"
                for dose in arm.get("dose_level") or []:
                    if "match" in dose:
                        dose["match"] = tree()
        out.append(doc)
    return out


def synthetic_patients(n: int, rng: random.Random, names: list[str]) -> tuple[list, list]:
    clinical, genomic = [], []
    for i in range(n):
        sample = f"SYN-P{i:05d}"
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 85))
        clinical.append(
            {
                "SAMPLE_ID": sample,
                "BIRTH_DATE": birth.isoformat(),
                "GENDER": rng.choice(["Male", "Female"]),
                "ONCOTREE_PRIMARY_DIAGNOSIS_NAME": rng.choice(names),
                "TUMOR_MUTATIONAL_BURDEN_PER_MEGABASE": round(rng.uniform(0, 40), 1),
            }
        )
        for _ in range(rng.randint(0, 8)):
            gene = rng.choice(list(GENES))
            genomic.append(
                {
                    "SAMPLE_ID": sample,
                    "TRUE_HUGO_SYMBOL": gene,
                    "TRUE_PROTEIN_CHANGE": rng.choice(GENES[gene]),
                    "VARIANT_CATEGORY": "MUTATION",
                    "TRUE_VARIANT_CLASSIFICATION": "Missense_Mutation",
                }
            )
        for _ in range(rng.randint(0, 3)):
            genomic.append(
                {
                    "SAMPLE_ID": sample,
                    "TRUE_HUGO_SYMBOL": rng.choice(CNV_GENES),
                    "VARIANT_CATEGORY": "CNV",
                    "CNV_CALL": rng.choice(CNV_CALLS),
                }
            )
        if rng.random() < 0.5:
            status = rng.choice(["Deficient (MMR-D / MSI-H)", "Proficient (MMR-P / MSS)"])
            genomic.append({"SAMPLE_ID": sample, "MMR_STATUS": status})
    return clinical, genomic


def synthetic(n_trials: int, n_patients: int, seed: int) -> None:
    rng = random.Random(seed)
    tree = shipped_tree()
    # diagnoses weighted to the common branches, as a review program sees them
    common = [
        "Lung",
        "Non-Small Cell Lung Cancer",
        "Lung Adenocarcinoma",
        "Breast",
        "Invasive Breast Carcinoma",
        "Colorectal Adenocarcinoma",
        "Melanoma",
        "Cutaneous Melanoma",
        "Bowel",
        "Acute Myeloid Leukemia",
        "Lymphoid",
    ]
    names = common * 20 + [n.name for n in tree.iter_nodes()]
    t0 = time.perf_counter()
    docs = synthetic_trials(n_trials, rng, names)
    trials = [parse_trial(d, "synthetic") for d in docs]
    clinical, genomic = synthetic_patients(n_patients, rng, names)
    patients, _ = build_patients(clinical, genomic)
    t1 = time.perf_counter()
    matcher = Matcher(trials, AS_OF, tree)
    t2 = time.perf_counter()
    per_patient, total = [], 0
    for patient in patients:
        s = time.perf_counter()
        total += len(matcher.match_patient(patient))
        per_patient.append(time.perf_counter() - s)
    t3 = time.perf_counter()
    clauses = len(matcher.clauses)
    q = statistics.quantiles(per_patient, n=100)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"synthetic: {n_trials} trials ({clauses} match clauses) x {n_patients} patients "
        f"({len(genomic)} genomic documents)\n"
        f"  build inputs {t1 - t0:.2f} s, compile {1000 * (t2 - t1):.0f} ms, "
        f"match {t3 - t2:.2f} s\n"
        f"  {clauses * n_patients / (t3 - t2):,.0f} clause evaluations/s, {total:,} matches "
        f"({total / (t3 - t2):,.0f} matches/s)\n"
        f"  per patient: p50 {1000 * q[49]:.1f} ms, p95 {1000 * q[94]:.1f} ms, "
        f"max {1000 * max(per_patient):.1f} ms\n"
        f"  peak RSS {rss:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    shared_examples()
    synthetic(args.trials, args.patients, args.seed)


if __name__ == "__main__":
    main()
