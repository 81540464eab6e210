"""Building profiles and case facts for the decision-support tests."""

from __future__ import annotations

from consilium.engines.decision.profile import PatientProfile, profile_from_facts


def marker(name: str, value: str, **detail) -> dict:
    assertion = value if value in ("pending", "not_performed") else "present"
    return {"name": name, "value": value, "assertion": assertion, "detail": detail}


def profile(cancer_type: str | None, *markers: dict, **facts) -> PatientProfile:
    """A profile from plain facts: ``profile("LUAD", marker("EGFR", "negative"),
    stage_group="IV")``."""
    rows = [{"name": k, "value": v} for k, v in facts.items()]
    return profile_from_facts([*rows, *markers], cancer_type=cancer_type)


def by_id(items) -> dict:
    return {i.id: i for i in items}
