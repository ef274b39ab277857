"""One metrics layer over sacrebleu, shared by scoring, corpus and evaluate.

- sentence chrF/BLEU for the scorers and filters (:func:`sentence_chrf`,
  :func:`sentence_bleu`, :func:`metric_signatures`), and :class:`ChrfStats`
  for many pairs of the same texts (each text's n-grams extracted once);
- normalisation profiles resolved once (:func:`resolve_normalizer`,
  :func:`get_normalizer`);
- the metric registry (:class:`EvalMetric`, :func:`register_metric`): BLEU,
  chrF, chrF++, TER built in; corpus and sentence scores
  (:class:`MetricOptions`, :func:`build_metrics`, :func:`corpus_scores`,
  :func:`sentence_scores`);
- the :class:`Signature` base every published signature extends.

Nothing re-implements a metric: every number comes from sacrebleu.
"""

from mtfix.metrics.chrf_stats import ChrfMemo, ChrfStats, pairwise_chrf
from mtfix.metrics.normalizers import Normalizer, get_normalizer, resolve_normalizer
from mtfix.metrics.registry import (
    METRICS,
    EvalMetric,
    StatsMetric,
    default_metric_keys,
    get_metric,
    metric_keys,
    register_metric,
    unregister_metric,
)
from mtfix.metrics.sentence import metric_signatures, sentence_bleu, sentence_chrf
from mtfix.metrics.signature import MetricSignature, Signature

__all__ = [
    "ChrfMemo", "ChrfStats", "EvalMetric", "METRICS", "MetricSignature", "Normalizer", "Signature", "StatsMetric",
    "default_metric_keys", "get_metric", "get_normalizer", "metric_keys", "metric_signatures", "pairwise_chrf",
    "register_metric", "resolve_normalizer", "sentence_bleu", "sentence_chrf", "unregister_metric",
]
