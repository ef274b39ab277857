"""A rich table written as plain text, without importing rich's console (most of a short
command's start-up) and without holding the rows: the same characters ``rich`` prints for a
``Table(box=None, show_edge=False, pad_edge=False)`` of plain-text cells to a stream that is not a
terminal, computed with rich's own cell widths and word wrapping (``rich.cells``, and
``rich.text.Text.wrap`` for a cell that wraps), in two passes over the rows (measure, then write).
Only rich's public API is used; where rich's table layout needs a private helper (the widths'
reduction of ``Table._collapse_widths``), its arithmetic is written here (:func:`_reduce`).

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
                     max_widths: list[int]) -> list[tuple[int, int]]:
    """rich ``Table._measure_column`` of each column (the header and every row; column ``i`` under
    ``max_widths[i]``), in one pass over the rows."""
    lo = [0] * len(columns)
    hi = [0] * len(columns)
    for row in _with_header(columns, rows):
        for i, cell in enumerate(row):
            a, b = _cell_measure(cell, max_widths[i], pads[i])
            lo[i], hi[i] = max(lo[i], a), max(hi[i], b)
    out = []
    for i, c in enumerate(columns):
        a, b = min(lo[i], max_widths[i]), min(hi[i], max_widths[i])
        if c.max_width is not None:
            a, b = min(a, c.max_width + pads[i]), min(b, c.max_width + pads[i])
        out.append((a, b))
    return out


def _with_header(columns, rows):
    yield [c.header for c in columns]
    yield from rows()


def _collapse(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """rich ``Table._collapse_widths``."""
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
            widths = _reduce(excess, ratios, min(excess, difference), widths)
            total = sum(widths)
            excess = total - max_width
    return widths


def _reduce(total: int, ratios: list[int], most: int, values: list[int]) -> list[int]:
    """``values`` less ``total`` shared out by ``ratios``, at most ``most`` each: the arithmetic of
    rich's ``ratio_reduce`` (a private helper, ``rich._ratio``) that ``Table._collapse_widths`` uses."""
    ratios = [r if most else 0 for r in ratios]
    left, total_ratio = total, sum(ratios)
    if not total_ratio:
        return values[:]
    out = []
    for ratio, value in zip(ratios, values):
        if ratio and total_ratio > 0:
            given = min(most, round(ratio * left / total_ratio))
            out.append(value - given)
            left -= given
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _widths(columns, rows, pads, max_width) -> list[int] | None:
    """rich ``Table._calculate_column_widths`` (no expand, no fixed widths); None where rich
    would squeeze the columns evenly (a narrow console: left to rich)."""
    ranges = _measure_columns(columns, rows, pads, [max_width] * len(columns))
    widths = [hi or 1 for _, hi in ranges]
    if sum(widths) > max_width:
        widths = _collapse(widths, [not c.no_wrap for c in columns], max_width)
        if sum(widths) > max_width:
            return None
        widths = [hi or 0 for _, hi in _measure_columns(columns, rows, pads, widths)]
    return widths


def _wrap(text: str, width: int, column: Column) -> list[str]:
    """The lines of one cell, each ``width`` cells: rich's ``Text.wrap`` (the column's justify, its
    overflow ``ellipsis``), cropped or padded as ``render_lines(pad=True)`` does. A cell that fits
    is shaped here, without building a Text: no line break, padded (``left``), or stripped of its
    trailing white space and padded on the left (``right``), as ``Text.wrap`` shapes it."""
    from rich.cells import cell_len, set_cell_size

    n = cell_len(text)
    if n <= width:
        if column.justify == "right":
            text = text.rstrip()
            return [" " * (width - cell_len(text)) + text]
        return [text + " " * (width - n)]
    from rich.text import Text

    # Text.wrap's console is used only to justify "center"/"full" (not offered by Column)
    lines = Text(text).wrap(None, width, justify=column.justify, overflow="ellipsis", no_wrap=column.no_wrap)
    return [set_cell_size(line.plain, width) for line in lines]


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
