"""Words, numbers and punctuation of a whole column of texts at once, at C speed.

:func:`analyse` reads a list of texts (one column of a chunk of pairs) as one
UTF-8 buffer and classifies every character with a lookup table (numpy), so
no Python runs per character:

- *words*: the maximal runs of the column's word characters (English: ``A-Z``,
  ``a-z`` and the apostrophes ``'`` ``’``; Arabic: the letters and marks
  U+0621-U+065F and U+0670-U+06D3), found on the bytes (numpy); a run of up
  to 8 characters is *packed* into one 64-bit integer equal for two runs
  exactly when their texts are (English: its ASCII bytes; Arabic: each
  character's code point minus U+0600, one byte each), so a caller maps runs
  to values with integer arrays and decodes only the runs it has not seen
  (:func:`unpack`); a longer run (or an English one with ``’``) is given as
  its UTF-8 bytes;
- *numbers*: the maximal runs of decimal digits (exactly the characters of
  Python's ``\\d``: any script), each as an integer key, equal for two runs
  exactly when their texts are, Arabic-Indic and Persian digits read as ASCII;
- *punctuation*: which of the kinds ``? ؟`` / ``!`` / ``( )`` / ``" “ ” « »`` /
  ``:`` each text uses, as bits;
- which texts hold an ASCII letter (Latin words inside Arabic).

A run of word characters holds every match of a token pattern made of those
characters (a match cannot cross a character outside them), so a caller that
tokenises each distinct run with its own pattern gets exactly the tokens of
the whole text. Texts that cannot be encoded as UTF-8 (lone surrogates) are
encoded with ``surrogatepass``: a surrogate is neither a word, a digit nor
punctuation, as in Python's ``re``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Column", "analyse", "dense_ids", "distinct", "PUNCT_KINDS", "row_sets", "run_keys", "unpack"]

EN, APOS, AR, DIGIT = 1, 2, 4, 8
#: punctuation kinds, one bit each (bit 4 upwards), in this order
PUNCT_KINDS = {"question": "?؟", "exclamation": "!", "parenthesis": "()", "quote": "\"“”«»", "colon": ":"}
_PUNCT_SHIFT = 4
_PUNCT_ALL = ((1 << len(PUNCT_KINDS)) - 1) << _PUNCT_SHIFT
WORD2, DIGIT2, EXACT = 1 << 10, 1 << 11, 1 << 12  # pair table only: a 2-byte word / digit; resolve exactly
_ARABIC_RANGES = ((0x0621, 0x065F), (0x0670, 0x06D3))  # [\u0621-\u064A\u0671-\u06D3\u064B-\u065F\u0670\u0640]


@functools.lru_cache(maxsize=1)
def _tables():
    """(class of each BMP code point, class of each byte pair (lead, next) at a character's
    first byte, sorted starts/ends of the digit runs above the BMP): derived once, then kept on
    disk for every later process (:mod:`mtfix.text.diskcache`)."""
    from mtfix.text import diskcache

    got = diskcache.cached_arrays("columns", (__file__,), _derive_tables)
    if [a.shape[1:] for a in got] != [(), (), (2,)] or len(got[0]) != 0x10000:  # pragma: no cover
        got = _derive_tables()
    return tuple(got)


def _derive_tables():
    """:func:`_tables`, derived (tens of milliseconds)."""
    every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    digits = [(m.start(), m.end()) for m in re.finditer(r"\d+", every)]  # exactly Python's \d
    cp = np.zeros(0x10000, np.uint16)
    cp[ord("A"):ord("Z") + 1] = EN
    cp[ord("a"):ord("z") + 1] = EN
    cp[[ord("'"), ord("’")]] = APOS
    for lo, hi in _ARABIC_RANGES:
        cp[lo:hi + 1] |= AR
    for lo, hi in digits:
        if lo < 0x10000:
            cp[lo:min(hi, 0x10000)] |= DIGIT
    for bit, chars in enumerate(PUNCT_KINDS.values()):
        cp[[ord(c) for c in chars]] |= 1 << (_PUNCT_SHIFT + bit)
    supplementary = np.array([(lo, hi) for lo, hi in digits if hi > 0x10000], np.int64).reshape(-1, 2)
    pair = np.zeros(0x10000, np.uint16)
    b0, b1 = np.arange(0x10000) >> 8, np.arange(0x10000) & 0xFF
    ascii_ = b0 < 0x80
    pair[ascii_] = cp[b0[ascii_]]
    two = (b0 >= 0xC2) & (b0 <= 0xDF) & (b1 >= 0x80) & (b1 <= 0xBF)
    code = ((b0[two] & 0x1F) << 6) | (b1[two] & 0x3F)
    pair[two] = cp[code] | np.where(cp[code] & (EN | APOS | AR), WORD2, 0) | np.where(cp[code] & DIGIT, DIGIT2, 0)
    pair[(b0 >= 0xE0) & (b0 <= 0xF4)] = EXACT
    return cp, pair, supplementary


@dataclass
class Column:
    """What :func:`analyse` found in ``n`` texts."""

    n: int
    word_rows: np.ndarray  # the text (row) of each occurrence of a run of word characters, in order
    word_keys: np.ndarray  # ... the run packed (uint64; :func:`unpack`), 0 where it does not fit
    long_words: list  # the runs whose key is 0, in order, as UTF-8 bytes
    number_rows: np.ndarray  # the text of each run of digits, in order
    number_keys: np.ndarray  # ... and its key (:func:`_numbers`)
    odd_numbers: list  # the texts of the runs with a negative key
    punct: np.ndarray  # per text: the punctuation kinds it uses, as bits 0.. of PUNCT_KINDS
    latin_rows: np.ndarray  # texts with an ASCII letter
    arabic: bool = False

    def words(self) -> list[str]:
        """The text of each occurrence of a run, in order."""
        out = unpack(self.word_keys, self.arabic)
        longs = iter(self.long_words)
        return [w if k else next(longs).decode("utf-8") for w, k in zip(out, self.word_keys.tolist())]


def _utf8(texts: list) -> tuple[np.ndarray, np.ndarray, bytes]:
    """(byte offsets of the texts, their UTF-8 bytes as numpy and as bytes), each text followed by
    a line break: text ``i`` is ``bytes[offsets[i]:offsets[i + 1] - 1]``. A lone surrogate is
    kept as a (non-word) 3-byte sequence."""
    raw = [t.encode("utf-8", "surrogatepass") for t in texts]
    raw.append(b"")
    offsets = np.zeros(len(raw), np.int64)
    np.cumsum(np.fromiter(map(len, raw), np.int64, len(raw)), out=offsets)
    offsets += np.arange(1, len(raw) + 1)
    offsets[1:] = offsets[:-1]
    offsets[0] = 0
    joined = b"\n".join(raw)
    return offsets, np.frombuffer(joined, np.uint8), joined


#: the bytes of a little-endian uint64 below the first ``k``, for k = 0..8
_LOW = np.array([(1 << (8 * k)) - 1 for k in range(9)], np.uint64)
_HIGH_BITS = np.uint64(0x8080808080808080)


def _unaligned(b: np.ndarray) -> np.ndarray:
    """``out[i]``: the 8 bytes of ``b`` from ``i`` on, as a little-endian uint64 (zeros past the end)."""
    pad = np.concatenate([b, np.zeros(16, np.uint8)])
    return np.ndarray((len(b) + 8,), np.dtype("<u8"), pad, 0, (1,))


def _runs(offsets: np.ndarray, keep: np.ndarray, b: np.ndarray, joined: bytes, arabic: bool):
    """(row, packed key, long runs as bytes) of each run of ``keep`` bytes (runs never cross a text's
    end: the line break there is not kept)."""
    edge = np.empty(len(keep) + 1, bool)
    edge[0], edge[-1] = keep[0] if len(keep) else False, False
    np.not_equal(keep[1:], keep[:-1], out=edge[1:-1])
    if len(keep):
        edge[-1] = keep[-1]
    at = np.flatnonzero(edge)
    starts, ends = at[0::2], at[1::2]
    rows = np.repeat(np.arange(len(offsets) - 1), np.diff(np.searchsorted(starts, offsets)))
    size = ends - starts
    words = _unaligned(b)
    lo = words[starts]
    if arabic:  # 2 bytes a character (U+0600-U+06FF): the low 8 bits of its code point, 4 characters a word
        hi = words[starts + 8] & _LOW[np.clip(size - 8, 0, 8)]
        keys = _pack_arabic(lo & _LOW[np.minimum(size, 8)]) | (_pack_arabic(hi) << np.uint64(32))
        fits = size <= 16
    else:
        keys = lo & _LOW[np.minimum(size, 8)]
        fits = (size <= 8) & ((keys & _HIGH_BITS) == 0)
    keys[~fits] = 0
    longs = np.flatnonzero(~fits).tolist()
    return rows, keys, [joined[s:e] for s, e in zip(starts[longs].tolist(), ends[longs].tolist())]


def _pack_arabic(w: np.ndarray) -> np.ndarray:
    """4 two-byte characters U+0600-U+06FF (UTF-8: ``110110xx 10yyyyyy``) in a uint64 to the 4 bytes
    ``xxyyyyyy`` in the low 32 bits (zero bytes stay zero)."""
    x = ((w & np.uint64(0x0003000300030003)) << np.uint64(6)) | ((w >> np.uint64(8)) & np.uint64(0x003F003F003F003F))
    x = (x | (x >> np.uint64(8))) & np.uint64(0x0000FFFF0000FFFF)
    return (x | (x >> np.uint64(16))) & np.uint64(0x00000000FFFFFFFF)


def unpack(keys: np.ndarray, arabic: bool) -> list[str]:
    """The texts of packed runs (:class:`Column`'s ``word_keys``; 0 gives ``""``)."""
    raw = np.ascontiguousarray(keys, np.dtype("<u8")).view(np.uint8).reshape(-1, 8)
    if not arabic:
        return [w.decode("ascii") for w in raw.view("S8").ravel().tolist()]
    utf8 = np.zeros((len(raw), 16), np.uint8)
    utf8[:, 0::2] = np.where(raw != 0, 0xD8 | (raw >> 6), 0)
    utf8[:, 1::2] = np.where(raw != 0, 0x80 | (raw & 0x3F), 0)
    return [w.decode("utf-8") for w in utf8.view("S16").ravel().tolist()]


def _keep(cls: np.ndarray, bits: int, two: int, exact: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which bytes belong to a character of class ``bits``."""
    keep = (cls & bits) != 0
    if two:
        keep[1:] |= (cls[:-1] & two) != 0  # the second byte of a 2-byte character
    if len(exact):
        chosen = keep[exact]
        kept, long = exact[chosen], lengths[chosen]
        for k in (1, 2, 3):
            keep[kept[long > k] + k] = True
    return keep


def analyse(texts: list, arabic: bool, numbers: bool = True) -> Column:
    """The runs of word characters (Arabic letters when ``arabic``, else English), numbers,
    punctuation and (``arabic``) the texts with Latin letters of ``texts``. ``numbers=False``:
    no runs of digits (the caller has them: ``number_rows`` and ``number_keys`` empty)."""
    cp, pair, supplementary = _tables()
    offsets, b, joined = _utf8(texts)
    n = len(texts)
    v = b.astype(np.uint16) << 8
    v[:-1] |= b[1:]
    cls = np.take(pair, v)  # (take: faster than pair[v])
    # the few characters looked at one by one: of 3 or 4 bytes, punctuation, Latin letters in Arabic
    special = np.flatnonzero(cls & (EXACT | (DIGIT if numbers else 0) | _PUNCT_ALL | (EN if arabic else 0)))
    exact = special[(cls[special] & EXACT) != 0]
    lengths = np.zeros(0, np.int64)
    if len(exact):  # characters of 3 or 4 bytes: their code point, then its class
        pad = np.concatenate([b, np.zeros(3, np.uint8)])
        b0, b1, b2, b3 = (pad[exact + k].astype(np.int64) for k in range(4))
        four = b0 >= 0xF0
        code = np.where(four, ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F),
                        ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F))
        lengths = np.where(four, 4, 3)
        got = cp[np.minimum(code, 0xFFFF)] * (code < 0x10000)
        if len(supplementary):
            k = np.searchsorted(supplementary[:, 0], code, side="right") - 1
            inside = (k >= 0) & (code < supplementary[np.maximum(k, 0), 1]) & (code >= 0x10000)
            got = got | np.where(inside, DIGIT, 0)
        cls[exact] = got
    words, two = (AR, WORD2) if arabic else (EN | APOS, 0)  # no English word character has 2 bytes
    word_rows, word_keys, long_words = _runs(offsets, _keep(cls, words, two, exact, lengths), b, joined, arabic)
    kinds = cls[special]
    rows = np.searchsorted(offsets, special, side="right") - 1
    digit = (kinds & DIGIT) != 0
    if not numbers:
        digit[:] = False
    number_rows, number_keys, odd = _numbers(b, special[digit], rows[digit])
    punct = np.zeros(n, np.int64)
    at = (kinds & _PUNCT_ALL) != 0
    np.bitwise_or.at(punct, rows[at], (kinds[at] & _PUNCT_ALL) >> _PUNCT_SHIFT)
    latin = distinct(rows[(kinds & EN) != 0])
    return Column(n, word_rows, word_keys, long_words, number_rows, number_keys, odd, punct, latin, arabic)


_POW10 = 10 ** np.arange(18, dtype=np.int64)
_FOLD_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _numbers(b: np.ndarray, at: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """(row, key) of each run of digits, given the first byte ``at`` of each digit character and
    its row. Runs of up to 17 ASCII, Arabic-Indic or Persian digits get ``value * 32 + length``;
    the others ``-1 - k``, ``k`` indexing the list returned third (their text, those digits folded
    to ASCII). Two runs have the same key exactly when their folded texts are equal."""
    if not len(at):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), []
    lead = b[at].astype(np.int64)
    size = 1 + (lead >= 0xC0) + (lead >= 0xE0) + (lead >= 0xF0)  # bytes of each digit character
    start = np.ones(len(at), bool)
    start[1:] = (at[1:] != at[:-1] + size[:-1]) | (rows[1:] != rows[:-1])
    first = np.flatnonzero(start)
    run = np.cumsum(start) - 1
    length = np.diff(np.append(first, len(at)))
    value = np.where(lead < 0x80, lead - 48, -1)
    two = size == 2
    if two.any():
        code = ((lead[two] & 0x1F) << 6) | (b[at[two] + 1].astype(np.int64) & 0x3F)
        value[two] = np.where((code >= 0x660) & (code <= 0x669), code - 0x660,
                              np.where((code >= 0x6F0) & (code <= 0x6F9), code - 0x6F0, -1))
    odd = np.bincount(run, weights=value < 0, minlength=len(first)) > 0
    place = np.minimum(length[run] - 1 - (np.arange(len(at)) - first[run]), 17)
    read = np.add.reduceat(np.maximum(value, 0) * _POW10[place], first)
    last = np.append(first[1:], len(at)) - 1
    keys, texts = run_keys(read, length, odd, lambda r: b[at[first[r]]:at[last[r]] + size[last[r]]].tobytes().decode("utf-8"))
    return rows[first], keys, texts


def run_keys(read: np.ndarray, length: np.ndarray, odd: np.ndarray, text_of) -> tuple[np.ndarray, list]:
    """(key of each run of digits, the texts of the odd ones), as :func:`analyse` gives them: a run
    of up to 17 ASCII, Arabic-Indic or Persian digits (not ``odd``) whose value is ``read`` gets
    ``read * 32 + length``; any other ``-1 - k``, ``k`` indexing the texts (``text_of(run)``,
    those digits folded to ASCII)."""
    odd = odd | (length > 17)
    keys = read * 32 + length
    texts: dict[str, int] = {}
    if odd.any():
        for r in np.flatnonzero(odd).tolist():
            keys[r] = -1 - texts.setdefault(text_of(r).translate(_FOLD_DIGITS), len(texts))
    return keys, list(texts)


def row_sets(rows: np.ndarray, ids: np.ndarray, size: int, several=None) -> np.ndarray:
    """The distinct ``(row, id)`` of the occurrences, as sorted keys ``row * size + id``: occurrence
    ``k`` in row ``rows[k]`` stands for the id ``ids[k]`` (none where it is -1; where it is -2, for
    the ids ``several[k]``, a tuple)."""
    known = ids >= 0
    keys = rows[known] * size + ids[known]
    if several:  # runs with several words (English "rock'n'roll"): rare
        extra = [(r, i) for k, r in zip(several, rows[list(several)].tolist()) for i in several[k]]
        keys = np.concatenate([keys, np.array([r * size + i for r, i in extra], np.int64)])
    return distinct(keys)


def dense_ids(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """``(np.searchsorted(distinct(keys), keys), len(distinct(keys)))`` of integers, from one sort:
    the searches would look up unsorted keys, a cache miss per step on a long column."""
    if not len(keys):
        return np.zeros(0, np.int64), 0
    order = np.argsort(keys)
    ranked = keys[order]
    new = np.empty(len(keys), np.int64)
    new[0] = 0
    np.not_equal(ranked[1:], ranked[:-1], out=new[1:])
    np.cumsum(new, out=new)
    ids = np.empty(len(keys), np.int64)
    ids[order] = new
    return ids, int(new[-1]) + 1


def distinct(keys: np.ndarray) -> np.ndarray:
    """``np.unique(keys)`` for integers (sorted; numpy's hash-based unique is many times slower)."""
    keys = np.sort(keys)
    if len(keys) > 1:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys
