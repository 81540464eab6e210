"""A synthetic claims delivery in the Tuva input layer layout, with what was planted.

Members are generated in chunks (default 100,000) and each chunk is written as Parquet
part files, merged at the end by DuckDB's streaming COPY, so memory stays bounded by the
chunk whatever the member count. Same seed, same arguments -> same files.

The model, per member:
- background care for everyone: a few claims over the 15 months before the as-of date,
  common non-cancer diagnoses, E/M, lab and imaging codes; institutional/professional mix;
- about 2% with an active cancer, the group mix close to US incidence among adults, with
  office visits carrying the cancer code in varying positions (with or without dots, some
  lower case), an inpatient stay for some, metastatic codes, infusions (J-codes + CPT
  administration), oral drugs (NDC fills), radiation, surgery, molecular tests;
- decoys that must not qualify: non-melanoma skin cancer (C44) only, a single outpatient
  rule-out visit, cancer history older than the window, history-of codes (Z85), in situ (D0x);
- enrollment gaps and ended coverage; and a few bad rows (empty person_id, unreadable
  dates, unknown claim types) on background lines only, so planted truth stays exact.

Truth (truth.parquet): every planted cancer member and decoy with qualifies, cancer_group,
oncotree_tissue, metastatic, enrolled and the planted triggers.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from consilium.engines.claims import rules as rules_mod

N_DX = 25
MEDICAL_COLUMNS = [
    "claim_id",
    "claim_line_number",
    "claim_type",
    "person_id",
    "member_id",
    "payer",
    "plan",
    "claim_start_date",
    "claim_end_date",
    "place_of_service_code",
    "bill_type_code",
    "hcpcs_code",
    "diagnosis_code_type",
    *[f"diagnosis_code_{i}" for i in range(1, N_DX + 1)],
    "paid_amount",
    "allowed_amount",
    "rendering_npi",
]
PHARMACY_COLUMNS = [
    "claim_id",
    "claim_line_number",
    "person_id",
    "member_id",
    "payer",
    "plan",
    "dispensing_date",
    "ndc_code",
    "days_supply",
    "paid_amount",
]
ELIGIBILITY_COLUMNS = [
    "person_id",
    "member_id",
    "gender",
    "birth_date",
    "enrollment_start_date",
    "enrollment_end_date",
    "payer",
    "plan",
    "state",
    # Tuva eligibility's optional contact columns: what outreach needs to create the
    # member when a coordinator opens a proactive case.
    "first_name",
    "last_name",
    "address",
    "city",
    "zip_code",
    "phone",
]

# Common non-cancer diagnoses (ICD-10-CM, without dots as most payers send them).
BACKGROUND_DX = [
    "I10",
    "E119",
    "E785",
    "Z0000",
    "Z23",
    "M545",
    "J069",
    "R05",
    "K219",
    "F329",
    "E039",
    "N390",
    "M179",
    "R109",
    "Z1231",
    "J45909",
    "G4733",
    "E669",
    "R0789",
]
# Codes that look like cancer but must not qualify.
DECOY_DX = ["Z853", "Z8546", "D0510", "D069", "D12", "Z1211"]
BACKGROUND_HCPCS = [
    "99213",
    "99214",
    "99203",
    "80053",
    "85025",
    "71046",
    "36415",
    "93000",
    "G0439",
    "99396",
    None,
]
PLANS = ["gold", "silver", "bronze"]
STATES = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI"]
# A city and its ZIP prefix for each state above (synthetic addresses only).
STATE_CITIES = {
    "CA": ("Sacramento", "958"),
    "TX": ("Austin", "787"),
    "NY": ("Albany", "122"),
    "FL": ("Tallahassee", "323"),
    "IL": ("Springfield", "627"),
    "PA": ("Harrisburg", "171"),
    "OH": ("Columbus", "432"),
    "GA": ("Atlanta", "303"),
    "NC": ("Raleigh", "276"),
    "MI": ("Lansing", "489"),
}

# group -> share of adults with active cancer (approximate US mix); rare groups small.
GROUP_MIX = {
    "breast": 15,
    "prostate": 11,
    "lung": 9,
    "colorectal": 8,
    "lymphoma": 6,
    "melanoma": 5,
    "leukemia": 4,
    "bladder_urinary": 4,
    "kidney": 3.5,
    "uterus": 3.5,
    "thyroid": 3,
    "head_and_neck": 3,
    "pancreas": 2.5,
    "esophagogastric": 2.5,
    "myeloma": 2,
    "ovary": 2,
    "liver": 2,
    "brain_cns": 1.5,
    "cervix": 1,
    "sarcoma": 1,
    "biliary": 0.6,
    "testis": 0.5,
    "anal": 0.5,
    "small_bowel": 0.4,
    "mesothelioma": 0.3,
    "bone": 0.3,
    "eye": 0.2,
    "merkel_cell": 0.2,
    "thymus": 0.1,
    "neuroendocrine": 0.8,
    "other": 1,
}
INFUSION_J = ["J9045", "J9267", "J9271", "J9355", "J9035", "J9299", "J9171", "J9201", "J9310"]
CHEMO_ADMIN = ["96413", "96415", "96417", "96409"]
RADIATION = ["77385", "77386", "77412", "77014"]
RADIATION_PLAN = ["77263", "77301", "77300"]
MOLECULAR = ["81445", "81455", "0037U", "81210", "81275", "0022U"]
SURGERY = {
    "breast": "19303",
    "lung": "32480",
    "colorectal": "44140",
    "prostate": "55866",
    "pancreas": "48150",
    "kidney": "50545",
    "bladder_urinary": "51570",
    "esophagogastric": "43631",
    "liver": "47120",
    "ovary": "58950",
    "thyroid": "60252",
    "brain_cns": "61510",
    "uterus": "58950",
}
ORAL_GROUPS = {"breast", "prostate", "lung", "leukemia", "myeloma", "lymphoma"}


@cache
def _people_names() -> dict[str, list[str]]:
    """First and last names and streets of the synthetic demo program (one list for
    every synthetic person in the project)."""
    import yaml

    path = Path(__file__).parents[1] / "synthetic" / "data" / "people.yaml"
    doc = yaml.safe_load(path.read_text())
    return {
        "female": doc["first_names"]["female"],
        "male": doc["first_names"]["male"],
        "last": doc["last_names"],
        "streets": doc["streets"],
    }


@dataclass(frozen=True)
class SynthResult:
    members: int
    medical_lines: int
    pharmacy_lines: int
    eligibility_rows: int
    truth_rows: int


class _Chunk:
    """Rows of one chunk, as column lists."""

    def __init__(self) -> None:
        self.med: dict[str, list] = {c: [] for c in MEDICAL_COLUMNS}
        self.rx: dict[str, list] = {c: [] for c in PHARMACY_COLUMNS}
        self.truth: list[dict] = []


def _iso(days: np.ndarray, base: dt.date) -> np.ndarray:
    epoch = np.datetime64(base.isoformat()) + days.astype("timedelta64[D]")
    return np.datetime_as_string(epoch, unit="D").astype(object)


class Generator:
    def __init__(
        self,
        seed: int,
        as_of: dt.date,
        rules: rules_mod.Rules | None = None,
        claims_per_member: float = 4.0,
        bad_row_rate: float = 0.002,
    ):
        self.seed = seed
        self.as_of = as_of
        self.rules = rules or rules_mod.load()
        self.claims_per_member = claims_per_member
        self.bad_row_rate = bad_row_rate
        self.lookback = self.rules.lookback_days  # days before A the data reaches
        self.recent = self.rules.recent_days
        self.window = self.rules.window_days
        cats: dict[str, list[str]] = {}
        for cat, (group, _t) in self.rules.categories.items():
            cats.setdefault(group, []).append(cat)
        self.group_cats = cats
        self.groups = list(GROUP_MIX)
        w = np.array([GROUP_MIX[g] for g in self.groups], dtype=float)
        self.group_p = w / w.sum()
        self.ndc = self.rules.ndc["antineoplastic_ndc"]

    # -- helpers -----------------------------------------------------------------
    def _date(self, days_before: int) -> str:
        return (self.as_of - dt.timedelta(days=int(days_before))).isoformat()

    def _office_line(
        self,
        ch: _Chunk,
        pid: str,
        claim: str,
        day: int,
        hcpcs: str | None,
        dx: list[str],
        paid: float,
    ) -> None:
        """A one-line professional claim (office, infusion, imaging, surgeon)."""
        self._line(ch, pid, claim, 1, "professional", day, None, hcpcs, dx, paid)

    def _line(
        self,
        ch: _Chunk,
        pid: str,
        claim: str,
        line: int,
        ctype: str,
        day: int,
        bill: str | None,
        hcpcs: str | None,
        dx: list[str],
        paid: float,
    ) -> None:
        m = ch.med
        m["claim_id"].append(claim)
        m["claim_line_number"].append(line)
        m["claim_type"].append(ctype)
        m["person_id"].append(pid)
        m["member_id"].append("M" + pid)
        m["payer"].append("synthetic health plan")
        m["plan"].append("gold")
        m["claim_start_date"].append(self._date(day))
        m["claim_end_date"].append(self._date(day))
        m["place_of_service_code"].append(None if ctype == "institutional" else "11")
        m["bill_type_code"].append(bill)
        m["hcpcs_code"].append(hcpcs)
        m["diagnosis_code_type"].append("icd-10-cm")
        for i in range(N_DX):
            m[f"diagnosis_code_{i + 1}"].append(dx[i] if i < len(dx) else None)
        m["paid_amount"].append(round(paid, 2))
        m["allowed_amount"].append(round(paid * 1.15, 2))
        m["rendering_npi"].append("1000000000")

    def _code(self, rng: np.random.Generator, cat: str) -> str:
        suffix = str(rng.integers(0, 10)) + ("1" if rng.random() < 0.5 else "")
        style = rng.random()
        if style < 0.5:
            return f"{cat}.{suffix}"
        if style < 0.9:
            return f"{cat}{suffix}"
        return f"{cat}.{suffix}".lower()

    def _dx(
        self, rng: np.random.Generator, cancer: str, extra: list[str] | None = None
    ) -> list[str]:
        """A diagnosis list with the cancer code in position 1 usually, later sometimes."""
        others = list(rng.choice(BACKGROUND_DX, size=int(rng.integers(0, 4)), replace=False))
        pos = 0 if (rng.random() < 0.7 or not others) else int(rng.integers(1, len(others) + 1))
        codes = others[:pos] + [cancer] + others[pos:]
        return codes + (extra or [])

    # -- members -----------------------------------------------------------------
    def _cancer_member(
        self, rng: np.random.Generator, ch: _Chunk, pid: str, enrolled: bool
    ) -> None:
        A = 0  # days before the as-of date
        r = self.rules
        group = self.groups[int(rng.choice(len(self.groups), p=self.group_p))]
        cats = self.group_cats[group]
        cat = cats[int(rng.integers(0, len(cats)))]
        tissue = r.categories[cat][1]
        ws = self.window - 1  # window start, in days before A
        rs = self.recent - 1  # recent start
        new_dx = rng.random() < 0.2
        onset = int(rng.integers(5, rs + 1)) if new_dx else int(rng.integers(rs + 30, 900))
        inpatient_q = rng.random() < 0.3
        remission = (not new_dx) and rng.random() < 0.04  # one visit in the window: not qualifying
        seq = [0]

        def claim() -> str:
            seq[0] += 1
            return f"C{pid}-{seq[0]}"

        first_in_window = min(onset, ws)
        # visits with the cancer code (outpatient, professional), distinct days
        if remission:
            visit_days = [int(rng.integers(0, ws + 1))]
            inpatient_q = False
        else:
            n = int(rng.integers(2, 12))
            visit_days = sorted(
                {int(d) for d in rng.integers(A, first_in_window + 1, size=n)}, reverse=True
            )
            if len(visit_days) < 2:  # guarantee two distinct dates
                visit_days = sorted({first_in_window, max(A, first_in_window - 1)}, reverse=True)
            if onset <= ws:  # the first cancer claim in the window is the onset day
                visit_days = sorted(set(visit_days) | {onset}, reverse=True)
        code = self._code(rng, cat)
        for d in visit_days:
            self._office_line(
                ch,
                pid,
                claim(),
                d,
                str(rng.choice(["99214", "99215", "99205"])),
                self._dx(rng, code),
                float(rng.uniform(120, 400)),
            )
        # history before the window for established cancers (look-back period)
        if onset > ws:
            for d in rng.integers(ws + 1, min(onset, self.lookback - 1) + 1, size=2):
                if d > ws:
                    self._office_line(
                        ch,
                        pid,
                        claim(),
                        int(d),
                        "99214",
                        self._dx(rng, self._code(rng, cat)),
                        float(rng.uniform(120, 300)),
                    )
        cost_days: list[tuple[int, float]] = [(d, 0.0) for d in visit_days]
        if inpatient_q:
            d = int(rng.integers(A, min(onset, ws) + 1))
            paid = float(rng.uniform(15000, 60000))
            self._line(
                ch,
                pid,
                claim(),
                1,
                "institutional",
                d,
                str(rng.choice(["111", "112", "211"])),
                None,
                self._dx(rng, self._code(rng, cat)),
                paid,
            )
            cost_days.append((d, paid))
        # a second, less frequent group (one date, earlier than the main group's dates)
        if len(visit_days) >= 3 and rng.random() < 0.1:
            other = self.groups[int(rng.integers(0, len(self.groups)))]
            if other != group:
                ocats = self.group_cats[other]
                d = visit_days[-1]
                self._office_line(
                    ch,
                    pid,
                    claim(),
                    d,
                    "99213",
                    self._dx(rng, self._code(rng, ocats[int(rng.integers(0, len(ocats)))])),
                    150.0,
                )
        metastatic = (not remission) and rng.random() < 0.25
        if metastatic:
            mcat = str(rng.choice(r.metastatic_categories))
            for d in visit_days[: max(1, len(visit_days) // 2)]:
                self._office_line(
                    ch,
                    pid,
                    claim(),
                    d,
                    "99215",
                    [self._code(rng, cat), self._code(rng, mcat)],
                    250.0,
                )
        triggers: set[str] = set()
        qualifies = not remission
        if new_dx:
            triggers.add("new_diagnosis")
        if metastatic:
            triggers.add("metastatic")
        if group in r.triggers["rare_cancer"].groups:
            triggers.add("rare_cancer")
        # systemic therapy
        systemic_any = False
        if not remission and rng.random() < 0.4:
            recent_start = new_dx or rng.random() < 0.5
            start = (
                int(rng.integers(A, rs + 1))
                if recent_start
                else int(rng.integers(rs + 1, min(onset, self.lookback - 1) + 1))
            )
            start = min(start, onset)
            if recent_start and start > rs:
                recent_start = False
            oral = group in ORAL_GROUPS and rng.random() < 0.3
            days = list(range(start, A - 1, -21 if not oral else -30))
            systemic_any = any(d <= ws for d in days)
            for d in days:
                if oral:
                    ndc = str(rng.choice(self.ndc)) + f"{int(rng.integers(1, 99)):02d}"
                    paid = float(rng.uniform(8000, 15000))
                    self._rx(ch, pid, claim(), d, ndc, paid)
                else:
                    c = claim()
                    j_paid = float(rng.uniform(1000, 9000))
                    self._office_line(
                        ch,
                        pid,
                        c,
                        d,
                        str(rng.choice(INFUSION_J)),
                        self._dx(rng, self._code(rng, cat)),
                        j_paid,
                    )
                    self._line(
                        ch,
                        pid,
                        c,
                        2,
                        "professional",
                        d,
                        None,
                        str(rng.choice(CHEMO_ADMIN)),
                        self._dx(rng, self._code(rng, cat)),
                        300.0,
                    )
                    paid = j_paid + 300.0
                cost_days.append((d, paid))
            if recent_start and days:
                triggers.add("systemic_therapy_started")
        # radiation
        if not remission and rng.random() < 0.2:
            recent_start = rng.random() < 0.5
            start = (
                int(rng.integers(10, rs + 1)) if recent_start else int(rng.integers(rs + 60, 360))
            )
            start = min(start, onset) if not recent_start else start
            if recent_start and start > onset:
                start = onset
            plan = claim()
            self._office_line(
                ch,
                pid,
                plan,
                start,
                str(rng.choice(RADIATION_PLAN)),
                self._dx(rng, code),
                900.0,
            )
            cost_days.append((start, 900.0))
            for k in range(1, 11):
                d = start - k
                if d < A:
                    break
                self._office_line(
                    ch,
                    pid,
                    claim(),
                    d,
                    str(rng.choice(RADIATION)),
                    self._dx(rng, code),
                    600.0,
                )
                cost_days.append((d, 600.0))
            if start <= rs:
                triggers.add("radiation_started")
        # surgery
        if not remission and group in SURGERY and rng.random() < 0.15:
            d = int(rng.integers(A, min(onset, ws) + 1))
            paid = float(rng.uniform(20000, 60000))
            self._office_line(
                ch,
                pid,
                claim(),
                d,
                SURGERY[group],
                self._dx(rng, code),
                paid,
            )
            cost_days.append((d, paid))
            if d <= rs:
                triggers.add("major_surgery")
        # molecular testing for advanced disease in the biomarker groups
        bm = r.triggers["biomarker_testing_missing"]
        advanced = metastatic or systemic_any
        if group in bm.groups and advanced:
            if rng.random() < 0.65:
                d = int(rng.integers(A, min(onset, ws) + 1))
                self._office_line(
                    ch,
                    pid,
                    claim(),
                    d,
                    str(rng.choice(MOLECULAR)),
                    self._dx(rng, code),
                    3500.0,
                )
                cost_days.append((d, 3500.0))
            else:
                triggers.add("biomarker_testing_missing")
        ch.truth.append(
            {
                "person_id": pid,
                "qualifies": qualifies,
                "cancer_group": group,
                "oncotree_tissue": tissue,
                "metastatic": metastatic,
                "enrolled": enrolled,
                "new_diagnosis": new_dx,
                "triggers": sorted(triggers) if qualifies else [],
            }
        )

    def _rx(self, ch: _Chunk, pid: str, claim: str, day: int, ndc: str, paid: float) -> None:
        x = ch.rx
        x["claim_id"].append(claim)
        x["claim_line_number"].append(1)
        x["person_id"].append(pid)
        x["member_id"].append("M" + pid)
        x["payer"].append("synthetic health plan")
        x["plan"].append("gold")
        x["dispensing_date"].append(self._date(day))
        x["ndc_code"].append(ndc)
        x["days_supply"].append(30)
        x["paid_amount"].append(round(paid, 2))

    def _decoy(self, rng: np.random.Generator, ch: _Chunk, pid: str, enrolled: bool) -> None:
        kind = rng.choice(["c44", "single_visit", "old_history", "z85"])
        ws = self.window - 1
        if kind == "c44":
            for k, d in enumerate(rng.integers(0, ws + 1, size=3)):
                self._office_line(
                    ch,
                    pid,
                    f"C{pid}-{k}",
                    int(d),
                    "17311",
                    ["C44.311" if rng.random() < 0.5 else "c443"],
                    500.0,
                )
        elif kind == "single_visit":
            cat = self.group_cats["lung"][1]
            self._line(
                ch,
                pid,
                f"C{pid}-1",
                1,
                "institutional",
                int(rng.integers(0, ws + 1)),
                "131",
                "71250",
                ["R911", f"{cat}.90"],
                400.0,
            )
        elif kind == "old_history":  # cancer claims only before the window
            for k, d in enumerate(rng.integers(ws + 1, self.lookback, size=3)):
                self._office_line(
                    ch,
                    pid,
                    f"C{pid}-{k}",
                    int(d),
                    "99214",
                    ["C50.911"],
                    200.0,
                )
        else:
            for k, d in enumerate(rng.integers(0, ws + 1, size=2)):
                self._office_line(
                    ch,
                    pid,
                    f"C{pid}-{k}",
                    int(d),
                    "99213",
                    [str(rng.choice(DECOY_DX))],
                    150.0,
                )
        ch.truth.append(
            {
                "person_id": pid,
                "qualifies": False,
                "cancer_group": None,
                "oncotree_tissue": None,
                "metastatic": False,
                "enrolled": enrolled,
                "new_diagnosis": False,
                "triggers": [],
            }
        )

    def _background(self, rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
        """Everyone's ordinary care, vectorized."""
        n_claims = rng.poisson(self.claims_per_member, size=len(ids))
        owner = np.repeat(np.arange(len(ids)), n_claims)
        k = len(owner)
        lines = 1 + rng.poisson(0.8, size=k)
        claim_no = np.arange(k)
        line_owner = np.repeat(owner, lines)
        line_claim = np.repeat(claim_no, lines)
        starts = np.cumsum(lines) - lines
        line_no = np.arange(len(line_owner)) - np.repeat(starts, lines) + 1
        n = len(line_owner)
        days = rng.integers(0, self.lookback, size=k)[line_claim]
        inst = (rng.random(k) < 0.2)[line_claim]
        bill_choice = np.array(["131", "111", "117", "211", "831", "731"], dtype=object)
        bill = np.where(
            inst,
            bill_choice[rng.choice(6, size=k, p=[0.6, 0.15, 0.05, 0.05, 0.1, 0.05])][line_claim],
            None,
        )
        pid = ids[line_owner]
        df = pd.DataFrame(
            {
                "claim_id": np.char.add(
                    np.char.add("B", pid.astype(str)), np.char.add("-", line_claim.astype(str))
                ).astype(object),
                "claim_line_number": line_no.astype(np.int64),
                "claim_type": np.where(inst, "institutional", "professional").astype(object),
                "person_id": pid.astype(object),
                "member_id": np.char.add("M", pid.astype(str)).astype(object),
                "payer": "synthetic health plan",
                "plan": np.array(PLANS, dtype=object)[rng.integers(0, 3, size=n)],
                "claim_start_date": _iso(-days, self.as_of),
                "claim_end_date": _iso(-days, self.as_of),
                "place_of_service_code": np.where(
                    inst,
                    None,
                    np.array(["11", "22", "21", "81"], dtype=object)[rng.integers(0, 4, size=n)],
                ),
                "bill_type_code": bill,
                "hcpcs_code": np.array(BACKGROUND_HCPCS, dtype=object)[
                    rng.integers(0, len(BACKGROUND_HCPCS), size=n)
                ],
                "diagnosis_code_type": "icd-10-cm",
            }
        )
        ndx = rng.integers(1, 5, size=n)
        dxpool = np.array(BACKGROUND_DX + DECOY_DX[:1], dtype=object)
        for i in range(N_DX):
            col = np.full(n, None, dtype=object)
            if i < 4:
                has = ndx > i
                col[has] = dxpool[rng.integers(0, len(dxpool), size=int(has.sum()))]
            df[f"diagnosis_code_{i + 1}"] = col
        paid = np.round(rng.lognormal(4.6, 1.0, size=n), 2)
        df["paid_amount"] = paid
        df["allowed_amount"] = np.round(paid * 1.15, 2)
        df["rendering_npi"] = "1000000000"
        # bad rows: a few background lines with an empty person, an unreadable date or an
        # unknown claim type
        bad = np.flatnonzero(rng.random(n) < self.bad_row_rate)
        kinds = rng.integers(0, 3, size=len(bad))
        pids = df["person_id"].to_numpy(copy=True)
        dates = df["claim_start_date"].to_numpy(copy=True)
        types = df["claim_type"].to_numpy(copy=True)
        pids[bad[kinds == 0]] = ""
        dates[bad[kinds == 1]] = np.array(["2024-13-45", "31/12/2024", "not a date"], dtype=object)[
            rng.integers(0, 3, size=int((kinds == 1).sum()))
        ]
        types[bad[kinds == 2]] = "dental"
        df["person_id"], df["claim_start_date"], df["claim_type"] = pids, dates, types
        return df

    def _eligibility(
        self, rng: np.random.Generator, ids: np.ndarray, enrolled: np.ndarray, gap: np.ndarray
    ) -> pd.DataFrame:
        n = len(ids)
        start = self.as_of - dt.timedelta(days=800)
        rows_pid = [ids]
        starts = [np.full(n, start.isoformat(), dtype=object)]
        ended = self.as_of - dt.timedelta(days=30)
        ends = [np.where(enrolled, None, ended.isoformat()).astype(object)]
        # a gap: first span ends, second starts again before the as-of date
        g = np.flatnonzero(gap & enrolled)
        if len(g):
            ends[0][g] = (self.as_of - dt.timedelta(days=200)).isoformat()
            rows_pid.append(ids[g])
            starts.append(
                np.full(len(g), (self.as_of - dt.timedelta(days=150)).isoformat(), dtype=object)
            )
            ends.append(np.full(len(g), None, dtype=object))
        pid = np.concatenate(rows_pid)
        m = len(pid)
        df = pd.DataFrame(
            {
                "person_id": pid.astype(object),
                "member_id": np.char.add("M", pid.astype(str)).astype(object),
                "gender": np.array(["female", "male"], dtype=object)[rng.integers(0, 2, size=m)],
                "birth_date": _iso(-rng.integers(18 * 365, 85 * 365, size=m), self.as_of),
                "enrollment_start_date": np.concatenate(starts),
                "enrollment_end_date": np.concatenate(ends),
                "payer": "synthetic health plan",
                "plan": np.array(PLANS, dtype=object)[rng.integers(0, 3, size=m)],
                "state": np.array(STATES, dtype=object)[rng.integers(0, len(STATES), size=m)],
            }
        )
        self._contact(df)
        return df

    def _contact(self, df: pd.DataFrame) -> None:
        """Names, address and phone, one per person (a person's spans share them), drawn
        from a random stream of their own so every other value is the same as without."""
        people = _people_names()
        # Seeded by the chunk's first person number, so each chunk has its own stream.
        rng = np.random.default_rng([self.seed, int(df["person_id"].iloc[0][1:]), 7])
        first = df.drop_duplicates("person_id")
        n = len(first)
        female = (first["gender"] == "female").to_numpy()
        names = np.where(
            female,
            np.array(people["female"], dtype=object)[rng.integers(0, len(people["female"]), n)],
            np.array(people["male"], dtype=object)[rng.integers(0, len(people["male"]), n)],
        )
        last = np.array(people["last"], dtype=object)[rng.integers(0, len(people["last"]), n)]
        streets = np.array(people["streets"], dtype=object)
        number = rng.integers(100, 9900, n).astype(str)
        address = np.char.add(
            np.char.add(number, " "), streets[rng.integers(0, len(streets), n)].astype(str)
        )
        city = first["state"].map(lambda st: STATE_CITIES[st][0]).to_numpy()
        zip3 = first["state"].map(lambda st: STATE_CITIES[st][1]).to_numpy().astype(str)
        zip_code = np.char.add(zip3, np.char.zfill(rng.integers(0, 100, n).astype(str), 2))
        phone = np.char.add("555-01", np.char.zfill(rng.integers(0, 100, n).astype(str), 2))
        by_person = pd.DataFrame(
            {
                "person_id": first["person_id"].to_numpy(),
                "first_name": names,
                "last_name": last,
                "address": address.astype(object),
                "city": city,
                "zip_code": zip_code.astype(object),
                "phone": phone.astype(object),
            }
        ).set_index("person_id")
        for col in by_person.columns:
            df[col] = df["person_id"].map(by_person[col]).to_numpy()

    def chunk(self, index: int, first: int, count: int):
        rng = np.random.default_rng([self.seed, index])
        ids = np.array([f"P{first + i:09d}" for i in range(count)], dtype=object)
        enrolled = rng.random(count) >= 0.04
        gap = rng.random(count) < 0.03
        med = self._background(rng, ids)
        ch = _Chunk()
        roll = rng.random(count)
        for i in np.flatnonzero(roll < 0.02):
            self._cancer_member(rng, ch, str(ids[i]), bool(enrolled[i]))
        for i in np.flatnonzero((roll >= 0.02) & (roll < 0.03)):
            self._decoy(rng, ch, str(ids[i]), bool(enrolled[i]))
        planted = pd.DataFrame(ch.med, columns=MEDICAL_COLUMNS)
        if len(planted):
            planted["claim_line_number"] = planted["claim_line_number"].astype(np.int64)
            med = pd.concat([med, planted], ignore_index=True)
        rx = pd.DataFrame(ch.rx, columns=PHARMACY_COLUMNS)
        elig = self._eligibility(rng, ids, enrolled, gap)
        truth = pd.DataFrame(
            ch.truth,
            columns=[
                "person_id",
                "qualifies",
                "cancer_group",
                "oncotree_tissue",
                "metastatic",
                "enrolled",
                "new_diagnosis",
                "triggers",
            ],
        )
        self._plant_high_cost(med, rx, truth)
        return med, rx, elig, truth

    def _plant_high_cost(self, med: pd.DataFrame, rx: pd.DataFrame, truth: pd.DataFrame) -> None:
        """High cost depends on every paid line of the member (background care included),
        so the truth is summed from the rows written, clean rows only."""
        if truth.empty:
            return
        recent = (self.as_of - dt.timedelta(days=self.recent - 1)).isoformat()
        last = self.as_of.isoformat()
        d = pd.to_datetime(med["claim_start_date"], format="%Y-%m-%d", errors="coerce")
        ok = (
            d.notna()
            & (med["person_id"] != "")
            & med["claim_type"].isin(["institutional", "professional"])
            & (med["claim_start_date"] >= recent)
            & (med["claim_start_date"] <= last)
        )
        paid = med.loc[ok].groupby("person_id")["paid_amount"].sum()
        if len(rx):
            rok = (rx["dispensing_date"] >= recent) & (rx["dispensing_date"] <= last)
            paid = paid.add(rx.loc[rok].groupby("person_id")["paid_amount"].sum(), fill_value=0)
        limit = self.rules.triggers["high_cost"].paid_threshold
        costly = set(paid[paid > limit].index)
        truth["triggers"] = [
            sorted(set(t) | {"high_cost"}) if (q and p in costly) else t
            for p, q, t in zip(
                truth["person_id"], truth["qualifies"], truth["triggers"], strict=True
            )
        ]


# DuckDB types for the written files: dates as text (as many deliveries send them), ids
# and codes as text, amounts as doubles.
_CASTS = {
    "medical_claim": {
        "claim_line_number": "INTEGER",
        "paid_amount": "DOUBLE",
        "allowed_amount": "DOUBLE",
    },
    "pharmacy_claim": {
        "claim_line_number": "INTEGER",
        "days_supply": "INTEGER",
        "paid_amount": "DOUBLE",
    },
    "eligibility": {},
    "truth": {
        "qualifies": "BOOLEAN",
        "metastatic": "BOOLEAN",
        "enrolled": "BOOLEAN",
        "new_diagnosis": "BOOLEAN",
    },
}


def _select(name: str, columns: list[str]) -> str:
    casts = _CASTS[name]
    out = []
    for c in columns:
        if c == "triggers":
            out.append('CAST("triggers" AS VARCHAR[]) AS "triggers"')
        elif c in casts:
            out.append(f'CAST("{c}" AS {casts[c]}) AS "{c}"')
        else:
            out.append(f'CAST("{c}" AS VARCHAR) AS "{c}"')
    return ", ".join(out)


def synth(
    out: Path,
    members: int,
    seed: int,
    as_of: dt.date,
    *,
    chunk_size: int = 100_000,
    claims_per_member: float = 4.0,
    progress: Callable[[int, int], None] | None = None,
) -> SynthResult:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parts = out / ".parts"
    shutil.rmtree(parts, ignore_errors=True)
    gen = Generator(seed, as_of, claims_per_member=claims_per_member)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    names = {
        "medical_claim": MEDICAL_COLUMNS,
        "pharmacy_claim": PHARMACY_COLUMNS,
        "eligibility": ELIGIBILITY_COLUMNS,
        "truth": [
            "person_id",
            "qualifies",
            "cancer_group",
            "oncotree_tissue",
            "metastatic",
            "enrolled",
            "new_diagnosis",
            "triggers",
        ],
    }
    for name in names:
        (parts / name).mkdir(parents=True)
    done = 0
    index = 0
    while done < members:
        count = min(chunk_size, members - done)
        frames = dict(zip(names, gen.chunk(index, done, count), strict=True))
        for name, df in frames.items():
            if len(df) == 0:
                continue
            con.register("chunk", df)
            con.execute(
                f"COPY (SELECT {_select(name, names[name])} FROM chunk) TO "
                f"'{parts / name / f'part-{index:06d}.parquet'}' (FORMAT parquet)"
            )
            con.unregister("chunk")
        done += count
        index += 1
        if progress:
            progress(done, members)
    counts = {}
    for name, columns in names.items():
        files = sorted((parts / name).glob("*.parquet"))
        target = out / f"{name}.parquet"
        if files:
            src = "read_parquet([" + ", ".join(f"'{f}'" for f in files) + "])"
        else:  # e.g. no pharmacy fill in a tiny delivery: an empty file with the columns
            src = (
                "(SELECT " + ", ".join(f'NULL::VARCHAR AS "{c}"' for c in columns) + " WHERE false)"
            )
        con.execute(f"COPY (SELECT * FROM {src}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        counts[name] = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
    con.close()
    shutil.rmtree(parts, ignore_errors=True)
    return SynthResult(
        members,
        counts["medical_claim"],
        counts["pharmacy_claim"],
        counts["eligibility"],
        counts["truth"],
    )
