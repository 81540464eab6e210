"""Lexicon matching: whole words, OCR line breaks inside terms, plurals."""

import re

from consilium.engines.abstraction.lexicon import Matcher, words


def test_matcher_finds_what_the_whole_word_regex_finds():
    patterns = ["seminoma", "squamous[- ]cell carcinoma", "lung", "RUL"]
    text = "Nonseminoma; seminoma; LUNG; lungs; SQUAMOUS. CELL CARCINOMA; rul; RUL; seminomas"
    expected = [
        (m.start(), m.end())
        for m in sorted(
            [*words(patterns[:3]).finditer(text), *words(patterns[3:], flags=0).finditer(text)],
            key=lambda m: m.start(),
        )
    ]
    assert [(m.start(), m.end()) for m in Matcher(patterns).finditer(text)] == expected
    assert [text[a:b] for a, b in expected] == [
        "seminoma",
        "LUNG",
        "SQUAMOUS. CELL CARCINOMA",
        "RUL",
    ]


def test_plural_matching_is_optional():
    assert Matcher(["carcinoma"], plural=True).search("two carcinomas") is not None
    assert Matcher(["carcinoma"]).search("two carcinomas") is None


def test_line_break_tolerance_keeps_character_classes():
    regex = words([r"renal [a-z]ell carcinoma"])
    assert regex.search("RENAL. CELL CARCINOMA")
    assert not regex.search("renal 1ell carcinoma")
    assert isinstance(regex, re.Pattern)


def test_line_break_tolerance_keeps_a_look_behind_fixed_width():
    import re

    from consilium.engines.abstraction.lexicon import line_break_tolerant

    pattern = line_break_tolerant("(?<!no )invasion of the capsule")
    assert pattern.startswith("(?<!no )")
    regex = re.compile(pattern, re.IGNORECASE)
    assert regex.search("INVASION OF THE. CAPSULE")
    assert not regex.search("no invasion of the capsule")
