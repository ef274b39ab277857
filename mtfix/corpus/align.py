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

import re

from mtfix.corpus.filters import Filter
from mtfix.corpus.records import FilterScore
from mtfix.text import lexicon as lx

__all__ = ["AlignFilter", "alignment"]

# a Latin word: [A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9]|[A-Za-z]{2,}, with the first letter factored out
_LATIN_IN_ARABIC = re.compile(r"[A-Za-z](?:[A-Za-z0-9.\-]*[A-Za-z0-9]|[A-Za-z]+)")
_PUNCT = {"question": "?؟", "exclamation": "!", "parenthesis": "()", "quote": "\"“”«»", "colon": ":"}
_FOLD_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")  # per number found


_PUNCT_KIND = {c: k for k, chars in _PUNCT.items() for c in chars}
_ANCHORS = re.compile(r"\d+|[" + re.escape("".join(_PUNCT_KIND)) + "]")  # numbers and punctuation, one pass


class _Side:
    """What one side contributes: stems (and the translations of those the lexicon knows),
    numbers, Latin tokens, punctuation kinds. Computed once per side and chunk, whatever the
    number of pairs it is compared in."""

    __slots__ = ("stems", "known", "trans", "cover", "numbers", "latin", "punct", "text", "_low", "_runs")

    def __init__(self, text: str, lang: str, lexicon=None):
        self.text = text
        self._low = self._runs = None
        self.trans, self.cover = (), _EMPTY
        if lang == "ar":
            self.stems = lx.arabic_stems(text)
            self.latin = {w.lower() for w in _LATIN_IN_ARABIC.findall(text)}
            self.known = len(self.stems & _keys(lexicon)) if lexicon is not None else 0
        else:
            self.stems = lx.english_stems(text)
            self.latin = _EMPTY
            if lexicon is not None:
                # The lexicon's two directions mirror each other (``e in ar_en[a]`` exactly when
                # ``a in en_ar[e]``), and English stems have few translations: ``cover`` (their
                # union) holds exactly the Arabic stems that one of this side's stems translates.
                self.trans = list(filter(None, map(lexicon.en_ar.get, self.stems)))
                self.cover = set().union(*self.trans)
            self.known = len(self.trans)
        found = _ANCHORS.findall(text)
        if found:
            kinds = _PUNCT_KIND
            self.punct = {kinds[x] for x in found if x in kinds}
            self.numbers = {x if x.isascii() else x.translate(_FOLD_DIGITS) for x in found if x not in kinds}
        else:
            self.punct = self.numbers = _EMPTY

    def found(self, words) -> int:
        """How many of ``words`` (lower-case Latin words: letters, digits, ``.``, ``-``) occur in
        this side's lower-cased text. Each is searched in the text; for many words in a long text
        (a pathological row) only in its distinct runs of such characters, where every occurrence
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


_EMPTY: frozenset = frozenset()
_LATIN_RUN = re.compile(r"[a-z0-9.\-]+")
_SCAN_LIMIT = 1_000_000  # characters searched by plain `in` before the runs are used
_KEYS: dict[int, tuple] = {}


def _keys(lexicon) -> frozenset:
    """The Arabic stems ``lexicon`` knows (built once per lexicon)."""
    got = _KEYS.get(id(lexicon))
    if got is None or got[0] is not lexicon:
        got = _KEYS[id(lexicon)] = (lexicon, frozenset(lexicon.ar_en))
    return got[1]


def _alignment(en: _Side, ar: _Side, lexicon) -> tuple[float, int, int]:
    # a known stem is matched when one of its translations is among the other side's stems
    known = en.known + ar.known
    matched = 0
    if known:
        matched = len(ar.stems & en.cover) + en.known - sum(map(ar.stems.isdisjoint, en.trans))
    if en.numbers or ar.numbers:
        known += 2 * len(en.numbers | ar.numbers)
        matched += 2 * len(en.numbers & ar.numbers)
    if ar.latin:
        known += 2 * len(ar.latin)
        matched += 2 * en.found(ar.latin)
    if en.punct or ar.punct:
        known += len(en.punct | ar.punct)
        matched += len(en.punct & ar.punct)
    return (matched + 1) / (known + 4), matched, known


def alignment(src: str, tgt: str, *, langs: tuple[str, str] = ("en", "ar"), lexicon=None) -> float:
    """Alignment of one pair (no neighbours), with ``lexicon`` (default: the installed FreeDict)."""
    lexicon = lexicon if lexicon is not None else lx.load_lexicon()
    a, b = _Side(src, langs[0], lexicon), _Side(tgt, langs[1], lexicon)
    en, ar = (a, b) if langs[1] == "ar" else (b, a)
    return _alignment(en, ar, lexicon)[0]


class AlignFilter(Filter):
    """Off-by-one and other misaligned lines, without a model (see the module docstring)."""

    type = "align"
    chunk_context = True  # compares each pair with its neighbours inside the chunk
    PARAMS = {"min_score": ((int, float), 0.04, "lowest accepted alignment (own, or own minus a neighbour's lead)"),
              "margin": ((int, float), 0.15, "lead a neighbour line needs before it counts"),
              "anchors_margin": ((int, float), 0.3, "the same lead without a dictionary (anchors only)"),
              "dictionary": (str, "", "folder of the FreeDict dictd files ('' = $MTFIX_DICT_DIR or "
                                      "/usr/share/dictd; 'none' = anchors only)")}

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
            f"{self.name}: no FreeDict dictionary found (apt-get install {' '.join(lx.DEBIAN_PACKAGES)}, "
            "or set MTFIX_DICT_DIR); judging numbers, Latin words and punctuation only"]

    def signature(self) -> dict:
        return {**super().signature(), "lexicon": "freedict" if self.lexicon is not None else "none"}

    def _en_ar(self, pair) -> tuple[_Side, _Side]:
        src, tgt = _Side(pair.src, self.langs[0], self.lexicon), _Side(pair.tgt, self.langs[1], self.lexicon)
        return (src, tgt) if self.langs[0] == "en" else (tgt, src)

    def score(self, pairs):
        sides = [self._en_ar(p) for p in pairs]
        own = [_alignment(en, ar, self.lexicon) for en, ar in sides]
        crossed: dict[tuple[int, int], float] = {}  # (English of i, Arabic of j): each computed once

        def cross(i: int, j: int) -> float:
            got = crossed.get((i, j))
            if got is None:
                got = crossed[i, j] = _alignment(sides[i][0], sides[j][1], self.lexicon)[0]
            return got

        out = []
        for i, p in enumerate(pairs):
            value, matched, known = own[i]
            best, where = None, ""
            for j, label in ((i - 1, "previous"), (i + 1, "next")):
                if not (0 <= j < len(pairs)) or abs(pairs[j].id - p.id) != 1 or pairs[j].source != p.source:
                    continue
                for alt, what in ((cross(i, j), "English"), (cross(j, i), "Arabic")):
                    if best is None or alt > best:
                        best, where = alt, f"this {what} side fits the {label} line better ({alt:.2f})"
            reason = f"alignment {value:.2f} ({matched}/{known} words and anchors match)"
            margin = self.margin if self.lexicon is not None else self.anchors_margin
            if best is not None and best - value > margin:
                reason += f"; {where}"
                value = value - (best - value)
            verdict = f" < {self.min_score:g}" if value < self.min_score else ""
            out.append(FilterScore(round(value, 4), reason + verdict))
        return out

    def accept(self, score):
        return score.value >= self.min_score
