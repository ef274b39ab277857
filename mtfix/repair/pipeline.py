"""The repair loop: segment -> pool -> score -> select -> reassemble.

    from mtfix.repair import repair_text
    result = repair_text(arabic_text, back=[("ar-en", tr1)], forward=[("en-ar", tr2)])
    result.text        # the repaired article, layout intact
    result.report()    # per sentence: pivots, candidates, every score, the decision

Translators follow :class:`mtfix.engine.base.Translator` (normally
:class:`mtfix.engine.cache.CachedTranslator` from
:func:`mtfix.repair.models.open_repair_models`, so a second run is served from
the cache without loading a model or a tokenizer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from mtfix.engine.back import back_translator
from mtfix.errors import MtfixError
from mtfix.repair.models import RepairDecoding, translator_signatures
from mtfix.repair.pool import Pool, Progress, build_pools
from mtfix.scoring.config import ScoringConfig, load_config
from mtfix.scoring.select import Selection, Selector, build_scorers
from mtfix.text.script import detect_script_language
from mtfix.text.segment import segment

LANG_NAMES = {"ar": "Arabic", "en": "English"}


@dataclass
class RepairResult:
    original: str
    text: str  # the repaired article
    pools: list[Pool]
    selection: Selection
    back_translations: dict[str, str]  # candidate text -> its round-trip back-translation
    signature: dict
    lines: list[int]  # 1-based line of each sentence in the input
    paragraphs: list[int]  # paragraph index of each sentence
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[int]:
        return [d.index for d in self.selection.decisions if not d.kept_incumbent]

    def summary(self) -> dict:
        n = len(self.pools)
        return {
            "sentences": n,
            "changed": len(self.changed),
            "kept": n - len(self.changed),
            "candidates": sum(len(p.candidates) for p in self.pools),
        }

    def report(self) -> dict:
        """Everything, JSON-ready: per sentence the original, pivots, every candidate
        with every score, the decision and its reason; the pipeline signature."""
        sel = self.selection
        sentences = []
        for i, (pool, decision) in enumerate(zip(self.pools, sel.decisions)):
            candidates = []
            for c, cand in enumerate(pool.candidates):
                candidates.append(
                    {
                        "origin": cand.origin,
                        "text": cand.text,
                        "model_score": None if cand.model_score is None else round(cand.model_score, 4),
                        "back_translation": self.back_translations.get(cand.text),
                        "total": round(decision.total[c], 6),
                        "scores": {name: s[i][c].to_dict() for name, s in sel.scores.items()},
                        "gated": [{"gate": g, "reason": r} for g, r in sel.gate_failures(i, c)],
                    }
                )
            sentences.append(
                {
                    "index": pool.index,
                    "line": self.lines[i],
                    "paragraph": self.paragraphs[i],
                    "original": pool.original,
                    "repaired": pool.candidates[decision.chosen].text,
                    "changed": not decision.kept_incumbent,
                    "pivots": [{"origin": p.origin, "text": p.text, "score": round(p.score, 4)} for p in pool.pivots],
                    "decision": decision.to_dict(),
                    "candidates": candidates,
                }
            )
        return {
            "signature": self.signature,
            "summary": self.summary(),
            "notes": self.notes,
            "sentences": sentences,
        }


def check_article(text: str, *, src: str = "ar", name: str = "<input>") -> None:
    """Raise :class:`MtfixError` unless ``text`` is a non-empty article in ``src``."""
    if not text.strip():
        raise MtfixError(f"{name} is empty; nothing to repair")
    found = detect_script_language(text)
    if found != src:
        raise MtfixError(
            f"{name} looks like {LANG_NAMES.get(found, 'no known language') if found else 'no text in any script'}, "
            f"not {LANG_NAMES.get(src, src)}; mtfix repair takes the {LANG_NAMES.get(src, src)} machine translation"
        )


def repair_text(
    text: str,
    *,
    back: Sequence[tuple[str, object]],
    forward: Sequence[tuple[str, object]],
    decoding: RepairDecoding = RepairDecoding(),
    config: ScoringConfig | None = None,
    src: str = "ar",
    pivot: str = "en",
    name: str = "<input>",
    progress: Progress | None = None,
) -> RepairResult:
    """Repair ``text`` (a machine translation into ``src``) through ``pivot``."""
    if not back or not forward:
        raise MtfixError("repair needs at least one back model and one forward model")
    check_article(text, src=src, name=name)
    for label, translators, (a, b) in (("back", back, (src, pivot)), ("forward", forward, (pivot, src))):
        for model_name, tr in translators:
            tr.pair(a, b)  # a wrong language for the model fails before any work
    config = config or load_config(preset="repair")
    doc = segment(text, lang=src)
    sentences = doc.sentences
    pools = build_pools(
        [s.text for s in sentences], back, forward, src=src, pivot=pivot, decoding=decoding, progress=progress
    )
    primary_name, primary = back[0]
    # Same options as the pivots, so the original's round trip is its first pivot (cached).
    back_translate = back_translator(primary, src=src, tgt=pivot, options=decoding.back, name=primary_name,
                                     check=False,
                                     on_progress=(lambda k, t: progress("round trip", k, t)) if progress else None)
    back_translations: dict[str, str] = {}

    def back_translate_kept(texts: list[str]) -> list[str]:
        out = back_translate(texts)
        back_translations.update(zip(texts, out))
        return out

    scorers, notes = build_scorers(
        config, tgt_lang=src, has_sources=True, back_translate=back_translate_kept, back_model_name=primary_name
    )
    # The original is the incumbent; the gates of the config veto degenerate challengers.
    selection = Selector(config, scorers, tgt_lang=src).select([p.segment() for p in pools])
    replacements = {
        d.index: pools[d.index].candidates[d.chosen].text for d in selection.decisions if not d.kept_incumbent
    }
    repaired = doc.reassemble(replacements)
    return RepairResult(
        original=text,
        text=repaired,
        pools=pools,
        selection=selection,
        back_translations=back_translations,
        signature=pipeline_signature(back, forward, decoding, config, scorers, src=src, pivot=pivot),
        lines=[s.line for s in sentences],
        paragraphs=[s.paragraph for s in sentences],
        notes=notes,
    )


def pipeline_signature(back, forward, decoding: RepairDecoding, config: ScoringConfig, scorers, *, src, pivot) -> dict:
    from mtfix.report.signature import Signature
    from mtfix.scoring.select import signature as scoring_signature

    return Signature.build(
        direction=f"{src}->{pivot}->{src}",
        back_models=translator_signatures(back),
        forward_models=translator_signatures(forward),
        decoding=decoding.to_dict(),
        scoring=scoring_signature(config, scorers),
    ).to_dict()
