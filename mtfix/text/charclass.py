"""Character classes of many texts at once: one numpy pass per batch instead of a regex per text.

A corpus run asks the same questions of every side of every pair: how many
letters or digits, how many Arabic and Latin letters, is there a digit, a
``<`` or ``&``, a character ftfy's mojibake heuristic looks for, what are the
word tokens. Python's :mod:`re` answers each with a pass over the text at
20-50 ns per character; here a batch of texts is encoded once as UTF-32
(code points in a numpy array), each code point's classes are looked up in
one table (a bit per class), and per-text counts come from cumulative sums.

Every class is defined by the module that uses it (its own regular
expression or ``str`` predicate, see :data:`CLASSES`); the table is built
from those definitions once (the Basic Multilingual Plane, about 30 ms,
then kept on disk for every later process by :mod:`mtfix.text.diskcache`; a
character above it is classified when first seen), and
``tests/test_text_charclass.py`` checks each class against its definition on
every code point.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Callable, Sequence

import numpy as np

__all__ = ["CLASSES", "flag", "TextBatch", "classify"]


def _word(c: str) -> bool:  # re's \w for str patterns: str.isalnum() or "_"
    return c.isalnum() or c == "_"


def _letter(c: str) -> bool:  # a letter of mtfix.text.script.script_stats: tatweel is not one
    return c.isalpha() and c != "\u0640"


def _casefolds(c: str) -> bool:
    return c >= "\x80" and c.casefold() != c


def _classes() -> dict[str, Callable[[str], bool] | re.Pattern]:
    from mtfix.text.markup import JUNK_CHAR, MOJIBAKE_CHAR, TRIGGER_CHAR
    from mtfix.text.numbers import FOLDED_CHAR
    from mtfix.text.script import ARABIC_LETTER, LATIN_LETTER

    return {
        "alnum": str.isalnum,  # letters and digits (the empty filter; the dedup key keeps only these)
        "word": _word,  # re's \w (word tokens)
        "space": str.isspace,  # str.split()'s white space (re's \s)
        "digit": str.isdecimal,  # re's \d
        "letter": _letter,  # script_stats' letters
        "latin": LATIN_LETTER,
        "arabic": ARABIC_LETTER,
        "numeric_fold": FOLDED_CHAR,  # Arabic-Indic digits and separators numbers folds
        "markup_trigger": TRIGGER_CHAR,  # what a tag, entity, U+FFFD or control needs
        "junk": JUNK_CHAR,  # symbol junk (markup)
        "mojibake": MOJIBAKE_CHAR,  # what ftfy's mojibake heuristic needs
        "casefolds": _casefolds,  # a non-ASCII character str.casefold changes
    }


#: class name -> its definition, in bit order: a predicate on one character, or a regular expression
#: matching one character of the class
CLASSES: dict[str, Callable[[str], bool] | re.Pattern] = {}
_BITS: dict[str, int] = {}
_TABLE: list = []  # [the BMP table (uint16 per code point)]
_ASTRAL: dict[int, int] = {}  # classes of code points above the BMP seen so far


def _init() -> None:
    if _TABLE:
        return
    CLASSES.update(_classes())
    _BITS.update({name: 1 << i for i, name in enumerate(CLASSES)})
    from mtfix.text import diskcache, markup, normalize, numbers, script

    modules = (__file__, markup.__file__, numbers.__file__, script.__file__, normalize.__file__)
    (table,) = diskcache.cached_arrays("charclass", modules, _plane, key=tuple(CLASSES))
    if table.shape != (0x10000,) or table.dtype != np.uint16:  # pragma: no cover - a hash collision
        table = _plane()[0]
    _TABLE.append(table)


def _plane() -> list[np.ndarray]:
    """``[the class bits of each code point of the BMP]``, from the definitions (tens of ms: kept
    on disk, :mod:`mtfix.text.diskcache`)."""
    every = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x10000, dtype=np.uint16)
    for name, define in CLASSES.items():
        if isinstance(define, re.Pattern):  # one scan of the whole plane
            where = np.fromiter((m.start() for m in define.finditer(every)), dtype=np.int64)
        else:
            where = np.fromiter(map(define, every), dtype=bool, count=0x10000)
        table[where] |= _BITS[name]
    return [table]


def flag(name: str) -> int:
    """The bit of class ``name`` in :func:`classify`'s output."""
    _init()
    return _BITS[name]


def classify(c: str) -> int:
    """The class bits of one character (from the definitions)."""
    _init()
    return sum(bit for name, bit in _BITS.items() if _is(CLASSES[name], c))


def _is(define, c: str) -> bool:
    return define.fullmatch(c) is not None if isinstance(define, re.Pattern) else define(c)


class TextBatch:
    """Texts as one array of code points with each one's class bits; per-text counts.

    ``starts[i]:ends[i]`` are text ``i``'s code points in ``codes``/``bits``.
    """

    def __init__(self, texts: Sequence[str]):
        _init()
        self.texts = texts
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        self.ends = np.cumsum(lengths)
        self.starts = self.ends - lengths
        joined = "".join(texts)
        self.codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        high = self.codes >= 0x10000
        if high.any():
            bits = np.take(_TABLE[0], np.where(high, 0, self.codes))
            for c in np.unique(self.codes[high]).tolist():
                got = _ASTRAL.get(c)
                if got is None:
                    got = _ASTRAL[c] = classify(chr(c))
                bits[self.codes == c] = got
            self.bits = bits
        else:
            self.bits = np.take(_TABLE[0], self.codes)  # (take: faster than table[codes])

    def __len__(self) -> int:
        return len(self.texts)

    def has(self, name: str) -> np.ndarray:
        """Bool per code point: is it of class ``name``? (Made once per class: several filters
        ask for the same; read-only.)"""
        made = self.__dict__.setdefault("_has", {})
        got = made.get(name)
        if got is None:
            got = made[name] = (self.bits & _BITS[name]) != 0
            got.flags.writeable = False
        return got

    def count(self, mask: np.ndarray) -> list[int]:
        """Per text: how many of its code points are set in ``mask`` (a sum per text: each text
        that has characters is the stretch from its start to the next such text's)."""
        nonempty = self.__dict__.get("_nonempty")
        if nonempty is None:
            nonempty = self._nonempty = self.starts[self.starts < self.ends]
        ones = np.asarray(mask, bool).view(np.uint8)  # (numpy adds booleans as 0/1 bytes fastest)
        if len(nonempty) == len(self.starts):
            return np.add.reduceat(ones, nonempty, dtype=np.int32).tolist() if len(nonempty) else []
        out = np.zeros(len(self.starts), np.int32)
        if len(nonempty):
            out[self.starts < self.ends] = np.add.reduceat(ones, nonempty, dtype=np.int32)
        return out.tolist()

    def counts(self, name: str) -> list[int]:
        """Per text: code points of class ``name``."""
        return self.count(self.has(name))

    def owners(self) -> np.ndarray:
        """The index of the text each code point belongs to."""
        got = self.__dict__.get("_owners")
        if got is None:
            got = self._owners = np.repeat(np.arange(len(self.texts), dtype=np.int32), self.ends - self.starts)
        return got

    def any(self, name: str) -> list[bool]:
        return [n > 0 for n in self.counts(name)]

    def ascii(self) -> list[bool]:
        """Per text: ``str.isascii()``."""
        return [n == 0 for n in self.count(self.codes >= 128)]

    def collapsed_lengths(self) -> list[int]:
        """Per text: ``len(" ".join(text.split()))``: its non-space characters plus one space
        between each two runs of them."""
        solid = ~self.has("space")
        before = np.empty_like(solid)
        if len(solid):
            before[0] = False
            before[1:] = solid[:-1]
            nonempty = self.starts[self.starts < self.ends]
            before[nonempty] = False  # a text's first character has nothing before it
        runs = self.count(solid & ~before)
        return [n + max(r - 1, 0) for n, r in zip(self.count(solid), runs)]

    def keep(self, mask: np.ndarray, codes: np.ndarray | None = None) -> list[str]:
        """Per text: the text with only the code points set in ``mask`` (of ``codes``: another
        code point for each of the texts', e.g. mapped through a table)."""
        kept = (self.codes if codes is None else codes)[mask].tobytes().decode("utf-32-le", "surrogatepass")
        ends = list(accumulate(self.count(mask)))
        return [kept[a:b] for a, b in zip([0, *ends], ends)]
