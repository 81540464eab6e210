"""Drawing a case's facts from the data files and filling the record templates.

The fact language is tiny on purpose (see the header of data/cancers.yaml): the clinical
content lives in the YAML, this module only knows how to pick and substitute.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).with_name("data")


@cache
def load(name: str) -> dict:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text())


def weighted(rng: random.Random, options: Mapping[Any, float]) -> Any:
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def _number(value: Any) -> float:
    return float(value)


def draw(spec: Any, rng: random.Random, known: Mapping[str, Any]) -> Any:
    """One fact from its spec; ``known`` holds the facts drawn before it."""
    if not isinstance(spec, dict):
        return spec
    ((op, arg),) = spec.items()
    if op == "choice":
        return rng.choice(arg)
    if op == "weighted":
        return weighted(rng, arg)
    if op == "int":
        return rng.randint(arg[0], arg[1])
    if op == "float":
        lo, hi, decimals = arg
        value = round(rng.uniform(lo, hi), decimals)
        return int(value) if decimals == 0 else value
    if op == "threshold":
        name, steps = arg
        value = _number(known[name])
        for limit, result in steps:
            if value <= _number(limit):
                return result
        return steps[-1][1]
    if op == "map":
        name, table = arg
        return table[known[name]]
    if op == "format":
        return fill(arg, known)
    if op == "ratio":
        top, bottom, decimals = arg
        return round(_number(known[top]) / _number(known[bottom]), decimals)
    raise ValueError(f"unknown fact operator {op!r}")


def draw_all(specs: Mapping[str, Any], rng: random.Random, known: dict[str, Any]) -> dict:
    facts = dict(known)
    for name, spec in (specs or {}).items():
        facts[name] = draw(spec, rng, facts)
    return facts


def with_variants(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Add the spellings templates use: ``x_cap`` (capitalised) for every text fact, and
    ``size_mm`` from ``size_cm``."""
    out = dict(facts)
    if "size_cm" in out and "size_mm" not in out:
        out["size_mm"] = round(float(out["size_cm"]) * 10)
    for name, value in list(out.items()):
        if isinstance(value, str) and value:
            out.setdefault(f"{name}_cap", value[0].upper() + value[1:])
    return out


class _Strict(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"template placeholder {{{key}}} has no fact")


def fill(template: str, facts: Mapping[str, Any]) -> str:
    """Substitute ``{fact}`` placeholders; a missing fact is an error, never a blank."""
    return string.Formatter().vformat(template, (), _Strict(facts)).strip()
