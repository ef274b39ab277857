"""Which script a text is written in: Arabic vs Latin letter shares, Latin words left in Arabic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mtfix.text.lang import script_lang

__all__ = ["ScriptStats", "LatinWord", "script_stats", "latin_words_in_arabic", "detect_script_language",
           "script_majority", "script_score"]

_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_LATIN_TOKEN = re.compile(rf"[{_LATIN}0-9]+(?:['’.\-][{_LATIN}0-9]+)*")
_HAS_LATIN = re.compile(rf"[{_LATIN}]")


def _is_arabic(c: str) -> bool:
    o = ord(c)
    return any(a <= o <= b for a, b in _ARABIC_BLOCKS)


@dataclass(frozen=True)
class ScriptStats:
    """Letter counts by script (digits, marks, tatweel and punctuation are not letters)."""

    arabic: int
    latin: int
    other: int

    @property
    def letters(self) -> int:
        return self.arabic + self.latin + self.other

    @property
    def arabic_share(self) -> float:
        return self.arabic / self.letters if self.letters else 0.0

    @property
    def latin_share(self) -> float:
        return self.latin / self.letters if self.letters else 0.0

    @property
    def other_share(self) -> float:
        return self.other / self.letters if self.letters else 0.0


_LATIN_LETTER = re.compile(rf"[{_LATIN}]")
_TATWEEL = "ـ"
#: the letters of the Arabic blocks (str.isalpha), tatweel excepted: one regex pass counts them
_ARABIC_LETTER = re.compile("[" + "".join(
    re.escape(chr(c)) for a, b in _ARABIC_BLOCKS for c in range(a, b + 1) if chr(c).isalpha() and chr(c) != _TATWEEL
) + "]")
#: one Latin / Arabic letter as :func:`script_stats` counts them (:mod:`mtfix.text.charclass` uses both)
LATIN_LETTER, ARABIC_LETTER = _LATIN_LETTER, _ARABIC_LETTER
_ASCII_NOT_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())


def script_stats(text: str) -> ScriptStats:
    """Count Arabic, Latin and other letters in ``text`` (tatweel is not a letter).

    Counted with regular expressions and ``str.isalpha`` over whole strings, not a
    Python loop per character: this runs on every pair of a corpus. An ASCII text
    has only Latin letters (A-Z, a-z), counted on its bytes."""
    if text.isascii():
        return ScriptStats(0, len(text.encode("ascii").translate(None, _ASCII_NOT_LETTERS)), 0)
    letters = sum(map(str.isalpha, text)) - text.count(_TATWEEL)
    latin = len(_LATIN_LETTER.findall(text))
    arabic = len(text) - len(_ARABIC_LETTER.sub("", text))
    return ScriptStats(arabic, latin, letters - latin - arabic)


@dataclass(frozen=True)
class LatinWord:
    """A Latin-script word and its span; ``kind`` is ``acronym`` (SDF, BBC) or ``word``."""

    word: str
    start: int
    end: int

    @property
    def kind(self) -> str:
        letters = [c for c in self.word if c.isalpha()]
        return "acronym" if len(letters) >= 2 and all(c.isupper() for c in letters) else "word"

    def to_dict(self) -> dict:
        return {"word": self.word, "start": self.start, "end": self.end, "kind": self.kind}


def latin_words_in_arabic(text: str) -> list[LatinWord]:
    """Latin words (with spans) in ``text``, which is meant to be Arabic.

    Every Latin word is returned (names, acronyms, ``802.11n``); callers decide
    which are legitimate.
    """
    return [LatinWord(m.group(), m.start(), m.end())
            for m in _LATIN_TOKEN.finditer(text) if _HAS_LATIN.search(m.group())]


def detect_script_language(text: str) -> str | None:
    """``"ar"`` or ``"en"`` by majority of Arabic vs Latin letters; None with no letters or a tie."""
    s = script_stats(text)
    return script_majority(s.arabic, s.latin)


def script_majority(arabic: int, latin: int) -> str | None:
    """``"ar"`` or ``"en"``, whichever has more letters (``arabic``, ``latin``: counts); None on a tie:
    :func:`detect_script_language`'s rule, for counts made elsewhere (a file surveyed piece by piece)."""
    return "ar" if arabic > latin else "en" if latin > arabic else None


def script_score(text: str, expected_lang: str) -> float:
    """Share of letters in the expected language's script, 1.0 for a text without letters."""
    lang = script_lang(expected_lang)
    if lang is None:
        raise ValueError("script_score needs an expected language (ar or en)")
    s = script_stats(text)
    if not s.letters:
        return 1.0
    return s.arabic_share if lang == "ar" else s.latin_share
