"""`mtfix repair`: repair a garbled Arabic machine translation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from mtfix.cli.options import (
    BackModelsOpt,
    BackNBestOpt,
    BatchTokensOpt,
    BeamOpt,
    EngineOptions,
    ForwardModelsOpt,
    ForwardNBestOpt,
    ScoringConfigOpt,
    engine_command,
    progress_bar,
)
from mtfix.cli.fix import GlossaryOpt, NoDefaultGlossaryOpt, open_glossary
from mtfix.errors import MtfixError


def register(app: typer.Typer) -> None:
    @app.command("repair")
    @engine_command
    def repair(
        file: Path = typer.Argument(..., help="The Arabic machine translation to repair (UTF-8 text or Markdown)."),
        back_models: Optional[List[str]] = BackModelsOpt,
        forward_models: Optional[List[str]] = ForwardModelsOpt,
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the repaired text here (default: stdout)."),
        report: Optional[Path] = typer.Option(None, "--report", help="Write the JSON report here."),
        html: Optional[Path] = typer.Option(None, "--html", help="Write the HTML report here."),
        config: Optional[Path] = ScoringConfigOpt,
        beam_size: int = BeamOpt,
        back_n_best: int = BackNBestOpt,
        forward_n_best: int = ForwardNBestOpt,
        batch_tokens: int = BatchTokensOpt,
        glossary: Optional[List[str]] = GlossaryOpt,
        no_default_glossary: bool = NoDefaultGlossaryOpt,
        require_models: bool = typer.Option(
            False, "--require-models",
            help="Fail (exit 2) when the default models are missing, instead of running stage 0 only."),
        *,
        engine: EngineOptions,
    ):
        """Back-translate, re-translate, score every candidate, keep the best; never worse than the input."""
        from mtfix.outputs import atomic_write_text, check_output_path
        from mtfix.repair.models import RepairDecoding, open_repair_models
        from mtfix.repair.stage0 import missing_default_models, repair_article, skipped_models_warning
        from mtfix.scoring.terminology import with_glossaries
        from mtfix.report.html import render_repair_html
        from mtfix.scoring.config import load_config
        from mtfix.text.read import read_text

        outputs = [p for p in (out, report, html) if p is not None]
        if len({p.resolve() for p in outputs}) != len(outputs):
            raise MtfixError("--out, --report and --html must be different files")
        for p in outputs:
            check_output_path(p, [file, config, *(g for g in glossary or [] if Path(g).exists())])
        text = read_text(file)
        gloss = open_glossary(glossary, no_default_glossary)
        missing = [] if back_models or forward_models or require_models else missing_default_models(engine.models_dir)
        back, forward, warning = [], [], None
        if missing:  # a fresh offline machine: stage 0 still repairs what needs no model
            warning = skipped_models_warning(missing)
            scoring, model_options = None, {}
        else:
            decoding = RepairDecoding.make(beam_size=beam_size, back_n_best=back_n_best,
                                           forward_n_best=forward_n_best, max_batch_tokens=batch_tokens)
            models = open_repair_models(back_models, forward_models, decoding=decoding, cache=engine.open_cache(),
                                        **engine.translator_options())
            back, forward = models.back, models.forward
            scoring = with_glossaries(load_config(config), glossary, default=not no_default_glossary)
        with progress_bar("repairing") as advance:
            if not missing:
                model_options = dict(decoding=decoding, config=scoring,
                                     progress=lambda phase, k, total: advance(k, total, phase))
            result = repair_article(text, back=back, forward=forward, glossary=gloss, name=str(file),
                                    notes=[warning] if warning else [], **model_options)
        rep = result.report()
        if report:
            atomic_write_text(report, json.dumps(rep, ensure_ascii=False, indent=2) + "\n")
        if html:
            atomic_write_text(html, render_repair_html(rep, source_name=str(file)))
        if out:
            atomic_write_text(out, result.text)
        else:
            typer.echo(result.text, nl=not result.text.endswith("\n"))
        s = result.summary()
        if warning:
            typer.echo(warning, err=True)
        rules = f"{s['rule_fixes']} rule fixes in {s['fixed_by_rule']} sentences"
        if missing:
            typer.echo(f"repaired {s['changed']} of {s['sentences']} sentences: {rules}; no model run", err=True)
        else:
            translators = [tr for _, tr in back + forward]
            loaded = sum(1 for tr in translators if tr.loaded)
            typer.echo(
                f"repaired {s['changed']} of {s['sentences']} sentences: {rules}, {s['changed_by_model']} changed "
                f"by a model ({s['candidates']} candidates scored); translations: "
                f"{sum(tr.misses for tr in translators)} by {loaded} loaded model(s), "
                f"{sum(tr.hits for tr in translators)} from the cache",
                err=True,
            )
        typer.echo(f"signature: {rep['signature']['line']}", err=True)
