"""The candidate index: which trials to look at for a patient, fast.

Two ways in, joined: trials whose conditions map to the patient's OncoTree code, one of
its ancestors (a trial for "lung cancer" takes an adenocarcinoma) or descendants (a trial
for lung adenocarcinoma may take a patient whose record says only NSCLC: the criterion
will say "confirm"), plus basket trials for any solid or any haematological cancer; and
the trials whose text BM25 ranks highest for the patient's disease, markers and stage
(bm25s over title, conditions, keywords, summary and inclusion criteria; exclusion text
is left out, since its words describe who is not wanted).

Only trials open to patients (recruiting, not yet recruiting, enrolling by invitation)
are candidates; the rest stay in the registry for reference.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np
from bm25s.tokenization import Tokenized

from consilium.engines.decision.profile import PatientProfile
from consilium.engines.knowledge.oncotree import OncoTree, shipped_tree
from consilium.engines.trials.conditions import BASKETS, LIQUID, SOLID
from consilium.engines.trials.ctgov import OPEN_STATUSES, STUDY_URL, Study, phase_label
from consilium.engines.trials.eligibility import Criterion

# bm25s sets its own logger to DEBUG when imported, so building an index would print to
# every command's output (and break a --json stream read with stderr merged).
logging.getLogger("bm25s").setLevel(logging.WARNING)

_GRID_DEG = 1.0  # site grid cell size in degrees (~110 km of latitude)


@dataclass(frozen=True, slots=True)
class SitePoint:
    facility: str
    city: str
    state: str
    country: str
    lat: float | None
    lon: float | None
    status: str
    contact: str  # "Name · phone · email" of the site's contact, or ""


@dataclass(slots=True)
class TrialEntry:
    """What the index keeps of one trial."""

    nct_id: str
    title: str
    phases: tuple[str, ...]
    status: str
    codes: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    sites: tuple[SitePoint, ...]
    central_contact: str = ""
    text: str = ""  # the words BM25 indexes; dropped once the index is built
    # For each structured criterion, a key saying what it asks (kind, polarity,
    # parameters): registrations repeat the same requirements ("ECOG 0-1", "age 18 and
    # over"), and a patient's verdict on one holds for all of them.
    keys: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return STUDY_URL.format(nct_id=self.nct_id)

    @property
    def phase(self) -> str:
        return phase_label(self.phases)

    def recruiting_sites(self) -> list[SitePoint]:
        return [s for s in self.sites if site_recruiting(s.status, self.status)]


def site_recruiting(site_status: str, overall_status: str) -> bool:
    """A site takes patients when it says it is recruiting; a site that gives no status of
    its own follows the trial's (older records carry no per-site status)."""
    if site_status:
        return site_status == "RECRUITING"
    return overall_status == "RECRUITING"


def index_text(study: Study) -> str:
    return " ".join(
        [
            study.title,
            study.official_title,
            " ".join(study.conditions),
            " ".join(study.keywords),
            study.brief_summary,
            " ".join(study.inclusion),
        ]
    )


def entry_from_study(study: Study, criteria: Sequence[Criterion]) -> TrialEntry:
    central = next((c.display() for c in study.central_contacts if c.display()), "")
    return TrialEntry(
        nct_id=study.nct_id,
        title=study.title,
        phases=study.phases,
        status=study.overall_status,
        codes=study.oncotree_codes,
        criteria=tuple(criteria),
        sites=tuple(
            SitePoint(
                s.facility,
                s.city,
                s.state,
                s.country,
                s.lat,
                s.lon,
                s.status,
                next((c.display() for c in s.contacts if c.display()), ""),
            )
            for s in study.sites
        ),
        central_contact=central,
        text=index_text(study),
    )


_KEYS: dict[str, str] = {}


def criterion_key(c: Criterion) -> str:
    key = f"{c.kind}|{c.polarity}|{json.dumps(c.params, sort_keys=True, default=str)}"
    return _KEYS.setdefault(key, key)  # one string object per distinct requirement


_TOKEN = re.compile(r"\w\w+")


def tokens(text: str) -> list[str]:
    """Lower-case words of two characters or more, without English stop words (bm25s's
    own list), as BM25 indexes and queries them."""
    stop = _stopwords()
    return [t for t in _TOKEN.findall(text.lower()) if t not in stop]


_STOP: frozenset[str] | None = None


def _stopwords() -> frozenset[str]:
    global _STOP
    if _STOP is None:
        from bm25s.stopwords import STOPWORDS_EN

        _STOP = frozenset(STOPWORDS_EN)
    return _STOP


@dataclass
class Candidate:
    position: int  # in TrialIndex.entries
    type_score: float  # how closely the trial's conditions fit the patient's cancer type
    text_score: float  # BM25, scaled to 0..1 among the candidates
    near: bool  # a recruiting site within about 300 km of home


@dataclass
class TrialIndex:
    entries: list[TrialEntry]
    tree: OncoTree = field(default_factory=shipped_tree)
    postings: dict[str, np.ndarray] = field(default_factory=dict)
    open_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    retriever: bm25s.BM25 | None = None
    site_lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    site_lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    site_trial: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    grid: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    has_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    phase_arr: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    @classmethod
    def build(cls, entries: Iterable[TrialEntry], tree: OncoTree | None = None) -> TrialIndex:
        entries = list(entries)
        index = cls(entries, tree or shipped_tree())
        n = len(entries)
        index.open_mask = np.array([e.status in OPEN_STATUSES for e in entries], dtype=bool)
        index.has_codes = np.array([bool(e.codes) for e in entries], dtype=bool)
        index.phase_arr = np.array([phase_score(e.phases) for e in entries], dtype=np.float32)
        postings: dict[str, list[int]] = {}
        for i, e in enumerate(entries):
            for code in e.codes:
                postings.setdefault(code, []).append(i)
        index.postings = {k: np.array(v, dtype=np.int32) for k, v in postings.items()}
        if n:
            # Token ids built here, one int object per vocabulary word shared by every
            # document list (the memory of 100,000 trials' text stays small).
            vocab: dict[str, int] = {"_empty_": 0}
            stop, find = _stopwords(), _TOKEN.findall
            corpus = [
                [vocab.setdefault(t, len(vocab)) for t in find(e.text.lower()) if t not in stop]
                or [0]
                for e in entries
            ]
            retriever = bm25s.BM25()
            retriever.index(Tokenized(ids=corpus, vocab=vocab), show_progress=False)
            index.retriever = retriever
            del corpus
        # Criteria read from the same bullet share one params object (the reader caches
        # readings by text): their key is computed once.
        keys: dict[tuple[str, str, int], str] = {}
        for e in entries:
            e.text = ""  # the tokens live in the BM25 index now
            e.criteria = tuple(c for c in e.criteria if c.structured)
            found = []
            for c in e.criteria:
                k = (c.kind, c.polarity, id(c.params))
                key = keys.get(k)
                if key is None:
                    key = keys[k] = criterion_key(c)
                found.append(key)
            e.keys = tuple(found)
        lats, lons, owners = [], [], []
        for i, e in enumerate(entries):
            if not index.open_mask[i]:
                continue
            for s in e.recruiting_sites():
                if s.lat is not None and s.lon is not None:
                    lats.append(s.lat)
                    lons.append(s.lon)
                    owners.append(i)
        index.site_lat = np.array(lats, dtype=np.float64)
        index.site_lon = np.array(lons, dtype=np.float64)
        index.site_trial = np.array(owners, dtype=np.int32)
        cells: dict[tuple[int, int], list[int]] = {}
        for lat, lon, owner in zip(lats, lons, owners, strict=True):
            cells.setdefault(_cell(lat, lon), []).append(owner)
        index.grid = {k: np.unique(np.array(v, dtype=np.int32)) for k, v in cells.items()}
        return index

    def __len__(self) -> int:
        return len(self.entries)

    # --- candidates -----------------------------------------------------------------

    def query_for(self, profile: PatientProfile) -> list[str]:
        words: list[str] = []
        if profile.cancer_type:
            node = self.tree.by_code(profile.cancer_type)
            if node:
                words += [node.name, node.main_type or ""]
            words.append(profile.cancer_type)
        if profile.histology:
            words.append(str(profile.histology))
        for name, b in profile.biomarkers.items():
            status = (b.status or "").lower()
            if status in ("negative", "pending", "not_performed", "equivocal"):
                continue
            words.append(name)
            if b.alteration:
                words.append(str(b.alteration))
        if profile.advanced:
            words.append("metastatic advanced")
        if profile.stage_group:
            words.append(f"stage {profile.stage_group}")
        return tokens(" ".join(words))

    def type_scores(self, code: str | None) -> np.ndarray:
        """Per trial, how closely its conditions fit the code: the code itself or its
        parent 1.0, a broader ancestor 0.8, a narrower code 0.6, a basket 0.4, else 0."""
        out = np.zeros(len(self.entries), dtype=np.float32)
        if not code or self.tree.by_code(code) is None:
            return out

        def add(key: str, score: float) -> None:
            ids = self.postings.get(key)
            if ids is not None:
                np.maximum.at(out, ids, score)

        for depth, anc in enumerate(self.tree.ancestors(code)):
            add(anc, 1.0 if depth == 0 else 0.8)
        for desc in self.tree.descendants(code) - {code}:
            add(desc, 0.6)
        liquid = self.tree.is_liquid(code)
        if liquid is not None:
            add(LIQUID if liquid else SOLID, 0.4)
        add(code, 1.0)
        return out

    def candidates(
        self,
        profile: PatientProfile,
        *,
        text_top: int = 200,
        shortlist: int = 300,
    ) -> list[Candidate]:
        """The open trials worth evaluating for this patient, best first, at most
        ``shortlist`` of them."""
        n = len(self.entries)
        if not n:
            return []
        by_type = self.type_scores(profile.cancer_type)
        known_type = bool(profile.cancer_type and self.tree.by_code(profile.cancer_type))
        in_pool = by_type > 0
        text = np.zeros(n, dtype=np.float32)
        query = self.query_for(profile)
        if query and self.retriever is not None:
            known = [t for t in query if t in self.retriever.vocab_dict]
            if known:
                text = np.asarray(self.retriever.get_scores(known), dtype=np.float32)
        if text.any():
            k = min(text_top, n - 1) if n > 1 else 0
            top = np.argpartition(-text, k)[:text_top] if n > 1 else np.array([0])
            top = top[text[top] > 0]
            # The text brings in trials whose conditions name no cancer type the reader
            # knows; a trial whose conditions name another cancer stays out.
            if known_type:
                top = top[~self.has_codes[top]]
            in_pool[top] = True
        pool = np.flatnonzero(in_pool & self.open_mask)
        if pool.size == 0:
            return []
        near = np.zeros(pool.size, dtype=bool)
        near_ids = self._near(profile.home)
        if near_ids is not None and near_ids.size:
            near_mask = np.zeros(n, dtype=bool)
            near_mask[near_ids] = True
            near = near_mask[pool]
        type_arr = by_type[pool]
        best_text = float(text[pool].max()) or 1.0
        text_arr = text[pool] / best_text
        prelim = 0.45 * type_arr + 0.3 * text_arr + 0.1 * self.phase_arr[pool] + 0.15 * near
        if pool.size > shortlist:
            keep = np.argpartition(-prelim, shortlist)[:shortlist]
        else:
            keep = np.arange(pool.size)
        keep = keep[np.argsort(-prelim[keep], kind="stable")]
        return [
            Candidate(int(pool[j]), float(type_arr[j]), float(text_arr[j]), bool(near[j]))
            for j in keep
        ]

    def _near(self, home: tuple[float, float] | None, cells: int = 3) -> np.ndarray | None:
        if home is None or not self.grid:
            return None
        ci, cj = _cell(*home)
        found = [
            self.grid[(ci + di, cj + dj)]
            for di in range(-cells, cells + 1)
            for dj in range(-cells, cells + 1)
            if (ci + di, cj + dj) in self.grid
        ]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int32)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / _GRID_DEG), math.floor(lon / _GRID_DEG))


#: How much a trial's phase counts in ranking: later phases test treatments with more
#: evidence behind them; phase 1 trials are still options for the expert to weigh.
PHASE_SCORES = {
    "PHASE3": 1.0,
    "PHASE4": 0.7,
    "PHASE2": 0.8,
    "PHASE1": 0.45,
    "EARLY_PHASE1": 0.35,
    "NA": 0.5,
}


def phase_score(phases: Sequence[str]) -> float:
    scores = [PHASE_SCORES[p] for p in phases if p in PHASE_SCORES]
    return max(scores) if scores else 0.4


__all__ = [
    "BASKETS",
    "Candidate",
    "SitePoint",
    "TrialEntry",
    "TrialIndex",
    "entry_from_study",
    "phase_score",
    "site_recruiting",
]
