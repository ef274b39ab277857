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

Cost: linear in the length of the text. The words are compared once per
distance d = 1..9 (``words[i] == words[i + d]``, at C speed, as bytes), and a
regular expression over those bytes finds the runs of equal words. Each pass
then visits runs, not positions: all positions of one run hold rotations of
the same unit (so one primitivity test per run), and the number of copies at
a position is the run's remaining length. Only occurrences of an n-gram near
another copy of it (at most n + 1 words apart) can form a loop, so the loop
pass groups those only; character loops are searched once over all words.
The result is exactly that of the plain definition (kept in
``tests/reference_impl.py`` and compared on every line of the shared data).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict, deque
from itertools import accumulate, chain, compress
from operator import eq, gt
from dataclasses import dataclass

__all__ = ["Repeat", "RepetitionReport", "repetition_report", "may_repeat", "loops_inside"]

_TOKEN = re.compile(r"\w+")
_CHAR_LOOP = re.compile(r"(\w{1,6}?)\1{3,}")
MAX_N = 8
FREQUENT_N = 4
FREQUENT_COUNT = 3
TWO_COPIES_SHARE = 4  # two copies of an n-gram (n >= 4) are a loop when 4 * n >= words
#: texts of more words than this compare words as integers (numpy) and find their loops' near
#: copies with byte masks (:func:`_near_copies`), in C; shorter ones word by word, with a set
#: (cheaper for a sentence). The same report either way (tests/test_corpus_same_verdicts.py).
LONG_TEXT = 200


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
    if len(starts) > 16:  # evenly spaced (a long loop): every k-th, or nothing beyond the first
        p = starts[1] - starts[0]
        if starts == list(range(starts[0], starts[0] + p * len(starts), p)):
            k = -(-n // p)  # the first start at least n after the last kept one
            return starts[::k] if k * p <= n + 1 else starts[:1]
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


class _Words:
    """The case-folded word tokens of a text, and which of them equal the word
    ``d`` places later (``same(d)``, bytes of 0/1, computed once per d)."""

    def __init__(self, text: str):
        self.text = text
        self.folded = None  # the tokens as written, when case-folding changed their lengths
        if text.isascii():  # ASCII: lower() is casefold() and keeps every token where it was
            self.words = _TOKEN.findall(text.lower())
        else:
            self.words = _TOKEN.findall(text)
            # casefold maps each character on its own (to one or more): a text it leaves
            # alone (Arabic without capitals) has words it leaves alone
            if text.casefold() != text:
                self.folded, self.words = self.words, list(map(str.casefold, self.words))
        self._same: dict[int, bytes] = {}
        self._ids = None
        self.distinct = set(self.words)
        #: tokens that repeat an earlier one: c copies of an n-gram need (c - 1) * n of them
        self.repeated = len(self.words) - len(self.distinct)

    def same(self, d: int) -> bytes:
        got = self._same.get(d)
        if got is None:
            if len(self.words) > LONG_TEXT:  # one integer per distinct word, compared by numpy
                ids = self.ids()
                got = (ids[:-d] == ids[d:]).tobytes() if d < len(ids) else b""
            else:
                got = bytes(map(eq, self.words, self.words[d:]))
            self._same[d] = got
        return got

    def ids(self):
        """One integer per word (its first place), a numpy array: equal words, equal integers."""
        if self._ids is None:
            import numpy as np

            first: dict[str, int] = {}
            self._ids = np.fromiter(map(first.setdefault, self.words, range(len(self.words))), np.int64,
                                    len(self.words))
        return self._ids

    def spans(self):
        """Where each token starts and ends in the text: ``[start0, end0, start1, end1, ...]``
        (the text split around its tokens, the lengths summed: in C). A long text's: where its
        runs of word characters (``\\w``, :mod:`mtfix.text.charclass`) begin and end, a numpy
        array (no string per gap)."""
        if len(self.words) > LONG_TEXT:
            import numpy as np

            from mtfix.text.charclass import TextBatch

            word = TextBatch([self.text]).has("word").view(np.int8)
            edges = np.flatnonzero(np.diff(word, prepend=np.int8(0), append=np.int8(0)))
            if len(edges) == 2 * len(self.words):  # (always: the tokens are those runs)
                return edges
        gaps = map(len, _TOKEN.split(self.text))
        return list(accumulate(chain.from_iterable(zip(gaps, map(len, self.folded or self.words)))))

    def runs(self, d: int, min_len: int) -> list[tuple[int, int]]:
        """``[(a, b)]``: maximal ranges where ``words[j] == words[j + d]`` for every j in [a, b),
        at least ``min_len`` long (found with ``bytes.find``)."""
        same, out = self.same(d), []
        ones = b"\x01" * min_len
        a = same.find(ones)
        while a >= 0:
            b = same.find(b"\x00", a + min_len)
            b = len(same) if b < 0 else b
            out.append((a, b))
            a = same.find(ones, b)
        return out

    def near_repeat(self) -> bool:
        """Is some word repeated within ``MAX_N + 1`` words? (Every tandem and loop needs one.)"""
        words = self.words
        if not self.repeated:
            return False
        if len(words) > 64:
            return any(b"\x01" in self.same(d) for d in range(1, MAX_N + 2))
        last: dict[str, int] = {}
        for i, w in enumerate(words):
            j = last.get(w)
            if j is not None and i - j <= MAX_N + 1:
                return True
            last[w] = i
        return False


_NO_LOOP_INSIDE: set[str] = set()  # words seen that cannot hold a loop (a memo of a pure test)
_NO_LOOP_INSIDE_MAX = 100_000


def loops_inside(word: str) -> bool:
    """Does ``word`` hold a character loop that counts (a unit with a letter, 4+ copies, 5+ of a
    single character)? Such a loop repeats 4+ of its word's characters, so a word with fewer
    repeated characters cannot; else the loops of the word alone are those it has in a text
    (a match never crosses a word's end)."""
    if len(word) < 5 or len(word) - len(set(word)) < 4:
        return False
    for m in _CHAR_LOOP.finditer(word):
        unit = m.group(1)
        if any(c.isalpha() for c in unit) and (len(unit) > 1 or len(m.group()) >= 5):
            return True
    return False


def _loopy_words(distinct: set[str]) -> set[str]:
    """The words of ``distinct`` that hold a character loop that counts (:func:`loops_inside`).
    Words found clean are remembered (most words of a corpus recur)."""
    unknown = distinct.difference(_NO_LOOP_INSIDE)
    if not unknown:
        return unknown
    loopy = set()
    for x in unknown:
        if loops_inside(x):
            loopy.add(x)
        elif len(x) < 64:
            _NO_LOOP_INSIDE.add(x)
    if len(_NO_LOOP_INSIDE) > _NO_LOOP_INSIDE_MAX:
        _NO_LOOP_INSIDE.clear()
    return loopy


_LONG_WORD = 64  #: a word this long is searched for its loops with the others', not tested first
_MANY_WORDS = 2000  #: a text with more distinct words is searched for loops inside them at once
#: words of more characters than this (joined) are searched for loops inside them with numpy
#: (:func:`_char_loops`); fewer, with the regular expression itself (the same matches)
LONG_CHARS = 20_000
_NOT_WORD = re.compile(r"[^\w\0]")


def _char_loops(joined: str, checked: bool) -> list[tuple[int, int, str]]:
    """``(start, end, unit)`` of each match of ``_CHAR_LOOP.finditer(joined)`` (words joined by
    ``\\0``; ``checked``: every other character is known to be ``\\w``), found with numpy: a match
    of a unit of ``L`` characters starts at ``p`` exactly when ``joined[i] == joined[i + L]`` for the
    ``3 * L`` word characters ``i`` from ``p`` (four copies; the lazy unit is the shortest such
    ``L``), and ends after as many whole copies as that run of equal characters holds (the greedy
    ``\\1{3,}``). Only the matches themselves are visited in Python, scanned as ``finditer`` does
    (the next one at or after the last one's end); a text without a loop inside a word costs a few
    passes over its code points, not a regular expression tried at every character."""
    import numpy as np

    if not checked and _NOT_WORD.search(joined):  # case-folding made a non-word character: rare
        return [(m.start(), m.end(), m.group(1)) for m in _CHAR_LOOP.finditer(joined)]
    c = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    n = len(c)
    unit_at = np.zeros(n, np.uint8)  # the shortest unit of a match that may start here (0: none)
    inside = c != 0
    same = {}
    for size in range(6, 0, -1):
        if n < 4 * size:
            continue
        eq = c[:-size] == c[size:]
        eq &= inside[:-size]
        same[size] = eq
        ok, k = eq, 1  # ok[p]: eq[p:p + k] all true, k doubled up to 3 * size
        while k < 3 * size:
            step = min(k, 3 * size - k)
            ok = ok[:-step] & ok[step:]
            k += step
        if ok.any():
            unit_at[:len(ok)][ok] = size
    out: list[tuple[int, int, str]] = []
    if not unit_at.any():
        return out
    # as finditer: the first start at or after the last match's end, then its match (bytes.find:
    # in C, past the characters the match took, so the walk is linear in the text)
    units = unit_at.tobytes()
    starts = (unit_at != 0).tobytes()
    breaks: dict[int, bytes] = {}  # per unit size: eq as bytes (0 where a character differs L later)
    p = starts.find(1)
    while p >= 0:
        size = units[p]
        eq = breaks.get(size)
        if eq is None:
            eq = breaks[size] = same[size].tobytes()
        stop = eq.find(0, p)
        end = p + size * (1 + ((len(eq) if stop < 0 else stop) - p) // size)
        out.append((p, end, joined[p:p + size]))
        p = starts.find(1, end)
    return out


def _may_loop_inside(distinct: set[str]) -> bool:
    """Can one of these words hold a character loop that counts? True for a word of
    ``_LONG_WORD`` characters or more, untested: testing it would scan it once more than the
    report's own search (which finds exactly its loops that count, or none)."""
    return any(len(x) >= _LONG_WORD for x in distinct) or bool(_loopy_words(distinct))


def may_repeat(batch) -> list[bool]:
    """For each text of a :class:`mtfix.text.charclass.TextBatch`: False proves that its
    :func:`repetition_report` has no repeat (score 1.0); True means the report must look.

    Every word-level repeat needs a run of words equal to the word ``d`` places later
    (``d`` = 1..9): at least 2 long for ``d`` = 1 (three copies of one word), 4 otherwise (the
    tandem passes need ``(copies - 1) * n`` of them, the loop pass a run of 4). A loop inside a
    word (``(\\w{1,6}?)\\1{3,}``) needs a character equal to the ones ``L``, ``2L`` and ``3L``
    later in its word (``L`` = 1..6), one that is a letter (the unit of a loop that counts has
    one: a table of numbers with ``0000`` in it is not looked at). Both are looked for in all
    texts at once, with numpy, on the code points lower-cased, which is :func:`repetition_report`'s case-folding except for a
    non-ASCII character that ``str.casefold`` changes (a text with one is always looked at).
    Words are compared by their length and the sums of their code points and of their squares:
    equal words agree on all three (two words that only agree on them send a text to the full
    report, nothing worse)."""
    import numpy as np

    n, codes, word = len(batch), batch.codes, batch.has("word")
    size = len(codes)
    flagged = np.zeros(n, dtype=bool)
    if not size:
        return flagged.tolist()
    owner = batch.owners()
    flagged[owner[batch.has("casefolds")]] = True
    low = codes | ((codes - np.uint32(65) < 26) * np.uint32(32))  # A-Z -> a-z (codes below 65 wrap: not)
    nonempty = batch.starts < batch.ends
    first = word.copy()  # a word character after none (or first in its text)
    first[1:] &= ~word[:-1]
    first[batch.starts[nonempty]] = word[batch.starts[nonempty]]
    last = word.copy()
    last[:-1] &= ~word[1:]
    last[batch.ends[nonempty] - 1] = word[batch.ends[nonempty] - 1]
    first, last = np.flatnonzero(first), np.flatnonzero(last)
    if len(first):
        # (no np.where, and the same dtype on both sides of every operation: numpy's slow paths)
        # one number per word (wrapping around 2**64): equal words, equal numbers. The sums of the
        # code points and of their squares, weighted, are one sum of c * (c * K1 + K2): one cumsum
        wide = low.astype(np.uint64)
        wide *= word
        weighted = wide * np.uint64(0x9E3779B97F4A7C15)
        weighted += np.uint64(1_000_003)
        weighted *= wide
        sums = np.empty(size + 1, dtype=np.uint64)
        sums[0] = 0
        np.cumsum(weighted, out=sums[1:])
        words = sums[last + 1] - sums[first] + (last - first).astype(np.uint64)
        word_owner = owner[first]
        for d in range(1, MAX_N + 2):
            need = 2 if d == 1 else FREQUENT_N
            span = len(words) - d - need + 1
            if span <= 0:
                break
            same = (words[:-d] == words[d:]) & (word_owner[:-d] == word_owner[d:])
            run = same[:span].copy()
            for j in range(1, need):
                run &= same[j:span + j]
            flagged[word_owner[:span][run]] = True
    gaps = None  # non-word characters before each position (made when needed)
    # a loop that counts has a letter (str.isalpha: script_stats' letters and the tatweel) in its
    # unit: that letter's place in the first copy is one where the four copies agree
    alpha = batch.has("letter") | (codes == 0x640)
    for unit in range(1, 7):
        span = size - 3 * unit
        if span <= 0:
            break
        same = low[:-unit] == low[unit:]
        four = same[:span] & same[unit:span + unit] & same[2 * unit:span + 2 * unit] & alpha[:span]
        if not four.any():  # (a scan cheaper than flatnonzero's; most units find nothing)
            continue
        at = np.flatnonzero(four)
        if len(at):  # and in one word: no non-word character in between
            if gaps is None:
                gaps = np.zeros(size + 1, dtype=np.int32 if size < 2**31 else np.int64)
                np.cumsum(~word, out=gaps[1:])
            at = at[gaps[at + 3 * unit] == gaps[at]]
            flagged[owner[at]] = True
    return flagged.tolist()


def _near_copies_by_set(w: _Words, n: int) -> dict[tuple[str, ...], list[int]]:
    """The positions of each n-gram that has another copy at most ``n + 1`` words away (in order)."""
    words = w.words
    near_copies: set[int] = set()
    for d in range(1, n + 2):
        for a, b in w.runs(d, n):
            near_copies.update(range(a, b - n + 1))
            near_copies.update(range(a + d, b - n + 1 + d))
    where = defaultdict(list)
    for i in sorted(near_copies):
        where[tuple(words[i:i + n])].append(i)
    return where


def _near_copies(w: _Words, n: int) -> dict[tuple[str, ...], list[int]]:
    """:func:`_near_copies_by_set` less what the loop pass skips, for a long text: the n-grams
    that are not primitive (one with a period ``d`` dividing ``n`` lies where a run of
    ``words[j] == words[j + d]`` covers its first ``n - d`` words) and those with fewer than
    ``FREQUENT_COUNT`` near copies. The positions are marked in a byte mask by slices and grouped
    by a hash of their words' integers (numpy), each group checked word by word against its first
    member (a collision: grouped by the words themselves)."""
    import numpy as np

    words = w.words
    total = len(words)
    near = bytearray(total)
    for d in range(1, n + 2):
        for a, b in w.runs(d, n):
            near[a:b - n + 1] = b"\x01" * (b - n + 1 - a)
            near[a + d:b - n + 1 + d] = b"\x01" * (b - n + 1 - a)
    for d in range(1, n):
        if n % d == 0:
            for a, b in w.runs(d, n - d):
                near[a:b - n + d + 1] = bytes(b - n + d + 1 - a)
    at = np.flatnonzero(np.frombuffer(bytes(near[:total - n + 1]), np.uint8))
    if len(at) < FREQUENT_COUNT:
        return {}
    ids = w.ids()
    h = np.zeros(len(at), np.uint64)
    for j in range(n):
        h *= np.uint64(1_000_003)
        h += ids[at + j].astype(np.uint64)
    order = np.argsort(h, kind="stable")  # each group in order of position
    h = h[order]
    first = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
    size = np.diff(np.append(first, len(order)))
    lead = np.repeat(order[first], size)
    for j in range(n):
        if not np.array_equal(ids[at[order] + j], ids[at[lead] + j]):  # pragma: no cover - a collision
            where = {}
            for i in at.tolist():
                where.setdefault(tuple(words[i:i + n]), []).append(i)
            return {g: v for g, v in where.items() if len(v) >= FREQUENT_COUNT}
    big = np.flatnonzero(size >= FREQUENT_COUNT)
    big = big[np.argsort(order[first[big]])]  # groups in order of their first place
    ranked = at[order].tolist()
    out = {}
    for a, k in zip(first[big].tolist(), size[big].tolist()):
        i = ranked[a]
        out[tuple(words[i:i + n])] = ranked[a:a + k]
    return out


def _cover(kept: list[int], n: int, total: int) -> bytearray:
    """The words of the copies of a loop after its first (n words from each of ``kept[1:]``), as a
    byte mask of ``total`` bytes (evenly spaced copies: ``n`` strided slices)."""
    cover = bytearray(total)
    step = kept[2] - kept[1]
    if kept[1:] == list(range(kept[1], kept[-1] + 1, step)):
        for j in range(n):
            cover[kept[1] + j:kept[-1] + j + 1:step] = b"\x01" * (len(kept) - 1)
    else:
        for s in kept[1:]:
            cover[s:s + n] = b"\x01" * n
    return cover


def _mark(redundant: list[bool], cover: bytearray) -> bool:
    """Marks the words of ``cover`` redundant; False (and nothing marked) when all already were."""
    import numpy as np

    mask = np.frombuffer(cover, np.bool_)
    was = np.fromiter(redundant, bool, len(redundant))
    if not (mask > was).any():
        return False
    redundant[:] = (mask | was).tolist()
    return True


def _first(words: list[str], unit: tuple[str, ...], at_most: int) -> int:
    """The first position of ``unit`` (which occurs at ``at_most``)."""
    n, p = len(unit), -1
    while True:
        p = words.index(unit[0], p + 1, at_most + 1)
        if tuple(words[p:p + n]) == unit:
            return p


def repetition_report(text: str) -> RepetitionReport:
    """Find tandem repeats and frequent long n-grams in ``text`` (word tokens, case-folded)."""
    w = _Words(text)
    words = w.words
    total = len(words)
    near = w.near_repeat()
    # many distinct words: no test word by word, the search over all words below decides (it
    # finds exactly the loops that count, or none: the same report as returning early)
    loop_inside = len(w.distinct) > _MANY_WORDS or _may_loop_inside(w.distinct)
    if not near and not loop_inside:  # no word repeats nearby, none can loop inside
        return RepetitionReport([], total, 0.0)
    redundant = [False] * total
    repeats: list[Repeat] = []
    spans: list = []  # [w.spans()], once needed

    def span(i: int) -> tuple[int, int]:
        if not spans:
            spans.append(w.spans())
        return int(spans[0][2 * i]), int(spans[0][2 * i + 1])

    # Tandem repeats: `need` copies of an n-gram back to back, i.e. a run of words equal to the
    # word n later at least (need - 1) * n long; from position i in run [a, b), 1 + (b - i) // n copies.
    for n in range(1, MAX_N + 1) if near else ():
        need = 3 if n <= 3 else 2
        least = (need - 1) * n
        if w.repeated < least:
            continue
        marked = None  # prefix sums of `redundant` as it was when this pass started
        i = 0
        for a, b in w.runs(n, least):
            i = max(i, a)
            primitive = None  # the same for every position of a run (its units are rotations of each other)
            while i <= b - least:
                k = 1 + (b - i) // n
                if k == 2 and TWO_COPIES_SHARE * n < total:
                    i += 1
                    continue
                if primitive is None:
                    primitive = _primitive(tuple(words[i:i + n]))
                if not primitive:
                    break
                if marked is None:
                    marked = [0, *accumulate(redundant)]
                if marked[i + k * n] - marked[i + n] < (k - 1) * n:
                    redundant[i + n:i + k * n] = [True] * ((k - 1) * n)
                    repeats.append(Repeat(" ".join(words[i:i + n]), n, k, span(i)[0], span(i + k * n - 1)[1],
                                          "tandem"))
                    i += k * n  # past the end of this run
                    break
                i += 1

    # Loops: an n-gram (n >= 4) 3+ times, each copy at most one word after the previous. Only
    # occurrences with another copy at most n + 1 words away can be part of one.
    long_runs = near and w.repeated >= (FREQUENT_COUNT - 1) * FREQUENT_N and any(b"\x01" * FREQUENT_N in w.same(d) for d in range(1, MAX_N + 2))
    for n in range(FREQUENT_N, MAX_N + 1) if long_runs else ():
        where = _near_copies(w, n) if total > LONG_TEXT else _near_copies_by_set(w, n)
        loops = []
        for unit, starts in where.items():
            if len(starts) < FREQUENT_COUNT or not _primitive(unit):
                continue
            kept = _loop(starts, n)
            if len(kept) >= FREQUENT_COUNT:
                loops.append((unit, kept, starts[0]))
        if len(loops) > 1:  # in order of each unit's first occurrence anywhere in the text
            loops.sort(key=lambda x: _first(words, x[0], x[2]))
        for unit, kept, _ in loops:
            if len(kept) > 16 and total > LONG_TEXT:  # a long text: its words marked at once (numpy)
                if not _mark(redundant, _cover(kept, n, total)):
                    continue
            else:
                if len(kept) > 16:  # the copies' words as a byte mask, those not yet redundant (in C)
                    fresh = list(compress(range(total), map(gt, _cover(kept, n, total), redundant)))
                else:
                    fresh = [j for s in kept[1:] for j in range(s, s + n) if not redundant[j]]
                if not fresh:
                    continue
                for j in fresh:
                    redundant[j] = True
            repeats.append(Repeat(" ".join(unit), n, len(kept), span(kept[0])[0], span(kept[-1] + n - 1)[1],
                                  "frequent"))

    # Loops inside a word, searched once over all words (a match never crosses the separator).
    # One that counts repeats 4+ characters of its word (5 copies of one, or 4 of 2-6): a word
    # with fewer repeated characters cannot hold one.
    partial = 0.0
    found = []
    if loop_inside:
        joined = "\0".join(words)
        if len(joined) > LONG_CHARS:
            found = _char_loops(joined, w.folded is None)
        else:
            found = [(m.start(), m.end(), m.group(1)) for m in _CHAR_LOOP.finditer(joined)]
    if found:
        offsets = list(accumulate(map((1).__add__, map(len, words)), initial=0))
        looped: dict[int, int] = {}
        for begin, end, unit in found:
            i = bisect_right(offsets, begin) - 1
            if redundant[i]:
                continue
            copies = (end - begin) // len(unit)
            looped.setdefault(i, 0)
            if not any(c.isalpha() for c in unit) or (len(unit) == 1 and copies < 5):
                continue
            looped[i] += end - begin - len(unit)
            start = span(i)[0] - offsets[i]
            repeats.append(Repeat(unit, 0, copies, start + begin, start + end, "chars"))
        for i, n_looped in looped.items():
            partial += n_looped / len(words[i])

    repeats.sort(key=lambda r: (r.start, -r.n))
    return RepetitionReport(repeats, total, sum(redundant) + partial)
