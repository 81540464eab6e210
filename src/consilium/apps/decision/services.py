"""Decision support for a case: testing gaps, therapy options and trials, computed from
the case's current facts every time it is asked for, so it always follows the facts
(a fact confirmed, corrected or rejected changes the next answer; nothing is cached).

Reading it is audited as ``decision.view``. An item is added to the draft opinion's
recommendations through ``reviews.services.add_recommendation`` (audited as
``opinion.write``), with its text and rationale built here from the item recomputed on
the server, never from text a client sends.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consilium.apps.access.audit import audited
from consilium.apps.access.policy import permits
from consilium.apps.cases.models import Case
from consilium.apps.preparation.facts import patient_profile
from consilium.apps.reviews import services as reviews
from consilium.apps.reviews.models import Opinion, Recommendation
from consilium.engines.casework.lifecycle import Status
from consilium.engines.decision.support import DecisionSupport, decision_support
from consilium.engines.decision.testing import PENDING, TestStatus
from consilium.engines.decision.therapies import TherapyOption
from consilium.engines.knowledge.oncotree import current_tree

logger = logging.getLogger(__name__)

TRIALS_SERVICE = "consilium.apps.trials.services"
TRIAL_LIMIT = 10
NOT_AVAILABLE = "Trial matching is not available."


class UnknownItem(ValueError):
    """The item is not (or no longer) part of the case's decision support."""


@dataclass
class Trials:
    available: bool
    items: list[dict] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class Draft:
    """What adding an item puts in the opinion's recommendations."""

    kind: str
    text: str
    rationale: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text, "rationale": self.rationale}


# --- computing ------------------------------------------------------------------------


def support_for(case: Case) -> DecisionSupport:
    """The engine's answer for the case's current facts (not audited: callers are)."""
    return decision_support(patient_profile(case), tree=current_tree(settings.VAR_DIR))


def _rank_for_case():
    """The trial registry's ranking function, or None while it is not installed."""
    if importlib.util.find_spec(TRIALS_SERVICE) is None:
        return None
    return getattr(importlib.import_module(TRIALS_SERVICE), "rank_for_case", None)


def trials_for(case: Case, limit: int = TRIAL_LIMIT) -> Trials:
    rank = _rank_for_case()
    if rank is None:
        return Trials(available=False)
    try:
        # A savepoint: a failing query inside the ranking must not break the request's
        # transaction for the rest of the panel.
        with transaction.atomic():
            items = [{**t, "id": f"trial:{t['nct_id']}"} for t in rank(case, limit=limit)]
    except Exception as exc:  # the panel shows the failure; the rest still works
        logger.exception("trial ranking failed for case %s", case.pk)
        return Trials(available=True, error=f"Trial matching failed: {exc}")
    return Trials(available=True, items=items)


# --- recommendations --------------------------------------------------------------------


def _cite(sources) -> str:
    return "; ".join(s.citation for s in sources)


def draft_for_test(t: TestStatus) -> Draft:
    text = (
        f"Repeat or confirm {t.test} testing (current result equivocal)"
        if t.status == "equivocal"
        else f"{t.test} testing"
    )
    conditions = f" Applies {'; '.join(t.applies_if)}." if t.applies_if else ""
    return Draft("test", text, f"{t.reason}{conditions} Source: {_cite(t.sources)}.")


def _drug_list(drugs) -> str:
    drugs = list(drugs)
    return drugs[0] if len(drugs) == 1 else ", ".join(drugs[:-1]) + " or " + drugs[-1]


def draft_for_therapy(o: TherapyOption) -> Draft:
    marker = o.evidence or o.biomarker
    if o.resistance:
        text = f"Avoid {_drug_list(o.drugs)}: {marker} predicts resistance"
    else:
        text = f"Consider {_drug_list(o.drugs)} for {o.biomarker}"
    parts = [f"Tier {o.tier}: {o.tier_label}.", f"On file: {marker}.", f"Setting: {o.setting}."]
    if o.missing:
        parts.append(f"To confirm: {'; '.join(o.missing)}.")
    if o.applies_if:
        parts.append(f"Applies {'; '.join(o.applies_if)}.")
    if o.note:
        parts.append(o.note)
    parts.append(f"Source: {_cite(o.sources)}.")
    return Draft("therapy", text, " ".join(parts))


def draft_for_trial(t: dict) -> Draft:
    title = t.get("title") or ""
    text = f"Consider clinical trial {t['nct_id']}: {title}".strip().rstrip(":")
    criteria = t.get("criteria") or []
    met = sum(1 for c in criteria if c.get("verdict") == "met")
    unknown = [c for c in criteria if c.get("verdict") == "unknown"]
    parts = [f"{str(t.get('eligibility') or 'eligibility not assessed').capitalize()}"]
    if criteria:
        parts[0] += f" ({met} of {len(criteria)} criteria met"
        parts[0] += f", {len(unknown)} to confirm)" if unknown else ")"
    parts[0] += "."
    facts = [x for x in (t.get("phase"), t.get("status")) if x]
    if facts:
        parts.append(" · ".join(str(x) for x in facts) + ".")
    site = t.get("site")
    if site:
        where = ", ".join(str(site[k]) for k in ("facility", "city", "state") if site.get(k))
        if site.get("distance_km") is not None:
            where += f" ({float(site['distance_km']):.0f} km)"
        if site.get("contact"):
            where += f"; contact: {site['contact']}"
        parts.append(f"Nearest site: {where}.")
    if t.get("url"):
        parts.append(f"Source: {t['url']}.")
    return Draft("trial", text, " ".join(parts))


def _opinion_recommendations(case: Case) -> set[tuple[str, str]]:
    opinion = Opinion.objects.filter(case=case).first()
    if opinion is None:
        return set()
    return set(opinion.recommendations.values_list("kind", "text"))


def can_add(user, case: Case) -> bool:
    """The assigned expert, while the opinion is a draft of a case in review."""
    if not permits(user, "opinion.write", case) or case.status_enum is not Status.IN_REVIEW:
        return False
    return not Opinion.objects.filter(case=case, signed_at__isnull=False).exists()


# --- the panel ------------------------------------------------------------------------


def _with_draft(item: dict, draft: Draft, added: set[tuple[str, str]]) -> dict:
    return {
        **item,
        "recommendation": draft.to_dict(),
        "added": (draft.kind, draft.text) in added,
        "addable": True,
    }


def as_dict(case: Case, support: DecisionSupport, trials: Trials) -> dict[str, Any]:
    """The JSON every channel shows (page, API, command): one shape."""
    added = _opinion_recommendations(case)
    data = support.to_dict(timezone.localdate())
    gaps = []
    for t in support.gaps:
        item = _with_draft(t.to_dict(), draft_for_test(t), added)
        item["addable"] = t.status != PENDING  # already ordered: nothing to recommend
        gaps.append(item)
    return {
        "case": {"id": case.pk, "reference": case.reference, "status": case.status},
        "profile": data["profile"],
        "gaps": gaps,
        "tests_done": data["tests_done"],
        "therapies": [
            _with_draft(o.to_dict(), draft_for_therapy(o), added) for o in support.therapies
        ],
        "trials": [_with_draft(t, draft_for_trial(t), added) for t in trials.items],
        "trials_available": trials.available,
        "trials_error": trials.error,
        "tiers": data["tiers"],
        "notes": data["notes"],
        "knowledge": data["knowledge"],
    }


def panel(actor, case: Case) -> dict[str, Any]:
    """Decision support for the case, as of its current facts (audited decision.view)."""
    with audited(actor, "decision.view", case):
        return as_dict(case, support_for(case), trials_for(case))


def draft_for_item(case: Case, item_id: str) -> Draft:
    """The recommendation an item of the case's current decision support makes."""
    kind, _, key = item_id.partition(":")
    if not key or kind not in ("test", "therapy", "trial"):
        raise UnknownItem(f"{item_id!r} is not an item id (test:…, therapy:… or trial:…)")
    if kind == "trial":
        trials = trials_for(case)
        for t in trials.items:
            if t["id"] == item_id:
                return draft_for_trial(t)
        why = NOT_AVAILABLE if not trials.available else "it is not among the ranked trials"
        raise UnknownItem(f"No trial {key} for this case: {why}")
    thing = support_for(case).item(item_id)
    if thing is None:
        raise UnknownItem(
            f"{item_id!r} is not part of this case's decision support (the facts may have "
            "changed since the page was shown)"
        )
    if isinstance(thing, TestStatus):
        if not thing.gap:
            raise UnknownItem(f"{thing.test} is already done: {thing.result}")
        if thing.status == PENDING:
            raise UnknownItem(f"{thing.test} is pending: it has been ordered already")
        return draft_for_test(thing)
    return draft_for_therapy(thing)


def add_item(actor, case: Case, item_id: str) -> tuple[Recommendation, bool]:
    """Add an item to the draft opinion's recommendations (once). Reading the item is
    audited as decision support, the write as the opinion's."""
    with audited(actor, "decision.view", case) as audit:
        audit.detail = f"item {item_id[:80]} for the recommendations"
        draft = draft_for_item(case, item_id)
    return reviews.add_recommendation(actor, case, draft.kind, draft.text, draft.rationale)
