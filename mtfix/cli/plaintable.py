"""A rich table written as plain text, without importing rich's console (most of a short
command's start-up) and without holding the rows: the same characters ``rich`` prints for a
``Table(box=None, show_edge=False, pad_edge=False)`` of plain-text cells to a stream that is not a
terminal, computed with rich's own cell widths and word wrapping (``rich.cells``,
``rich._wrap``), in two passes over the rows (measure, then write).

:func:`plain_width` says when this applies: output that is not a terminal, no forced colours or
terminal, not Jupyter; else the caller renders with rich. :func:`write_table` refuses (returns
False, having written nothing) cells that rich would transform (control characters, line breaks,
tabs, backslashes, ``:emoji:`` codes) and layouts where rich would cut a column below its header; the caller
then renders with rich too. ``tests/test_plaintable.py`` compares both outputs.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

__all__ = ["Column", "plain_width", "plain_text_ok", "write_table"]

#: what rich's markup and Text may change in a string: control characters (stripped or
#: expanded), line breaks of ``str.splitlines`` (a new line), ``:name:`` codes (emoji),
#: backslashes (escaped markup does not always come back the same)
_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]|:\S*?:")


@dataclass(frozen=True)
class Column:
    header: str
    justify: str = "left"  # "left" or "right"
    no_wrap: bool = False
    max_width: int | None = None


def plain_width(stream=None, environ=None) -> int | None:
    """The width rich's console would use when writing ``stream`` (default stdout), or None when
    rich must render it (a terminal, ``FORCE_COLOR``/``TTY_COMPATIBLE``, Jupyter, Windows)."""
    stream = sys.stdout if stream is None else stream
    environ = os.environ if environ is None else environ
    if sys.platform == "win32" or "ipykernel" in sys.modules or "IPython" in sys.modules:
        return None
    if environ.get("FORCE_COLOR") is not None or environ.get("TTY_COMPATIBLE", "") not in ("", "0"):
        return None
    if any(k.startswith("JUPYTER") for k in environ):
        return None
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):
        pass
    width = None
    for fd in (0, 1, 2):  # as rich's Console.size: the first standard stream that is a terminal
        try:
            width, _ = os.get_terminal_size(fd)
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def plain_text_ok(text: str) -> bool:
    """Does rich print ``text`` (escaped markup) unchanged?"""
    return _NOT_PLAIN.search(text) is None


def _text_measure(text: str, max_width: int) -> tuple[int, int]:
    """``Measurement.get`` of a rich Text of ``text`` (no line breaks) under ``max_width``."""
    from rich.cells import cell_len

    if max_width < 1:
        return 0, 0
    longest = cell_len(text)
    words = text.split()
    lo, hi = (max(map(cell_len, words)) if words else longest), longest
    lo = min(max(0, lo), hi)  # normalize, then at most max_width
    lo, hi = min(lo, max_width), min(hi, max_width)
    if hi < 1:
        return 0, 0
    return min(max(0, lo), hi), max(0, hi)


def _cell_measure(text: str, max_width: int, pad: int) -> tuple[int, int]:
    """``Measurement.get`` of ``Padding(text, pad)`` under ``max_width``."""
    if max_width < 1:
        return 0, 0
    if max_width - pad < 1:
        lo, hi = max_width, max_width
    else:
        lo, hi = _text_measure(text, max_width)
        lo, hi = min(lo + pad, max_width), min(hi + pad, max_width)
    lo = min(max(0, lo), hi)
    lo, hi = min(lo, max_width), min(hi, max_width)
    if hi < 1:
        return 0, 0
    return min(max(0, lo), hi), max(0, hi)


def _measure_columns(columns: Sequence[Column], rows: Callable[[], Iterable[Sequence[str]]], pads: list[int],
                     max_width: int) -> list[tuple[int, int]]:
    mins = [[] for _ in columns]
    maxs = [[] for _ in columns]
    lo = [0] * len(columns)
    hi = [0] * len(columns)
    seen = False
    for row in _with_header(columns, rows):
        seen = True
        for i, cell in enumerate(row):
            a, b = _cell_measure(cell, max_width, pads[i])
            lo[i], hi[i] = max(lo[i], a), max(hi[i], b)
    del mins, maxs
    out = []
    for i, c in enumerate(columns):
        a, b = (lo[i], hi[i]) if seen else (1, max_width)
        a, b = min(a, max_width), min(b, max_width)
        if c.max_width is not None:
            a, b = min(a, c.max_width + pads[i]), min(b, c.max_width + pads[i])
        out.append((a, b))
    return out


def _with_header(columns, rows):
    yield [c.header for c in columns]
    yield from rows()


def _collapse(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """rich ``Table._collapse_widths``."""
    from rich._ratio import ratio_reduce

    total = sum(widths)
    excess = total - max_width
    if any(wrapable):
        while total and excess > 0:
            max_column = max(w for w, ok in zip(widths, wrapable) if ok)
            second = max(w if ok and w != max_column else 0 for w, ok in zip(widths, wrapable))
            difference = max_column - second
            ratios = [(1 if (w == max_column and ok) else 0) for w, ok in zip(widths, wrapable)]
            if not any(ratios) or not difference:
                break
            widths = ratio_reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
            total = sum(widths)
            excess = total - max_width
    return widths


def _widths(columns, rows, pads, max_width) -> list[int] | None:
    """rich ``Table._calculate_column_widths`` (no expand, no fixed widths); None where rich
    would squeeze the columns evenly (a narrow console: left to rich)."""
    ranges = _measure_columns(columns, rows, pads, max_width)
    widths = [hi or 1 for _, hi in ranges]
    if sum(widths) > max_width:
        widths = _collapse(widths, [not c.no_wrap for c in columns], max_width)
        if sum(widths) > max_width:
            return None
        widths = [(_measure_columns([c], lambda i=i: ([r[i]] for r in rows()), [pads[i]], w)[0][1] or 0)
                  for i, (c, w) in enumerate(zip(columns, widths))]
    return widths


def _truncate(line: str, width: int, pad: bool = False) -> str:
    """rich ``Text.truncate`` with a column's default overflow, ``ellipsis``."""
    from rich.cells import cell_len, set_cell_size

    n = cell_len(line)
    if n > width:
        line = set_cell_size(line, width - 1) + "…"
    if pad and n < width:
        line = line + " " * (width - n)
    return line


def _wrap(text: str, width: int, column: Column) -> list[str]:
    """rich ``Text.wrap`` (a column's overflow: ``ellipsis``) + ``Padding`` + cropping: the lines
    of one cell, each ``width`` cells."""
    from rich._wrap import divide_line
    from rich.cells import cell_len, set_cell_size

    if column.no_wrap:
        lines = [text]
    else:
        offsets = divide_line(text, width, fold=False)
        lines = [text[a:b] for a, b in zip([0, *offsets], [*offsets, len(text)])]
        out = []
        for line in lines:  # rstrip_end: white space beyond the width goes
            if len(line) > width:
                m = re.search(r"\s+$", line)
                if m:
                    line = line[:len(line) - min(len(m.group()), len(line) - width)]
            out.append(line)
        lines = out
    shaped = []
    for line in lines:
        if column.justify == "right":
            line = _truncate(line.rstrip(), width)
            line = " " * (width - cell_len(line)) + line
        else:
            line = _truncate(line, width, pad=True)
        shaped.append(set_cell_size(_truncate(line, width), width))  # render_lines(pad=True): crop or pad
    return shaped


def write_table(columns: Sequence[Column], rows: Callable[[], Iterable[Sequence[str]]], width: int,
                write: Callable[[str], object], before: str = "") -> bool:
    """Write ``before``, then the table of ``rows()`` (called two or three times: checks and
    measures, then writing) as rich prints it at console ``width``; False, with nothing written,
    where rich has to render it."""
    if width < 1:
        return False
    for row in _with_header(columns, rows):
        if not all(cell and plain_text_ok(cell) for cell in row):
            return False
    last = len(columns) - 1
    lefts = [0 if i == 0 else 1 for i in range(len(columns))]
    rights = [0 if i == last else 1 for i in range(len(columns))]
    pads = [a + b for a, b in zip(lefts, rights)]
    widths = _widths(columns, rows, pads, width)
    if widths is None or sum(widths) > width or any(w - p < 1 for w, p in zip(widths, pads)):
        return False
    header = [_wrap(c.header, w - p, c) for c, w, p in zip(columns, widths, pads)]
    if any(len(h) != 1 for h in header):
        return False
    write(before)
    for row in _with_header(columns, rows):
        cells = [_wrap(cell, w - p, c) for cell, c, w, p in zip(row, columns, widths, pads)]
        height = max(map(len, cells))
        for k in range(height):
            write("".join(" " * lefts[i] + (cell[k] if k < len(cell) else " " * (widths[i] - pads[i]))
                          + " " * rights[i] for i, cell in enumerate(cells)) + "\n")
    return True
