"""Markup and encoding damage on either side of a pair (:mod:`mtfix.text.markup`).

Value: the number of damaged spans on both sides that count. "Drop" kinds
(tags, U+FFFD, control characters, symbol junk) always count: the text
behind them is lost. "Repair" kinds (HTML entities, mojibake) count unless
``repairable = "keep"``: a corpus run never edits text, so by default such a
pair is dropped and the reason says it can be repaired (``mtfix fix``, or
:func:`mtfix.text.markup.repair_markup`) and fed again.
"""

from __future__ import annotations

from operator import le

from mtfix.corpus.filters import Filter
from mtfix.corpus.records import FilterScore
from mtfix.corpus.sides import sides
from mtfix.text.markup import find_damage

__all__ = ["MarkupFilter"]


class MarkupFilter(Filter):
    """HTML/XML tags, HTML entities, U+FFFD, mojibake, control characters, symbol junk."""

    type = "markup"
    ACCEPT = (le, "max_damage")
    PARAMS = {"max_damage": (int, 0, "damaged spans accepted (both sides together)"),
              "repairable": (str, "drop", "entities and mojibake: drop (count them) or keep (do not)")}
    CHOICES = {"repairable": ("drop", "keep")}

    def score(self, pairs):
        out = []
        s = sides(pairs)
        clean = FilterScore(0, "no markup or encoding damage")  # immutable: one for every such pair
        for p, mx, my in zip(pairs, s.may_be_damaged(0), s.may_be_damaged(1)):
            if not mx and not my:
                out.append(clean)
                continue
            parts, n = [], 0
            for lang, text in self._sides(p):
                damage = [d for d in find_damage(text) if d.action == "drop" or self.repairable == "drop"]
                if damage:
                    n += len(damage)
                    shown = "; ".join(d.describe() for d in damage[:2])
                    more = f" and {len(damage) - 2} more" if len(damage) > 2 else ""
                    parts.append(f"{lang} side {shown}{more}")
            out.append(FilterScore(n, ", ".join(parts) if parts else "no markup or encoding damage"))
        return out

