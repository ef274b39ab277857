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

Two copies of a phrase of 4+ words back to back are a loop only when they make
up at least half of the text (``4 * n >= words``): a long sentence that says
an expanded name twice ("... the United Nations Educational, Scientific and
Cultural Organization (United Nations Educational, ...") is not a hallucination;
the same phrase three times, or twice in a short text, still is.

Cost: linear in the length of the text (a 2 MB side or a 20,000-word loop
takes milliseconds). Each pass first asks, at C speed, whether anything can
be found (a word repeated within 9 words, a run of equal words at the pass's
period, a 4-gram seen three times, a character loop anywhere) and skips the
Python loop when nothing can; the passes that do run look up the number of
copies at a position in a precomputed table instead of comparing slices.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from operator import eq
from dataclasses import dataclass

__all__ = ["Repeat", "RepetitionReport", "repetition_report"]

_TOKEN = re.compile(r"\w+")
_CHAR_LOOP = re.compile(r"(\w{1,6}?)\1{3,}")
MAX_N = 8
FREQUENT_N = 4
FREQUENT_COUNT = 3
TWO_COPIES_SHARE = 4  # two copies of an n-gram (n >= 4) are a loop when 4 * n >= words


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
    """The longest run of non-overlapping occurrences, each at most 1 word after the last
    (the first of the longest wins)."""
    best: list[int] = []
    run: list[int] = []
    for s in starts:
        if run and s < run[-1] + n:
            continue
        if run and s - run[-1] > n + 1:
            if len(run) > len(best):
                best = run
            run = []
        run.append(s)
    return run if len(run) > len(best) else best


def _words(text: str) -> list[str]:
    if text.isascii():  # ASCII: lower() is casefold() and keeps every token where it was
        return _TOKEN.findall(text.lower())
    return [w.casefold() for w in _TOKEN.findall(text)]


def _near_repeat(words: list[str]) -> bool:
    """Is some word repeated within ``MAX_N + 1`` words? (Every tandem repeat and
    every loop needs one.)"""
    last: dict[str, int] = {}
    for i, w in enumerate(words):
        j = last.get(w)
        if j is not None and i - j <= MAX_N + 1:
            return True
        last[w] = i
    return False


def _copies_table(words: list[str], n: int) -> list[int] | None:
    """``run[i]``: how many positions from ``i`` on have ``words[j] == words[j + n]``
    in a row (so ``1 + run[i] // n`` copies of ``words[i:i+n]`` start at ``i``);
    None when no run reaches ``need`` copies anywhere."""
    same = bytes(map(eq, words, words[n:]))
    need = 3 if n <= 3 else 2
    if b"\x01" * ((need - 1) * n) not in same:
        return None
    run = [0] * (len(same) + 1)
    for j in range(len(same) - 1, -1, -1):
        if same[j]:
            run[j] = run[j + 1] + 1
    return run


def repetition_report(text: str) -> RepetitionReport:
    """Find tandem repeats and frequent long n-grams in ``text`` (word tokens, case-folded)."""
    words = _words(text)
    total = len(words)
    redundant = [False] * total
    repeats: list[Repeat] = []
    spans: list[tuple[int, int]] = []

    def span(i: int) -> tuple[int, int]:
        if not spans:
            spans.extend(m.span() for m in _TOKEN.finditer(text))
        return spans[i]

    near = _near_repeat(words)
    for n in range(1, MAX_N + 1) if near else ():
        run = _copies_table(words, n)
        if run is None:
            continue
        need = 3 if n <= 3 else 2
        marked = None  # prefix sums of `redundant` as it was when this pass started
        i = 0
        while i + need * n <= total:
            k = 1 + run[i] // n
            if k >= need and not (k == 2 and TWO_COPIES_SHARE * n < total):
                unit = tuple(words[i:i + n])
                if _primitive(unit):
                    if marked is None:
                        marked = [0]
                        for r in redundant:
                            marked.append(marked[-1] + r)
                    if marked[i + k * n] - marked[i + n] < (k - 1) * n:
                        for j in range(i + n, i + k * n):
                            redundant[j] = True
                        repeats.append(Repeat(" ".join(unit), n, k, span(i)[0], span(i + k * n - 1)[1], "tandem"))
                        i += k * n
                        continue
            i += 1

    grams = Counter(zip(*(words[k:] for k in range(FREQUENT_N)))) if near else None
    for n in range(FREQUENT_N, MAX_N + 1) if grams and max(grams.values()) >= FREQUENT_COUNT else ():
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
            repeats.append(Repeat(" ".join(unit), n, len(kept), span(kept[0])[0], span(kept[-1] + n - 1)[1],
                                  "frequent"))

    partial = 0.0
    if _CHAR_LOOP.search("\0".join(words)):
        for i, word in enumerate(words):
            if redundant[i]:
                continue
            looped = 0
            for m in _CHAR_LOOP.finditer(word):
                unit = m.group(1)
                copies = len(m.group()) // len(unit)
                if not any(c.isalpha() for c in unit) or (len(unit) == 1 and copies < 5):
                    continue
                looped += len(m.group()) - len(unit)
                start = span(i)[0]
                repeats.append(Repeat(unit, 0, copies, start + m.start(), start + m.end(), "chars"))
            partial += looped / len(word)

    repeats.sort(key=lambda r: (r.start, -r.n))
    return RepetitionReport(repeats, total, sum(redundant) + partial)
