"""The compact list of common cancer types (OncoTree codes) shipped with the project."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("data") / "cancer_types.yaml"


@dataclass(frozen=True)
class CancerType:
    code: str
    name: str
    tissue: str
    main_type: str


@cache
def common_types() -> tuple[CancerType, ...]:
    doc = yaml.safe_load(DATA.read_text())
    return tuple(CancerType(**entry) for entry in doc["types"])


def by_code(code: str) -> CancerType | None:
    return {t.code: t for t in common_types()}.get(code)


def tissues() -> list[str]:
    return sorted({t.tissue for t in common_types()})
