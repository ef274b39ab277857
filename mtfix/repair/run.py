"""One repair run, decided in one place: stage 0, then the model loop when its models are here.

    from mtfix.engine.cache import open_cache
    from mtfix.repair import run_repair
    run = run_repair(arabic_text, cache=open_cache())  # the default models, or stage 0 only offline
    run.text, run.report(), run.warning, run.summary_line()

:func:`run_repair` is what ``mtfix repair`` does, for the library too:

* the decoding options are checked first (a bad ``beam_size`` is an error with or without models);
* models named (``back_models``/``forward_models``) must be there; the default models may be
  missing on a fresh offline machine, and then only stage 0 runs (the rule fixes and the
  glossary), with :attr:`RepairRun.warning` saying so, unless ``require_models`` makes that
  an error;
* otherwise the models are opened behind the translation cache
  (:func:`~mtfix.repair.models.open_repair_models`) and the model loop runs on the
  stage-0 text, scored with ``config`` plus the glossaries' terminology.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from mtfix.repair.models import REPAIR_N_BEST, RepairDecoding
from mtfix.repair.stage0 import ArticleResult, missing_default_models, repair_article, skipped_models_warning

__all__ = ["RepairRun", "run_repair", "models_to_skip"]

#: ``progress(phase, done, total)``
PhaseProgress = Callable[[str, int, "int | None"], None]


@dataclass
class RepairRun:
    """A finished run: the article (:attr:`result`), the translators used (none when only
    stage 0 ran) and the warning printed when the default models were missing."""

    result: ArticleResult
    back: list = field(default_factory=list)  # (name, translator)
    forward: list = field(default_factory=list)
    warning: str | None = None

    @property
    def text(self) -> str:
        return self.result.text

    @property
    def models_ran(self) -> bool:
        return bool(self.back and self.forward)

    def report(self) -> dict:
        return self.result.report()

    def summary_line(self) -> str:
        """``repaired K of N sentences: ...``: who changed what, and where the translations came from."""
        s = self.result.summary()
        rules = f"{s['rule_fixes']} rule fixes in {s['fixed_by_rule']} sentences"
        head = f"repaired {s['changed']} of {s['sentences']} sentences: {rules}"
        if not self.models_ran:
            return f"{head}; no model run"
        translators = [tr for _, tr in self.back + self.forward]
        loaded = sum(1 for tr in translators if tr.loaded)
        reused = sum(tr.reused for tr in translators)
        return (f"{head}, {s['changed_by_model']} changed by a model ({s['candidates']} candidates scored); "
                f"translations: {sum(tr.misses for tr in translators)} by {loaded} loaded model(s), "
                f"{sum(tr.hits for tr in translators)} from the cache (earlier runs)"
                + (f", {reused} reused within this run" if reused else ""))


def models_to_skip(back_models: Sequence[str] | None, forward_models: Sequence[str] | None, *,
                   require_models: bool = False, models_dir: Path | None = None) -> list[str]:
    """The default models that are missing here, when that means running stage 0 only: never
    when models are named or required (then a missing one is an error, as usual)."""
    if back_models or forward_models or require_models:
        return []
    return missing_default_models(models_dir)


def run_repair(
    text: str,
    *,
    back_models: Sequence[str] | None = None,
    forward_models: Sequence[str] | None = None,
    beam_size: int | None = None,
    back_n_best: int = REPAIR_N_BEST,
    forward_n_best: int = REPAIR_N_BEST,
    max_batch_tokens: int | None = None,
    max_output_ratio: float | None = None,
    config=None,
    glossary=None,
    glossaries: Sequence[str] | None = None,
    default_glossary: bool = True,
    require_models: bool = False,
    cache=None,
    models_dir: Path | None = None,
    name: str = "<input>",
    progress: PhaseProgress | None = None,
    **open_options,
) -> RepairRun:
    """Repair ``text`` as ``mtfix repair`` does (see the module docstring).

    ``config``: a :class:`~mtfix.scoring.config.ScoringConfig` (default: the preset);
    ``glossary``: the :class:`~mtfix.text.glossary.Glossary` stage 0 applies (default: the
    ones ``glossaries`` and ``default_glossary`` name), which the terminology scorer and
    gate read as well; ``cache``: a :class:`~mtfix.engine.cache.TranslationCache` or None;
    ``open_options`` go to :func:`~mtfix.engine.loader.open_translator` (backend, device,
    compute_type, quantization, threads, convert)."""
    from mtfix.scoring.config import load_config
    from mtfix.scoring.terminology import with_glossaries
    from mtfix.text.glossary import load_glossaries

    decode = {k: v for k, v in (("beam_size", beam_size), ("max_batch_tokens", max_batch_tokens),
                                ("max_output_ratio", max_output_ratio)) if v is not None}
    decoding = RepairDecoding.make(back_n_best=back_n_best, forward_n_best=forward_n_best, **decode)
    config = config if config is not None else load_config(preset="repair")
    if glossary is None:
        glossary = load_glossaries(list(glossaries or []), default=default_glossary)
    missing = models_to_skip(back_models, forward_models, require_models=require_models, models_dir=models_dir)
    if missing:  # a fresh offline machine: stage 0 still repairs what needs no model
        warning = skipped_models_warning(missing)
        result = repair_article(text, glossary=glossary, name=name, notes=[warning])
        return RepairRun(result, warning=warning)
    from mtfix.repair.models import open_repair_models

    models = open_repair_models(back_models, forward_models, decoding=decoding, cache=cache, models_dir=models_dir,
                                **open_options)
    scoring = with_glossaries(config, glossaries, default=default_glossary)
    result = repair_article(text, back=models.back, forward=models.forward, glossary=glossary, name=name,
                            decoding=decoding, config=scoring, progress=progress)
    return RepairRun(result, models.back, models.forward)
