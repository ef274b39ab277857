"""Pair filters, OpusFilter style: ``score(pairs)`` then ``accept(score)``.

Every filter scores a batch of pairs (a list, so the round-trip filter can
translate a whole chunk in one call) and returns one :class:`FilterScore` per
pair: a ``value`` in the filter's own unit and a short ``reason``.
``accept(score)`` decides from the value alone, so a stored score can be
judged again with other thresholds. ``filter``/``filterfalse`` are built on
the two. Thresholds are parameters, set from the pipeline TOML
(:mod:`mtfix.corpus.config`); each class lists its own in ``PARAMS``.

The checks themselves come from the text layer (:mod:`mtfix.text`: script
shares, numbers across digit systems, repetition, normalisation profiles) and
the chrF of :func:`mtfix.metrics.sentence_chrf`; nothing is re-implemented
here.

=============== ============================================== ==========================
filter          value                                          accepted when
=============== ============================================== ==========================
empty           letters+digits on the shorter side             ``>= min_chars``
max_length      characters per sentence, see the class         ``<= max_chars``
length_ratio    (longer + smoothing) / (shorter + smoothing)   ``<= max_ratio``
script          share of the expected script, worse side       ``>= min_share``
numbers         numbers changed between the sides              ``<= max_changed``
repetition      repetition score (1 = none), worse side        ``>= min_score``
roundtrip_chrf  chrF of back-translated target vs source       ``>= min_chrf``
dedup           1 = first of its kind, 0 = duplicate           ``== 1``
markup          damaged spans (tags, entities, U+FFFD, ...)    ``<= max_damage``
align           dictionary/anchor alignment, minus a           ``>= min_score``
                neighbour line's lead
=============== ============================================== ==========================

``markup`` lives in :mod:`mtfix.corpus.filters_markup`, ``align`` in
:mod:`mtfix.corpus.align`; both are registered at the end of this module.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections import Counter
from itertools import repeat
from operator import attrgetter, ge, le
from typing import ClassVar, Iterable, Iterator, Sequence

from mtfix.corpus.records import FilterScore, Pair
from mtfix.corpus.sides import sides
from mtfix.engine.back import BackTranslate
from mtfix.params import ABOVE_0, CHRF, SHARE, Range, set_params
from mtfix.text.repetition import RepetitionReport

__all__ = ["Filter", "FILTERS", "EmptyFilter", "MaxLengthFilter", "LengthRatioFilter", "ScriptFilter",
           "NumbersFilter", "RepetitionFilter", "RoundTripChrfFilter", "DedupFilter", "MemoryKeyStore",
           "FIRST_OF_ITS_KIND"]

_LANG_NAMES = {"ar": "Arabic", "en": "Latin"}
_VALUE = attrgetter("value")


def _profiles() -> tuple[str, ...]:
    from mtfix.text.normalize import PROFILES

    return tuple(PROFILES)


class Filter(ABC):
    """One check on sentence pairs. Subclasses set ``type``, ``PARAMS``, ``score`` and the rule
    of ``accept`` (:attr:`ACCEPT`, or their own ``accept``).

    ``PARAMS`` maps each parameter to ``(type, default, help)``; the constructor
    takes them as keywords. ``name`` is the filter's name in the pipeline (its
    score column); it defaults to ``type``.
    """

    type: ClassVar[str] = "?"
    PARAMS: ClassVar[dict[str, tuple[type | tuple, object, str]]] = {}
    #: judges a chunk of pairs from the pairs and its parameters alone: may run in another process
    #: (``--workers``, Ray tasks), which gets the whole chunk. Set it to False for a filter with
    #: run state (dedup), a model (round trip) or other needs.
    parallel: ClassVar[bool] = True
    #: its scores depend on the other pairs of the chunk (e.g. neighbours), so on ``chunk_size``:
    #: a run is then resumed only with the chunk size it started with.
    chunk_context: ClassVar[bool] = False
    #: ``(op, threshold)``: a pair passes when ``op(score.value, threshold)`` (``operator.ge`` or
    #: ``le``); ``threshold`` a number or the name of a parameter. A filter with another rule
    #: overrides :meth:`accept` instead.
    ACCEPT: ClassVar[tuple] = ()

    def __init__(self, name: str | None = None, *, langs: tuple[str, str] = ("en", "ar"), **params):
        self.name = name or self.type
        self.langs = langs
        set_params(self, self.PARAMS, params, f"[filters.{self.name}]")

    @abstractmethod
    def score(self, pairs: Sequence[Pair]) -> list[FilterScore]:
        """One score per pair, in order."""

    def accept(self, score: FilterScore) -> bool:
        """Does a pair with this score pass? ``op(score.value, threshold)`` of :attr:`ACCEPT`."""
        op, threshold = self.ACCEPT
        return op(score.value, getattr(self, threshold) if threshold.__class__ is str else threshold)

    def accepts(self, scores: Sequence[FilterScore]) -> list[bool]:
        """:meth:`accept` of each score (in C when the class keeps :attr:`ACCEPT`'s rule)."""
        if type(self).accept is not Filter.accept:
            return list(map(self.accept, scores))
        op, threshold = self.ACCEPT
        threshold = getattr(self, threshold) if threshold.__class__ is str else threshold
        return list(map(op, map(_VALUE, scores), repeat(threshold)))

    def filter(self, pairs: Iterable[Pair], batch_size: int = 1000) -> Iterator[Pair]:
        """The pairs that pass, lazily, in batches."""
        yield from self._split(pairs, batch_size, True)

    def filterfalse(self, pairs: Iterable[Pair], batch_size: int = 1000) -> Iterator[Pair]:
        """The pairs that fail."""
        yield from self._split(pairs, batch_size, False)

    def _split(self, pairs: Iterable[Pair], batch_size: int, keep: bool) -> Iterator[Pair]:
        batch: list[Pair] = []
        for p in pairs:
            batch.append(p)
            if len(batch) >= batch_size:
                yield from (q for q, s in zip(batch, self.score(batch)) if self.accept(s) == keep)
                batch = []
        if batch:
            yield from (q for q, s in zip(batch, self.score(batch)) if self.accept(s) == keep)

    def params(self) -> dict:
        return {key: getattr(self, key) for key in self.PARAMS}

    def signature(self) -> dict:
        """What this filter's verdicts depend on."""
        return {"name": self.name, "type": self.type, **self.params()}

    def short(self) -> str:
        """``type(k=v,...)`` for the one-line pipeline signature."""
        args = ",".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.params().items())
        label = self.type if self.name == self.type else f"{self.name}={self.type}"
        return f"{label}({args})"

    def _sides(self, pair: Pair) -> tuple[tuple[str, str], tuple[str, str]]:
        return (self.langs[0], pair.src), (self.langs[1], pair.tgt)

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return self.short()


def _memo(f: Filter) -> dict:
    """A filter's scores by what they are made of (they repeat from pair to pair; a score is
    immutable, so pairs share one): emptied when it grows past 100,000."""
    memo = f.__dict__.get("_memo")
    if memo is None or len(memo) > 100_000:
        memo = f.__dict__["_memo"] = {}
    return memo


def _collapsed_len(text: str) -> int:
    return len(" ".join(text.split()))


class EmptyFilter(Filter):
    """A side with (almost) no text: fewer than ``min_chars`` letters or digits."""

    type = "empty"
    ACCEPT = (ge, "min_chars")
    PARAMS = {"min_chars": (int, 1, "letters or digits each side needs")}

    def score(self, pairs):
        out = []
        s = sides(pairs)
        (a, b), least = self.langs, self.min_chars
        memo = _memo(self)  # one (immutable) score per side and count
        for x, y in zip(s.letters_digits(0), s.letters_digits(1)):
            key = x if x <= y else ~y  # (~y < 0: the second side)
            got = memo.get(key)
            if got is None:
                lang, n = (a, x) if x <= y else (b, y)
                got = memo[key] = FilterScore(n, f"{lang} side has {n} letters/digits" if n < least
                                              else f"shorter side {n} letters/digits")
            out.append(got)
        return out



class MaxLengthFilter(Filter):
    """Too long to be one sentence pair, judged per sentence, not by an absolute cap alone.

    A pair whose sides are all within ``max_chars`` characters (white space
    collapsed) passes at once. Otherwise each side is cut into sentences and
    clauses (:func:`mtfix.text.segment.split_sentences` with ``clauses=True``)
    and its longest unit is divided by how many units of the other side it may
    stand for (other count / own count, at least 1): a four-sentence English
    side and its one-sentence Arabic translation both pass; one 3000-character
    unit with nothing to match it does not. A side over ``max_side_chars``
    fails whatever its sentences. Value: that per-unit length in characters
    (the side's length when over ``max_side_chars``).
    """

    type = "max_length"
    ACCEPT = (le, "max_chars")
    LIMITS = {"max_chars": Range(1)}
    PARAMS = {"max_chars": (int, 1000, "characters a sentence may have"),
              "max_side_chars": (int, 10000, "characters a side may have, however many sentences")}

    def score(self, pairs):
        out = []
        s = sides(pairs)
        (a, b), most = self.langs, self.max_chars
        memo = _memo(self)  # one (immutable) score per side and length, for the pairs within max_chars
        for p, x, y in zip(pairs, s.collapsed(0), s.collapsed(1)):
            lang, n = (a, x) if x >= y else (b, y)
            if n > self.max_side_chars:
                out.append(FilterScore(max(n, self.max_chars + 1), f"{lang} side {n} chars > {self.max_side_chars}"))
            elif n <= most:
                key = n if x >= y else ~n  # (~n < 0: the second side)
                got = memo.get(key)
                if got is None:
                    got = memo[key] = FilterScore(n, f"{lang} side {n} chars on the longer side")
                out.append(got)
            else:
                out.append(self._per_sentence([(a, p.src, x), (b, p.tgt, y)]))
        return out

    def _per_sentence(self, sides_) -> FilterScore:
        from mtfix.text.segment import split_sentences

        units = [[_collapsed_len(s) for s in split_sentences(t, lang, clauses=True)] or [0] for lang, t, _ in sides_]
        judged = []
        for i, (lang, _, n) in enumerate(sides_):
            share = max(1.0, len(units[1 - i]) / len(units[i]))
            judged.append((max(units[i]) / share, lang, n, len(units[i]), max(units[i]), share))
        value, lang, n, k, longest, share = max(judged)
        word = f"> {self.max_chars}" if value > self.max_chars else "ok"
        per = f" / {share:g} for the other side's units" if share > 1 else ""
        return FilterScore(round(value, 1), f"{lang} side {n} chars in {k} unit(s), longest {longest}{per} {word}")



class LengthRatioFilter(Filter):
    """Sides of very different lengths: ``(longer + k) / (shorter + k)`` in characters.

    The smoothing ``k`` keeps short pairs (``"Yes." / "نعم."``) from extreme
    ratios. On FLORES-200 devtest and NTREX-128 (3009 clean en-ar pairs) the
    plain Arabic/English ratio lies between x0.45 and x2.37 (median x0.90).
    """

    type = "length_ratio"
    ACCEPT = (le, "max_ratio")
    PARAMS = {"max_ratio": ((int, float), 2.5, "largest accepted smoothed ratio"),
              "smoothing": (int, 10, "characters added to both lengths")}
    LIMITS = {"max_ratio": Range(1), "smoothing": ABOVE_0}  # smoothing: a divisor for an empty side

    def score(self, pairs):
        out = []
        (a, b) = self.langs
        s = sides(pairs)
        for n, m in zip(s.collapsed(0), s.collapsed(1)):
            value = (max(n, m) + self.smoothing) / (min(n, m) + self.smoothing)
            longer = b if m > n else a
            verdict = f"> {self.max_ratio:g}" if value > self.max_ratio else "ok"
            out.append(FilterScore(value, f"{longer} side x{value:.2f} longer ({n} vs {m} chars) {verdict}"))
        return out



class ScriptFilter(Filter):
    """A side not written in its language's script (an untranslated copy, swapped columns).

    Value: the lower of the two shares of letters in the expected script
    (:func:`mtfix.text.script.script_score`; 1.0 for a side without letters).
    Clean Arabic with Latin names stays above 0.57 on FLORES/NTREX.
    """

    type = "script"
    ACCEPT = (ge, "min_share")
    PARAMS = {"min_share": ((int, float), 0.5, "share of letters in the expected script, each side")}
    LIMITS = {"min_share": SHARE}

    def score(self, pairs):
        from mtfix.text.lang import script_lang

        s = sides(pairs)
        shares = []
        for k, lang in enumerate(self.langs):
            script = script_lang(lang)  # the share of script_score: Arabic or Latin letters
            if script is None:
                raise ValueError("script_score needs an expected language (ar or en)")
            mine = 1 if script == "ar" else 2
            shares.append([c[mine] / c[0] if c[0] else 1.0 for c in s.script_counts(k)])
        (a, b), out = self.langs, []
        names = [f"% {_LANG_NAMES.get(lang, lang)} script" for lang in self.langs]
        for x, y in zip(*shares):
            lang, share, name = (a, x, names[0]) if x <= y else (b, y, names[1])
            out.append(FilterScore(share, f"{lang} side {100 * share:.0f}{name}"))
        return out



_ANY_DIGIT = re.compile(r"\d")
_DIGIT_RUNS = re.compile(r"\d+")


def _apart(values: list[float]) -> bool:
    """No two different values (sorted) are equal to compare_numbers (``math.isclose``): then its
    first-fit matching pairs equal values only, so it matches two equal lists completely."""
    from math import isclose

    return all(a == b or not isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(values, values[1:]))


_POW10F = [10.0 ** k for k in range(23)]  # exact doubles


class NumbersFilter(Filter):
    """A number changed between the sides (digits in any script, separators, ranges).

    Value: how many numbers of the source appear with another value in the
    target (:func:`mtfix.text.numbers.compare_numbers`; then a missing and an
    extra number are forgiven when they are the same digits, a scale word
    apart, a year and its last two digits, or one number against two
    neighbours read apart: ``12:00`` / ``1200``). A number only on one side
    (spelled out on the other: "three" / "3") does not count. 2 of 3009 clean
    FLORES/NTREX pairs have a changed number, and both are errors in the
    reference (``30,000`` / ``300 ألف``, ``1,127`` / ``1197``).

    A side with more than ``MAX_PAIRED`` numbers (a table dump, not a
    sentence) is compared by value only (to 9 significant digits, as a
    multiset), without the forgiving rules: pairing every mention with every
    other would take minutes on one such row; this takes milliseconds.
    """

    type = "numbers"
    ACCEPT = (le, "max_changed")
    PARAMS = {"max_changed": (int, 0, "changed numbers accepted")}
    MAX_PAIRED = 100

    def score(self, pairs):
        from mtfix.text.numbers import compare_numbers, number_values, unexplained_numbers

        out = []
        s = sides(pairs)
        digits = s.has_digit(0), s.has_digit(1)
        if digits[0] is None:  # not known: look
            digits = [_ANY_DIGIT.search(p.src) is not None for p in pairs], \
                [_ANY_DIGIT.search(p.tgt) is not None for p in pairs]
        runs = s.digit_runs(0), s.digit_runs(1)
        runs = None if runs[0] is None else runs
        agreeing = None if runs is None else s.numbers_agree(self.MAX_PAIRED)  # per pair: how many agree, -1: compare
        agree: dict[int, FilterScore] = {}  # one (immutable) score per count of agreeing numbers
        none = FilterScore(0, "no numbers")
        if agreeing is not None:
            # the chunk at once: each pair's count of agreeing numbers ("no numbers" for none, as a
            # pair without a digit); the others, and the tables (many digit runs), one by one below
            import numpy as np

            agree = {c: FilterScore(0, f"{c} agree" if c else "no numbers") for c in set(agreeing) if c >= 0}
            out = list(map(agree.get, agreeing))
            look = np.flatnonzero((np.array(agreeing) < 0) | (np.maximum(s.numbers(0)[2], s.numbers(1)[2])
                                                               > self.MAX_PAIRED)).tolist()
            pairs = [pairs[i] for i in look]
            digits = [digits[0][i] for i in look], [digits[1][i] for i in look]
        else:
            look = None

        def put(score: FilterScore) -> None:
            if look is None:
                out.append(score)
            else:
                out[i] = score

        for j, (p, dx, dy) in enumerate(zip(pairs, *digits)):
            i = j if look is None else look[j]
            if not dx and not dy:  # every number has a digit
                put(none)
                continue
            # at least as many digit runs as numbers; more than MAX_PAIRED runs need 2 * MAX_PAIRED + 1 chars
            many = 0 if max(len(p.src), len(p.tgt)) <= 2 * self.MAX_PAIRED else \
                max(len(_DIGIT_RUNS.findall(p.src)), len(_DIGIT_RUNS.findall(p.tgt))) if runs is None else \
                max(runs[0][i], runs[1][i])
            if many > self.MAX_PAIRED:
                put(self._by_value(p) if runs is None else self._by_value_at(s, i))
                continue
            if agreeing is None:
                values = sorted(number_values(p.src))
                count = len(values) if values == sorted(number_values(p.tgt)) and _apart(values) else -1
            else:
                count = agreeing[i]
            if count >= 0:  # compare_numbers matches them all
                got = agree.get(count)
                if got is None:
                    got = agree[count] = FilterScore(0, f"{count} agree" if count else "no numbers")
                put(got)
                continue
            comp = compare_numbers(p.src, p.tgt)
            missing, extra = unexplained_numbers(comp.missing, comp.extra, p.src, p.tgt)
            changed = list(zip(missing, extra))
            if changed:
                shown = ", ".join(f"{a.surface} -> {b.surface}" for a, b in changed[:3])
                reason = f"{len(changed)} changed: {shown}"
            elif comp.matched or comp.missing or comp.extra:
                reason = f"{len(comp.matched) + len(comp.missing) - len(missing)} agree"
                if missing or extra:
                    reason += f", {len(missing) + len(extra)} on one side only"
            else:
                reason = "no numbers"
            put(FilterScore(len(changed), reason))
        return out

    def _by_value(self, p: Pair) -> FilterScore:
        """Linear comparison of two long number lists: multisets of values."""
        from collections import Counter

        from mtfix.text.numbers import extract_numbers

        sides = [[a for m in extract_numbers(text) for a in m.atoms()] for text in (p.src, p.tgt)]
        keys = [[float(f"{a.value:.9g}") for a in side] for side in sides]
        left = [Counter(keys[1]), Counter(keys[0])]
        unmatched = [[], []]
        for k, (side, side_keys) in enumerate(zip(sides, keys)):
            for mention, key in zip(side, side_keys):
                if left[k][key] > 0:
                    left[k][key] -= 1
                else:
                    unmatched[k].append(mention)
        changed = list(zip(*unmatched))
        return self._changed_by_value(len(changed), [(a.surface, b.surface) for a, b in changed[:3]],
                                      max(len(sides[0]), len(sides[1])))

    @staticmethod
    def _changed_by_value(changed: int, shown: list[tuple[str, str]], n: int) -> FilterScore:
        shown = ", ".join(f"{a} -> {b}" for a, b in shown)
        return FilterScore(changed, f"{changed} changed{': ' + shown if shown else ''} "
                                    f"({n} numbers on a side: compared by value only)")

    def _by_value_at(self, s, i: int) -> FilterScore:
        """:meth:`_by_value` of pair ``i`` from the chunk's numbers read with numpy
        (:meth:`mtfix.corpus.sides.Sides.numbers`): a mention is unmatched when as many of the same
        key came before it on its side as the other side has; no Python per number (a table of
        hundreds of thousands of numbers in milliseconds)."""
        import numpy as np

        keys, where = [], []
        for k in (0, 1):
            values, owner, _ = s.numbers(k)
            lo, hi = np.searchsorted(owner, [i, i + 1]).tolist()
            v = values[lo:hi]
            key = v.copy()
            # the key is the value rounded to 9 significant digits (float(f"{v:.9g}")): v itself
            # when a decimal of at most 9 significant digits, N / 10**p (N < 1e9, p <= 22: a
            # correctly rounded division of exact doubles, as float() reads that decimal), is v
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                p = 8 - np.floor(np.log10(v))
                p = np.where(np.isfinite(p) & (p >= 0) & (p <= 22), p, 0).astype(np.int64)
                scale = np.asarray(_POW10F)[p]
                whole = np.round(v * scale)
                own = (whole < 1e9) & (whole / scale == v)
            odd = np.flatnonzero(~(own | ((v == np.floor(v)) & (v < 1e9))))
            if len(odd):
                key[odd] = [float(f"{x:.9g}") for x in v[odd].tolist()]
            keys.append(key)
            where.append((lo, k))
        # each side sorted once (stable: equal keys in order of place); every search below looks up
        # sorted keys, which numpy does in one walk (unsorted keys: a cache miss per step, x10)
        orders = [np.argsort(key, kind="stable") for key in keys]
        ranked = [key[order] for key, order in zip(keys, orders)]
        unmatched = []
        for k in (0, 1):
            mine, other, order = ranked[k], ranked[1 - k], orders[k]
            group = np.searchsorted(mine, mine)  # the first place of each key in sorted order
            rank = np.arange(len(mine)) - group  # how many of this key come before it
            there = np.searchsorted(other, mine, "right") - np.searchsorted(other, mine)
            unmatched.append(np.sort(order[rank >= there]))
        changed = min(map(len, unmatched))
        shown = []
        for j in range(min(changed, 3)):
            pair = []
            for k in (0, 1):
                lo, _ = where[k]
                starts, ends = s.number_spans(k)
                base = int(s.batch(k).starts[i])
                a, b = int(starts[lo + unmatched[k][j]]) - base, int(ends[lo + unmatched[k][j]]) - base
                pair.append(s.texts[k][i][a:b])
            shown.append(tuple(pair))
        return self._changed_by_value(changed, shown, max(map(len, keys)))



_NO_REPEAT = RepetitionReport([], 1, 0.0)  # score 1.0, no repeats (the reason does not name the tokens)


class RepetitionFilter(Filter):
    """NMT loops and stutter: :func:`mtfix.text.repetition.repetition_report` score of the worse side."""

    type = "repetition"
    ACCEPT = (ge, "min_score")
    PARAMS = {"min_score": ((int, float), 0.9, "share of words that are not redundant copies, each side")}
    LIMITS = {"min_score": SHARE}

    def score(self, pairs):
        from mtfix.text.repetition import repetition_report

        out = []
        s = sides(pairs)
        (a, b) = self.langs
        look = s.may_repeat(0), s.may_repeat(1)
        if look[0] is None:  # every text looked at
            reports = [(repetition_report(p.src), repetition_report(p.tgt)) for p in pairs]
        else:  # only the texts that may repeat
            reports = [(repetition_report(p.src) if lx else _NO_REPEAT, repetition_report(p.tgt) if ly else _NO_REPEAT)
                       for p, lx, ly in zip(pairs, *look)]
        clean = {}  # one (immutable) score per score value of a text without repeats
        for rx, ry in reports:
            if rx is _NO_REPEAT and ry is _NO_REPEAT:  # (most pairs: neither side may repeat)
                got = clean.get(1.0)
                if got is None:
                    got = clean[1.0] = FilterScore(1.0, "no repetition")
                out.append(got)
                continue
            lang, rep = (b, ry) if ry.score < rx.score else (a, rx)
            if not rep.repeats and rep.score.__class__ is float:
                got = clean.get(rep.score)
                if got is None:
                    got = clean[rep.score] = FilterScore(rep.score, "no repetition")
                out.append(got)
                continue
            if rep.repeats:
                r = max(rep.repeats, key=lambda r: r.count * r.n)
                reason = f"{lang} side {100 * (1 - rep.score):.0f}% repeated ({r.ngram[:30]!r} x{r.count})"
            else:
                reason = "no repetition"
            out.append(FilterScore(rep.score, reason))
        return out



class RoundTripChrfFilter(Filter):
    """Meaning check with a model: back-translate the target side and score it
    against the source side with sacrebleu sentence chrF (0-100).

    ``back_translate(texts) -> texts`` translates target-language lines into
    the source language (normally :func:`mtfix.engine.back_translator`, cached);
    the filter is only part of a pipeline when one is given.
    """

    type = "roundtrip_chrf"
    ACCEPT = (ge, "min_chrf")
    parallel = False
    PARAMS = {"min_chrf": ((int, float), 28.0, "lowest accepted chrF (0-100)"),
              "normalize": (str, "none", "normalisation profile applied to both texts before chrF")}
    LIMITS = {"min_chrf": CHRF}
    CHOICES = {"normalize": _profiles}

    def __init__(self, name: str | None = None, *, back_translate: BackTranslate, model_name: str = "custom",
                 **params):
        super().__init__(name, **params)
        from mtfix.metrics import get_normalizer

        self.back_translate = back_translate
        self.model_name = model_name
        self.profile, self._norm = get_normalizer(self.normalize)

    def signature(self) -> dict:
        from mtfix.metrics import metric_signatures

        return {**super().signature(), "model": self.model_name, "chrf": metric_signatures()["chrf"]}

    def short(self) -> str:
        return super().short()[:-1] + f",model={self.model_name})"

    def score(self, pairs):
        from mtfix.metrics import sentence_chrf

        todo = list(dict.fromkeys(p.tgt for p in pairs if p.tgt.strip()))
        back = dict(zip(todo, self.back_translate(todo))) if todo else {}
        if len(back) != len(todo):
            raise RuntimeError(f"back_translate returned {len(back)} lines for {len(todo)}")
        out = []
        for p in pairs:
            if not p.tgt.strip() or not p.src.strip():
                out.append(FilterScore(0.0, "empty side, nothing to round-trip"))
                continue
            v = sentence_chrf(self._norm(back[p.tgt]), self._norm(p.src))
            verdict = f"< {self.min_chrf:g}" if v < self.min_chrf else "ok"
            out.append(FilterScore(v, f"round-trip chrF {v:.1f} vs {self.langs[0]} side {verdict}"))
        return out



class MemoryKeyStore:
    """Dedup keys in a dict: for a list of pairs held in memory. The runner uses
    a store on disk instead (:class:`mtfix.corpus.state.DiskKeyStore`, same two
    methods), so memory stays flat and a resumed run knows every key seen
    before it stopped."""

    def __init__(self):
        self._seen: dict[bytes, int] = {}

    def lookup(self, keys: Sequence[bytes]) -> dict[bytes, int]:
        return {k: self._seen[k] for k in keys if k in self._seen}

    def add(self, items: dict[bytes, int]) -> None:
        for k, v in items.items():
            self._seen.setdefault(k, v)


_NON_WORD = re.compile(r"[\W_]+")


class DedupFilter(Filter):
    """Exact and normalised duplicates of an earlier pair.

    Exact: the same two texts. Normalised: the same after the ``normalize``
    profile (default ``arabic``: letter variants, diacritics, tatweel, digit
    systems, punctuation), case folding, and with every non-word character
    (spaces, punctuation) removed. ``on`` chooses what must repeat: ``pair``
    (both sides), ``src`` or ``tgt``. A pair counts as seen only once it is
    kept, so a duplicate of a dropped pair is judged on its own. Value: 1 for
    the first of its kind, 0 for a duplicate (the reason names the earlier id).
    """

    type = "dedup"
    ACCEPT = (ge, 1)
    parallel = False
    PARAMS = {"normalize": (str, "arabic", "profile for the normalised key ('none': exact only)"),
              "on": (str, "pair", "pair, src or tgt")}
    CHOICES = {"normalize": _profiles, "on": ("pair", "src", "tgt")}

    def __init__(self, name: str | None = None, *, store=None, **params):
        super().__init__(name, **params)
        from mtfix.text.normalize import get_profile

        self._profile = None if self.normalize == "none" else get_profile(self.normalize)
        self.store = store if store is not None else MemoryKeyStore()

    def _text(self, pair: Pair) -> str:
        if self.on == "pair":
            return pair.src + "\t" + pair.tgt
        return pair.src if self.on == "src" else pair.tgt

    def keys(self, pair: Pair) -> list[tuple[str, bytes]]:
        """``[("exact", key), ("normalised", key)]`` (16-byte BLAKE2b digests)."""
        text = self._text(pair)
        out = [("exact", b"e" + hashlib.blake2b(text.encode(), digest_size=16).digest())]
        if self._profile is not None:
            # the profile maps each character on its own: each side on its own (an ASCII side as is)
            folded = self._profile(pair.src) + "\t" + self._profile(pair.tgt) if self.on == "pair" else \
                self._profile(text)
            norm = _NON_WORD.sub("", folded.casefold())
            out.append(("normalised", b"n" + hashlib.blake2b(norm.encode(), digest_size=16).digest()))
        return out

    def keys_of(self, pairs: Sequence[Pair]) -> list[list[tuple[str, bytes]]]:
        """:meth:`keys` of every pair, the normalised ones computed for the whole chunk at once."""
        if self._profile is None or self.on != "pair":
            return [self.keys(p) for p in pairs]
        s = sides(pairs)
        blake = hashlib.blake2b
        return [[("exact", b"e" + blake((p.src + "\t" + p.tgt).encode(), digest_size=16).digest()),
                 ("normalised", b"n" + blake((x + y).encode(), digest_size=16).digest())]
                for p, x, y in zip(pairs, s.word_keys(0, self._profile), s.word_keys(1, self._profile))]

    def score(self, pairs, register: Sequence[bool] | None = None, keyed: Sequence[list] | None = None):
        """Scores in order; pair ``i`` is remembered when ``register[i]`` (default: all).
        ``keyed``: the pairs' :meth:`keys`, computed elsewhere (worker processes)."""
        keyed = self.keys_of(pairs) if keyed is None else keyed
        flat = [k for ks in keyed for _, k in ks]
        known = self.store.lookup(flat)
        # a key can be seen before only when the store knows it or it comes twice in this chunk;
        # the pairs with none of those are first of their kind without looking further
        suspect = set(known)
        if len(set(flat)) < len(flat):
            suspect.update(k for k, c in Counter(flat).items() if c > 1)
        new: dict[bytes, int] = {}
        out = []
        first = FIRST_OF_ITS_KIND
        for i, (p, ks) in enumerate(zip(pairs, keyed)):
            if suspect:
                hit = None
                for kind, k in ks:
                    if k in suspect:
                        at = known.get(k)
                        if at is None:
                            at = new.get(k)
                        if at is not None:
                            hit = kind, at
                            break
                if hit is not None:
                    out.append(FilterScore(0, f"{hit[0]} duplicate of #{hit[1]}"))
                    continue
            out.append(first)
            if register is None or register[i]:
                for _, k in ks:
                    new.setdefault(k, p.id)
        self.store.add(new)
        return out



#: the dedup verdict of a pair seen first (immutable: one for every such pair; the Ray engine writes it too)
FIRST_OF_ITS_KIND = FilterScore(1, "first of its kind")

FILTERS: dict[str, type[Filter]] = {cls.type: cls for cls in (
    EmptyFilter, MaxLengthFilter, LengthRatioFilter, ScriptFilter, NumbersFilter, RepetitionFilter,
    RoundTripChrfFilter, DedupFilter)}

# Filters in their own modules subclass Filter, so they are imported (and registered) last.
from mtfix.corpus.align import AlignFilter  # noqa: E402
from mtfix.corpus.filters_markup import MarkupFilter  # noqa: E402
FILTERS.update({cls.type: cls for cls in (AlignFilter, MarkupFilter)})
