"""What the filters ask of each side of a chunk, answered once for the whole chunk.

Several filters ask the same things of every text: its length with white
space collapsed (``max_length``, ``length_ratio``), how many letters or
digits (``empty``), Arabic and Latin letters (``script``), whether it holds a
digit (``numbers``), a character markup damage needs (``markup``), its word
tokens (``repetition``), its normalised dedup key (``dedup``). :class:`Sides`
answers each for all the chunk's texts at once with
:class:`mtfix.text.charclass.TextBatch` (one numpy pass over the chunk's code
points, not a regular expression per text), lazily, and remembers the answer
for the other filters: the pipeline opens :func:`shared` around a chunk, and
every filter's ``sides(pairs)`` inside it gets the same object. Outside it
(a filter called on its own) each call answers afresh.

``VECTORISED = False`` answers every question with the text layer's own
per-text functions instead (the definitions: ``script_stats``, ``str.split``,
``re.findall``...); ``tests/test_corpus_same_verdicts.py`` runs the whole
pipeline both ways and compares the records byte for byte.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator, Sequence

from mtfix.corpus.records import Pair

__all__ = ["Sides", "sides", "shared", "VECTORISED"]

VECTORISED = True
_TOKEN = re.compile(r"\w+")
_CURRENT: list = [None, None]  # [the pairs list of the chunk being judged, its Sides]


class Sides:
    """Facts about ``pairs``' two sides (``k`` = 0: ``src``, 1: ``tgt``), each a list per pair."""

    def __init__(self, pairs: Sequence[Pair]):
        self.pairs = pairs
        self.texts = ([p.src for p in pairs], [p.tgt for p in pairs])
        self.vectorised = VECTORISED
        self._memo: dict = {}

    def _get(self, key, make):
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = make()
        return got

    def batch(self, k: int):
        from mtfix.text.charclass import TextBatch

        return self._get(("batch", k), lambda: TextBatch(self.texts[k]))

    def collapsed(self, k: int) -> list[int]:
        """``len(" ".join(text.split()))``."""
        if not self.vectorised:
            return [len(" ".join(t.split())) for t in self.texts[k]]
        return self._get(("collapsed", k), lambda: self.batch(k).collapsed_lengths())

    def letters_digits(self, k: int) -> list[int]:
        """Characters that are letters or digits (``str.isalnum``)."""
        if not self.vectorised:
            return [sum(map(str.isalnum, t)) for t in self.texts[k]]
        return self._get(("alnum", k), lambda: self.batch(k).counts("alnum"))

    def script_counts(self, k: int) -> list[tuple[int, int, int]]:
        """``(letters, arabic, latin)`` as :func:`mtfix.text.script.script_stats` counts them."""
        if not self.vectorised:
            from mtfix.text.script import script_stats

            return [(s.letters, s.arabic, s.latin) for s in map(script_stats, self.texts[k])]

        def make():
            b = self.batch(k)
            return list(zip(b.counts("letter"), b.counts("arabic"), b.counts("latin")))
        return self._get(("script", k), make)

    def has_digit(self, k: int) -> list[bool] | None:
        """Does the text hold a decimal digit (re's ``\\d``, any script)? None: not vectorised
        (the numbers filter looks itself)."""
        if not self.vectorised:
            return None
        return self._get(("digit", k), lambda: self.batch(k).any("digit"))

    def number_values(self, k: int) -> list[list[float]] | None:
        """:func:`mtfix.text.numbers.number_values` of each text, the runs of digits found for the
        whole chunk at once (:func:`mtfix.text.numbers.number_values_at`); None: not vectorised."""
        if not self.vectorised:
            return None

        def make():
            import numpy as np

            from mtfix.text.numbers import number_values_at

            b = self.batch(k)
            digit = b.has("digit")
            before = np.zeros_like(digit)
            before[1:] = digit[:-1]
            before[b.starts[b.starts < b.ends]] = False  # a text's first character has nothing before it
            first = np.flatnonzero(digit & ~before)
            bounds = np.searchsorted(first, b.ends).tolist()
            folds = b.count(b.has("numeric_fold"))
            out, runs, lo = [], [], 0
            for text, start, hi, fold in zip(self.texts[k], b.starts.tolist(), bounds, folds):
                out.append(number_values_at(text, (first[lo:hi] - start).tolist(), fold > 0) if hi > lo else [])
                runs.append(hi - lo)
                lo = hi
            self._memo[("digit runs", k)] = runs
            return out
        return self._get(("numbers", k), make)

    def digit_runs(self, k: int) -> list[int] | None:
        """How many runs of digits (re's ``\\d+``) each text holds; None: not vectorised."""
        if not self.vectorised:
            return None
        self.number_values(k)
        return self._memo[("digit runs", k)]

    def may_be_damaged(self, k: int) -> list[bool]:
        """Could :func:`mtfix.text.markup.find_damage` find anything? Not without one character of
        the kinds it needs (a tag/entity/U+FFFD/control trigger, symbol junk, a mojibake character)."""
        if not self.vectorised:
            return [True] * len(self.pairs)

        def make():
            b = self.batch(k)
            return [n > 0 for n in b.count(b.has("markup_trigger") | b.has("junk") | b.has("mojibake"))]
        return self._get(("damage", k), make)

    def may_repeat(self, k: int) -> list[bool] | None:
        """False proves the text has no repeat (:func:`mtfix.text.repetition.may_repeat`); None:
        not vectorised (every text is looked at)."""
        if not self.vectorised:
            return None

        def make():
            from mtfix.text.repetition import may_repeat

            return may_repeat(self.batch(k))
        return self._get(("repeat", k), make)

    def word_keys(self, k: int, profile) -> list[str]:
        """The dedup key text of each side: ``profile``-folded, case-folded, only its letters and
        digits (:class:`mtfix.corpus.filters.DedupFilter`)."""
        texts = self.texts[k]
        if profile is None:
            raise ValueError("no normalisation profile")
        if not self.vectorised:
            return [_NON_ALNUM.sub("", profile(t).casefold()) for t in texts]

        def make():
            import numpy as np

            b = self.batch(k)
            table, single = _key_table(profile)
            bmp = np.minimum(b.codes, 0xFFFF)
            mapped = np.take(table, bmp)  # every code point to its key character (0: none)
            odd = (b.codes > 0xFFFF) | ~np.take(single, bmp)
            keys = b.keep(mapped != 0, codes=mapped)
            for i in sorted(set(b.owners()[odd].tolist())):  # a character with a longer key: that text alone
                keys[i] = _NON_ALNUM.sub("", profile(texts[i]).casefold())
            return keys
        return self._get(("keys", k, profile.name), make)


_NON_ALNUM = re.compile(r"[\W_]+")
_KEY_TABLES: dict = {}


def _key_table(profile):
    """``(table, single)`` for the Basic Multilingual Plane: ``table[c]`` is the one character
    that code point ``c`` leaves in a dedup key (``profile``, then ``str.casefold``, then only
    letters and digits: each maps one character at a time), 0 for none; ``single[c]`` is False
    where it leaves more than one (``ß`` -> ``ss``, a ligature), so such a text is keyed alone."""
    got = _KEY_TABLES.get(profile.name)
    if got is None:
        from mtfix.text import charclass, diskcache, normalize

        def build():
            import numpy as np

            every = [chr(c) for c in range(0x10000)]
            plain = charclass.TextBatch(["".join(every)])
            table = np.where(plain.has("alnum"), plain.codes, 0).astype(np.uint32)
            single = np.ones(0x10000, dtype=bool)
            changed = [c for c, x in enumerate(every) if x.casefold() != x or profile(x) != x]
            for c in changed:
                key = _NON_ALNUM.sub("", profile(every[c]).casefold())
                table[c] = ord(key) if len(key) == 1 else 0
                single[c] = len(key) <= 1
            return table, single

        # tens of milliseconds per process: kept on disk (the profiles are normalize's own, by name)
        got = diskcache.cached_arrays(f"dedupkeys-{profile.name}", (__file__, charclass.__file__, normalize.__file__),
                                      build, key=profile.name)
        if [(a.shape, a.dtype.str) for a in got] != [((0x10000,), "<u4"), ((0x10000,), "|b1")]:  # pragma: no cover
            got = build()
        got = _KEY_TABLES[profile.name] = tuple(got)
    return got


def sides(pairs: Sequence[Pair]) -> Sides:
    """The chunk's :class:`Sides` when ``pairs`` is the chunk being judged (:func:`shared`), else new."""
    if _CURRENT[0] is pairs:
        return _CURRENT[1]
    return Sides(pairs)


@contextmanager
def shared(pairs: Sequence[Pair]) -> Iterator[Sides]:
    """Inside it, every ``sides(pairs)`` (the same list object) answers from one :class:`Sides`.

    The cyclic garbage collector is paused meanwhile: scoring a chunk makes tens of thousands of
    small lists (word tokens, scores), which would set it off again and again, each time walking
    every object of the process (a lexicon of a million entries); nothing made here forms a
    cycle (reference counting frees it all), and what would is collected when the chunk is done."""
    import gc

    previous, paused = list(_CURRENT), gc.isenabled()
    _CURRENT[:] = [pairs, Sides(pairs)]
    if paused:
        gc.disable()
    try:
        yield _CURRENT[1]
    finally:
        _CURRENT[:] = previous
        if paused:
            gc.enable()
