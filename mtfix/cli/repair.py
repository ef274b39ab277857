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
    MaxOutputRatioOpt,
    ForwardModelsOpt,
    ForwardNBestOpt,
    ScoringConfigOpt,
    engine_command,
    progress_bar,
)
from mtfix.cli.fix import GlossaryOpt, NoDefaultGlossaryOpt, open_glossary


def register(app: typer.Typer) -> None:
    @app.command("repair")
    @engine_command
    def repair(
        file: Path = typer.Argument(..., help="The Arabic machine translation to repair (UTF-8 text or Markdown)."),
        back_models: Optional[List[str]] = BackModelsOpt,
        forward_models: Optional[List[str]] = ForwardModelsOpt,
        out: Optional[str] = typer.Option(None, "--out", "-o", metavar="PATH",
                                          help="Write the repaired text here (default: stdout); missing folders are "
                                          "created."),
        report: Optional[str] = typer.Option(None, "--report", metavar="PATH", help="Write the JSON report here."),
        html: Optional[str] = typer.Option(None, "--html", metavar="PATH", help="Write the HTML report here."),
        config: Optional[Path] = ScoringConfigOpt,
        beam_size: int = BeamOpt,
        back_n_best: int = BackNBestOpt,
        forward_n_best: int = ForwardNBestOpt,
        batch_tokens: int = BatchTokensOpt,
        max_output_ratio: float = MaxOutputRatioOpt,
        glossary: Optional[List[str]] = GlossaryOpt,
        no_default_glossary: bool = NoDefaultGlossaryOpt,
        require_models: bool = typer.Option(
            False, "--require-models",
            help="Fail (exit 2) when the default models are missing, instead of running stage 0 only."),
        *,
        engine: EngineOptions,
    ):
        """Back-translate, re-translate, score every candidate, keep the best; never worse than the input."""
        from mtfix.outputs import plan_outputs, write_all
        from mtfix.repair.run import run_repair
        from mtfix.report.html import render_repair_html
        from mtfix.scoring.config import load_config
        from mtfix.text.read import BOM, read_file

        # The output folders are repair's own: made when it writes, never left empty by a failed run.
        plan_outputs([("--out" if out is not None else "the text (stdout without --out)", "-" if out is None else out),
                      ("--report", report), ("--html", html)],
                     [file, config, *(g for g in glossary or [] if Path(g).exists())],
                     cache=engine.cache_file(), make_folders=True)
        given = read_file(file)
        text, bom = given.text, BOM if given.bom else ""  # a BOM the article had, it has again
        scoring = load_config(config, preset="repair")  # a bad --config fails before any model is looked up
        gloss = open_glossary(glossary, no_default_glossary)
        options = engine.translator_options()
        models_dir = options.pop("models_dir")
        with progress_bar("repairing") as advance:
            run = run_repair(text, back_models=back_models, forward_models=forward_models, beam_size=beam_size,
                             back_n_best=back_n_best, forward_n_best=forward_n_best, max_batch_tokens=batch_tokens,
                             max_output_ratio=max_output_ratio, config=scoring, glossary=gloss, glossaries=glossary,
                             default_glossary=not no_default_glossary, require_models=require_models,
                             cache=engine.open_cache(), models_dir=models_dir,
                             name=str(file), progress=lambda phase, k, total: advance(k, total, phase), **options)
        rep = run.report()
        files = {}
        if report:
            files[report] = json.dumps(rep, ensure_ascii=False, indent=2) + "\n"
        if html:
            files[html] = render_repair_html(rep, source_name=str(file))
        if out:
            files[out] = bom + run.text
        write_all(files, make_folders=True)  # all or nothing
        if not out:
            typer.echo(bom + run.text, nl=not run.text.endswith("\n"))
        if run.warning:
            typer.echo(run.warning, err=True)
        typer.echo(run.summary_line(), err=True)
        typer.echo(f"signature: {rep['signature']['line']}", err=True)
