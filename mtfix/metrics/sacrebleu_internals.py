"""The one module that reaches into sacrebleu's internals, and the public path where they are gone.

sacrebleu's public API scores one pair (``metric.sentence_score(hyp, [ref])``), a corpus, a paired
test. mtfix compares every candidate of a pool with every other, so it needs the pieces inside a
sentence score: a text's n-grams extracted once for all its pairs (``_preprocess_segment``,
``_extract_reference_info``), chrF from counted statistics (``_compute_f_score``), the per-segment
statistics a corpus score already computed (``_extract_corpus_statistics``,
``_aggregate_and_compute``). BLEU from statistics needs none: ``BLEU.compute_bleu`` is public.

Each piece is handed out here only when :func:`usable` says so: the installed sacrebleu is a version
this module was tested with (:data:`TESTED`, pyproject's pin) and has every method used. Otherwise
the callers take the public path, with the same numbers (``sentence_score`` per pair and per line;
``tests/test_metrics.py`` runs both and simulates a sacrebleu without them), only slower.

:class:`StatsMetric` (a sacrebleu ``Metric`` from two hooks, for metrics sacrebleu lacks) implements
the hooks sacrebleu's ``Metric`` declares abstract: that is sacrebleu's own way to add a metric, and
a sacrebleu that renamed them would refuse the class (TypeError: abstract methods), not give other
numbers.
"""

from __future__ import annotations

from typing import Callable, Sequence

__all__ = ["TESTED", "usable", "preprocess", "reference_ngrams", "chrf_f_score", "corpus_statistics",
           "score_of_statistics", "MemoStatistics", "StatsMetric"]

#: sacrebleu versions (major, minor) whose internals this module was tested with
TESTED = ((2, 6),)

#: the internals used, by the public class that holds them
_USED = {"CHRF": ("_preprocess_segment", "_extract_reference_info", "_compute_f_score"),
         "BLEU": ("_preprocess_segment",),
         "Metric": ("_extract_corpus_statistics", "_aggregate_and_compute")}


def _version() -> tuple[int, ...]:
    import sacrebleu

    try:
        return tuple(int(p) for p in sacrebleu.__version__.split(".")[:2])
    except (AttributeError, ValueError):
        return ()


def usable() -> bool:
    """True when the installed sacrebleu is a :data:`TESTED` version and has every internal used: a few
    attribute look-ups, done where a scorer is made."""
    if _version() not in TESTED:
        return False
    from sacrebleu.metrics import BLEU, CHRF
    from sacrebleu.metrics.base import Metric

    classes = {"CHRF": CHRF, "BLEU": BLEU, "Metric": Metric}
    return all(callable(getattr(classes[c], name, None)) for c, names in _USED.items() for name in names)


def preprocess(metric) -> Callable[[str], str]:
    """``metric``'s own preprocessing of a segment (lowercasing; BLEU: its tokenizer), as it scores it."""
    return metric._preprocess_segment


def reference_ngrams(metric) -> Callable[[str], list]:
    """``ngrams(text)``: the n-gram counters (one per order) chrF ``metric`` extracts from ``text``, as a
    hypothesis or a reference alike."""
    extract, pre = metric._extract_reference_info, metric._preprocess_segment
    return lambda text: extract([pre(text)])["ref_ngrams"][0]


def chrf_f_score(metric) -> Callable[[list[int]], float]:
    """``f(stats)``: chrF ``metric``'s score (0-100) of ``[hyp, ref, match] * order`` counts."""
    return metric._compute_f_score


def corpus_statistics(metric, hypotheses: Sequence[str]) -> list:
    """Each line's statistics against ``metric``'s cached references (what its corpus score sums)."""
    return metric._extract_corpus_statistics(list(hypotheses), None)


def score_of_statistics(metric, statistics) -> float:
    """``metric``'s score of one line's :func:`corpus_statistics`: its sentence score."""
    return float(metric._aggregate_and_compute([statistics]).score)


class MemoStatistics:
    """Mixin (before a sacrebleu metric class) that remembers the per-segment statistics of hypotheses
    scored against the cached references: the corpus score, the sentence scores and the paired tests
    all ask for them, so they are computed once (TER's edit distance is slow). Where sacrebleu no longer
    calls this hook it is not called: no number changes, only the time."""

    def _extract_corpus_statistics(self, hypotheses, references):
        if references:
            return super()._extract_corpus_statistics(hypotheses, references)
        cache = self.__dict__.setdefault("_mtfix_stats_cache", {})
        key = tuple(hypotheses)
        if key not in cache:
            cache[key] = super()._extract_corpus_statistics(hypotheses, references)
        return cache[key]


class StatsMetric:
    """Mixin turning two small hooks into a sacrebleu ``Metric`` (for metrics sacrebleu lacks).

    Subclass it together with ``sacrebleu.metrics.base.Metric`` and define
    ``segment_statistics(hypothesis, references) -> list[float]`` (sufficient
    statistics that add up over segments) and ``score_from_statistics(totals)
    -> float``; corpus scores, sentence scores, paired bootstrap and
    approximate randomization then come from sacrebleu's own machinery.
    """

    score_name = "?"

    def __init__(self, references=None):
        super().__init__()
        if references is not None:
            self._ref_cache = self._cache_references(references)

    def _preprocess_segment(self, sent: str) -> str:
        return sent

    def _extract_reference_info(self, refs):
        return {"refs": list(refs)}

    def _compute_segment_statistics(self, hypothesis, ref_kwargs):
        return list(self.segment_statistics(hypothesis, ref_kwargs["refs"]))

    def _compute_score_from_stats(self, stats):
        from sacrebleu.metrics.base import Score

        return Score(self.score_name, float(self.score_from_statistics(list(stats))))

    def _aggregate_and_compute(self, stats):
        totals = [sum(col) for col in zip(*stats)] if stats else []
        return self._compute_score_from_stats(totals)
