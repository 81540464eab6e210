"""The claims rules as data: rules.yaml plus the code-list files beside it.

Nothing clinical lives in the pipeline code; it reads a `Rules` object built here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("data")
RULES_FILE = DATA / "rules.yaml"
HCPCS_FILE = DATA / "codes_hcpcs.csv"
NDC_FILE = DATA / "codes_ndc.csv"


@dataclass(frozen=True)
class CodeRange:
    """An inclusive range of HCPCS/CPT codes of one shape (e.g. 5 digits, J + 4 digits,
    4 digits + U). The shape matters: compared as text, '00100' (an anesthesia CPT code)
    sorts between '0001U' and '0999U'."""

    code_from: str
    code_to: str
    description: str
    source: str

    @property
    def pattern(self) -> str:
        shape = "".join("[0-9]" if c.isdigit() else re.escape(c) for c in self.code_from)
        return f"^{shape}$"


@dataclass(frozen=True)
class Trigger:
    name: str
    weight: float
    label: str
    hcpcs_lists: tuple[str, ...] = ()
    ndc_list: str | None = None
    groups: tuple[str, ...] = ()
    paid_threshold: float | None = None


@dataclass(frozen=True)
class Rules:
    version: str
    window_days: int
    recent_days: int
    clean_period_days: int
    code_prefix: str
    excluded_categories: tuple[str, ...]
    inpatient_claim_type: str
    inpatient_bill_type_prefixes: tuple[str, ...]
    min_inpatient_claims: int
    min_outpatient_dates: int
    group_excluded_categories: tuple[str, ...]
    unknown_group: str
    unknown_tissue: str
    # ICD-10-CM category (3 characters) -> (group, OncoTree tissue)
    categories: dict[str, tuple[str, str]]
    metastatic_categories: tuple[str, ...]
    triggers: dict[str, Trigger]
    hcpcs: dict[str, tuple[CodeRange, ...]]
    # list name -> 9-digit labeler+product codes (the first 9 digits of an 11-digit NDC)
    ndc: dict[str, tuple[str, ...]]

    @property
    def lookback_days(self) -> int:
        """How far back the engine reads: a start in the recent days needs a clean period
        before it."""
        return max(self.window_days, self.recent_days + self.clean_period_days)

    def weight(self, trigger: str) -> float:
        return self.triggers[trigger].weight


def ndc_product_to_11(product_ndc: str) -> str:
    """FDA product NDCs come as 4-4, 5-3 or 5-4 digits; claims carry the 11-digit 5-4-2
    form, so pad the short segment to reach 5-4 (the HIPAA 11-digit convention)."""
    labeler, product = product_ndc.split("-")
    if not (labeler.isdigit() and product.isdigit()):
        raise ValueError(f"not a product NDC: {product_ndc}")
    labeler, product = labeler.zfill(5), product.zfill(4)
    if len(labeler) != 5 or len(product) != 4:
        raise ValueError(f"not a product NDC: {product_ndc}")
    return labeler + product


@cache
def load(path: Path = RULES_FILE) -> Rules:
    doc = yaml.safe_load(path.read_text())
    q = doc["qualification"]
    g = doc["cancer_group"]
    categories: dict[str, tuple[str, str]] = {}
    for group, tissues in g["groups"].items():
        for tissue, cats in tissues.items():
            for cat in cats:
                if cat in categories:
                    raise ValueError(f"{cat} is listed twice in {path.name}")
                categories[cat] = (group, tissue)

    hcpcs: dict[str, list[CodeRange]] = {}
    with HCPCS_FILE.open(newline="") as fh:
        for row in csv.DictReader(fh):
            hcpcs.setdefault(row["list"], []).append(
                CodeRange(row["code_from"], row["code_to"], row["description"], row["source"])
            )
    ndc: dict[str, list[str]] = {}
    with NDC_FILE.open(newline="") as fh:
        for row in csv.DictReader(fh):
            ndc.setdefault(row["list"], []).append(ndc_product_to_11(row["product_ndc"]))

    triggers = {
        name: Trigger(
            name=name,
            weight=float(spec["weight"]),
            label=spec["label"],
            hcpcs_lists=tuple(spec.get("hcpcs_lists", ())),
            ndc_list=spec.get("ndc_list"),
            groups=tuple(spec.get("groups", ())),
            paid_threshold=spec.get("paid_threshold"),
        )
        for name, spec in doc["triggers"].items()
    }
    for t in triggers.values():
        for lst in t.hcpcs_lists:
            if lst not in hcpcs:
                raise ValueError(f"trigger {t.name}: no code list {lst!r} in {HCPCS_FILE.name}")
        if t.ndc_list and t.ndc_list not in ndc:
            raise ValueError(f"trigger {t.name}: no NDC list {t.ndc_list!r}")

    return Rules(
        version=str(doc["version"]),
        window_days=int(doc["window"]["days"]),
        recent_days=int(doc["window"]["recent_days"]),
        clean_period_days=int(doc["window"]["clean_period_days"]),
        code_prefix=q["code_prefix"],
        excluded_categories=tuple(q["excluded_categories"]),
        inpatient_claim_type=q["inpatient"]["claim_type"],
        inpatient_bill_type_prefixes=tuple(q["inpatient"]["bill_type_prefixes"]),
        min_inpatient_claims=int(q["min_inpatient_claims"]),
        min_outpatient_dates=int(q["min_outpatient_dates"]),
        group_excluded_categories=tuple(g["excluded_categories"]),
        unknown_group=g["unknown_group"],
        unknown_tissue=g["unknown_tissue"],
        categories=categories,
        metastatic_categories=tuple(doc["metastatic"]["categories"]),
        triggers=triggers,
        hcpcs={k: tuple(v) for k, v in hcpcs.items()},
        ndc={k: tuple(v) for k, v in ndc.items()},
    )
