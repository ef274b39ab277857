"""Normalisation profiles for scoring (never applied to output unless asked).

A profile is a named chain of character folds. Its ``name`` goes into every
score signature, so two scores are comparable only when their profiles match.

Every fold maps each character on its own (to a string, or to nothing), so a
chain of folds is itself one such map: a profile composes its folds into a
single ``str.translate`` table the first time it is used (one pass over the
text instead of one per fold; an ASCII text, which no fold touches, is
returned as is). The corpus dedup filter runs it on every pair.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from mtfix.errors import MtfixError

__all__ = ["Fold", "FOLDS", "NormalizationProfile", "PROFILES", "get_profile"]

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_DIACRITICS = [*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E5),
               0x06E7, 0x06E8, *range(0x06EA, 0x06EE), *range(0x08D3, 0x08E2), *range(0x08E3, 0x0900)]


@dataclass(frozen=True)
class Fold:
    """One named character mapping (``str.translate`` table)."""

    name: str
    description: str
    table: dict

    def __call__(self, text: str) -> str:
        return text.translate(self.table)


def _table(pairs: dict[str, str | None]) -> dict:
    return {ord(k): v for k, v in pairs.items()}


_PRESENTATION = (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF))


class _PresentationForms(Fold):
    """Arabic presentation forms (ligatures, positional glyphs) to plain letters, via NFKC."""

    def __call__(self, text: str) -> str:
        return text.translate(self.table)


def _presentation_table() -> dict:
    table = {}
    for c in _PRESENTATION:
        folded = unicodedata.normalize("NFKC", chr(c))
        if folded != chr(c):
            table[c] = folded
    return table


FOLDS: dict[str, Fold] = {f.name: f for f in (
    _PresentationForms("presentation-forms", "Arabic presentation forms → letters", _presentation_table()),
    Fold("diacritics", "harakat, shadda, sukun, dagger alef, Quranic marks removed",
         {c: None for c in _DIACRITICS}),
    Fold("tatweel", "tatweel ـ removed", _table({"ـ": None})),
    Fold("alef", "أ إ آ ٱ → ا", _table({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})),
    Fold("yeh", "ى ی → ي", _table({"ى": "ي", "ی": "ي"})),
    Fold("ta-marbuta", "ة → ه", _table({"ة": "ه"})),
    Fold("persian-letters", "ک → ك, ہ ە → ه", _table({"ک": "ك", "ہ": "ه", "ە": "ه"})),
    Fold("digits", "٠-٩ ۰-۹ → 0-9, ٫ → ., ٬ → ,, ٪ → %",
         _table({**dict(zip(ARABIC_INDIC_DIGITS, "0123456789")), **dict(zip(PERSIAN_DIGITS, "0123456789")),
                 "٫": ".", "٬": ",", "٪": "%"})),
    Fold("punctuation", "، → ,  ؛ → ;  ؟ → ?  ۔ → .  « » “ ” „ → \"  ‘ ’ → '",
         _table({"،": ",", "؛": ";", "؟": "?", "۔": ".", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"',
                 "‘": "'", "’": "'"})),
)}


@dataclass(frozen=True)
class NormalizationProfile:
    """A named chain of folds; call it on a text to normalise it for scoring."""

    name: str
    folds: tuple[str, ...]
    summary: str = ""

    def normalize(self, text: str) -> str:
        if not self.folds or text.isascii():  # no fold maps an ASCII character
            return text
        table = _COMPOSED.get(self.folds)
        if table is None:
            table = _COMPOSED[self.folds] = _compose(self.folds)
        return text.translate(table)

    def normalize_by_folds(self, text: str) -> str:
        """The same as :meth:`normalize`, one fold after another (the definition; slower)."""
        for f in self.folds:
            text = FOLDS[f](text)
        return text

    __call__ = normalize

    def describe(self) -> str:
        """One line: the name, then what each fold does."""
        if not self.folds:
            return f"{self.name}: identity (text scored as written)"
        return f"{self.name}: " + "; ".join(FOLDS[f].description for f in self.folds)


_COMPOSED: dict[tuple[str, ...], list] = {}


def _compose(folds: tuple[str, ...]) -> list:
    """One ``str.translate`` table equal to applying ``folds`` in turn: every
    character some fold maps is sent through the whole chain. A list indexed by
    code point (every other entry maps a character to itself; past its end
    ``translate`` leaves characters alone): looked up faster than a dict."""
    keys = {k for f in folds for k in FOLDS[f].table}
    if any(k < 128 for k in keys):
        raise AssertionError("a fold maps an ASCII character: normalize's ASCII shortcut would be wrong")
    table: list = list(range(max(keys, default=-1) + 1))
    for k in keys:
        text = chr(k)
        for f in folds:
            text = FOLDS[f](text)
        table[k] = text
    return table


_ORTHOGRAPHY = ("presentation-forms", "diacritics", "tatweel", "alef", "yeh", "ta-marbuta", "persian-letters")
PROFILES: dict[str, NormalizationProfile] = {p.name: p for p in (
    NormalizationProfile("none", (), "identity"),
    NormalizationProfile("digits", ("digits",), "digit systems and number separators only"),
    NormalizationProfile("arabic-light", ("presentation-forms", "diacritics", "tatweel", "digits", "punctuation"),
                         "spelling kept; marks, tatweel, digits, punctuation folded"),
    NormalizationProfile("arabic", (*_ORTHOGRAPHY, "digits", "punctuation"),
                         "full Arabic scoring fold: letters, marks, digits, punctuation"),
)}


def get_profile(name: str) -> NormalizationProfile:
    """The profile called ``name``; raises :class:`MtfixError` listing the known names."""
    try:
        return PROFILES[name]
    except (KeyError, TypeError):
        raise MtfixError(f"unknown normalisation profile {name!r}; known: {', '.join(PROFILES)}") from None
