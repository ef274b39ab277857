"""mtfix.text.charclass: each class of the table is its definition on every code point, and a
TextBatch's per-text answers are the per-text functions' (the corpus filters use them)."""

from __future__ import annotations

import random
import re

import pytest

from mtfix.text import charclass
from mtfix.text.charclass import CLASSES, TextBatch, classify, flag


def _is(define, c: str) -> bool:
    return define.fullmatch(c) is not None if isinstance(define, re.Pattern) else bool(define(c))


def test_every_class_is_its_definition_on_every_code_point_of_the_table():
    """The table covers the Basic Multilingual Plane (surrogates included: a text read with
    surrogateescape may hold them); a character above it is classified by the definitions."""
    every = "".join(map(chr, range(0x10000)))
    batch = TextBatch([every])
    assert batch.codes.tolist() == [ord(c) for c in every]
    for name, define in CLASSES.items():
        got = batch.has(name)
        want = [_is(define, c) for c in every]
        assert got.tolist() == want, name
    assert classify("a") & flag("alnum") and not classify(" ") & flag("alnum")


def test_the_classes_are_those_of_the_text_layer():
    assert CLASSES["word"]("_") and not CLASSES["alnum"]("_")
    for c in "a٣_ـ ً\u00a0\t":
        assert CLASSES["word"](c) == bool(re.fullmatch(r"\w", c))
        assert CLASSES["space"](c) == bool(re.fullmatch(r"\s", c))
        assert CLASSES["digit"](c) == bool(re.fullmatch(r"\d", c))
    assert not CLASSES["letter"]("\u0640")  # tatweel is not a letter for script_stats


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    pool = ["", " ", "a", "Hello, World 123", "مرحبا بالعالم ٣", "ـــ", "  two  spaces\t", "<b>&amp;</b>", "Ã©",
            "■■■", "😀 𝔘 astral", "\ud800", "İstanbul ß", "\x00\x1f", "\u2028x\u0085", "1,000.5%"]
    return ["".join(rng.choice(pool) for _ in range(rng.randint(0, 6))) for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_per_text_answers_equal_the_per_text_functions(seed):
    from mtfix.text.script import script_stats

    texts = _texts(seed, 500)
    b = TextBatch(texts)
    assert b.counts("alnum") == [sum(map(str.isalnum, t)) for t in texts]
    assert b.collapsed_lengths() == [len(" ".join(t.split())) for t in texts]
    assert b.ascii() == [t.isascii() for t in texts]
    assert b.any("digit") == [bool(re.search(r"\d", t)) for t in texts]
    stats = [script_stats(t) for t in texts]
    assert list(zip(b.counts("letter"), b.counts("arabic"), b.counts("latin"))) == \
        [(s.letters, s.arabic, s.latin) for s in stats]
    assert b.keep(b.has("alnum")) == [re.sub(r"[\W_]+", "", t) for t in texts]
    assert TextBatch([]).counts("alnum") == [] and TextBatch(["", ""]).collapsed_lengths() == [0, 0]


def test_a_character_above_the_plane_is_classified_when_first_seen(monkeypatch):
    monkeypatch.setattr(charclass, "_ASTRAL", {})
    b = TextBatch(["x𝔘1", "😀"])
    assert b.counts("alnum") == [3, 0] and b.counts("junk") == [0, 0]
    assert ord("𝔘") in charclass._ASTRAL
