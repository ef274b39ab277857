"""`mtfix fix`: apply the safe rule fixes that `mtfix check` justifies, each one recorded."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
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
    from mtfix.text.read import decode_bytes, open_stream, read_file

    if file == "-":
        with open_stream(file) as stdin:
            text, bom = decode_bytes(stdin.read(), "<stdin>")
    else:
        tf = read_file(file)
        text, bom = tf.text, tf.bom
    if not text.strip():
        raise MtfixError(f"{file}: is empty; nothing to fix")
    return text, bom


def _not_arabic(file: str, found: str | None) -> MtfixError:
    what = {"en": "English", None: "no text in any script"}.get(found, found)
    return MtfixError(f"{file}: looks like {what}, not Arabic; mtfix fix repairs Arabic text")


@contextlib.contextmanager
def text_source(file: str):
    """``(lines, head)`` of ``file`` (``-``: stdin), for `mtfix fix` and `mtfix check`: ``lines()`` reads
    the text afresh a few thousand lines at a time (``mtfix.text.check.check_lines``'s ``lines``),
    ``head()`` its first bytes. Stdin, or a pipe (``<(...)``, a FIFO), is read once, copied as it comes
    into an anonymous temporary file (removed when closed)."""
    from mtfix.text.check import PIECE_CHARS, rewound_lines
    from mtfix.text.read import iter_text_chunks, open_stream, read_once, stream_copy
    from mtfix.text.segment import line_chunks

    if not read_once(file):
        def head() -> bytes:
            with open(file, "rb") as f:
                return f.read(3)

        yield (lambda: line_chunks(iter_text_chunks(file), PIECE_CHARS)), head
        return
    name = "<stdin>" if file == "-" else file
    with open_stream(file) as stream, stream_copy(stream, name) as spool:  # stdin, a pipe: read once
        def head() -> bytes:
            spool.seek(0)
            return spool.read(3)

        yield rewound_lines(spool, name), head


def fix_streamed(file: str, out: Path | None, gloss) -> tuple[Counter, Counter]:
    """Fix ``file`` (``-``: stdin), read twice (the first pass decodes it all and finds its script
    before anything is written), piece by piece: each fixed piece is written as it comes (to
    stdout, or to ``out``'s temporary, renamed into place at the end) and to a copy (past a
    megabyte, an anonymous temporary file) that ``mtfix check`` then reads for what is left; the
    list of fixes follows on stderr. Memory: a piece or the longest paragraph, and a megabyte for
    each of the two copies. ``(fixes by code, findings left by code)``."""
    from mtfix.text.check import script_and_pieces
    from mtfix.text.read import BOM

    with text_source(file) as (lines, head):
        found, pieces = script_and_pieces(lines)
        if found is None and not any(chunk.strip() for chunk in lines()):
            raise MtfixError(f"{file}: is empty; nothing to fix")
        if found != "ar":
            raise _not_arabic(file, found)
        bom = head() == BOM.encode("utf-8")
        return _write_fixed(file, out, gloss, pieces, bom)


_IN_MEMORY = 1 << 20  # the fixed text and the list of fixes are kept in memory up to this size


def _write_fixed(file: str, out: Path | None, gloss, pieces, bom: bool) -> tuple[Counter, Counter]:
    from mtfix.outputs import atomic_path
    from mtfix.text.check import check_lines, rewound_lines
    from mtfix.text.fix import fix_pieces
    from mtfix.text.read import BOM

    fixed = Counter()
    err = _Stderr()
    # the fix list waits (in memory, past a megabyte in an anonymous temporary file) until the text
    # is written: a full disk half-way is then one error line, and no list of fixes never written
    with tempfile.SpooledTemporaryFile(_IN_MEMORY, "w+", encoding="utf-8") as listing:
        with contextlib.ExitStack() as stack:
            copy = stack.enter_context(tempfile.SpooledTemporaryFile(_IN_MEMORY))
            if out is None:
                write = sys.stdout.write
            else:
                target = stack.enter_context(open(stack.enter_context(atomic_path(out)), "w", encoding="utf-8",
                                                  newline=""))
                write = target.write
            if bom:
                write(BOM)
            for text, fixes in fix_pieces(pieces, "ar", gloss):
                write(text)
                copy.write(text.encode("utf-8"))
                for f in fixes:
                    listing.write(err.line(f))
                    fixed[f.code] += 1
            if out is None:
                sys.stdout.flush()

            report = check_lines(rewound_lines(copy, file), "ar", file, gloss) if copy.tell() else None
            left = Counter(report.counts) if report is not None else Counter()
            if report is not None:
                report.findings.close()
        listing.seek(0)
        shutil.copyfileobj(listing, sys.stderr)
    return fixed, left


class _Stderr:
    """The fix list and summary on stderr, as plain lines (dim reasons on a terminal, unless NO_COLOR)."""

    def __init__(self):
        self.dim = sys.stderr.isatty() and not os.environ.get("NO_COLOR")

    def line(self, f) -> str:
        after = f"“{f.after}”" if f.after else "(removed)"
        reason = f"\x1b[2m{f.reason}\x1b[0m" if self.dim else f.reason
        return f"{f.line}:{f.column}  {f.code}  “{f.before}” → {after}  {reason}\n"

    def summary(self, file: str, fixed: Counter, left: Counter) -> None:
        n, k = sum(fixed.values()), sum(left.values())
        line = f"{file}: {n} fix{'es' if n != 1 else ''}"
        line += f" ({', '.join(f'{c} {code}' for code, c in fixed.items())})" if n else ""
        if k:
            line += (f"; {k} finding{'s' if k != 1 else ''} left for a model or a person "
                     f"({', '.join(f'{c} {code}' for code, c in left.items())}): see `mtfix check`")
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def register(app: typer.Typer) -> None:
    @app.command("fix", help=HELP)
    def fix(
        file: str = typer.Argument(..., metavar="FILE", help="Arabic UTF-8 text or Markdown; - reads stdin."),
        out: Optional[str] = typer.Option(None, "--out", "-o", metavar="PATH",
                                         help="Write the fixed text here (default: stdout)."),
        glossary: Optional[List[str]] = GlossaryOpt,
        no_default_glossary: bool = NoDefaultGlossaryOpt,
        diff: bool = typer.Option(False, "--diff", help="Print a unified diff instead of the fixed text."),
        as_json: bool = typer.Option(False, "--json", help="Print the fixes and what is left as JSON."),
    ):
        from mtfix.outputs import atomic_write_text, plan_outputs

        gloss = open_glossary(glossary, no_default_glossary)
        plan_outputs([("--out", out), ("--json" if as_json else "--diff", "-" if as_json or diff else None)],
                     ([file] if file != "-" else []) + [g for g in glossary or [] if Path(g).exists()])
        out = None if out is not None and str(out) == "-" else out  # -o -: stdout, as without -o
        if not (as_json or diff):  # the text, piece by piece: memory bounded by a piece
            fixed, left = fix_streamed(file, out, gloss)
            _Stderr().summary(file, fixed, left)
            if fixed or left:
                raise typer.Exit(1)
            return
        from mtfix.text.check import check_text
        from mtfix.text.fix import fix_text
        from mtfix.text.read import BOM
        from mtfix.text.script import detect_script_language

        text, bom = read_input(file)
        found = detect_script_language(text)
        if found != "ar":
            raise _not_arabic(file, found)
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
        else:
            typer.echo(result.diff(file), nl=False)
        err = _Stderr()
        sys.stderr.write("".join(map(err.line, result.fixes)))
        err.summary(file, Counter(result.counts), Counter(f.code for f in remaining))
        if result.fixes or remaining:
            raise typer.Exit(1)
