"""Bidi controls and zero-width marks: find them (with names and positions) or strip them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: codepoint -> kind. Bidi controls reorder text invisibly; zero-width marks
#: split or join words invisibly. Both survive copy-paste and confuse MT and scoring.
INVISIBLES: dict[str, str] = {
    "\u061c": "bidi",  # ARABIC LETTER MARK
    "\u200e": "bidi",  # LEFT-TO-RIGHT MARK
    "\u200f": "bidi",  # RIGHT-TO-LEFT MARK
    **{chr(c): "bidi" for c in range(0x202A, 0x202F)},  # LRE RLE PDF LRO RLO
    **{chr(c): "bidi" for c in range(0x2066, 0x206A)},  # LRI RLI FSI PDI
    "\u200b": "zero-width",  # ZERO WIDTH SPACE
    "\u200c": "zero-width",  # ZERO WIDTH NON-JOINER
    "\u200d": "zero-width",  # ZERO WIDTH JOINER
    "\u2060": "zero-width",  # WORD JOINER
    "\ufeff": "zero-width",  # ZERO WIDTH NO-BREAK SPACE (a BOM inside the text)
    "\u00ad": "zero-width",  # SOFT HYPHEN
}
KINDS = ("bidi", "zero-width")

#: any one of :data:`INVISIBLES`
INVISIBLE_RE = re.compile("[" + "".join(re.escape(c) for c in INVISIBLES) + "]")
_RE = INVISIBLE_RE
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Invisible:
    """One invisible character: ``codepoint`` like ``U+200F``, its Unicode ``name``, where it is."""

    char: str
    kind: str
    start: int
    line: int
    column: int

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def name(self) -> str:
        return unicodedata.name(self.char, self.codepoint)

    def to_dict(self) -> dict:
        return {"codepoint": self.codepoint, "name": self.name, "kind": self.kind,
                "start": self.start, "line": self.line, "column": self.column}


def find_invisibles(text: str) -> list[Invisible]:
    """Every bidi control / zero-width mark in ``text``, with 1-based line and column."""
    found = []
    line, line_start = 1, 0
    breaks = iter(_NEWLINE.finditer(text))
    nxt = next(breaks, None)
    for m in _RE.finditer(text):
        while nxt is not None and nxt.end() <= m.start():
            line, line_start = line + 1, nxt.end()
            nxt = next(breaks, None)
        c = m.group()
        found.append(Invisible(c, INVISIBLES[c], m.start(), line, m.start() - line_start + 1))
    return found


def strip_invisibles(text: str, kinds: tuple[str, ...] | list[str] = KINDS) -> str:
    """``text`` without the invisible characters of the given kinds (default: all)."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown invisible kinds {sorted(unknown)}; known: {list(KINDS)}")
    return _RE.sub(lambda m: "" if INVISIBLES[m.group()] in kinds else m.group(), text)
