"""Numbers: does the candidate carry the same numbers as the source?

Uses :func:`mtfix.text.numbers.compare_numbers` (digits in any script, number
separators, ranges). Compared against every ``Segment.sources`` line (the
``--source`` line, or the pivot back-translations) and, with
``use_original=True``, also against ``Segment.original``; the value is the mean
of the comparisons' scores: 1.0 when every number matches (or there are
none), 0.0 when none does.
"""

from __future__ import annotations

from typing import Sequence

from mtfix.scoring.base import Score, Scorer, Segment
from mtfix.scoring.registry import register_scorer


@register_scorer
class NumbersScorer(Scorer):
    name = "numbers"
    NEEDS = ("sources",)
    HELP = "the source's (or pivots') numbers kept, across digit systems"

    def __init__(self, *, use_original: bool = False):
        self.use_original = use_original

    def signature(self) -> dict:
        return {"name": self.name, "use_original": self.use_original}

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        from mtfix.text.numbers import compare_numbers

        out = []
        for seg in segments:
            refs = [s for s in seg.sources if s is not None]
            if self.use_original and seg.original is not None:
                refs.append(seg.original)
            row = []
            for cand in seg.candidates:
                if not refs:
                    row.append(Score(1.0, "no source to check numbers against"))
                    continue
                comps = [compare_numbers(ref, cand.text) for ref in refs]
                value = sum(c.score for c in comps) / len(comps)
                worst = min(comps, key=lambda c: c.score)
                row.append(Score(value, _reason(worst)))
            out.append(row)
        return out


def _reason(comp) -> str:
    if not comp.missing and not comp.extra:
        return f"numbers agree ({len(comp.matched)})" if comp.matched else "no numbers"
    parts = []
    if comp.missing:
        parts.append("missing " + ", ".join(m.surface for m in comp.missing[:3]))
    if comp.extra:
        parts.append("extra " + ", ".join(m.surface for m in comp.extra[:3]))
    return "; ".join(parts)
