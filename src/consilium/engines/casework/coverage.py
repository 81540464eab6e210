"""Coverage: does the member's plan pay for an expert review on the request date?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class EligibilitySpan:
    start: date
    end: date | None  # open-ended while enrolled
    plan: str
    expert_review_benefit: bool


@dataclass(frozen=True)
class CoverageDecision:
    covered: bool
    reason: str
    span: EligibilitySpan | None = None


def _fmt(span: EligibilitySpan) -> str:
    end = span.end.isoformat() if span.end else "open"
    return f"{span.plan} {span.start.isoformat()} to {end}"


def check_coverage(spans: Iterable[EligibilitySpan], on: date) -> CoverageDecision:
    """Covered when a span covering ``on`` includes the expert-review benefit."""
    spans = list(spans)
    covering = [s for s in spans if s.start <= on and (s.end is None or on <= s.end)]
    with_benefit = [s for s in covering if s.expert_review_benefit]
    if with_benefit:
        span = max(with_benefit, key=lambda s: s.start)
        return CoverageDecision(True, f"Covered: enrolled in {_fmt(span)} with expert review", span)
    if covering:
        return CoverageDecision(
            False,
            f"Not covered: enrolled on {on.isoformat()} in {_fmt(covering[0])}, "
            "but the plan does not include the expert-review benefit",
        )
    if not spans:
        return CoverageDecision(False, "Not covered: the member has no eligibility on file")
    return CoverageDecision(
        False, f"Not covered: no eligibility span covers the request date {on.isoformat()}"
    )
