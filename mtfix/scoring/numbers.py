"""Numbers: does the candidate carry the same numbers as the text it translates or repairs?

Uses :func:`mtfix.text.numbers.compare_numbers` (digits in any script, number
separators, ranges); the value is the mean of the comparisons' scores: 1.0 when
every number matches (or there are none), 0.0 when none does.

**What the numbers are compared with** is one rule, by what the segment's
``sources`` are (``Segment.sources_kind``):

* ``"source"`` (``mtfix select --source``: the text that was translated): every
  source line. Its numbers are the facts the candidates must carry.
* ``"pivot"`` (repair: the pivots are machine back-translations *of the
  original*): the **original**, the sentence being repaired. The pivots were
  made from the original, so they know no number it does not have: a number a
  pivot lacks was dropped by the back model, one it adds was invented or
  misread by it. Neither says anything about a challenger against the original,
  and counting them (as this scorer did) let a noise pivot without the
  original's ``500`` mark the *original* down ("extra 500") and hand a
  challenger that dropped it too a numbers gain. So the original always scores
  1.0 ("its numbers are the facts") and a challenger scores what it keeps of
  the original's numbers, read as the numbers gate reads them (garbled forms on
  either side read as meant, ``20 ، 000`` = ``20,000``; spelled out; times on
  the hour): the score can hold a challenger back, never carry it past the
  original, and a candidate that only mends how a number is written neither
  gains nor loses. The pivots contribute nothing (``[numbers] pivots =
  "ignore"``, the preset); ``"compare"`` also compares with every pivot, as
  before, and is there only to measure the difference. Pivots that agree with
  each other were considered and left out too: two back models that agree on a
  number the original lacks still only read the original, and the original
  cannot lose a comparison on a pivot's say-so.

With no original (``select`` with pivots made some other way) the pivots are
the only reference there is, and are compared.
"""

from __future__ import annotations

from typing import Sequence

from mtfix.params import validate
from mtfix.scoring.base import Score, Scorer, Segment
from mtfix.scoring.registry import register_scorer

#: ``[numbers] pivots``: what machine pivots count for where there is an original (see the module docstring).
PIVOT_RULES = ("ignore", "compare")


@register_scorer
class NumbersScorer(Scorer):
    name = "numbers"
    NEEDS = ("sources",)
    HELP = "the source's numbers kept (repair: the original's), across digit systems"
    PARAMS = {"pivots": (str, "ignore",
                         "what the pivots (repair's machine back-translations of the original) count for: "
                         "'ignore' (the original's numbers are the facts; a pivot can never mark it down), "
                         "'compare' (each pivot is also compared with, as the original is)")}
    CHOICES = {"pivots": PIVOT_RULES}

    def __init__(self, *, pivots: str = "ignore"):
        validate(type(self), {"pivots": pivots}, "[numbers]")
        self.pivots = pivots
        self._gate = None  # the numbers gate's reading, for the comparison with the original

    def references(self, seg: Segment) -> list[str]:
        """The texts whose numbers ``seg``'s candidates are compared with (see the module docstring)."""
        sources = [s for s in seg.sources if s is not None]
        if seg.sources_kind == "source" or seg.original is None:
            return sources
        return [seg.original, *(sources if self.pivots == "compare" else ())]

    def _as_the_gate_reads(self, original: str, text: str):
        """``text``'s numbers against the original's as the numbers gate reads them (garbled forms on either
        side read as meant, ``20 ، 000`` = ``20,000``; times on the hour; numbers spelled out): a
        candidate that only mends the original's way of writing a number neither gains nor loses."""
        from mtfix.scoring.gates import NumbersGate
        from mtfix.text.numbers import NumberComparison, meant_numbers

        if self._gate is None:
            self._gate = NumbersGate()  # the preset's defaults: spelled_out, on_the_hour
        missing, extra = self._gate.unexplained(original, text)
        matched = max(0, len(meant_numbers(original)) - len(missing))
        return NumberComparison([(None, None)] * matched, missing, extra)

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        from mtfix.text.numbers import compare_numbers

        out = []
        for seg in segments:
            refs = self.references(seg)
            judged_by_original = seg.sources_kind != "source" and seg.original is not None \
                and self.pivots == "ignore"
            row = []
            for cand in seg.candidates:
                if not refs:
                    row.append(Score(1.0, "no source to check numbers against"))
                    continue
                if judged_by_original and cand.text == seg.original:
                    row.append(Score(1.0, "the original: its numbers are the facts"))
                    continue
                comps = [compare_numbers(ref, cand.text) for ref in refs]
                if seg.sources_kind != "source" and seg.original is not None:
                    comps[0] = self._as_the_gate_reads(seg.original, cand.text)
                value = sum(c.score for c in comps) / len(comps)
                worst = min(comps, key=lambda c: c.score)
                reason = _reason(worst)
                row.append(Score(value, f"{reason} (vs the original)" if judged_by_original else reason))
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
