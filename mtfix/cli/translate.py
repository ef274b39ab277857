"""`mtfix translate`: translate a file, one segment per line in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from mtfix.cli.options import (DEFAULTS, BatchTokensOpt, BeamOpt, EngineOptions, MaxOutputRatioOpt, engine_command,
                                progress_bar)
from mtfix.errors import MtfixError


_SCRIPT_OF = {"ar": "Arab", "en": "Latn"}  # what detect_script_language tells apart
_SCRIPT_NAMES = {"Arab": "Arabic", "Latn": "Latin"}


def check_script(lines: list[str], src: str, name) -> None:
    """Refuse a file in the wrong script for ``--src`` (English given as Arabic, or the
    reverse): the model would turn it into confident noise."""
    from mtfix.engine.languages import lookup
    from mtfix.text.script import detect_script_language

    lang = lookup(src)
    expected = lang.flores.split("_")[1] if lang else None
    found = _SCRIPT_OF.get(detect_script_language("\n".join(lines)) or "")
    if expected in _SCRIPT_NAMES and found and found != expected:
        raise MtfixError(f"{name} is mostly {_SCRIPT_NAMES[found]} script, but --src {src} ({lang.name}) is written "
                         f"in {_SCRIPT_NAMES[expected]} script; give the file's real language as --src")


def register(app: typer.Typer) -> None:
    @app.command("translate")
    @engine_command
    def translate(
        file: Path = typer.Argument(..., help="Input text, one segment per line (UTF-8)."),
        model: Optional[str] = typer.Option(
            None, "--model", "-m", help="Preset name, hub id or local dir (default: the preset for SRC-TGT)."
        ),
        src: str = typer.Option(..., "--src", help="Source language (ar, en, arb_Arab, ...)."),
        tgt: str = typer.Option(..., "--tgt", help="Target language."),
        beam_size: int = BeamOpt,
        n_best: int = typer.Option(DEFAULTS.n_best, "--n-best", min=1,
                                   help="Hypotheses per segment (needs --json when > 1)."),
        max_batch_tokens: int = BatchTokensOpt,
        max_output_ratio: float = MaxOutputRatioOpt,
        out: Optional[str] = typer.Option(None, "--out", "-o", metavar="PATH", help="Write here instead of stdout."),
        as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per input line, n-best included."),
        *,
        engine: EngineOptions,
    ):
        """Translate FILE line by line: the same number of lines comes out."""
        from mtfix.engine.decode import DecodeOptions
        from mtfix.engine.languages import canonical
        from mtfix.engine.loader import open_translator
        from mtfix.engine.registry import default_model
        from mtfix.outputs import atomic_write_text, plan_outputs
        from mtfix.text.read import read_text_lines

        if n_best > 1 and not as_json:
            raise MtfixError("--n-best > 1 needs --json (plain output keeps one line per input line)")
        if n_best > beam_size:
            raise MtfixError(f"--n-best {n_best} is larger than --beam {beam_size}")
        plan_outputs([("--out", out)], [file], cache=engine.cache_file())
        out = None if out is not None and str(out) == "-" else out  # -o -: stdout, as without -o
        layout = read_text_lines(file)
        lines = layout.lines
        model = default_model(f"{canonical(src)}-{canonical(tgt)}", engine.models_dir) if model is None else model
        options = DecodeOptions(beam_size=beam_size, n_best=n_best, max_batch_tokens=max_batch_tokens,
                                max_output_ratio=max_output_ratio)
        translator = open_translator(model, cache=engine.open_cache(), **engine.translator_options())
        # A model needed anyway loads now, its tokenizer read while the weights load (a language check
        # first would read the tokenizer alone, then the weights); then the check below reads nothing.
        translator.load_if_missing(lines, src=src, tgt=tgt, options=options)
        translator.pair(src, tgt)  # fail on a wrong language before any translating
        check_script(lines, src, file)  # and on a file in another script than --src's
        with progress_bar("translating") as advance:
            results = translator.translate_batch(lines, src=src, tgt=tgt, options=options, on_progress=advance)
        if as_json:  # JSON Lines: one "\n" a row
            text = "".join(json.dumps({"line": i + 1, "source": line, "hypotheses": [h.to_dict() for h in hyps]},
                                      ensure_ascii=False) + "\n" for i, (line, hyps) in enumerate(zip(lines, results)))
        else:  # the input's layout: CRLF stays CRLF, a BOM stays
            text = layout.join(hyps[0].text for hyps in results)
        truncated = sum(1 for hyps in results if hyps[0].truncated)
        if out:
            atomic_write_text(out, text)
        else:
            typer.echo(text, nl=False)
        if truncated:
            typer.echo(
                f"warning: {truncated} segment(s) hit the output length cap without </s> (flagged 'truncated' in --json)",
                err=True,
            )
