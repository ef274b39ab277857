"""Per-segment scores (sentence BLEU and sentence chrF) and the worst segments.

Sentence scores come from sacrebleu's ``sentence_score``; sentence BLEU uses
effective order, exactly as ``sacrebleu --sentence-level`` does. They are for
finding bad segments, not for ranking systems: use the corpus scores for that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from mtfix.evaluate.metrics import MetricOptions, new_metric

#: Sentence-level metrics, in output order; keys as in the JSONL lines.
SEGMENT_METRICS = ("bleu", "chrf")


@dataclass
class SegmentScore:
    system: str
    index: int  # 1-based line number in the input files
    bleu: float
    chrf: float
    hypothesis: str
    references: list[str]
    source: str | None = None
    #: round-trip mode only: the back-translation that was scored against the source
    back_translation: str | None = None

    def score(self, key: str) -> float:
        return getattr(self, key)

    def to_dict(self) -> dict:
        d = {"system": self.system, "line": self.index, "bleu": self.bleu, "chrf": self.chrf,
             "hyp": self.hypothesis, "refs": self.references}
        if self.source is not None:
            d["src"] = self.source
        if self.back_translation is not None:
            d["back"] = self.back_translation
        return d


def segment_scores(
    system: str,
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    opts: MetricOptions | None = None,
    sources: Sequence[str] | None = None,
) -> list[SegmentScore]:
    """Sentence BLEU and chrF for every line of one system.

    ``references`` is a list of reference streams (one list of lines per
    reference file), as for sacrebleu's corpus scores.
    """
    opts = opts or MetricOptions()
    bleu = new_metric("bleu", opts, sentence=True)
    chrf = new_metric("chrf", opts)
    out = []
    for i, hyp in enumerate(hypotheses):
        refs = [stream[i] for stream in references]
        out.append(SegmentScore(
            system=system, index=i + 1,
            bleu=float(bleu.sentence_score(hyp, refs).score),
            chrf=float(chrf.sentence_score(hyp, refs).score),
            hypothesis=hyp, references=refs,
            source=None if sources is None else sources[i],
        ))
    return out


def worst_segments(segments: Sequence[SegmentScore], n: int = 5, by: str = "chrf") -> list[SegmentScore]:
    """The ``n`` lowest-scoring segments by ``by`` (ties: the other metric, then line order)."""
    if by not in SEGMENT_METRICS:
        raise ValueError(f"by must be one of {SEGMENT_METRICS}")
    other = "bleu" if by == "chrf" else "chrf"
    ranked = sorted(segments, key=lambda s: (s.score(by), s.score(other), s.index))
    return ranked[: max(0, n)]


def segments_jsonl(segments_by_system: dict[str, list[SegmentScore]]) -> str:
    """One JSON object per line: system, line, bleu, chrf, hyp, refs[, src]."""
    lines = [json.dumps(s.to_dict(), ensure_ascii=False)
             for segs in segments_by_system.values() for s in segs]
    return "\n".join(lines) + ("\n" if lines else "")
