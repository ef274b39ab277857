"""`mtfix fix`: apply the safe rule fixes that `mtfix check` justifies, each one recorded."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from mtfix.errors import MtfixError

HELP = """Fix, without a model, what `mtfix check` finds and can justify: broken number formats
(20 ، 000, 100 ٪, a lost و in بين X Y), spacing before punctuation, Latin , ; ? in Arabic,
doubled punctuation, stray bidi/zero-width marks, and Latin terms the glossary renders.
Every fix is listed (line:col, rule, before → after); everything else is kept byte for byte;
anything ambiguous is reported, not changed.

Exit 0 when there is nothing to fix or report, 1 when something was fixed or is left, 2 on bad input."""

GlossaryOpt: Optional[List[str]] = typer.Option(
    None, "--glossary", "-g",
    help="A glossary (.toml or .tsv) or preset name laid over the default news-ar preset (repeatable; "
    "later ones win).",
)
NoDefaultGlossaryOpt = typer.Option(False, "--no-default-glossary", help="Do not load the news-ar preset.")


def open_glossary(specs: list[str] | None, no_default: bool = False):
    """The glossary the options ask for (the shipped preset first unless ``no_default``)."""
    from mtfix.text.glossary import load_glossaries

    return load_glossaries(specs or [], default=not no_default)


def read_input(file: str) -> tuple[str, bool]:
    """``(text, had_bom)`` of ``file`` (``-``: stdin); empty input is an error."""
    from mtfix.text.read import decode_bytes, read_file

    if file == "-":
        text, bom = decode_bytes(sys.stdin.buffer.read(), "<stdin>")
    else:
        tf = read_file(file)
        text, bom = tf.text, tf.bom
    if not text.strip():
        raise MtfixError(f"{file}: is empty; nothing to fix")
    return text, bom


def _print_summary(file: str, result, remaining) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    for f in result.fixes:
        after = f"“{escape(f.after)}”" if f.after else "(removed)"
        console.print(f"{f.line}:{f.column}  {f.code}  “{escape(f.before)}” → {after}  [dim]{escape(f.reason)}[/dim]")
    counts = ", ".join(f"{n} {c}" for c, n in result.counts.items())
    left = {}
    for f in remaining:
        left[f.code] = left.get(f.code, 0) + 1
    line = f"{escape(file)}: {len(result.fixes)} fix{'es' if len(result.fixes) != 1 else ''}"
    line += f" ({counts})" if counts else ""
    if remaining:
        line += (f"; {len(remaining)} finding{'s' if len(remaining) != 1 else ''} left for a model or a person "
                 f"({', '.join(f'{n} {c}' for c, n in left.items())}): see `mtfix check`")
    console.print(line)


def register(app: typer.Typer) -> None:
    @app.command("fix", help=HELP)
    def fix(
        file: str = typer.Argument(..., metavar="FILE", help="Arabic UTF-8 text or Markdown; - reads stdin."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the fixed text here (default: stdout)."),
        glossary: Optional[List[str]] = GlossaryOpt,
        no_default_glossary: bool = NoDefaultGlossaryOpt,
        diff: bool = typer.Option(False, "--diff", help="Print a unified diff instead of the fixed text."),
        as_json: bool = typer.Option(False, "--json", help="Print the fixes and what is left as JSON."),
    ):
        from mtfix.outputs import atomic_write_text, check_output_path
        from mtfix.text.check import check_text
        from mtfix.text.fix import fix_text
        from mtfix.text.read import BOM
        from mtfix.text.script import detect_script_language

        gloss = open_glossary(glossary, no_default_glossary)
        if out is not None:
            check_output_path(out, ([file] if file != "-" else []) + [g for g in glossary or [] if Path(g).exists()])
        text, bom = read_input(file)
        found = detect_script_language(text)
        if found != "ar":
            what = {"en": "English", None: "no text in any script"}.get(found, found)
            raise MtfixError(f"{file}: looks like {what}, not Arabic; mtfix fix repairs Arabic text")
        result = fix_text(text, "ar", gloss)
        remaining = check_text(result.text, "ar", gloss).findings
        if out is not None:
            atomic_write_text(out, (BOM if bom else "") + result.text)
        if as_json:
            payload = {"file": file, "out": str(out) if out else None, **result.to_dict(),
                       "remaining": [f.to_dict() for f in remaining]}
            if diff:
                payload["diff"] = result.diff(file)
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        elif diff:
            typer.echo(result.diff(file), nl=False)
        elif out is None:
            typer.echo((BOM if bom else "") + result.text, nl=False)
        _print_summary(file, result, remaining)
        if result.fixes or remaining:
            raise typer.Exit(1)
