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
many pairs). :class:`SentenceChrf` and :class:`SentenceBleu` memoise a
sentence metric the same way for scorers and gates that compare many texts with
the same few (each text's n-grams once, each pair once). This module is the
only place that touches sacrebleu's CHRF and BLEU internals.
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


def pairwise_chrf(texts: Sequence[str], stats: ChrfStats | None = None) -> list[list[float | None]]:
    """``m[a][b]`` = sentence chrF of ``texts[a]`` against ``texts[b]`` (0-100); ``None`` on the diagonal.

    Same rules as :func:`mtfix.metrics.sentence_chrf` for empty texts (both
    empty: 100, one empty: 0); identical non-empty texts score 100; each
    distinct text's n-grams are extracted once.
    """
    cs = stats or ChrfStats()
    k = len(texts)
    m: list[list[float | None]] = [[None] * k for _ in range(k)]
    grams: dict[str, NGrams] = {}
    done: dict[tuple[str, str], tuple[float, float]] = {}
    for a in range(k):
        for b in range(a + 1, k):
            ta, tb = texts[a], texts[b]
            if not ta.strip() or not tb.strip():
                v = 100.0 if ta.strip() == tb.strip() else 0.0
                m[a][b] = m[b][a] = v
                continue
            if ta == tb:
                m[a][b] = m[b][a] = 100.0
                continue
            key = (ta, tb)
            if key not in done:
                ga = grams.get(ta) or grams.setdefault(ta, cs.ngrams(ta))
                gb = grams.get(tb) or grams.setdefault(tb, cs.ngrams(tb))
                done[key] = cs.pair(ga, gb)
            m[a][b], m[b][a] = done[key]
    return m


class SentenceChrf:
    """``chrf(hyp, ref)``: the numbers of :func:`mtfix.metrics.sentence_chrf`, with each distinct
    text's n-grams extracted once and each distinct pair scored once (a scorer or gate that
    compares many candidates with the same few references, or the same text many times)."""

    def __init__(self, stats: ChrfStats | None = None):
        self.stats = stats or ChrfStats()
        self._grams: dict[str, NGrams] = {}
        self._done: dict[tuple[str, str], float] = {}

    def _ngrams(self, text: str) -> NGrams:
        g = self._grams.get(text)
        if g is None:
            g = self._grams[text] = self.stats.ngrams(text)
        return g

    def __call__(self, hypothesis: str, reference: str) -> float:
        key = (hypothesis, reference)
        v = self._done.get(key)
        if v is None:
            if not hypothesis.strip() or not reference.strip():
                v = 100.0 if hypothesis.strip() == reference.strip() else 0.0
            else:
                v = self.stats.score(self._ngrams(hypothesis), self._ngrams(reference))
            self._done[key] = v
        return v


class SentenceBleu:
    """``bleu(hyp, ref)``: the numbers of :func:`mtfix.metrics.sentence_bleu` (sacrebleu BLEU, 13a,
    effective order), with each distinct text tokenised and its word n-grams counted once and each
    distinct pair scored once; the statistics and the score are sacrebleu's own."""

    def __init__(self, metric=None):
        if metric is None:
            from mtfix.metrics.sentence import bleu_metric

            metric = bleu_metric()
        self.metric = metric
        self._grams: dict[str, tuple] = {}
        self._done: dict[tuple[str, str], float] = {}

    def _ngrams(self, text: str) -> tuple:
        g = self._grams.get(text)
        if g is None:
            from sacrebleu.metrics.helpers import extract_all_word_ngrams

            g = self._grams[text] = extract_all_word_ngrams(self.metric._preprocess_segment(text), 1,
                                                            self.metric.max_ngram_order)
        return g

    def __call__(self, hypothesis: str, reference: str) -> float:
        key = (hypothesis, reference)
        v = self._done.get(key)
        if v is None:
            if not hypothesis.strip() or not reference.strip():
                v = 100.0 if hypothesis.strip() == reference.strip() else 0.0
            else:
                (hyp, hyp_len), (ref, ref_len) = self._ngrams(hypothesis), self._ngrams(reference)
                order = self.metric.max_ngram_order
                correct, total = [0] * order, [0] * order
                for gram, count in hyp.items():  # as sacrebleu's BLEU._compute_segment_statistics
                    n = len(gram) - 1
                    total[n] += count
                    if gram in ref:
                        correct[n] += min(count, ref[gram])
                v = self.metric._compute_score_from_stats([hyp_len, ref_len] + correct + total).score
            self._done[key] = v
        return v
