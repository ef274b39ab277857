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
many pairs). sacrebleu's internals come from :mod:`mtfix.metrics.sacrebleu_internals` only, and where it
says they are not there (another sacrebleu), every pair is sacrebleu's public ``sentence_score``: the
same numbers, slower. :meth:`ChrfStats.groups` counts the same statistics for many
groups of texts at once in numpy (a pool's candidates, their source), and
:class:`ChrfMemo` keeps every pair computed either way (``prefetch`` a
pass over groups, ``score`` one pair on demand). :class:`SentenceChrf` and :class:`SentenceBleu` memoise a
sentence metric the same way for scorers and gates that compare many texts with
the same few (each text's n-grams once, each pair once).
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from mtfix.metrics import sacrebleu_internals as internals


#: Size of one vectorised chunk, in characters x widest group^2: its arrays stay small enough for
#: the processor's caches (larger chunks run slower, smaller ones pay numpy's per-call cost more often).
_CHUNK_CELLS = 250_000


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
        #: sacrebleu's internals are there (:func:`mtfix.metrics.sacrebleu_internals.usable`): n-grams once per
        #: text; without them :class:`ChrfMemo` scores each pair with ``sentence_score`` and :meth:`groups` says None
        self.fast = internals.usable()
        if self.fast:
            self._extract = internals.reference_ngrams(metric)
            self._f_score = internals.chrf_f_score(metric)
            self._preprocess = internals.preprocess(metric)

    def ngrams(self, text: str) -> NGrams:
        """The n-grams sacrebleu would extract from ``text`` (as hypothesis or as reference alike)."""
        return NGrams(self._extract(text))

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
        return self._f_score(stats)

    def pair(self, a: NGrams, b: NGrams) -> tuple[float, float]:
        """``(chrF(a vs reference b), chrF(b vs reference a))``, 0-100, sharing one match count."""
        matches = self._matches(a, b)
        return self._score(a, b, matches), self._score(b, a, matches)

    def score(self, hyp: NGrams, ref: NGrams) -> float:
        """chrF of ``hyp`` against the single reference ``ref``, 0-100."""
        return self._score(hyp, ref, self._matches(hyp, ref))

    def groups(self, groups: Sequence[Sequence[str]]) -> list[list[list[float | None]] | None]:
        """For each group of texts, ``m[a][b]`` = chrF of ``texts[a]`` against reference ``texts[b]``
        for every ordered pair (``None`` on the diagonal); a group is None where this does not
        apply (word n-grams, as chrF++ has, or too many distinct characters for exact keys).

        The statistics of :meth:`ngrams` + :meth:`pair`, counted for many groups at once in a few
        numpy passes instead of a Counter per text and order: every character gets a small
        integer id, every n-gram of a group the exact integer ``group * K^n + sum id_j *
        K^(n-1-j)`` (``K``: the distinct characters), and one sort per order gives each text's
        count of each n-gram; a pair's clipped matches are ``sum min(count_a, count_b)``. The
        integer statistics give the score as sacrebleu's ``_compute_f_score`` does
        (:meth:`_f_scores`), to the last bit.
        """
        if self.metric.word_order or not self.fast:
            return [None] * len(groups)
        out: list = []
        chunk: list[Sequence[str]] = []
        chars = widest = 0
        for g in groups:  # chunks of a bounded size: the pair minima take chars x widest^2 integers
            size = sum(map(len, g)) + 1
            if chunk and (chars + size) * max(widest, len(g)) ** 2 > _CHUNK_CELLS:
                out += self._chunk(chunk)
                chunk, chars, widest = [], 0, 0
            chunk.append(g)
            chars += size
            widest = max(widest, len(g))
        if chunk:
            out += self._chunk(chunk)
        return out

    def _chunk(self, groups: Sequence[Sequence[str]]) -> list:
        import numpy as np  # here, not at import: `mtfix --help` must not load numpy

        m, order = self.metric, self.metric.char_order
        sizes = [len(g) for g in groups]
        width, n_groups = max(sizes), len(groups)
        texts = [*map(self._preprocess, (t for g in groups for t in g))]
        if not m.whitespace:
            texts = ["".join(t.split()) for t in texts]
        n_texts = len(texts)
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=n_texts)
        codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        alphabet, ids = np.unique(codes, return_inverse=True)
        base = max(len(alphabet), 1)
        if base ** order * n_groups >= 2 ** 62:  # keys would not fit: halve the chunk
            if n_groups == 1:
                return [None]
            return self._chunk(groups[: n_groups // 2]) + self._chunk(groups[n_groups // 2:])
        ids = ids.astype(np.int64).reshape(-1)
        text_group = np.repeat(np.arange(n_groups), sizes)
        text_slot = np.arange(n_texts) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        owner = np.repeat(np.arange(n_texts), lens)  # the text of every character
        left = np.cumsum(lens)[owner] - np.arange(len(ids))  # characters from here to the end of its text
        group_of, slot_of = text_group[owner], text_slot[owner]
        totals = np.zeros((n_groups, width, order), dtype=np.int64)
        matches = np.zeros((n_groups, width, width, order), dtype=np.int64)
        first, second = np.triu_indices(width, 1)
        key = ids
        for n in range(1, order + 1):
            if n > 1:
                key = key[:-1] * base + ids[n - 1:]
                valid = left[: len(key)] >= n
                grams, grp, slot, who = key[valid], group_of[: len(key)][valid], slot_of[: len(key)][valid], \
                    owner[: len(key)][valid]
            else:
                grams, grp, slot, who = key, group_of, slot_of, owner
            if not len(grams):
                break  # no text is this long: no longer n-grams either
            totals[text_group, text_slot, n - 1] = np.bincount(who, minlength=n_texts)
            span = base ** n
            uniq, inv = np.unique(grp * span + grams, return_inverse=True)
            counts = np.bincount(slot * len(uniq) + inv.reshape(-1), minlength=width * len(uniq)).reshape(width, -1)
            pair_min = np.minimum(counts[first], counts[second])  # [pair a < b, n-gram]
            owner_group = uniq // span  # sorted: each group's n-grams are contiguous
            starts = np.flatnonzero(np.concatenate(([True], owner_group[1:] != owner_group[:-1])))
            sums = np.add.reduceat(pair_min, starts, axis=1).T  # [group, pair]
            present = owner_group[starts]
            matches[present[:, None], first, second, n - 1] = sums
            matches[present[:, None], second, first, n - 1] = sums  # the clipped count is symmetric
        hyp = np.broadcast_to(totals[:, :, None, :], matches.shape)  # [group, a, b, order]: a as hypothesis
        ref = np.broadcast_to(totals[:, None, :, :], matches.shape)  # ... b as reference
        scores = self._f_scores(np.where(ref > 0, hyp, 0), ref, matches).tolist()  # as sacrebleu: no hits without a reference
        out = []
        for g, size in zip(scores, sizes):
            g = [row[:size] for row in g[:size]]
            for a in range(size):
                g[a][a] = None
            out.append(g)
        return out

    def _f_scores(self, hyp, ref, match):
        """sacrebleu's ``CHRF._compute_f_score`` on arrays of statistics (``[..., order]``), the same
        operations in the same order, so every value is the one it returns (tested bit for bit);
        sacrebleu's own function for settings this does not cover (eps smoothing)."""
        import numpy as np

        m = self.metric
        if m.eps_smoothing:
            flat = np.stack([hyp, ref, match], -1).reshape(*hyp.shape[:-1], -1)
            return np.array([*map(self._f_score, flat.reshape(-1, flat.shape[-1]).tolist())],
                            dtype=float).reshape(hyp.shape[:-1])
        factor = m.beta ** 2
        effective = (hyp > 0) & (ref > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            prec = np.where(effective, match / np.where(effective, hyp, 1), 0.0)
            rec = np.where(effective, match / np.where(effective, ref, 1), 0.0)
        avg_prec = np.zeros(hyp.shape[:-1])
        avg_rec = np.zeros(hyp.shape[:-1])
        for i in range(hyp.shape[-1]):  # summed order by order, as sacrebleu's loop does
            avg_prec = avg_prec + prec[..., i]
            avg_rec = avg_rec + rec[..., i]
        n_eff = effective.sum(-1)
        some = n_eff > 0
        avg_prec = np.where(some, avg_prec / np.where(some, n_eff, 1), 0.0)
        avg_rec = np.where(some, avg_rec / np.where(some, n_eff, 1), 0.0)
        nonzero = (avg_prec + avg_rec) != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            score = (1 + factor) * avg_prec * avg_rec
            score = score / ((factor * avg_prec) + avg_rec)
        return np.where(nonzero, 100 * score, 0.0)


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
            if self._stats is None:
                self._stats = ChrfStats()
            if not self._stats.fast:  # sacrebleu's public path: the same numbers, each pair on its own
                metric = self._stats.metric
                self._scores[(a, b)] = metric.sentence_score(a, [b]).score
                self._scores[(b, a)] = metric.sentence_score(b, [a]).score
                return
            ga, gb = self.ngrams(a), self.ngrams(b)
            self._scores[(a, b)], self._scores[(b, a)] = self._stats.pair(ga, gb)

    def prefetch(self, groups: Sequence[Sequence[str]]) -> None:
        """Compute every pair within each group of texts not yet known, many groups per numpy
        pass (:meth:`ChrfStats.groups`): far cheaper than pair by pair when the same texts meet
        several others, as a pool's candidates do."""
        if self._stats is None:
            self._stats = ChrfStats()
        scores = self._scores
        todo = []
        for texts in groups:
            distinct = list(dict.fromkeys(t for t in texts if t.strip()))
            if len(distinct) > 1 and not all((a, b) in scores for a in distinct for b in distinct if a != b):
                todo.append(distinct)
        for distinct, m in zip(todo, self._stats.groups(todo)):
            if m is None:
                continue  # pair by pair, when asked
            for a, ta in enumerate(distinct):
                row = m[a]
                for b, tb in enumerate(distinct):
                    if a != b:
                        scores[(ta, tb)] = row[b]

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


class SentenceChrf(ChrfMemo):
    """``chrf(hyp, ref)``: :meth:`ChrfMemo.score` as a callable, the numbers of
    :func:`mtfix.metrics.sentence_chrf` with each distinct text's n-grams extracted once and each
    distinct pair scored once (a scorer or gate that compares many candidates with the same few
    references, or the same text many times)."""

    def __call__(self, hypothesis: str, reference: str) -> float:
        return self.score(hypothesis, reference)


def word_ngrams(line: str, max_order: int) -> tuple[Counter, int]:
    """``sacrebleu.metrics.helpers.extract_all_word_ngrams(line, 1, max_order)``: the same counts of the
    same word-tuple keys (tested equal), counted in C (``Counter.update`` over ``zip``) instead of a
    Python loop per n-gram: half the time, on the round trip's many short texts."""
    words = line.split()
    counts: Counter = Counter(zip(words))
    for n in range(2, max_order + 1):
        counts.update(zip(*(words[k:] for k in range(n))))
    return counts, len(words)


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
        #: sacrebleu's preprocessing (its tokenizer) once per text; without it each pair is ``sentence_score``
        self._preprocess = internals.preprocess(metric) if internals.usable() else None

    def _ngrams(self, text: str) -> tuple:
        g = self._grams.get(text)
        if g is None:
            g = self._grams[text] = word_ngrams(self._preprocess(text), self.metric.max_ngram_order)
        return g

    def __call__(self, hypothesis: str, reference: str) -> float:
        key = (hypothesis, reference)
        v = self._done.get(key)
        if v is None:
            if not hypothesis.strip() or not reference.strip():
                v = 100.0 if hypothesis.strip() == reference.strip() else 0.0
            elif self._preprocess is None:  # sacrebleu's public path: the same numbers
                v = self.metric.sentence_score(hypothesis, [reference]).score
            else:
                (hyp, hyp_len), (ref, ref_len) = self._ngrams(hypothesis), self._ngrams(reference)
                order = self.metric.max_ngram_order
                correct, total = [0] * order, [0] * order
                for gram, count in hyp.items():  # as sacrebleu's BLEU._compute_segment_statistics
                    n = len(gram) - 1
                    total[n] += count
                    if gram in ref:
                        correct[n] += min(count, ref[gram])
                m = self.metric  # sacrebleu's public BLEU.compute_bleu, as its sentence_score ends
                v = m.compute_bleu(correct, total, hyp_len, ref_len, smooth_method=m.smooth_method,
                                   smooth_value=m.smooth_value, effective_order=m.effective_order,
                                   max_ngram_order=m.max_ngram_order).score
            self._done[key] = v
        return v
