"""`mtfix check`: lint translated text: garbled numbers, Latin left in Arabic, repetitions."""

from __future__ import annotations

import sys

from typing import List, Optional

import typer

from mtfix.cli.fix import GlossaryOpt, NoDefaultGlossaryOpt, open_glossary

HELP = """Lint translated text without a model: garbled numbers, Latin words left in Arabic,
wrong-language sentences, repetition loops, bidi/zero-width characters, punctuation, glossary
terms left in Latin or mistranslated, with line numbers. `mtfix fix` repairs what is marked fixable.

Exit 0 when clean, 1 when issues were found, 2 on bad input."""


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _print_human(file: str, report) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    doc = report.document
    lang = {"ar": "Arabic", "en": "English", None: "language unknown"}[report.lang]
    head = (f"[bold]{escape(file)}[/bold]: {lang}, {_n(len(doc.paragraphs), 'paragraph')}, "
            f"{_n(len(doc.sentences), 'sentence')}")
    if not report.has_issues:
        console.print(f"{head}: [green]no issues[/green]", soft_wrap=True)
        return
    console.print(head, soft_wrap=True)  # summary lines never wrap: tools grep them
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col, kw in (("line:col", {"justify": "right", "no_wrap": True}), ("issue", {"no_wrap": True}),
                    ("text", {"max_width": 24}), ("detail", {})):
        table.add_column(col, **kw)
    for f in report.findings:
        surface = f.surface if len(f.surface) <= 40 else f.surface[:37] + "…"
        table.add_row(f"{f.line}:{f.column}", f.code, escape(surface), escape(f.message))
    console.print(table)
    sentences = report.flagged_count()
    parts = ", ".join(f"{n} {code}" for code, n in report.counts.items())
    console.print(f"[bold]{_n(len(report.findings), 'issue')}[/bold] in {_n(sentences, 'sentence')} ({parts})",
                  soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("check", help=HELP)
    def check(
        file: str = typer.Argument(..., metavar="FILE", help="UTF-8 text or Markdown file; - reads stdin."),
        lang: str = typer.Option(None, "--lang", "-l", help="Expected language: ar or en (default: majority script)."),
        as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON for tools."),
        glossary: Optional[List[str]] = GlossaryOpt,
        no_default_glossary: bool = NoDefaultGlossaryOpt,
    ):
        from mtfix.text.check import check_file, check_stream

        gloss = open_glossary(glossary, no_default_glossary)
        # a file is read a few thousand lines at a time, stdin through a temporary file; the
        # findings past a few thousand wait in a temporary file: memory is the longest paragraph
        if file == "-":
            report = check_stream(sys.stdin.buffer, lang, gloss, "<stdin>", "-")
        else:
            report = check_file(file, lang, gloss)
        if as_json:
            report.write_json(sys.stdout.write, {"file": file})
            sys.stdout.write("\n")
            sys.stdout.flush()
        else:
            _print_human(file, report)
        if report.has_issues:
            raise typer.Exit(1)
