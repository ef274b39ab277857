"""`mtfix check`: lint translated text: garbled numbers, Latin left in Arabic, repetitions."""

from __future__ import annotations

import sys

from typing import List, Optional

import typer

from mtfix.cli.fix import GlossaryOpt, NoDefaultGlossaryOpt, open_glossary, text_source

HELP = """Lint translated text without a model: garbled numbers, Latin words left in Arabic,
wrong-language sentences, repetition loops, bidi/zero-width characters, punctuation, glossary
terms left in Latin or mistranslated, with line numbers. `mtfix fix` repairs what is marked fixable.

Exit 0 when clean, 1 when issues were found, 2 on bad input."""


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


_COLUMNS = (("line:col", {"justify": "right", "no_wrap": True}), ("issue", {"no_wrap": True}),
            ("text", {"max_width": 24}), ("detail", {}))


def _rows(report):
    for f in report.findings:
        surface = f.surface if len(f.surface) <= 40 else f.surface[:37] + "…"
        yield f"{f.line}:{f.column}", f.code, surface, f.message


def _lines(file: str, report) -> tuple[str, str]:
    """The heading and the summary line, as plain text."""
    doc = report.document
    lang = {"ar": "Arabic", "en": "English", None: "language unknown"}[report.lang]
    head = f"{file}: {lang}, {_n(len(doc.paragraphs), 'paragraph')}, {_n(len(doc.sentences), 'sentence')}"
    parts = ", ".join(f"{n} {code}" for code, n in report.counts.items())
    tail = f"{_n(len(report.findings), 'issue')} in {_n(report.flagged_count(), 'sentence')} ({parts})"
    return head, tail


def _print_human(file: str, report) -> None:
    """The findings as a table: written as plain text (the same characters rich prints, in two
    passes over the findings, without rich's console) unless the output is a terminal or holds
    what rich would change; then by rich."""
    from mtfix.cli.plaintable import Column, plain_text_ok, plain_width, write_table

    width = plain_width()
    head, tail = _lines(file, report)
    if width is not None and plain_text_ok(head):
        out = sys.stdout
        if not report.has_issues:
            out.write(f"{head}: no issues\n")
            return
        columns = [Column(name, **kw) for name, kw in _COLUMNS]
        if write_table(columns, lambda: _rows(report), width, out.write, before=head + "\n"):
            out.write(tail + "\n")
            return
    _print_rich(file, report)


def _print_rich(file: str, report) -> None:
    from rich.markup import escape

    from mtfix.cli.console import console as rich_console
    from rich.table import Table

    console = rich_console(highlight=False)
    doc = report.document
    lang = {"ar": "Arabic", "en": "English", None: "language unknown"}[report.lang]
    head = (f"[bold]{escape(file)}[/bold]: {lang}, {_n(len(doc.paragraphs), 'paragraph')}, "
            f"{_n(len(doc.sentences), 'sentence')}")
    if not report.has_issues:
        console.print(f"{head}: [green]no issues[/green]", soft_wrap=True)
        return
    console.print(head, soft_wrap=True)  # summary lines never wrap: tools grep them
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col, kw in _COLUMNS:
        table.add_column(col, **kw)
    for line_col, code, surface, message in _rows(report):
        table.add_row(line_col, code, escape(surface), escape(message))
    console.print(table)
    parts = ", ".join(f"{n} {code}" for code, n in report.counts.items())
    console.print(f"[bold]{_n(len(report.findings), 'issue')}[/bold] in {_n(report.flagged_count(), 'sentence')} "
                  f"({parts})", soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("check", help=HELP)
    def check(
        file: str = typer.Argument(..., metavar="FILE", help="UTF-8 text or Markdown file; - reads stdin."),
        lang: str = typer.Option(None, "--lang", "-l", help="Expected language: ar or en (default: majority script)."),
        as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON for tools."),
        glossary: Optional[List[str]] = GlossaryOpt,
        no_default_glossary: bool = NoDefaultGlossaryOpt,
    ):
        from mtfix.text.check import check_lines

        gloss = open_glossary(glossary, no_default_glossary)
        # a file is read a few thousand lines at a time, stdin (or a pipe: <(...), a FIFO) through a
        # temporary file; the findings past a few thousand wait in a temporary file: memory is the
        # longest paragraph
        with text_source(file) as (lines, _):
            report = check_lines(lines, lang, file, gloss)
        if as_json:
            report.write_json(sys.stdout.write, {"file": file})
            sys.stdout.write("\n")
            sys.stdout.flush()
        else:
            _print_human(file, report)
        if report.has_issues:
            raise typer.Exit(1)
