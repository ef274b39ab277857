"""The README blocks that scripts render: the lines between a pair of HTML-comment markers.

``scripts/noise_matrix.py`` and ``scripts/bench_speed.py`` each own a block of
``README.md`` (``<!-- NAME:start -->`` ... ``<!-- NAME:end -->``) and rewrite
it from their results; everything outside the markers stays as it is.
"""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    """The (start, end) markers of block ``name``."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def read_block(readme: Path, start: str, end: str) -> str | None:
    """The text between the markers (None when ``readme`` lacks them)."""
    text = readme.read_text(encoding="utf-8")
    if start not in text or end not in text:
        return None
    return text.split(start, 1)[1].split(end, 1)[0]


def write_block(readme: Path, start: str, end: str, body: str) -> None:
    """Replace what is between the markers with ``body`` (a missing marker: one-line error, nothing written)."""
    text = readme.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{readme}: no {start} ... {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(head + start + "\n" + body + end + tail, encoding="utf-8")
