"""Misalignment without a model: dictionary overlap, anchors, and the neighbours.

Value of a pair: its *alignment* ``(matched + 1) / (known + 4)`` in [0, 1]:

- words: each content word (stemmed, :mod:`mtfix.text.lexicon`) of either
  side that the FreeDict Arabic-English lexicon knows is *known*; it is
  *matched* when one of its dictionary translations is among the other
  side's stems;
- anchors, which survive translation: each number (any digit system) and
  each Latin word written inside the Arabic (names, acronyms, URLs) counts
  twice, matched when found on the English side; each punctuation mark of
  ``? ! ( " :`` kind used on one side is matched when the other side uses it.

The ``+1 / +4`` keeps a pair with few known words near 0.25 (no evidence).

Neighbours: pairs are usually read in document order, and the commonest
misalignment is an off-by-one line. When the target fits the source of the
line before or after it (or the source fits their target) better than its
own by more than ``margin``, the value becomes ``own - (neighbour - own)``
(below zero for a clear case). Only pairs of the same input next to each
other (consecutive ids) in the same chunk are compared (``--chunk-size``,
default 1000: the first and last pair of a chunk have one neighbour, the
same for any number of workers), so shuffled input is judged on the
dictionary alone.

Calibrated on the 3009 clean FLORES-200 devtest + NTREX-128 pairs only (no
labelled noise, no reference translations): ``margin`` 0.15 is the 99.9th
percentile of (best neighbour - own) over clean pairs, ``min_score`` 0.04
their 0.2nd percentile of own alignment (0.043): by construction about 0.2%
of clean pairs fall below it (5 of 3009, mostly NTREX lines whose Arabic
lost its spaces). Lines shuffled at random (no neighbour to compare) are
caught on the dictionary alone: 45% of them at 0.04, 62% at 0.05 (0.27% of
clean pairs), 87% at 0.1 (1.2%).

Without the dictionaries (``apt-get install dict-freedict-ara-eng
dict-freedict-eng-ara``) the filter judges anchors only and says so in the
run's notes; anchors alone move the score in bigger steps, so a neighbour
needs a larger lead (``anchors_margin`` 0.3, the same 99.9th percentile
taken without the dictionary: 0.26). Then 43% of misaligned neighbours
are caught by the pipeline (95% with the dictionary), and 1 of 2439 clean
pairs is dropped by this filter.
"""

from __future__ import annotations

import functools
import re
from operator import attrgetter, ge
from typing import TYPE_CHECKING

from mtfix.corpus.filters import Filter
from mtfix.corpus.records import FilterScore
from mtfix.corpus.sides import sides
from mtfix.params import SHARE
from mtfix.text import lexicon as lx

if TYPE_CHECKING:
    import numpy as np

__all__ = ["AlignFilter", "alignment", "alignments", "chunk_alignment"]

# a Latin word: [A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9]|[A-Za-z]{2,}, with the first letter factored out
_LATIN_IN_ARABIC = re.compile(r"[A-Za-z](?:[A-Za-z0-9.\-]*[A-Za-z0-9]|[A-Za-z]+)")
_LATIN_RUN = re.compile(r"[a-z0-9.\-]+")
_SCAN_LIMIT = 1_000_000  # characters searched by plain `in` before the runs are used


class _English:
    """An English text, searched for the Latin words of an Arabic side."""

    __slots__ = ("text", "_low", "_runs")

    def __init__(self, text: str):
        self.text, self._low, self._runs = text, None, None

    def found(self, words) -> int:
        """How many of ``words`` (lower-case Latin words: letters, digits, ``.``, ``-``) occur in
        the lower-cased text. Each is searched in the text; for many words in a long text (a
        pathological row) only in its distinct runs of such characters, where every occurrence
        lies, so the work stays near linear."""
        if self._low is None:
            self._low = self.text.lower()
        low = self._low
        if len(words) * len(low) <= _SCAN_LIMIT:
            return sum(w in low for w in words)
        if self._runs is None:
            runs = set(_LATIN_RUN.findall(low))
            self._runs = runs, "\n".join(runs)
        runs, joined = self._runs
        return sum(w in runs or w in joined for w in words)


@functools.lru_cache(maxsize=1)
def _bits():
    """How many punctuation kinds each mask of them holds."""
    import numpy as np

    from mtfix.text import columns

    return np.array([bin(k).count("1") for k in range(1 << len(columns.PUNCT_KINDS))], np.int64)


def _shift(a: np.ndarray, d: int) -> np.ndarray:
    """``a[i + d]`` at each ``i`` (0 beyond the ends)."""
    import numpy as np

    if d == 0:
        return a
    out = np.zeros_like(a)
    if d > 0:
        out[:-d] = a[d:]
    else:
        out[-d:] = a[:d]
    return out


def _ragged(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of ``range(s, s + c)`` for each start and count."""
    import numpy as np

    total = int(counts.sum())
    first = np.zeros(len(counts), np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    return np.repeat(starts - first, counts) + np.arange(total)


def _shared(left: np.ndarray, right: np.ndarray, size: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """For keys ``row * size + id`` (sorted ``right``): which ``left`` keys have their id in row
    ``row + d`` of ``right`` (a mask over ``left``) and where (positions in ``right``)."""
    import numpy as np

    if not len(left) or not len(right):
        return np.zeros(len(left), bool), np.zeros(len(left), np.int64)
    key = left + d * size
    at = np.minimum(np.searchsorted(right, key), len(right) - 1)
    return right[at] == key, at


def _ids(c, index) -> np.ndarray:
    """The lexicon index's id of each run of word characters of column ``c`` (-1: no known stem,
    -2: several)."""
    import numpy as np

    from mtfix.text import columns

    ids = np.empty(len(c.word_keys), np.int64)
    packed = c.word_keys != 0
    ids[packed] = index.ids_of_packed(c.word_keys[packed], functools.partial(columns.unpack, arabic=c.arabic), c.arabic)
    if len(c.long_words):
        ids[~packed] = index.ids_of_utf8(c.long_words, c.arabic)
    return ids


def _several(c, ids: np.ndarray, index) -> dict:
    """{occurrence: the ids of its stems} of the runs of column ``c`` with several known stems."""
    import numpy as np

    at = np.flatnonzero(ids == -2).tolist()
    if not at:
        return {}
    words = c.words()
    return {k: index.all_ids(words[k], c.arabic) for k in at}


def chunk_alignment(en: list, ar: list, lexicon=None, shifts=(0,), numbers=None) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """(matched, known) of the English side of each pair ``i`` of a chunk with the Arabic side of
    pair ``i + d``, for each ``d`` of ``shifts`` (rows beyond the ends: meaningless): the
    alignment is ``(matched + 1) / (known + 4)`` (module docstring). The whole chunk is computed at
    once: its texts are classified and split in C (:mod:`mtfix.text.columns`), each distinct run
    of word characters is stemmed once (a run seen before is one look-up of its bytes), and stems,
    numbers and punctuation are compared as integer arrays. ``numbers``: the runs of digits of each
    side, already read (``(rows, keys, odd texts)`` of English and Arabic, as
    :func:`mtfix.text.columns.analyse` gives them: :meth:`mtfix.corpus.sides.Sides.digit_run_keys`)."""
    import numpy as np

    from mtfix.text import columns

    n = len(en)
    e, a = columns.analyse(en, False, numbers is None), columns.analyse(ar, True, numbers is None)
    if numbers is not None:
        (e.number_rows, e.number_keys, e.odd_numbers), (a.number_rows, a.number_keys, a.odd_numbers) = numbers
    out = {d: [np.zeros(n, np.int64), np.zeros(n, np.int64)] for d in shifts}
    if lexicon is not None and n:
        index = lexicon.index()
        ke, ka = len(index.en_ids) + 1, len(index.ar_ids) + 1
        ekeys, akeys = (columns.row_sets(c.word_rows, ids, size, _several(c, ids, index))
                        for c, size, ids in ((e, ke, _ids(e, index)), (a, ka, _ids(a, index))))
        erow, eid = np.divmod(ekeys, ke)
        arow, aid = np.divmod(akeys, ka)
        # every translation of every known English stem that the chunk's Arabic side has somewhere;
        # the lexicon's two directions mirror each other, so an Arabic stem is matched exactly when
        # it is among the translations of one of the English side's stems
        degree = index.en_ptr[eid + 1] - index.en_ptr[eid]
        xa = index.en_to_ar[_ragged(index.en_ptr[eid], degree)]
        xk = np.repeat(np.arange(len(ekeys)), degree)
        present = np.zeros(ka, bool)
        present[aid] = True
        inside = present[xa]
        xa, xk = xa[inside], xk[inside]
        # the Arabic stems as keys id * wide + row + span: the rows i - 1, i, i + 1 (i + d for every
        # shift) of one stem are neighbours, found by one search
        span = max(map(abs, shifts))
        wide = n + 2 * span + 1
        by_stem = columns.distinct(aid * wide + arow + span)
        stem_row = by_stem % wide - span
        e_known, a_known = np.bincount(erow, minlength=n), np.bincount(arow, minlength=n)
        if len(by_stem) and len(xa):
            key = xa * wide + erow[xk] + span + min(shifts)
            # sorted keys (the search walks the table once): sorted with their English key in the low
            # bits where both fit in 63 (a sort, not an argsort: several times faster)
            bits = max(len(ekeys) - 1, 1).bit_length()
            if (int(key.max()) + 1).bit_length() + bits <= 63:
                both = np.sort((key << bits) | xk)
                key, xk = both >> bits, both & ((1 << bits) - 1)
            else:  # pragma: no cover - a lexicon and chunk far larger than FreeDict's and the default's
                order = np.argsort(key)
                key, xk = key[order], xk[order]
            at = np.searchsorted(by_stem, key)
            last = len(by_stem) - 1
            for d in range(min(shifts), max(shifts) + 1):
                at = np.minimum(at, last)
                hit = by_stem[at] == key
                if d in out:
                    matched = out[d][0]
                    a_hit = np.zeros(len(by_stem), bool)
                    a_hit[at[hit]] = True
                    e_hit = np.zeros(len(ekeys), bool)
                    e_hit[xk[hit]] = True
                    matched += np.bincount(erow[e_hit], minlength=n) + _shift(np.bincount(stem_row[a_hit], minlength=n), d)
                at = at + hit
                key = key + 1
        for d, (matched, known) in out.items():
            known += e_known + _shift(a_known, d)
    if len(e.number_keys) or len(a.number_keys):
        keys = [e.number_keys, a.number_keys]
        if e.odd_numbers or a.odd_numbers:  # numbers not read as integers: one key per text, shared
            texts: dict[str, int] = {}
            for c, k in zip((e, a), range(2)):
                renamed = np.array([-1 - texts.setdefault(t, len(texts)) for t in c.odd_numbers], np.int64)
                keys[k] = np.where(keys[k] < 0, renamed[np.maximum(-1 - keys[k], 0)] if len(renamed) else 0, keys[k])
        ids, kn = columns.dense_ids(np.concatenate(keys))
        kn += 1
        ne = columns.distinct(e.number_rows * kn + ids[:len(keys[0])])
        na = columns.distinct(a.number_rows * kn + ids[len(keys[0]):])
        ne_rows = ne // kn
        ne_count, na_count = np.bincount(ne_rows, minlength=n), np.bincount(na // kn, minlength=n)
        for d, (matched, known) in out.items():
            both = np.bincount(ne_rows[_shared(ne, na, kn, d)[0]], minlength=n)
            matched += 2 * both
            known += 2 * (ne_count + _shift(na_count, d) - both)
    for d, (matched, known) in out.items():
        other = _shift(a.punct, d)
        known += _bits()[e.punct | other]
        matched += _bits()[e.punct & other]
    english: dict[int, _English] = {}
    for j in a.latin_rows.tolist():
        words = set(map(str.lower, _LATIN_IN_ARABIC.findall(ar[j])))
        for d, (matched, known) in out.items():
            i = j - d
            if words and 0 <= i < n:
                side = english.get(i) or english.setdefault(i, _English(en[i]))
                known[i] += 2 * len(words)
                matched[i] += 2 * side.found(words)
    return {d: (m, k) for d, (m, k) in out.items()}


def alignment(src: str, tgt: str, *, langs: tuple[str, str] = ("en", "ar"), lexicon=None) -> float:
    """Alignment of one pair (no neighbours), with ``lexicon`` (default: the installed FreeDict).
    For many pairs, :func:`alignments` is many times faster."""
    return alignments([src], [tgt], langs=langs, lexicon=lexicon)[0]


def alignments(src: list, tgt: list, *, langs: tuple[str, str] = ("en", "ar"), lexicon=None,
               chunk: int = 1000) -> list[float]:
    """:func:`alignment` of each pair ``(src[i], tgt[i])``, computed ``chunk`` pairs at a time."""
    lexicon = lexicon if lexicon is not None else lx.load_lexicon()
    out: list[float] = []
    for k in range(0, len(src), chunk):
        a, b = src[k:k + chunk], tgt[k:k + chunk]
        matched, known = chunk_alignment(*((a, b) if langs[1] == "ar" else (b, a)), lexicon)[0]
        out += ((matched + 1) / (known + 4)).tolist()
    return out


_ID, _SOURCE = attrgetter("id"), attrgetter("source")
_WHAT, _WHERE = ("English", "Arabic", "English", "Arabic"), ("previous", "previous", "next", "next")


class AlignFilter(Filter):
    """Off-by-one and other misaligned lines, without a model (see the module docstring)."""

    type = "align"
    ACCEPT = (ge, "min_score")
    chunk_context = True  # compares each pair with its neighbours inside the chunk
    PARAMS = {"min_score": ((int, float), 0.04, "lowest accepted alignment (own, or own minus a neighbour's lead)"),
              "margin": ((int, float), 0.15, "lead a neighbour line needs before it counts"),
              "anchors_margin": ((int, float), 0.3, "the same lead without a dictionary (anchors only)"),
              "dictionary": (str, "", "folder of the FreeDict dictd files ('' = $MTFIX_DICT_DIR or "
                                      "/usr/share/dictd; 'none' = anchors only)")}
    LIMITS = {"min_score": SHARE, "margin": SHARE, "anchors_margin": SHARE}

    def __init__(self, name: str | None = None, **params):
        super().__init__(name, **params)
        if set(self.langs) != {"en", "ar"}:
            raise ValueError(f"align: needs an English and an Arabic column, not {'/'.join(self.langs)}")
        if self.dictionary not in ("", "none") and lx.dictionary_dir(self.dictionary) is None:
            raise ValueError(f"align: no FreeDict files (freedict-ara-eng.index, ...) in {self.dictionary}")
        try:
            self.lexicon = None if self.dictionary == "none" else lx.load_lexicon(self.dictionary or None)
        except (OSError, ValueError, EOFError) as e:
            raise ValueError(f"align: cannot read the FreeDict dictionary: {e}") from None
        self.notes = [] if self.lexicon is not None or self.dictionary == "none" else [
            f"{self.name}: {lx.missing_dictionary(self.dictionary or None)}; judging numbers, Latin words and "
            "punctuation only"]

    def signature(self) -> dict:
        return {**super().signature(), "lexicon": "freedict" if self.lexicon is not None else "none"}

    def score(self, pairs):
        import numpy as np

        n = len(pairs)
        src, tgt = [p.src for p in pairs], [p.tgt for p in pairs]
        en, ar = (src, tgt) if self.langs[0] == "en" else (tgt, src)
        s = sides(pairs)  # the runs of digits the numbers filter reads too
        k = 0 if self.langs[0] == "en" else 1
        numbers = (s.digit_run_keys(k), s.digit_run_keys(1 - k)) if s.vectorised else None
        got = chunk_alignment(en, ar, self.lexicon, shifts=(0, 1, -1) if n > 1 else (0,), numbers=numbers)
        matched, known = got[0]
        own = (matched + 1) / (known + 4)
        # neighbours: pairs i and i + 1 of the same input with consecutive ids
        near = np.zeros(n + 1, bool)
        if n > 1:
            ids = np.fromiter(map(_ID, pairs), np.int64, n)
            sources = list(map(_SOURCE, pairs))
            near[1:n] = np.abs(np.diff(ids)) == 1
            if sources.count(sources[0]) != n:
                near[1:n] &= [b == a for a, b in zip(sources, sources[1:])]
        before, after = near[:n], near[1:]
        lead = np.full(n, -np.inf)
        which = np.zeros(n, np.int64)
        best = np.zeros(n)
        if before.any() or after.any():
            (m1, k1), (m2, k2) = got[1], got[-1]
            fits_next, fits_previous = (m1 + 1) / (k1 + 4), (m2 + 1) / (k2 + 4)  # English i with Arabic i +/- 1
            candidates = np.full((4, n), -np.inf)  # in the order a tie is settled: the first one wins
            candidates[0, before] = fits_previous[before]  # this English side, the previous Arabic
            candidates[1, before] = _shift(fits_next, -1)[before]  # the previous English, this Arabic
            candidates[2, after] = fits_next[after]
            candidates[3, after] = _shift(fits_previous, 1)[after]
            which = candidates.argmax(axis=0)
            best = candidates[which, np.arange(n)]
            lead = np.where(before | after, best - own, -np.inf)
        margin = self.margin if self.lexicon is not None else self.anchors_margin
        moved = lead > margin
        # a pair no neighbour moved is scored by its own (matched, known) alone: one shared
        # FilterScore (immutable) per such couple
        plain = self.__dict__.get("_plain")
        if plain is None:
            plain = self.__dict__["_plain"] = lx.Memo(self._score)
        out = list(map(plain.__getitem__, zip(matched.tolist(), known.tolist())))
        for i in np.flatnonzero(moved).tolist():
            o, b, w = float(own[i]), float(best[i]), int(which[i])
            v = o - (b - o)
            reason = (f"alignment {o:.2f} ({matched[i]}/{known[i]} words and anchors match); "
                      f"this {_WHAT[w]} side fits the {_WHERE[w]} line better ({b:.2f})")
            out[i] = FilterScore(round(v, 4), reason + (f" < {self.min_score:g}" if v < self.min_score else ""))
        return out

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_plain"}

    def _score(self, counts: tuple[int, int]) -> FilterScore:
        matched, known = counts
        value = (matched + 1) / (known + 4)
        reason = f"alignment {value:.2f} ({matched}/{known} words and anchors match)"
        return FilterScore(round(value, 4), reason + (f" < {self.min_score:g}" if value < self.min_score else ""))

