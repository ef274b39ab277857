"""chrF between many texts with each text's n-grams extracted once.

sacrebleu's ``sentence_score(hyp, [ref])`` extracts the character (and word)
n-grams of both texts on every call; scoring every candidate of a pool against
every other re-extracts each text ``2 (k - 1)`` times. :class:`ChrfStats`
extracts them once per text with sacrebleu's own extractor, counts the matches
of a pair once (the clipped match count ``sum min(count_a, count_b)`` is the
same in both directions; only the hypothesis and reference totals swap; it is
the size of the intersection of the two texts' key views, done in C, plus
``min - 1`` for the n-grams repeated in both texts) and turns the statistics into the score with sacrebleu's own ``_compute_f_score``.
The numbers are those of ``CHRF().sentence_score`` (tested for equality on
many pairs). This module is the only place that touches sacrebleu's CHRF
internals.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence


class NGrams:
    """One text's chrF n-gram counters (one per order), their totals, and the n-grams seen more than once."""

    __slots__ = ("counters", "totals", "empty", "repeats")

    def __init__(self, counters: list[Counter]):
        self.counters = counters
        self.totals = [sum(c.values()) for c in counters]
        self.empty = [not c for c in counters]
        # only the orders with a repeated n-gram need more than the key intersection (mostly orders 1-2)
        self.repeats = [None if total == len(c) else {g: k for g, k in c.items() if k > 1}
                        for c, total in zip(counters, self.totals)]


class ChrfStats:
    """Sentence chrF (sacrebleu's ``CHRF`` with its settings) from pre-extracted n-grams.

    >>> cs = ChrfStats()
    >>> a, b = cs.ngrams("the cat sat"), cs.ngrams("a cat sat")
    >>> round(cs.pair(a, b)[0], 4) == round(CHRF().sentence_score("the cat sat", ["a cat sat"]).score, 4)  # doctest: +SKIP
    True
    """

    def __init__(self, metric=None):
        if metric is None:
            from mtfix.metrics.sentence import chrf_metric

            metric = chrf_metric()
        self.metric = metric

    def ngrams(self, text: str) -> NGrams:
        """The n-grams sacrebleu would extract from ``text`` (as hypothesis or as reference alike)."""
        m = self.metric
        info = m._extract_reference_info([m._preprocess_segment(text)])
        return NGrams(info["ref_ngrams"][0])

    @staticmethod
    def _matches(a: NGrams, b: NGrams) -> list[int]:
        # sum over common n-grams of min(count_a, count_b): one per common key (a C-level
        # intersection of the key views), plus min - 1 for the keys repeated in both texts
        out = []
        for ca, cb, ra, rb in zip(a.counters, b.counters, a.repeats, b.repeats):
            n = len(ca.keys() & cb.keys())
            if ra and rb:
                both = ra.keys() & rb.keys()
                if both:
                    n += sum(map(min, map(ra.__getitem__, both), map(rb.__getitem__, both))) - len(both)
            out.append(n)
        return out

    def _score(self, hyp: NGrams, ref: NGrams, matches: list[int]) -> float:
        stats: list[int] = []
        for n_match, h_tot, r_tot, r_empty in zip(matches, hyp.totals, ref.totals, ref.empty):
            stats += [0 if r_empty else h_tot, r_tot, n_match]
        return self.metric._compute_f_score(stats)

    def pair(self, a: NGrams, b: NGrams) -> tuple[float, float]:
        """``(chrF(a vs reference b), chrF(b vs reference a))``, 0-100, sharing one match count."""
        matches = self._matches(a, b)
        return self._score(a, b, matches), self._score(b, a, matches)

    def score(self, hyp: NGrams, ref: NGrams) -> float:
        """chrF of ``hyp`` against the single reference ``ref``, 0-100."""
        return self._score(hyp, ref, self._matches(hyp, ref))

    def group(self, texts: Sequence[str]) -> list[list[float | None]] | None:
        """``m[a][b]`` = chrF of ``texts[a]`` against reference ``texts[b]`` for every ordered pair of
        a group of texts at once (``None`` on the diagonal), or None where this does not apply
        (word n-grams, as chrF++ has, or too many distinct characters for exact integer keys).

        The same statistics as :meth:`ngrams` + :meth:`pair`, counted for the whole group in a
        few numpy passes instead of a Counter per text and order: every character of the group
        gets a small integer id, every n-gram the exact integer ``sum id_j * K^(n-1-j)`` (``K``:
        the group's distinct characters), and one sort per order gives each text's count of each
        n-gram; a pair's clipped matches are ``sum min(count_a, count_b)``. The integer statistics
        go to sacrebleu's ``_compute_f_score``, so the scores are sacrebleu's to the last bit.
        """
        m = self.metric
        if m.word_order:
            return None
        import numpy as np  # here, not at import: `mtfix --help` must not load numpy

        order = m.char_order
        prepped = [m._preprocess_segment(t) for t in texts]
        if not m.whitespace:
            prepped = ["".join(t.split()) for t in prepped]
        k = len(prepped)
        lens = np.fromiter(map(len, prepped), dtype=np.int64, count=k)
        codes = np.frombuffer("".join(prepped).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        alphabet, ids = np.unique(codes, return_inverse=True)
        base = len(alphabet)
        if base ** order >= 2 ** 62:
            return None
        ids = ids.astype(np.int64).reshape(-1)
        owner = np.repeat(np.arange(k), lens)
        left = np.cumsum(lens)[owner] - np.arange(len(ids))  # characters from here to the end of its text
        totals, matches = [], []
        key = ids
        for n in range(1, order + 1):
            if n > 1:
                key = key[:-1] * base + ids[n - 1:]
                valid = left[: len(key)] >= n
                grams, who = key[valid], owner[: len(key)][valid]
            else:
                grams, who = key, owner
            if not len(grams):
                totals.append(np.zeros(k, dtype=np.int64))
                matches.append(np.zeros((k, k), dtype=np.int64))
                continue
            uniq, inv = np.unique(grams, return_inverse=True)
            counts = np.bincount(inv.reshape(-1) * k + who, minlength=len(uniq) * k).reshape(len(uniq), k)
            totals.append(counts.sum(0))
            matches.append(np.minimum(counts[:, :, None], counts[:, None, :]).sum(0))
        tot = np.stack(totals, 1).tolist()  # [text][order]
        hit = np.stack(matches, 2).tolist()  # [a][b][order]
        f_score = m._compute_f_score
        out: list[list[float | None]] = [[None] * k for _ in range(k)]
        for a in range(k):
            ta, row = tot[a], hit[a]
            for b in range(k):
                if a != b:
                    tb = tot[b]
                    stats: list[int] = []
                    for h_tot, r_tot, n_match in zip(ta, tb, row[b]):
                        stats += [h_tot if r_tot else 0, r_tot, n_match]  # as sacrebleu: no hits without a reference
                    out[a][b] = f_score(stats)
        return out


class ChrfMemo:
    """Sentence chrF among texts that recur: each text's n-grams extracted once, each pair's chrF
    (both directions, from one match count) computed once.

    Same rules as :func:`mtfix.metrics.sentence_chrf` for empty texts (both
    empty: 100, one empty: 0); identical non-empty texts score 100.
    """

    def __init__(self, stats: ChrfStats | None = None):
        self._stats = stats
        self._grams: dict[str, NGrams] = {}
        self._scores: dict[tuple[str, str], float] = {}

    def ngrams(self, text: str) -> NGrams:
        """``text``'s n-grams, extracted on first use."""
        grams = self._grams.get(text)
        if grams is None:
            if self._stats is None:
                self._stats = ChrfStats()
            grams = self._grams[text] = self._stats.ngrams(text)
        return grams

    def score(self, hyp: str, ref: str) -> float:
        """chrF of ``hyp`` against the single reference ``ref``, 0-100."""
        value = self._scores.get((hyp, ref))
        if value is None:
            self._pair(hyp, ref)
            value = self._scores[(hyp, ref)]
        return value

    def _pair(self, a: str, b: str) -> None:
        sa, sb = a.strip(), b.strip()
        if not sa or not sb:
            self._scores[(a, b)] = self._scores[(b, a)] = 100.0 if sa == sb else 0.0
        elif a == b:
            self._scores[(a, b)] = 100.0
        else:
            ga, gb = self.ngrams(a), self.ngrams(b)
            self._scores[(a, b)], self._scores[(b, a)] = self._stats.pair(ga, gb)

    def prefetch(self, groups: Sequence[Sequence[str]]) -> None:
        """Compute every pair within each group of texts not yet known, a group at a time
        (:meth:`ChrfStats.group`): far cheaper than pair by pair when the same texts meet
        several others, as a pool's candidates do."""
        if self._stats is None:
            self._stats = ChrfStats()
        scores = self._scores
        for texts in groups:
            todo = list(dict.fromkeys(t for t in texts if t.strip()))
            if len(todo) < 3 or all((a, b) in scores for a in todo for b in todo if a != b):
                continue  # two texts: one pair, as cheap on its own
            m = self._stats.group(todo)
            if m is None:
                continue  # pair by pair, when asked
            for a, ta in enumerate(todo):
                for b, tb in enumerate(todo):
                    if a != b:
                        scores[(ta, tb)] = m[a][b]

    def pairwise(self, texts: Sequence[str]) -> list[list[float | None]]:
        """``m[a][b]`` = :meth:`score` of ``texts[a]`` against ``texts[b]``; ``None`` on the diagonal."""
        self.prefetch([texts])
        k = len(texts)
        m: list[list[float | None]] = [[None] * k for _ in range(k)]
        get = self._scores.get
        for a in range(k):
            ta = texts[a]
            for b in range(a + 1, k):
                tb = texts[b]
                v = get((ta, tb))
                if v is None:
                    self._pair(ta, tb)
                    v = get((ta, tb))
                m[a][b] = v
                m[b][a] = get((tb, ta))
        return m


def pairwise_chrf(texts: Sequence[str], stats: ChrfStats | None = None) -> list[list[float | None]]:
    """``m[a][b]`` = sentence chrF of ``texts[a]`` against ``texts[b]`` (0-100); ``None`` on the diagonal.

    Same rules as :func:`mtfix.metrics.sentence_chrf` for empty texts (both
    empty: 100, one empty: 0); identical non-empty texts score 100; each
    distinct text's n-grams are extracted once (:class:`ChrfMemo`).
    """
    return ChrfMemo(stats).pairwise(texts)
