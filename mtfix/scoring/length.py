"""Length ratio: is the candidate about as long as its source should make it?

The ratio ``len(candidate) / len(source)`` (characters, spaces collapsed) is
judged on a log scale against the corpus's own typical ratio: its median over
every candidate of every segment, and its robust spread (1.4826 x the median
absolute deviation, a standard deviation for normal data). Within
``tolerance`` robust standard deviations the value is 1.0; beyond, it falls as
a Gaussian tail, ``exp(-(|z| - tolerance)^2 / 2)``. Both constants come from
the data, so the scorer works for any language pair without a table of
ratios. Against several sources the median source length is used; with no
source the value is 1.0.

When repairing, the reference is the original sentence (same language), not
the pivots: a pivot is itself machine output and may be a truncated loop, and
measuring every candidate against it would let a bad pivot vote the original
out. The original then has ratio 1.0 by definition, and a candidate is judged
by how far its length strays from the sentence it replaces, against the
corpus's own spread of that ratio.
"""

from __future__ import annotations

import math
from statistics import median
from typing import Sequence

from mtfix.params import ABOVE_0
from mtfix.scoring.base import Score, Scorer, Segment
from mtfix.scoring.registry import register_scorer


def _chars(text: str) -> int:
    return len(" ".join(text.split()))


@register_scorer
class LengthScorer(Scorer):
    name = "length"
    NEEDS = ("sources",)
    PARAMS = {"tolerance": ((int, float), 3.0, "robust standard deviations of the log length ratio that are normal")}
    LIMITS = {"tolerance": ABOVE_0}  # a divisor
    HELP = "length ratio vs the original (repair) or source, against the corpus's own spread"

    def __init__(self, *, tolerance: float = 3.0):
        self.tolerance = tolerance
        self.center: float | None = None  # corpus median log ratio, after score()
        self.scale: float | None = None  # corpus robust sd of the log ratio

    def signature(self) -> dict:
        return {"name": self.name, "tolerance": self.tolerance}

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        src_len = [_reference_length(seg) for seg in segments]
        logs = [math.log(_chars(c.text) / n) for seg, n in zip(segments, src_len) if n
                for c in seg.candidates if _chars(c.text)]
        if len(logs) >= 2:
            self.center = median(logs)
            mad = median(abs(x - self.center) for x in logs)
            # A floor of 1% in ratio keeps a corpus of near-identical lengths from
            # turning every tiny difference into many "standard deviations".
            self.scale = max(1.4826 * mad, 0.01)
        out = []
        for seg, n in zip(segments, src_len):
            row = []
            for cand in seg.candidates:
                m = _chars(cand.text)
                if not n:
                    row.append(Score(1.0, "no source to compare length with"))
                elif self.center is None:
                    row.append(Score(1.0, "too little data for a length norm"))
                elif not m:
                    row.append(Score(0.0, "empty"))
                else:
                    ratio = m / n
                    z = (math.log(ratio) - self.center) / self.scale
                    excess = max(0.0, abs(z) - self.tolerance)
                    value = math.exp(-0.5 * excess * excess)
                    typical = math.exp(self.center)
                    what = "normal" if excess == 0 else ("too long" if z > 0 else "too short")
                    of = "original" if seg.original is not None else "source"
                    row.append(Score(value, f"length x{ratio:.2f} of {of} (typical x{typical:.2f}, z {z:+.1f}): {what}"))
            out.append(row)
        return out


def _reference_length(seg: Segment) -> float:
    if seg.original is not None:
        return _chars(seg.original)
    return median([_chars(s) for s in seg.sources]) if seg.sources else 0
