"""`mtfix select`: choose per segment among candidate translations.

A thin shell over :func:`mtfix.select.select_files`: parse options,
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
    out: str = typer.Option(..., "--out", "-o", metavar="PATH", help="Write the chosen line of every segment here."),
    source: Optional[Path] = typer.Option(None, "--source", help="The source text (other language), line-aligned: numbers/length checks, round trip."),
    report: Optional[str] = typer.Option(None, "--report", metavar="PATH", help="Write every candidate's scores, each decision and its reason, and a signature, as JSON."),
    config: Optional[Path] = ScoringConfigOpt,
    src_lang: Optional[str] = typer.Option(None, "--src-lang", help="Language of --source (default: detected from the script)."),
    tgt_lang: Optional[str] = typer.Option(None, "--tgt-lang", help="Language of the candidates (default: detected from the script)."),
    incumbent: Optional[str] = typer.Option(None, "--incumbent", help="Keep this candidate (its NAME, or its file) on every line unless another is clearly better (default: the most trusted system)."),
    back_model: Optional[str] = typer.Option(None, "--back-model", help="Back-translation model (candidate language -> source language) for round-trip scores; needs --source."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
    glossary: Optional[List[str]] = GlossaryOpt,
    no_default_glossary: bool = NoDefaultGlossaryOpt,
    *,
    engine: EngineOptions,
):
    """Choose, per line, the best of several candidate translations (e.g. outputs of several MT systems).

    The most trusted system (estimated from how much each agrees with the others,
    without references) is kept unless another candidate beats it by a margin;
    --incumbent NAME keeps your own system instead.

    Example: mtfix select --candidates a.ar b.ar c.ar --source src.en --out best.ar --report why.json
    """
    from mtfix.outputs import plan_outputs, write_all
    from mtfix.select import parse_candidate_spec, resolve_incumbent, select_files

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
    if incumbent is not None:
        parsed = [parse_candidate_spec(s) for s in specs]
        incumbent = resolve_incumbent(incumbent, [n for n, _ in parsed], [p for _, p in parsed])

    inputs = [p for _, p in map(parse_candidate_spec, specs)] + ([source] if source else []) + ([config] if config else [])
    inputs += [g for g in glossary or [] if Path(g).exists()]
    plan_outputs([("--out", out), ("--report", report)], inputs,
                 cache=engine.cache_file() if back_model is not None else None)

    back_translate = None
    if back_model is not None:
        back_translate = _back_translator(back_model, specs, source, src_lang, tgt_lang, engine)

    scoring = None
    if glossary or no_default_glossary:  # the terminology scorer and gate read these glossaries
        from mtfix.scoring.config import load_config
        from mtfix.scoring.terminology import with_glossaries

        open_glossary(glossary, no_default_glossary)  # a malformed glossary fails here, before any work
        scoring = with_glossaries(load_config(config), glossary, default=not no_default_glossary)
    result = select_files(specs, source, incumbent=incumbent, config=scoring, config_path=config,
                          src_lang=src_lang, tgt_lang=tgt_lang,
                          back_translate=back_translate, back_model_name=back_model or "custom")
    text = result.text()
    rep = json.dumps(result.report(), ensure_ascii=False, indent=1) + "\n" if report is not None else None
    write_all({out: text, **({report: rep} if rep is not None else {})})  # all or nothing
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
    from mtfix.select import detect_language, parse_candidate_spec
    from mtfix.text.lang import script_lang
    from mtfix.text.read import read_lines

    tgt = script_lang(tgt_lang) if tgt_lang else detect_language(read_lines(parse_candidate_spec(specs[0])[1]))
    src = script_lang(src_lang) if src_lang else detect_language(read_lines(source))
    if not src or not tgt:
        raise MtfixError("cannot tell the languages from the text; give --src-lang and --tgt-lang")
    return back_translator(model, src=tgt, tgt=src, cache=engine.open_cache(), **engine.translator_options())


def register(app: typer.Typer) -> None:
    app.command(
        "select",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": False},
    )(engine_command(select_command))
