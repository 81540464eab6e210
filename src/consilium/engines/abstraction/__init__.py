"""Abstraction engine: structured facts from pathology and clinical text, each with its
provenance (document, span, sentence), stated or inferred, and a confidence.

Plain Python, offline, CPU: rules and lexicons are versioned YAML under data/."""

from consilium.engines.abstraction.engine import abstract
from consilium.engines.abstraction.model import SUMMARY_FIELDS, Abstraction, Fact, Provenance

__all__ = ["SUMMARY_FIELDS", "Abstraction", "Fact", "Provenance", "abstract"]
