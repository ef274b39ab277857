"""The result of an evaluation: plain data, turned into JSON/markdown/HTML by ``render``."""

from __future__ import annotations

from dataclasses import dataclass, field

from mtfix import __version__
from mtfix.metrics.corpus import MetricScore, lower_is_better
from mtfix.evaluate.segments import SegmentScore
from mtfix.evaluate.significance import PairedTestResult

REFERENCE_LABEL = "reference-based scores (sacrebleu)"
ROUNDTRIP_LABEL = (
    "ESTIMATE, not a reference-based score: round-trip scores of each system's output "
    "back-translated into the source language and compared with the source"
)


@dataclass
class SystemReport:
    name: str
    path: str | None
    scores: dict[str, MetricScore]
    segments: list[SegmentScore] = field(default_factory=list)
    worst: list[SegmentScore] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "file": self.path,
            "scores": {m: s.to_dict() for m, s in self.scores.items()},
            "worst_segments": [s.to_dict() for s in self.worst],
        }


@dataclass
class EvaluationReport:
    systems: list[SystemReport]
    metrics: list[str]
    signatures: dict[str, str]
    n_segments: int
    references: list[str]
    source: str | None = None
    normalize: str = "none"
    baseline: str | None = None
    significance: dict[str, PairedTestResult] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    worst_by: str = "chrf"
    #: "reference" or "roundtrip"; a round-trip report is an estimate.
    mode: str = "reference"
    back_model: str | None = None
    #: metric keys of the per-segment columns (``bleu``, ``chrf``, then any registered one chosen)
    segment_metrics: list[str] = field(default_factory=lambda: ["bleu", "chrf"])

    @property
    def estimate(self) -> bool:
        return self.mode == "roundtrip"

    @property
    def label(self) -> str:
        return ROUNDTRIP_LABEL if self.estimate else REFERENCE_LABEL

    def system(self, name: str) -> SystemReport:
        for s in self.systems:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict:
        return {
            "tool": f"mtfix {__version__}",
            "mode": self.mode,
            "estimate": self.estimate,
            "label": self.label,
            "back_model": self.back_model,
            "n_segments": self.n_segments,
            "references": self.references,
            "source": self.source,
            "normalize": self.normalize,
            "metrics": self.metrics,
            "lower_is_better": [m for m in self.metrics if lower_is_better(m)],
            "signatures": self.signatures,
            "baseline": self.baseline,
            "systems": [s.to_dict() for s in self.systems],
            "significance": {t: r.to_dict() for t, r in self.significance.items()},
            "worst_by": self.worst_by,
            "warnings": self.warnings,
        }
