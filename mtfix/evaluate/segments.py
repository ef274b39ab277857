"""Per-segment scores (sentence BLEU, sentence chrF, any registered metric with a column) and the worst segments.

Sentence scores are sacrebleu's ``sentence_score``; sentence BLEU uses
effective order, exactly as ``sacrebleu --sentence-level`` does. When the
corpus metrics are given, their per-segment statistics are reused (the
sentence score of a line is computed from the statistics the corpus score
already has), so listing the worst segments costs no second pass. They are for
finding bad segments, not for ranking systems: use the corpus scores for that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from mtfix.metrics.corpus import MetricOptions, segment_keys, sentence_scores
from mtfix.metrics.registry import get_metric


def __getattr__(name):  # SEGMENT_METRICS: the default per-segment columns, from the registry
    if name == "SEGMENT_METRICS":
        return segment_keys(MetricOptions())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class SegmentScore:
    system: str
    index: int  # 1-based line number in the input files
    scores: dict[str, float]  # metric key -> sentence score, in column order
    hypothesis: str
    references: list[str]
    source: str | None = None
    #: round-trip mode only: the back-translation that was scored against the source
    back_translation: str | None = None

    def score(self, key: str) -> float:
        return self.scores[key]

    @property
    def bleu(self) -> float:
        return self.scores["bleu"]

    @property
    def chrf(self) -> float:
        return self.scores["chrf"]

    def to_dict(self) -> dict:
        d = {"system": self.system, "line": self.index, **self.scores,
             "hyp": self.hypothesis, "refs": self.references}
        if self.source is not None:
            d["src"] = self.source
        if self.back_translation is not None:
            d["back"] = self.back_translation
        return d


def column_label(key: str) -> str:
    """The per-segment column title of metric ``key`` (``BLEU``, ``chrF``)."""
    return get_metric(key).segment_column or key


def segment_scores(
    system: str,
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    opts: MetricOptions | None = None,
    sources: Sequence[str] | None = None,
    metrics: dict | None = None,
) -> list[SegmentScore]:
    """Sentence scores of every line of one system, one per per-segment metric (:func:`segment_keys`).

    ``references`` is a list of reference streams (one list of lines per
    reference file). ``metrics``: the corpus metric objects by score name
    (:func:`mtfix.metrics.corpus.build_metrics`), whose statistics are reused.
    """
    opts = opts or MetricOptions()
    metrics = metrics or {}
    hypotheses = list(hypotheses)
    columns = {}
    for key in segment_keys(opts):
        corpus = metrics.get(get_metric(key).score_name) if key in opts.metrics else None
        columns[key] = sentence_scores(key, opts, hypotheses, references, corpus, sources)
    out = []
    for i, hyp in enumerate(hypotheses):
        out.append(SegmentScore(
            system=system, index=i + 1, scores={k: v[i] for k, v in columns.items()},
            hypothesis=hyp, references=[stream[i] for stream in references],
            source=None if sources is None else sources[i],
        ))
    return out


def worst_segments(segments: Sequence[SegmentScore], n: int = 5, by: str = "chrf") -> list[SegmentScore]:
    """The ``n`` lowest-scoring segments by ``by`` (ties: the other columns in order, then line order)."""
    keys = list(segments[0].scores) if segments else [by]
    if by not in keys:
        raise ValueError(f"by must be one of {tuple(keys)}")
    others = [k for k in keys if k != by]
    ranked = sorted(segments, key=lambda s: (s.score(by), *(s.score(k) for k in others), s.index))
    return ranked[: max(0, n)]


def segments_jsonl(segments_by_system: dict[str, list[SegmentScore]]) -> str:
    """One JSON object per line: system, line, one score per column (bleu, chrf, ...), hyp, refs[, src]."""
    lines = [json.dumps(s.to_dict(), ensure_ascii=False)
             for segs in segments_by_system.values() for s in segs]
    return "\n".join(lines) + ("\n" if lines else "")
