"""Reading text files: UTF-8 only, with or without BOM; clear errors otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from mtfix.errors import MtfixError

BOM = "\ufeff"


def read_text(path: str | os.PathLike) -> str:
    """Return the decoded text of ``path`` (a leading BOM removed).

    Raises :class:`MtfixError` for a missing file, a folder, binary data or
    bytes that are not UTF-8.
    """
    p = Path(path)
    if not p.exists():
        raise MtfixError(f"{path}: no such file")
    if p.is_dir():
        raise MtfixError(f"{path}: is a folder, expected a text file")
    data = p.read_bytes()
    if b"\x00" in data:
        raise MtfixError(f"{path}: looks binary (contains NUL bytes); expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MtfixError(
            f"{path}: not UTF-8 (invalid byte 0x{data[e.start]:02x} at offset {e.start}); "
            f"convert it first, e.g. `iconv -f cp1256 -t utf-8`"
        ) from None
    if text.startswith(BOM):
        text = text[1:]
    return text


def read_lines(path: str | os.PathLike, *, allow_empty: bool = False) -> list[str]:
    """One segment per line (CRLF or LF); raises on an input with no text at all."""
    text = read_text(path)
    lines = text.splitlines()
    if not allow_empty and not any(line.strip() for line in lines):
        raise MtfixError(f"{path}: is empty; expected one segment per line")
    return lines
