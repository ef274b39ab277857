"""Evaluate MT systems with sacrebleu: scores, signatures, significance, per-segment views.

Library entry points (the ``mtfix evaluate`` command is a thin layer over them):

- :func:`evaluate_files` / :func:`evaluate`: corpus BLEU, chrF, chrF++, TER with
  sacrebleu signatures; paired bootstrap and approximate randomization against
  a baseline; sentence BLEU/chrF per segment and the worst segments.
- :func:`roundtrip_evaluate`: reference-free round-trip estimate through a
  back-translation callable.
- :mod:`mtfix.evaluate.render`: JSON, markdown, self-contained HTML, rich tables.
"""

from mtfix.evaluate.core import (
    SystemSpec,
    check_line_counts,
    evaluate,
    evaluate_files,
    load_inputs,
    parse_system_spec,
    read_segments,
)
from mtfix.evaluate.metrics import MetricOptions, MetricScore, build_metrics, corpus_scores
from mtfix.evaluate.report import EvaluationReport, SystemReport
from mtfix.evaluate.roundtrip import roundtrip_evaluate
from mtfix.evaluate.segments import SegmentScore, segment_scores, segments_jsonl, worst_segments
from mtfix.evaluate.significance import PairedResult, PairedTestResult, paired_test

__all__ = [
    "METRIC_KEYS",
    "EvaluationReport",
    "MetricOptions",
    "MetricScore",
    "PairedResult",
    "PairedTestResult",
    "SegmentScore",
    "SystemReport",
    "SystemSpec",
    "build_metrics",
    "check_line_counts",
    "corpus_scores",
    "evaluate",
    "evaluate_files",
    "load_inputs",
    "paired_test",
    "parse_system_spec",
    "read_segments",
    "roundtrip_evaluate",
    "segment_scores",
    "segments_jsonl",
    "worst_segments",
]


def __getattr__(name):  # METRIC_KEYS: every registered metric, read when asked (registered later: included)
    if name == "METRIC_KEYS":
        from mtfix.metrics import metric_keys

        return metric_keys()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
