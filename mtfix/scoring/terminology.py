"""Terminology: are the glossary terms of the source and the original rendered as the glossary says?

A term is *expected* in a segment when its source form (``SDF``, ``Syrian
Democratic Forces``) is in a source line (the ``--source`` line in select, the
pivots in repair) or one of its renderings (``قسد``, ``قوات سوريا الديمقراطية``)
is in the original/incumbent. A candidate *keeps* a term when it contains one
of the term's renderings (spelling variants ى/ي, ة/ه, hamza seats folded) and
none of its known mistranslations (the glossary's ``avoid`` list).

* the **terminology scorer** gives ``kept / expected`` (1.0 with no term
  expected), with the terms dropped or mistranslated as the reason;
* the **terminology gate** stops a challenger that drops a term the reference
  (the original in repair, the incumbent in select) renders, or that uses a
  known mistranslation of a term the reference or the source has.

Both read the glossaries named in their ``glossaries`` parameter (files or
presets; default the shipped ``news-ar``): ``[terminology] glossaries = [...]``
and ``[gates.terminology] glossaries = [...]`` in a scoring config, or
``--glossary`` on the command line (:func:`with_glossaries`).
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Sequence

from mtfix.errors import ConfigError, MtfixError
from mtfix.scoring.base import Score, Scorer, Segment
from mtfix.scoring.facts import shared_facts
from mtfix.scoring.gates import Gate, reference_text
from mtfix.scoring.registry import register_gate, register_scorer
from mtfix.text.glossary import DEFAULT_GLOSSARY, Glossary, Term, load_glossaries

__all__ = ["TerminologyScorer", "TerminologyGate", "expected_terms", "term_report", "with_glossaries"]

_GLOSSARIES_PARAM = (list[str], [DEFAULT_GLOSSARY], "glossary files (.toml/.tsv) or presets, later ones win")


def _check_glossaries(params: dict, where: str) -> None:
    """A ``glossaries`` list that names a missing or malformed glossary: one line naming the key."""
    specs = params.get("glossaries")
    if specs is None or list(specs) == [DEFAULT_GLOSSARY]:  # the shipped preset: nothing to read at start-up
        return
    try:
        _glossary(tuple(specs))
    except MtfixError as e:
        raise ConfigError(f"{where} glossaries: {e}") from None


@lru_cache(maxsize=16)
def _glossary(specs: tuple[str, ...]) -> Glossary:
    return load_glossaries(list(specs), default=False)


def expected_terms(glossary: Glossary, sources: Sequence[str], reference: str | None) -> dict[str, Term]:
    """Terms (by source form) the sources mention or the reference renders."""
    facts = shared_facts()  # each text searched once per selection, by the scorer and the gate alike
    out: dict[str, Term] = {}
    for s in sources:
        if s and s.strip():
            for m in facts.of(glossary.find_source_terms, s):
                out.setdefault(m.term.source, m.term)
    if reference:
        for m in facts.of(glossary.find_renderings, reference):
            out.setdefault(m.term.source, m.term)
    return out


def term_report(glossary: Glossary, expected: dict[str, Term], text: str) -> tuple[list[Term], list[Term], list[str]]:
    """``(kept, dropped, mistranslations)`` of the ``expected`` terms in ``text``."""
    facts = shared_facts()
    rendered = {m.term.source for m in facts.of(glossary.find_renderings, text)}
    avoided = {}
    for m in facts.of(glossary.find_avoided, text):
        if m.term.source in expected:
            avoided.setdefault(m.term.source, m.surface)
    kept = [t for k, t in expected.items() if k in rendered and k not in avoided]
    dropped = [t for k, t in expected.items() if k not in rendered and k not in avoided]
    return kept, dropped, [f"{surface!r} for {k} (use {expected[k].target})" for k, surface in avoided.items()]


@register_scorer
class TerminologyScorer(Scorer):
    name = "terminology"
    NEEDS = ()
    TARGETS = ("ar",)  # the glossaries map English terms to Arabic renderings
    HELP = "glossary terms of the source/original rendered as the glossary says, no known mistranslation"
    PARAMS = {"glossaries": _GLOSSARIES_PARAM}

    @classmethod
    def check_params(cls, params: dict, where: str) -> None:
        _check_glossaries(params, where)

    def __init__(self, glossaries: Sequence[str] = (DEFAULT_GLOSSARY,)):
        self.glossaries = list(glossaries)
        self.glossary = _glossary(tuple(self.glossaries))

    def signature(self) -> dict:
        return {"name": self.name, "glossaries": self.glossaries, "terms": len(self.glossary.terms)}

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        out = []
        for seg in segments:
            expected = expected_terms(self.glossary, seg.sources, seg.original)
            row = []
            for cand in seg.candidates:
                if not expected:
                    row.append(Score(1.0, "no glossary term expected"))
                    continue
                kept, dropped, wrong = term_report(self.glossary, expected, cand.text)
                value = len(kept) / len(expected)
                if not dropped and not wrong:
                    reason = "glossary terms kept: " + ", ".join(t.target for t in kept)
                else:
                    parts = ([f"drops {', '.join(f'{t.target} ({t.source})' for t in dropped)}"] if dropped else []) \
                        + ([f"mistranslates {'; '.join(wrong)}"] if wrong else [])
                    reason = "glossary: " + "; ".join(parts)
                row.append(Score(value, reason))
            out.append(row)
        return out


@register_gate
class TerminologyGate(Gate):
    name = "terminology"
    HELP = "a glossary term the reference renders dropped, or a known mistranslation of a term used"
    PARAMS = {
        "glossaries": _GLOSSARIES_PARAM,
        "max_lost": (int, 0, "glossary terms a challenger may drop"),
        "source_decides": (bool, True, "with the text that was translated at hand, a term the reference renders "
                                       "counts only when that text has it (القاعدة of 'base station' is no al-Qaeda)"),
    }

    @classmethod
    def check_params(cls, params: dict, where: str) -> None:
        _check_glossaries(params, where)

    def _expected(self, glossary: Glossary, reference: str, trusted: tuple[str, ...]):
        """``(expected, in_reference)`` terms of a segment (the same for all its candidates: computed once)."""
        memo = self.__dict__.setdefault("_memo", {})
        key = (reference, trusted)
        if key not in memo:
            in_reference = expected_terms(glossary, [], reference)
            in_source = expected_terms(glossary, list(trusted), None)
            if trusted and self.source_decides:
                in_reference = {k: t for k, t in in_reference.items() if k in in_source}
            memo[key] = ({**in_source, **in_reference}, in_reference)
        return memo[key]

    def check(self, seg, c, ctx):
        if ctx.tgt_lang not in (None, "ar"):
            return None
        glossary = _glossary(tuple(self.glossaries))
        trusted = tuple(s for s in seg.sources if s and s.strip()) \
            if getattr(seg, "sources_kind", "source") == "source" else ()
        expected, in_reference = self._expected(glossary, reference_text(seg), trusted)
        if not expected:
            return None
        _, dropped, wrong = term_report(glossary, expected, seg.candidates[c].text)
        if wrong:
            return "glossary: " + wrong[0]
        lost = [t for t in dropped if t.source in in_reference]
        if len(lost) > self.max_lost:
            return f"glossary term {lost[0].target} ({lost[0].source}) dropped" + \
                (f" (+{len(lost) - 1} more)" if len(lost) > 1 else "")
        return None

    def params(self) -> dict:
        return {"glossaries": self.glossaries, "max_lost": self.max_lost, "source_decides": self.source_decides}


def with_glossaries(config, specs: Sequence[str] | None, *, default: bool = True):
    """``config`` (a ScoringConfig) with the terminology scorer and gate reading the default
    preset (unless ``default`` is False) plus ``specs``; unchanged when there is nothing to add."""
    if not specs and default:
        return config
    names = ([DEFAULT_GLOSSARY] if default else []) + [str(s) for s in specs or []]
    params = {**config.params, "terminology": {**config.params.get("terminology", {}), "glossaries": names}}
    gates = dict(config.gates)
    if "terminology" in gates:
        gates["terminology"] = {**gates["terminology"], "glossaries": names}
    return dataclasses.replace(config, params=params, gates=gates)
