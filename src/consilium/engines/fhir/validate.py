"""Validating one resource against the FHIR R4B models of fhir.resources.

R4B's resource models are R4's for every type this project reads or writes, and the
fhir.resources package ships R4B (not plain R4) models. The models check structure,
required elements, cardinality, choice types ([x]) and primitive formats (dates, ids,
decimals); they do not check terminology bindings or profiles.
"""

from __future__ import annotations

from functools import cache

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

#: Stop listing a resource's problems after this many (the count is kept).
MAX_REASONS = 5


@cache
def _model(resource_type: str):
    try:
        return get_fhir_model_class(resource_type)
    except (KeyError, ValueError):
        return None


def is_resource_type(name: str) -> bool:
    return _model(name) is not None


def problems(resource: dict) -> list[str]:
    """Why the resource is not valid FHIR R4(B); empty when it is."""
    kind = resource.get("resourceType")
    model = _model(kind) if isinstance(kind, str) else None
    if model is None:
        return [f"{kind!r} is not a FHIR resource type"]
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        errors = exc.errors()
        reasons = [_reason(e) for e in errors[:MAX_REASONS]]
        if len(errors) > MAX_REASONS:
            reasons.append(f"and {len(errors) - MAX_REASONS} more problems")
        return reasons
    except (TypeError, ValueError) as exc:  # the models raise a few plain errors too
        return [str(exc)]
    return []


def _reason(error: dict) -> str:
    loc = ""
    for part in error.get("loc") or ():
        if isinstance(part, int):
            loc += f"[{part}]"
        else:
            loc += f".{part}" if loc else str(part)
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = "not an element of this resource type"
    elif str(error.get("type", "")).endswith("missing"):
        message = "required element missing"
    return f"{loc}: {message}" if loc else message


def reason(resource: dict) -> str | None:
    """All problems as one sentence, or None when the resource is valid."""
    found = problems(resource)
    return "; ".join(found) if found else None
