"""Repair, stage 0: the safe rule fixes and the glossary, before (or instead of) any model.

    from mtfix.repair.stage0 import repair_article
    result = repair_article(text, back=[...], forward=[...])  # rules, then the model loop
    result = repair_article(text)                              # no models: rules only
    result.text, result.report()

The fixed text is the incumbent the model loop must beat: the loop runs on it,
so a model candidate replaces a sentence only when it beats the rule-fixed
sentence. The report keeps both stories apart, per sentence: ``input`` (as
given), ``rule_fixes`` (what stage 0 changed and why), ``original`` (the
sentence the model loop started from), ``repaired`` and ``changed_by``
(``rule``, ``model``).

Without models (``back``/``forward`` empty) the result has the same shape, one
candidate per sentence, and its signature says ``models:none``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from mtfix.text.fix import FixResult, RULES, fix_text
from mtfix.text.glossary import Glossary
from mtfix.text.segment import segment

__all__ = ["Stage0Result", "ArticleResult", "run_stage0", "repair_article"]


@dataclass
class Stage0Result:
    fixed: FixResult

    @property
    def text(self) -> str:
        return self.fixed.text

    def signature_fields(self) -> dict:
        return {"rules": list(RULES), "glossaries": self.fixed.glossary}

    def signature_suffix(self) -> str:
        return f"stage0:rules+glossary:{'+'.join(self.fixed.glossary) or 'none'}"


def run_stage0(text: str, *, glossary: Glossary | None = None, src: str = "ar", name: str = "<input>") -> Stage0Result:
    """Check ``text`` is an article in ``src`` (else :class:`MtfixError`) and fix it by rule."""
    from mtfix.repair.pipeline import check_article

    check_article(text, src=src, name=name)
    return Stage0Result(fix_text(text, src, glossary))


@dataclass
class ArticleResult:
    """What ``mtfix repair`` writes: the text and the report (stage 0 and, when run, the model loop)."""

    input: str
    text: str
    stage0: Stage0Result
    model_result: object | None = None  # a RepairResult, or None when no model ran
    notes: list[str] = field(default_factory=list)
    _report: dict | None = None

    def report(self) -> dict:
        if self._report is None:
            base = self.model_result.report() if self.model_result is not None else _rules_only_report(self.stage0)
            self._report = _annotate(base, self.stage0, models=self.model_result is not None, notes=self.notes)
        return self._report

    def summary(self) -> dict:
        return self.report()["summary"]


def repair_article(
    text: str,
    *,
    back: Sequence[tuple[str, object]] = (),
    forward: Sequence[tuple[str, object]] = (),
    glossary: Glossary | None = None,
    src: str = "ar",
    name: str = "<input>",
    notes: Sequence[str] = (),
    **repair_options,
) -> ArticleResult:
    """Stage 0, then the model loop on the fixed text when ``back`` and ``forward`` are given
    (``repair_options`` go to :func:`mtfix.repair.repair_text`)."""
    stage0 = run_stage0(text, glossary=glossary, src=src, name=name)
    model_result = None
    if back and forward:
        from mtfix.repair import repair_text

        model_result = repair_text(stage0.text, back=back, forward=forward, src=src, name=name, **repair_options)
    final = model_result.text if model_result is not None else stage0.text
    return ArticleResult(text, final, stage0, model_result, list(notes))


def _rules_only_report(stage0: Stage0Result) -> dict:
    from mtfix import __version__

    doc = segment(stage0.text, "ar")
    sentences = []
    for s in doc.sentences:
        sentences.append({
            "index": s.index, "line": s.line, "paragraph": s.paragraph, "original": s.text, "repaired": s.text,
            "changed": False, "pivots": [],
            "decision": {"chosen": 0, "incumbent": 0, "kept_incumbent": True,
                         "reason": "no models: stage 0 (rule fixes and glossary) only"},
            "candidates": [{"origin": "original", "text": s.text, "model_score": None, "back_translation": None,
                            "total": 0.0, "scores": {}}],
        })
    fields = {"mtfix": __version__, "direction": "ar", "back_models": [], "forward_models": [], "models": "none"}
    line = f"mtfix:{__version__}|dir:ar|models:none"
    return {"signature": {"line": line, **fields},
            "summary": {"sentences": len(sentences), "changed": 0, "kept": len(sentences), "candidates": 0},
            "notes": [], "sentences": sentences}


def _annotate(rep: dict, stage0: Stage0Result, *, models: bool, notes: list[str]) -> dict:
    fixed = stage0.fixed
    doc = segment(fixed.text, "ar")
    sents = doc.sentences
    if len(sents) != len(rep["sentences"]):  # pragma: no cover - both sides segment the same text
        raise RuntimeError("stage 0 and the model loop disagree on the sentences")
    by_rule = by_model = 0
    for s, out in zip(sents, rep["sentences"]):
        a, b = fixed.input_span(s.start, s.end)
        rule_fixes = fixed.fixes_in(a, b)
        out["input"] = fixed.original[a:b]
        out["line"] = fixed.original.count("\n", 0, a) + 1
        out["rule_fixes"] = [f.to_dict() for f in rule_fixes]
        model_changed = bool(out.get("changed")) and models
        changed_by = (["rule"] if rule_fixes else []) + (["model"] if model_changed else [])
        out["changed_by"] = changed_by
        out["changed"] = bool(changed_by)
        by_rule += bool(rule_fixes)
        by_model += model_changed
    summary = rep["summary"]
    summary.update({
        "changed": sum(1 for s in rep["sentences"] if s["changed"]),
        "kept": sum(1 for s in rep["sentences"] if not s["changed"]),
        "fixed_by_rule": by_rule, "changed_by_model": by_model, "rule_fixes": len(fixed.fixes),
    })
    rep["stage0"] = {**fixed.to_dict(), "layout_fixes": [f.to_dict() for f in fixed.fixes if not any(
        f.to_dict() in s["rule_fixes"] for s in rep["sentences"])]}
    sig = rep["signature"]
    sig["stage0"] = stage0.signature_fields()
    sig["line"] = f"{sig['line']}|{stage0.signature_suffix()}"
    rep["notes"] = list(rep.get("notes", [])) + notes
    return rep


def missing_default_models(models_dir=None) -> list[str]:
    """The default repair models (ar-en, en-ar presets) that are not on this machine; any other
    problem with them (a corrupt download, no default preset) raises as usual."""
    from mtfix.engine.registry import default_model, not_offline_message, resolve
    from mtfix.errors import MtfixError

    missing = []
    for direction in ("ar-en", "en-ar"):
        name = default_model(direction, models_dir)
        try:
            resolve(name, models_dir)
        except MtfixError as e:
            if str(e) != not_offline_message(name):
                raise
            missing.append(name)
    return missing


def skipped_models_warning(missing: list[str]) -> str:
    """The one line ``mtfix repair`` prints when it runs stage 0 only."""
    pulls = " && ".join(f"mtfix models pull {m}" for m in missing)
    return (f"warning: default model(s) {' and '.join(missing)} not available offline, so only stage 0 ran "
            f"(rule fixes and glossary) and the model loop was skipped; run `{pulls}` on a connected machine, "
            f"or pass model folders with -b/-f (--require-models makes this an error)")
