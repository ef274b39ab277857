"""Repeated n-grams and loops, the signature of NMT hallucination.

Two patterns are suspicious: the same n-gram back to back (``bush, bush,
bush``: 3 copies of an n-gram up to 3 words, 2 copies of a longer one) and a
loop with variations: the same n-gram of 4+ words three times or more, each
copy at most one word after the end of the previous one. ``score`` is the
share of words that are not redundant copies: 1.0 for normal text, near 0 for a
loop. ``بي بي سي`` (BBC) and ``New York, New York`` stay at 1.0.

Loops also happen *inside* a word, where subword models glue pieces together
(``لةلةلةلة``, ``ههههههه``, ``ingingingging``): a unit of 1-6 characters with a
letter in it, repeated 4+ times back to back (5+ for a single character), is
reported as kind ``chars``, and the copies count as that share of their word.
Numbers (``1000000``) are never loops.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

__all__ = ["Repeat", "RepetitionReport", "repetition_report"]

_TOKEN = re.compile(r"\w+")
_CHAR_LOOP = re.compile(r"(\w{1,6}?)\1{3,}")
MAX_N = 8
FREQUENT_N = 4
FREQUENT_COUNT = 3


@dataclass(frozen=True)
class Repeat:
    """An n-gram repeated ``count`` times; ``kind`` is ``tandem`` (back to back), ``frequent``
    or ``chars`` (a loop inside a word: ``ngram`` is the repeated characters, ``n`` 0)."""

    ngram: str
    n: int
    count: int
    start: int
    end: int
    kind: str

    def to_dict(self) -> dict:
        return {"ngram": self.ngram, "n": self.n, "count": self.count, "start": self.start, "end": self.end,
                "kind": self.kind}


@dataclass(frozen=True)
class RepetitionReport:
    """Suspicious repeats in a text and a ``score`` in [0, 1] (1.0 = none)."""

    repeats: list[Repeat]
    tokens: int
    redundant: float  # words that are redundant copies (fractions for loops inside a word)

    @property
    def score(self) -> float:
        return 1.0 if not self.tokens else 1.0 - self.redundant / self.tokens

    def to_dict(self) -> dict:
        return {"score": self.score, "tokens": self.tokens, "redundant": self.redundant,
                "repeats": [r.to_dict() for r in self.repeats]}


def _primitive(unit: tuple[str, ...]) -> bool:
    """True unless ``unit`` is itself a smaller unit repeated (``a b a b``)."""
    n = len(unit)
    return not any(n % d == 0 and unit == unit[:d] * (n // d) for d in range(1, n))


def _loop(starts: list[int], n: int) -> list[int]:
    """The longest run of non-overlapping occurrences, each at most 1 word after the last."""
    best: list[int] = []
    run: list[int] = []
    for s in starts:
        if run and s < run[-1] + n:
            continue
        if run and s - run[-1] > n + 1:
            run = []
        run.append(s)
        if len(run) > len(best):
            best = list(run)
    return best


def repetition_report(text: str) -> RepetitionReport:
    """Find tandem repeats and frequent long n-grams in ``text`` (word tokens, case-folded)."""
    spans = [(m.group().casefold(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = [w for w, _, _ in spans]
    total = len(words)
    redundant = [False] * total
    repeats: list[Repeat] = []

    for n in range(1, MAX_N + 1):
        need = 3 if n <= 3 else 2
        i = 0
        while i + need * n <= total:
            unit = tuple(words[i:i + n])
            k = 1
            while tuple(words[i + k * n:i + (k + 1) * n]) == unit:
                k += 1
            if k >= need and _primitive(unit) and not all(redundant[i + n:i + k * n]):
                for j in range(i + n, i + k * n):
                    redundant[j] = True
                repeats.append(Repeat(" ".join(unit), n, k, spans[i][1], spans[i + k * n - 1][2], "tandem"))
                i += k * n
            else:
                i += 1

    for n in range(FREQUENT_N, MAX_N + 1):
        where = defaultdict(list)
        for i in range(total - n + 1):
            where[tuple(words[i:i + n])].append(i)
        for unit, starts in where.items():
            if len(starts) < FREQUENT_COUNT or not _primitive(unit):
                continue
            kept = _loop(starts, n)
            if len(kept) < FREQUENT_COUNT:
                continue
            fresh = [j for s in kept[1:] for j in range(s, s + n) if not redundant[j]]
            if not fresh:
                continue
            for j in fresh:
                redundant[j] = True
            repeats.append(Repeat(" ".join(unit), n, len(kept), spans[kept[0]][1],
                                  spans[kept[-1] + n - 1][2], "frequent"))

    partial = 0.0
    for i, (word, start, end) in enumerate(spans):
        if redundant[i]:
            continue
        looped = 0
        for m in _CHAR_LOOP.finditer(word):
            unit = m.group(1)
            copies = len(m.group()) // len(unit)
            if not any(c.isalpha() for c in unit) or (len(unit) == 1 and copies < 5):
                continue
            looped += len(m.group()) - len(unit)
            repeats.append(Repeat(unit, 0, copies, start + m.start(), start + m.end(), "chars"))
        partial += looped / len(word)

    repeats.sort(key=lambda r: (r.start, -r.n))
    return RepetitionReport(repeats, total, sum(redundant) + partial)
