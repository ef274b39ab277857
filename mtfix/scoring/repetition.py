"""Repetition: loops and stutter ("the the the", a phrase five times over).

Value: :func:`mtfix.text.repetition.repetition_report` ``.score``: 1.0 for
no repetition, toward 0.0 as more of the text is repeated.
"""

from __future__ import annotations

from typing import Sequence

from mtfix.scoring.base import Score, Scorer, Segment
from mtfix.scoring.facts import shared_facts
from mtfix.scoring.registry import register_scorer


@register_scorer
class RepetitionScorer(Scorer):
    name = "repetition"
    HELP = "share of words that are not loop copies"

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        from mtfix.text.repetition import repetition_report

        facts = shared_facts()  # the loop gate reads the same reports
        out = []
        cache: dict[str, Score] = {}
        for seg in segments:
            row = []
            for cand in seg.candidates:
                if cand.text not in cache:
                    rep = facts.of(repetition_report, cand.text)
                    value = float(rep.score)
                    if value >= 1.0 or not rep.repeats:
                        reason = "no repetition"
                    else:
                        reason = "repeats " + "; ".join(_show(r) for r in list(rep.repeats)[:2])
                    cache[cand.text] = Score(value, reason)
                row.append(cache[cand.text])
            out.append(row)
        return out


def _show(rep) -> str:
    """``'البرلمان' x4`` for a :class:`mtfix.text.repetition.Repeat`."""
    return f"{rep.ngram[:30]!r} x{rep.count}"
