"""Script: is the candidate written in the target language's script?

Value: :func:`mtfix.text.script.script_score`, the share of letters in the
expected script (1.0 for a text without letters). An English sentence given
as Arabic scores about 0; an Arabic sentence with one stray Latin word a little
below 1. The expected language is given, or, when None, the majority script
of all candidates in the corpus.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from mtfix.scoring.base import Score, Scorer, ScorerContext, Segment
from mtfix.scoring.facts import shared_facts
from mtfix.scoring.registry import register_scorer


@register_scorer
class ScriptScorer(Scorer):
    name = "script"
    HELP = "share of letters in the target language's script"

    @classmethod
    def from_config(cls, params: dict, ctx: ScorerContext) -> "ScriptScorer":
        return cls(ctx.tgt_lang, **params)

    def __init__(self, expected_lang: str | None = None):
        self.expected_lang = expected_lang

    def signature(self) -> dict:
        return {"name": self.name, "expected_lang": self.expected_lang}

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        from mtfix.text.script import detect_script_language, latin_words_in_arabic, script_score

        lang = self.expected_lang
        if lang is None:
            votes = Counter(detect_script_language(c.text) for seg in segments for c in seg.candidates)
            votes.pop(None, None)
            lang = votes.most_common(1)[0][0] if votes else None
        facts = shared_facts()
        out = []
        for seg in segments:
            row = []
            for cand in seg.candidates:
                if lang is None:
                    row.append(Score(1.0, "no letters in the corpus"))
                    continue
                value = facts.of(script_score, cand.text, lang)  # shared with the script gate
                if value >= 1.0:
                    reason = f"all {lang} script"
                else:
                    reason = f"{100 * value:.0f}% {lang} script"
                    if lang == "ar":
                        words = [w.word for w in latin_words_in_arabic(cand.text)][:3]
                        if words:
                            reason += "; Latin: " + ", ".join(words)
                row.append(Score(value, reason))
            out.append(row)
        return out
