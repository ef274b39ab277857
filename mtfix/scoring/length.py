"""Length ratio: is the candidate about as long as its source should make it?

The ratio ``len(candidate) / len(source)`` (characters, spaces collapsed) is
judged on a log scale against the corpus's own typical ratio: its median over
every candidate of every segment, and its robust spread (1.4826 x the median
absolute deviation, a standard deviation for normal data). Within
``tolerance`` robust standard deviations the value is 1.0; beyond, it falls as
a Gaussian tail, ``exp(-(|z| - tolerance)^2 / 2)``. Both constants come from
the data, so the scorer works for any language pair without a table of
ratios. Against several sources (pivots) the median source length is used;
with no source the value is 1.0.
"""

from __future__ import annotations

import math
from statistics import median
from typing import Sequence

from mtfix.scoring.base import Score, Scorer, Segment


def _chars(text: str) -> int:
    return len(" ".join(text.split()))


class LengthScorer(Scorer):
    name = "length"

    def __init__(self, *, tolerance: float = 3.0):
        self.tolerance = tolerance
        self.center: float | None = None  # corpus median log ratio, after score()
        self.scale: float | None = None  # corpus robust sd of the log ratio

    def signature(self) -> dict:
        return {"name": self.name, "tolerance": self.tolerance}

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        src_len = [median([_chars(s) for s in seg.sources]) if seg.sources else 0 for seg in segments]
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
                    row.append(Score(value, f"length x{ratio:.2f} of source (typical x{typical:.2f}, z {z:+.1f}): {what}"))
            out.append(row)
        return out
