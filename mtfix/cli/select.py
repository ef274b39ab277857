"""`mtfix select`: choose per segment among candidate translations.

A thin shell over :func:`mtfix.scoring.select.select_files`: parse options,
check the output paths before any work, write the chosen lines (and the JSON
report) atomically, print a short summary on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from mtfix.cli.fix import GlossaryOpt, NoDefaultGlossaryOpt, open_glossary
from mtfix.cli.options import EngineOptions, ScoringConfigOpt, engine_command
from mtfix.errors import MtfixError


def select_command(
    ctx: typer.Context,
    candidates: Optional[List[str]] = typer.Option(
        None, "--candidates", "-c",
        help="Candidate files, line-aligned: --candidates A.txt B.txt C.txt (or NAME=PATH; repeating the option works too).",
    ),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the chosen line of every segment here."),
    source: Optional[Path] = typer.Option(None, "--source", "-s", help="The source text (other language), line-aligned: numbers/length checks, round trip."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write every candidate's scores, each decision and its reason, and a signature, as JSON."),
    config: Optional[Path] = ScoringConfigOpt,
    src_lang: Optional[str] = typer.Option(None, "--src-lang", help="Language of --source (default: detected from the script)."),
    tgt_lang: Optional[str] = typer.Option(None, "--tgt-lang", help="Language of the candidates (default: detected from the script)."),
    back_model: Optional[str] = typer.Option(None, "--back-model", help="Back-translation model (candidate language -> source language) for round-trip scores; needs --source."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
    glossary: Optional[List[str]] = GlossaryOpt,
    no_default_glossary: bool = NoDefaultGlossaryOpt,
    *,
    engine: EngineOptions,
):
    """Choose, per line, the best of several candidate translations (e.g. outputs of several MT systems).

    The most trusted system (estimated from how much each agrees with the others,
    without references) is kept unless another candidate beats it by a margin.

    Example: mtfix select --candidates a.ar b.ar c.ar --source src.en --out best.ar --report why.json
    """
    from mtfix.outputs import atomic_write_text, check_output_path
    from mtfix.scoring.select import select_files

    extra = list(ctx.args)
    stray = [a for a in extra if a.startswith("-")]
    if stray:
        raise MtfixError(f"unknown option {stray[0]}; see mtfix select --help")
    specs = list(candidates or []) + extra
    if not specs:
        raise MtfixError("give the candidate files: --candidates A.txt B.txt ...")
    if out is None:
        raise MtfixError("give --out FILE for the selected lines")
    if back_model is not None and source is None:
        raise MtfixError("--back-model needs --source: round-trip scores compare back-translations with the source")

    from mtfix.scoring.select import parse_candidate_spec

    inputs = [p for _, p in map(parse_candidate_spec, specs)] + ([source] if source else []) + ([config] if config else [])
    inputs += [g for g in glossary or [] if Path(g).exists()]
    check_output_path(out, inputs)
    if report is not None:
        check_output_path(report, inputs)
        if Path(report).resolve() == Path(out).resolve():
            raise MtfixError("--out and --report are the same file; give them different paths")

    back_translate = None
    if back_model is not None:
        back_translate = _back_translator(back_model, specs, source, src_lang, tgt_lang, engine)

    scoring = None
    if glossary or no_default_glossary:  # the terminology scorer and gate read these glossaries
        from mtfix.scoring.config import load_config
        from mtfix.scoring.terminology import with_glossaries

        open_glossary(glossary, no_default_glossary)  # a malformed glossary fails here, before any work
        scoring = with_glossaries(load_config(config), glossary, default=not no_default_glossary)
    result = select_files(specs, source, config=scoring, config_path=config, src_lang=src_lang, tgt_lang=tgt_lang,
                          back_translate=back_translate, back_model_name=back_model or "custom")
    text = result.text()
    rep = json.dumps(result.report(), ensure_ascii=False, indent=1) + "\n" if report is not None else None
    atomic_write_text(out, text)
    if rep is not None:
        atomic_write_text(report, rep)
    if not quiet:
        s = result.summary()
        inc = s["incumbent"] if isinstance(s["incumbent"], str) else ", ".join(s["incumbent"])
        typer.echo(f"{s['segments']} segments: kept {inc} in {s['segments'] - s['switched']}, switched {s['switched']}"
                   f" -> {out}", err=True)
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)


def _back_translator(model, specs, source, src_lang, tgt_lang, engine: EngineOptions):
    """Round trip through the engine (cached): candidate language -> source language."""
    from mtfix.engine import back_translator
    from mtfix.scoring.select import _detect, parse_candidate_spec
    from mtfix.text.lang import script_lang
    from mtfix.text.read import read_lines

    tgt = script_lang(tgt_lang) if tgt_lang else _detect(read_lines(parse_candidate_spec(specs[0])[1]))
    src = script_lang(src_lang) if src_lang else _detect(read_lines(source))
    if not src or not tgt:
        raise MtfixError("cannot tell the languages from the text; give --src-lang and --tgt-lang")
    return back_translator(model, src=tgt, tgt=src, cache=engine.open_cache(), **engine.translator_options())


def register(app: typer.Typer) -> None:
    app.command(
        "select",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": False},
    )(engine_command(select_command))
