"""The synthetic program is a function of its seed (and of ``now``)."""

from datetime import datetime

from consilium.engines.synthetic import generate

NOW = datetime(2025, 6, 11, 14, 30)


def test_same_seed_gives_the_same_program():
    assert generate(7, now=NOW) == generate(7, now=NOW)


def test_a_different_seed_gives_a_different_program():
    a, b = generate(7, now=NOW), generate(8, now=NOW)
    assert a != b
    assert [m.last_name for m in a.members] != [m.last_name for m in b.members]
    assert [c.cancer_type_code for c in a.cases] != [c.cancer_type_code for c in b.cases]


def test_the_program_is_laid_out_from_now():
    later = datetime(2025, 9, 1, 10, 0)
    program = generate(7, now=later)
    assert max(c.created_at for c in program.cases) <= later
    assert min(c.created_at for c in program.cases) > datetime(2024, 9, 1)
