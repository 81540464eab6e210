"""A reproducible synthetic review program for the demo and for tests.

``generate(seed)`` returns plain dataclasses (see ``model``); the demo app writes them to
the database. The clinical words (pathology, imaging, notes, opinions) are data under
``data/``, filled with facts drawn from ``random.Random(seed)``.
"""

from consilium.engines.synthetic.generator import DEFAULT_CASES, SEED_VERSION, generate

__all__ = ["DEFAULT_CASES", "SEED_VERSION", "generate"]
