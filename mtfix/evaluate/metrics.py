"""The metrics of ``mtfix evaluate``: the registry-backed layer of :mod:`mtfix.metrics`.

Every score comes from sacrebleu's own ``BLEU``, ``CHRF`` and ``TER`` classes
(or any metric registered with :func:`mtfix.metrics.register_metric`), with
their default settings unless an option says otherwise. The only addition is
the normalisation tag (``|normalize:<profile>``) appended to the signature when
a profile other than ``none`` was applied.
"""

from __future__ import annotations

from mtfix.metrics.builtin import BLEU_TOKENIZERS
from mtfix.metrics.corpus import (
    MetricOptions,
    MetricScore,
    build_metrics,
    corpus_scores,
    format_signature,
    lower_is_better,
    metric_name,
    new_metric,
    segment_keys,
    sentence_scores,
    signature,
)
from mtfix.metrics.registry import metric_keys

__all__ = ["BLEU_TOKENIZERS", "MetricOptions", "MetricScore", "build_metrics", "corpus_scores", "format_signature",
           "lower_is_better", "metric_keys", "metric_name", "new_metric", "segment_keys", "sentence_scores",
           "signature"]


def __getattr__(name):  # METRIC_KEYS follows the registry (a metric registered later shows up)
    if name == "METRIC_KEYS":
        return metric_keys()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
