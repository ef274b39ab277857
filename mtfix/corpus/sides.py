"""What the filters ask of each side of a chunk, answered once for the whole chunk.

Several filters ask the same things of every text: its length with white
space collapsed (``max_length``, ``length_ratio``), how many letters or
digits (``empty``), Arabic and Latin letters (``script``), whether it holds a
digit (``numbers``), a character markup damage needs (``markup``), its word
tokens (``repetition``), its normalised dedup key (``dedup``). :class:`Sides`
answers each for all the chunk's texts at once with
:class:`mtfix.text.charclass.TextBatch` (one numpy pass over the chunk's code
points, not a regular expression per text), lazily, and remembers the answer
for the other filters: the pipeline opens :func:`shared` around a chunk, and
every filter's ``sides(pairs)`` inside it gets the same object. Outside it
(a filter called on its own) each call answers afresh.

``VECTORISED = False`` answers every question with the text layer's own
per-text functions instead (the definitions: ``script_stats``, ``str.split``,
``re.findall``...); ``tests/test_corpus_same_verdicts.py`` runs the whole
pipeline both ways and compares the records byte for byte.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator, Sequence

import numpy as np

from mtfix.corpus.records import Pair

__all__ = ["Sides", "sides", "shared", "gc_paused", "VECTORISED"]

VECTORISED = True
_TOKEN = re.compile(r"\w+")
_CURRENT: list = [None, None]  # [the pairs list of the chunk being judged, its Sides]


class Sides:
    """Facts about ``pairs``' two sides (``k`` = 0: ``src``, 1: ``tgt``), each a list per pair."""

    def __init__(self, pairs: Sequence[Pair]):
        self.pairs = pairs
        self.texts = ([p.src for p in pairs], [p.tgt for p in pairs])
        self.vectorised = VECTORISED
        self._memo: dict = {}

    def _get(self, key, make):
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = make()
        return got

    def batch(self, k: int):
        from mtfix.text.charclass import TextBatch

        return self._get(("batch", k), lambda: TextBatch(self.texts[k]))

    def collapsed(self, k: int) -> list[int]:
        """``len(" ".join(text.split()))``."""
        if not self.vectorised:
            return [len(" ".join(t.split())) for t in self.texts[k]]
        return self._get(("collapsed", k), lambda: self.batch(k).collapsed_lengths())

    def letters_digits(self, k: int) -> list[int]:
        """Characters that are letters or digits (``str.isalnum``)."""
        if not self.vectorised:
            return [sum(map(str.isalnum, t)) for t in self.texts[k]]
        return self._get(("alnum", k), lambda: self.batch(k).counts("alnum"))

    def script_counts(self, k: int) -> list[tuple[int, int, int]]:
        """``(letters, arabic, latin)`` as :func:`mtfix.text.script.script_stats` counts them."""
        if not self.vectorised:
            from mtfix.text.script import script_stats

            return [(s.letters, s.arabic, s.latin) for s in map(script_stats, self.texts[k])]

        def make():
            b = self.batch(k)
            return list(zip(b.counts("letter"), b.counts("arabic"), b.counts("latin")))
        return self._get(("script", k), make)

    def has_digit(self, k: int) -> list[bool] | None:
        """Does the text hold a decimal digit (re's ``\\d``, any script)? None: not vectorised
        (the numbers filter looks itself)."""
        if not self.vectorised:
            return None
        return self._get(("digit", k), lambda: self.batch(k).any("digit"))

    def number_values(self, k: int) -> list[list[float]] | None:
        """:func:`mtfix.text.numbers.number_values` of each text (from :meth:`numbers`); None: not
        vectorised."""
        if not self.vectorised:
            return None
        values, owner, _ = self.numbers(k)
        bounds = np.searchsorted(owner, np.arange(len(self.pairs) + 1)).tolist()
        flat = values.tolist()
        return [flat[a:b] for a, b in zip(bounds, bounds[1:])]

    def numbers(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(values, owners, runs)``: the values of :func:`mtfix.text.numbers.number_values` of
        every text in order, the text of each, and how many runs of digits (re's ``\\d+``) each
        text holds. A mention is found for the whole chunk at once: where a run of ASCII,
        Arabic-Indic or Persian digits (at most 15) is followed by neither a separator and a digit,
        nor a sign, nor a space and a character that may go on
        (:data:`mtfix.text.numbers.AFTER_SPACE_GOES_ON`),
        the mention is that run alone and its value is read with numpy; the regular expression
        reads the others (:func:`mtfix.text.numbers.number_at`), and skips the runs inside them.
        A decimal ``A.B`` (``٫`` too; at most 15 digits, nothing after ``B`` that may go on, not
        itself after a separator and a digit) is read with numpy too: ``AB / 10**len(B)``, one
        correctly rounded division of two exact doubles, is ``float("A.B")``; so is ``A,B``
        where no thousands group can start (``A`` longer than 3 digits or ``B`` not 3): ``A``
        alone; so are thousands groups (``1,234,567.5``), a percent sign after a number, and a
        number before a word that begins no scale or percent word (``5 people``). Where each
        mention lies: :meth:`number_spans`."""
        return self._numbers(k)[:3]

    def number_spans(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(starts, ends)``: where each mention of :meth:`numbers` lies, as offsets into the
        chunk's joined texts (:class:`mtfix.text.charclass.TextBatch`'s ``codes``; the text's
        own offsets less its ``starts``): ``text[start:end]`` is the mention's surface as
        :func:`mtfix.text.numbers.extract_numbers` gives it (a range's two ends, each)."""
        return self._numbers(k)[3:]

    def _numbers(self, k: int):
        def make():
            from mtfix.text import numbers

            b = self.batch(k)
            codes, size = b.codes, len(b.codes)
            digit, first, last, owner, runs, length, odd, read = self._digit_runs(k)
            if not len(first):
                return np.zeros(0), owner, runs, first, first
            ends = b.ends[owner]

            def following(pos, chars):  # is the code point at pos one of chars? (not np.isin: its
                at = codes[pos]  # np.unique loads numpy.ma, start-up time)
                return np.logical_or.reduce([at == ord(x) for x in chars])

            one, two = np.minimum(last + 1, size - 1), np.minimum(last + 2, size - 1)  # (checked below)
            goes_on = following(one, numbers.NUMBER_SIGNS) | (
                following(one, numbers.NUMBER_SEPARATORS) & digit[two] & (last + 2 < ends)) | (
                following(one, numbers.NUMBER_SPACES) & following(two, numbers.AFTER_SPACE_GOES_ON) & (last + 2 < ends))
            stops = (last + 1 >= ends) | ~goes_on  # nothing after the run goes on with it
            # where a mention that ends with this run ends: after it (nothing goes on), or after a
            # percent sign that follows it, directly or after one space (_SP?%); -1: the regex knows
            sign1 = following(one, numbers.NUMBER_SIGNS) & (last + 1 < ends)
            sign2 = following(one, numbers.NUMBER_SPACES) & following(two, numbers.NUMBER_SIGNS) & (last + 2 < ends)
            tail = np.where(stops, last + 1, np.where(sign1, last + 2, np.where(sign2, last + 3, -1)))
            # a space and a word that cannot begin a scale or percent word: the run alone
            worded = np.flatnonzero((tail < 0) & following(one, numbers.NUMBER_SPACES) & (last + 2 < ends)
                                    & b.has("word")[two] & ~following(two, numbers.NUMBER_SIGNS))
            if len(worded):
                worded = worded[~self._may_be_suffix(b, two[worded], ends[worded])]
                tail[worded] = last[worded] + 1
            plain = ~odd & (length <= 15)
            alone = plain & (tail >= 0)
            values = read.astype(np.float64)
            stop = tail.copy()
            keep = None
            if len(first) > 1:
                keep = self._joined_numbers(b, following, digit, first, last, length, owner, ends, read, plain,
                                            alone, tail, values, stop)
            todo = np.flatnonzero(~alone).tolist()  # the regular expression (few: 1,000, 5 %, 2.5)
            if todo:
                from bisect import bisect_left

                texts, folded, at, lo, whose = self.texts[k], {}, first.tolist(), b.starts.tolist(), owner.tolist()
                folds = set(b.owners()[np.flatnonzero(b.has("numeric_fold"))].tolist())  # texts to fold
                done, got, ends_at, inside = [], [], [], []
                t = 0
                while t < len(todo):
                    r = todo[t]
                    i = whose[r]
                    text = folded.get(i)
                    if text is None:
                        text = folded[i] = numbers.fold_numeric(texts[i]) if i in folds else texts[i]
                    value, end = numbers.number_at(text, at[r] - lo[i])
                    end += lo[i]
                    done.append(r)
                    got.append(value)
                    ends_at.append(end)
                    past = bisect_left(at, end, r + 1)  # the runs this mention holds: r + 1 .. past - 1
                    inside.append((r + 1, past))
                    t = bisect_left(todo, past, t + 1)  # (1,000: two runs, one number)
                values[done] = got
                stop[done] = ends_at
                if any(a < b for a, b in inside):
                    skip = np.zeros(len(first) + 1, np.int64)
                    np.add.at(skip, [a for a, _ in inside], 1)
                    np.add.at(skip, [b for _, b in inside], -1)
                    inner = np.cumsum(skip[:-1]) == 0
                    keep = inner if keep is None else keep & inner
            if keep is not None:
                values, owner, first, stop = values[keep], owner[keep], first[keep], stop[keep]
            return values, owner, runs, first, stop
        return self._get(("numbers", k), make)

    def _digit_runs(self, k: int):
        """``(digit, first, last, owner, runs, length, odd, read)``: which code points are digits,
        each run of them (where it starts and ends, its text, how long), how many runs each text
        holds, whether a run has a digit of another script than ASCII, Arabic-Indic or Persian, and
        its value (its digits' values times powers of 10, the 18th digit from the end on as the
        17th: exact for runs of up to 17 digits). One pass, for :meth:`numbers` and
        :meth:`digit_run_keys` (the align filter's)."""
        def make():
            b = self.batch(k)
            digit = b.has("digit")
            at = np.flatnonzero(digit)  # every digit; a run starts where one does not follow another
            whose = b.owners()[at]
            start = np.ones(len(at), bool)
            start[1:] = (at[1:] != at[:-1] + 1) | (whose[1:] != whose[:-1])
            begins = np.flatnonzero(start)
            first, owner = at[begins], whose[begins].astype(np.int64)
            runs = np.bincount(owner, minlength=len(self.pairs))
            if not len(first):
                return digit, first, first, owner, runs, first, np.zeros(0, bool), first
            last = at[np.append(begins[1:], len(at)) - 1]
            # each digit's value (-1: another script), each run's value
            value = np.take(_DIGIT_VALUE, np.minimum(b.codes[at], len(_DIGIT_VALUE) - 1))
            run = np.cumsum(start) - 1
            length = last - first + 1
            other = value < 0
            odd = np.bincount(run[other], minlength=len(first)) > 0 if other.any() else np.zeros(len(first), bool)
            place = np.minimum(last[run] - at, 17)
            read = np.add.reduceat(np.maximum(value, 0) * _POW10[place], begins)
            return digit, first, last, owner, runs, length, odd, read
        return self._get(("runs", k), make)

    def digit_run_keys(self, k: int) -> tuple[np.ndarray, np.ndarray, list]:
        """``(rows, keys, odd texts)`` of every run of digits of side ``k``, as
        :func:`mtfix.text.columns.analyse` gives them (``number_rows``, ``number_keys``,
        ``odd_numbers``), from the digits :meth:`numbers` reads."""
        from mtfix.text import columns

        def make():
            _, first, last, owner, _, length, odd, read = self._digit_runs(k)
            texts, starts = self.texts[k], self.batch(k).starts
            keys, odd_texts = columns.run_keys(
                read, length, odd, lambda r: texts[owner[r]][first[r] - starts[owner[r]]:last[r] + 1 - starts[owner[r]]])
            return owner, keys, odd_texts
        return self._get(("run keys", k), make)

    @staticmethod
    def _may_be_suffix(b, at: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Per position: may the word that starts there be a scale or percent word's first
        (:data:`mtfix.text.numbers.SUFFIX_FIRST_WORDS`, any case)? False only for a word of ASCII
        or Arabic letters that is none of them (compared by a hash of its lower-cased code points:
        equal words, equal hashes; a collision says True, and the regex reads that number)."""
        from mtfix.text import numbers

        words = _suffix_hashes(numbers.SUFFIX_FIRST_WORDS)
        width = max(map(len, numbers.SUFFIX_FIRST_WORDS))
        nonword = np.flatnonzero(~b.has("word"))
        stop = np.append(nonword, len(b.codes))[np.searchsorted(nonword, at)]
        length = np.minimum(stop, ends) - at
        short = length <= width
        maybe = short.copy()
        if short.any():
            pos = at[short, None] + np.arange(width)
            inside = np.arange(width) < length[short, None]
            c = np.where(inside, b.codes[np.minimum(pos, len(b.codes) - 1)], 0).astype(np.uint64)
            c += (c - np.uint64(65) < 26) * np.uint64(32)  # A-Z -> a-z
            odd = ((c >= 128) & ((c < 0x621) | (c > 0x64A))).any(axis=1)  # not ASCII or an Arabic letter
            h = _word_hash(c)
            found = np.minimum(np.searchsorted(words, h), len(words) - 1)
            maybe[short] = odd | (words[found] == h)
        return maybe

    @staticmethod
    def _joined_numbers(b, following, digit, first, last, length, owner, ends, read, plain, alone, tail, values,
                        stop):
        """The mentions of two runs or more that :meth:`numbers` reads with numpy: decimals
        ``A.B`` and thousands ``A,BBB,BBB`` (``A`` of 1-3 digits, groups of 3, then maybe ``.D``),
        each ending as :meth:`numbers`' ``tail`` says (``%`` included), at most 15 digits, ``A`` not
        after a separator and a digit (then ``A`` may be inside a mention before it). These are
        what ``_NUM``'s alternatives read (the first needs ``,`` after 1-3 digits and a group of
        exactly 3; the second ``.ddd`` twice, which a decimal's ``B`` followed by nothing that
        goes on excludes). ``A,B`` where no group can start (``A`` longer than 3 digits or ``B``
        not 3) is ``A`` alone. The value of ``AB`` with ``k`` decimals is ``AB / 10**k``: one
        correctly rounded division of two exact doubles, as ``float("A.B")``. Sets ``values``,
        ``stop`` and ``alone`` of each head run in place; returns which runs stay (not inside)."""
        n = len(first)
        nxt = np.minimum(np.arange(1, n + 1), n - 1)
        one = np.minimum(last + 1, len(b.codes) - 1)
        prev1, prev2 = np.maximum(first - 1, 0), np.maximum(first - 2, 0)
        after_sep = following(prev1, ",.\u066b\u066c") & digit[prev2] & (first - 2 >= b.starts[owner])
        adjacent = (last + 2 < ends) & (first[nxt] == last + 2) & (owner[nxt] == owner)
        adjacent[-1] = False
        comma = following(one, ",\u066c") & adjacent
        dot = following(one, ".\u066b") & adjacent
        # A,B without a thousands group: A alone
        lone = ~alone & plain & ~after_sep & comma & ((length > 3) | (length[nxt] != 3))
        alone |= lone
        stop[lone] = last[lone] + 1
        keep = np.ones(n, bool)
        # thousands chains: link r -> r + 1 where "," and a run of exactly 3 digits follow
        link = comma & (length[nxt] == 3)
        cont = np.zeros(n, bool)
        cont[1:] = link[:-1]
        heads = np.flatnonzero(link & ~cont & (length <= 3) & ~after_sep & ~alone)
        if len(heads):
            starts = np.flatnonzero(~cont)
            ends_ = np.append(starts[1:], n) - 1  # the last run of each chain (or lone run)
            end = ends_[np.searchsorted(starts, heads)]
            odd_runs = np.concatenate(([0], np.cumsum(~plain)))
            digits = np.concatenate(([0], np.cumsum(length)))
            ok = odd_runs[end + 1] == odd_runs[heads]
            # then ".D" (D's own end) or the chain's last group's end
            d = np.minimum(end + 1, n - 1)
            decimal = dot[end] & plain[d] & (tail[d] >= 0)
            size = digits[end + 1] - digits[heads] + np.where(decimal, length[d], 0)
            ok &= (size <= 15) & (decimal | (tail[end] >= 0))
            heads, end, decimal, d = heads[ok], end[ok], decimal[ok], d[ok]
            if len(heads):
                whole = read[heads].copy()
                for j in range(1, int((end - heads).max()) + 1):
                    more = end - heads >= j
                    whole[more] = whole[more] * 1000 + read[(heads + j)[more]]
                whole = np.where(decimal, whole * _POW10[np.where(decimal, length[d], 0)] + read[d], whole)
                places = np.where(decimal, length[d], 0)
                values[heads] = whole.astype(np.float64) / _POW10F[places]
                stop[heads] = np.where(decimal, tail[d], tail[end])
                alone[heads] = True
                last_inside = np.where(decimal, d, end)
                inner = np.zeros(n + 1, np.int64)
                np.add.at(inner, heads + 1, 1)
                np.add.at(inner, last_inside + 1, -1)
                inside = np.cumsum(inner[:-1]) > 0
                keep &= ~inside
                alone |= inside
        # decimals A.B
        dec = ~alone & plain & ~after_sep & dot & ~cont & plain[nxt] & (tail[nxt] >= 0) & (length + length[nxt] <= 15)
        dec[-1] = False
        if dec.any():
            r = np.flatnonzero(dec)
            digits_b = length[r + 1]
            whole = read[r] * _POW10[np.minimum(digits_b, 17)] + read[r + 1]
            values[r] = whole.astype(np.float64) / _POW10F[digits_b]
            stop[r] = tail[r + 1]
            alone[r] = True
            keep[r + 1] = False
            alone[r + 1] = True
        return keep

    def digit_runs(self, k: int) -> list[int] | None:
        """How many runs of digits (re's ``\\d+``) each text holds; None: not vectorised."""
        if not self.vectorised:
            return None
        return self.numbers(k)[2].tolist()

    def numbers_agree(self, most: int | None = None) -> list[int]:
        """Per pair: how many numbers its two sides have when they have the same values (sorted)
        and no two different values of them are equal to :func:`mtfix.text.numbers.compare_numbers`
        (``math.isclose``: then it matches them all), else -1; -1 too, unsorted, for a pair with
        more than ``most`` runs of digits on a side (a table the caller compares otherwise)."""
        def make():
            n = len(self.pairs)
            (v0, o0, r0), (v1, o1, r1) = self.numbers(0), self.numbers(1)
            big = None if most is None else np.maximum(r0, r1) > most
            if big is not None and big.any():  # left out of the sorts below
                small0, small1 = ~big[o0], ~big[o1]
                v0, o0, v1, o1 = v0[small0], o0[small0], v1[small1], o1[small1]
            c0, c1 = np.bincount(o0, minlength=n), np.bincount(o1, minlength=n)
            order0, order1 = np.lexsort((v0, o0)), np.lexsort((v1, o1))
            v0, o0, v1, o1 = v0[order0], o0[order0], v1[order1], o1[order1]
            same = c0 == c1
            w0, w1 = same[o0], same[o1]  # the pairs with as many values on each side, aligned
            differ = np.bincount(o0[w0][v0[w0] != v1[w1]], minlength=n) > 0
            a, b, near = v0[:-1], v0[1:], o0[:-1] == o0[1:]
            with np.errstate(invalid="ignore"):
                diff = np.abs(b - a)
                close = (diff <= np.abs(1e-9 * b)) | (diff <= np.abs(1e-9 * a)) | (diff <= 1e-12)
            close &= near & (a != b) & ~np.isinf(a) & ~np.isinf(b)  # math.isclose
            differ[o0[:-1][close]] = True
            agree = same & ~differ
            if big is not None:
                agree &= ~big
            return np.where(agree, c0, -1).tolist()
        return self._get(("agree", most), make)

    def may_be_damaged(self, k: int) -> list[bool]:
        """Could :func:`mtfix.text.markup.find_damage` find anything? Not without one character of
        the kinds it needs (a tag/entity/U+FFFD/control trigger, symbol junk, a mojibake character)."""
        if not self.vectorised:
            return [True] * len(self.pairs)

        def make():
            b = self.batch(k)
            return [n > 0 for n in b.count(b.has("markup_trigger") | b.has("junk") | b.has("mojibake"))]
        return self._get(("damage", k), make)

    def may_repeat(self, k: int) -> list[bool] | None:
        """False proves the text has no repeat (:func:`mtfix.text.repetition.may_repeat`); None:
        not vectorised (every text is looked at)."""
        if not self.vectorised:
            return None

        def make():
            from mtfix.text.repetition import may_repeat

            return may_repeat(self.batch(k))
        return self._get(("repeat", k), make)

    def word_keys(self, k: int, profile) -> list[str]:
        """The dedup key text of each side: ``profile``-folded, case-folded, only its letters and
        digits (:class:`mtfix.corpus.filters.DedupFilter`)."""
        texts = self.texts[k]
        if profile is None:
            raise ValueError("no normalisation profile")
        if not self.vectorised:
            return [_NON_ALNUM.sub("", profile(t).casefold()) for t in texts]

        def make():

            b = self.batch(k)
            table, single = _key_table(profile)
            bmp = np.minimum(b.codes, 0xFFFF)
            mapped = np.take(table, bmp)  # every code point to its key character (0: none)
            odd = (b.codes > 0xFFFF) | ~np.take(single, bmp)
            keys = b.keep(mapped != 0, codes=mapped)
            for i in sorted(set(b.owners()[odd].tolist())):  # a character with a longer key: that text alone
                keys[i] = _NON_ALNUM.sub("", profile(texts[i]).casefold())
            return keys
        return self._get(("keys", k, profile.name), make)


_NON_ALNUM = re.compile(r"[\W_]+")
_POW10 = 10 ** np.arange(18, dtype=np.int64)
_POW10F = 10.0 ** np.arange(18)  # exact doubles
#: the value of each ASCII, Arabic-Indic and Persian digit by code point (-1: not one of them)
_DIGIT_VALUE = np.full(0x6FB, -1, np.int64)
for _zero in (0x30, 0x660, 0x6F0):
    _DIGIT_VALUE[_zero:_zero + 10] = np.arange(10)
_KEY_TABLES: dict = {}


def _key_table(profile):
    """``(table, single)`` for the Basic Multilingual Plane: ``table[c]`` is the one character
    that code point ``c`` leaves in a dedup key (``profile``, then ``str.casefold``, then only
    letters and digits: each maps one character at a time), 0 for none; ``single[c]`` is False
    where it leaves more than one (``ß`` -> ``ss``, a ligature), so such a text is keyed alone."""
    got = _KEY_TABLES.get(profile.name)
    if got is None:
        from mtfix.text import charclass, diskcache, normalize

        def build():

            every = [chr(c) for c in range(0x10000)]
            plain = charclass.TextBatch(["".join(every)])
            table = np.where(plain.has("alnum"), plain.codes, 0).astype(np.uint32)
            single = np.ones(0x10000, dtype=bool)
            changed = [c for c, x in enumerate(every) if x.casefold() != x or profile(x) != x]
            for c in changed:
                key = _NON_ALNUM.sub("", profile(every[c]).casefold())
                table[c] = ord(key) if len(key) == 1 else 0
                single[c] = len(key) <= 1
            return table, single

        # tens of milliseconds per process: kept on disk (the profiles are normalize's own, by name)
        got = diskcache.cached_arrays(f"dedupkeys-{profile.name}", (__file__, charclass.__file__, normalize.__file__),
                                      build, key=profile.name)
        if [(a.shape, a.dtype.str) for a in got] != [((0x10000,), "<u4"), ((0x10000,), "|b1")]:  # pragma: no cover
            got = build()
        got = _KEY_TABLES[profile.name] = tuple(got)
    return got


def _word_hash(c: np.ndarray) -> np.ndarray:
    """A hash of each row of code points (0 past a word's end), wrapping around 2**64."""
    h = np.zeros(len(c), np.uint64)
    for j in range(c.shape[1]):
        h *= np.uint64(0x100000001B3)
        h += c[:, j] + np.uint64(1)
    return h


_SUFFIX_HASHES: dict = {}


def _suffix_hashes(words) -> np.ndarray:
    got = _SUFFIX_HASHES.get(words)
    if got is None:
        width = max(map(len, words))
        c = np.array([[ord(x) for x in w.lower()] + [0] * (width - len(w)) for w in words], np.uint64)
        got = _SUFFIX_HASHES[words] = np.sort(_word_hash(c))
    return got


def sides(pairs: Sequence[Pair]) -> Sides:
    """The chunk's :class:`Sides` when ``pairs`` is the chunk being judged (:func:`shared`), else new."""
    if _CURRENT[0] is pairs:
        return _CURRENT[1]
    return Sides(pairs)


@contextmanager
def shared(pairs: Sequence[Pair]) -> Iterator[Sides]:
    """Inside it, every ``sides(pairs)`` (the same list object) answers from one :class:`Sides`;
    the cyclic garbage collector is paused meanwhile (:func:`gc_paused`)."""
    previous = list(_CURRENT)
    _CURRENT[:] = [pairs, Sides(pairs)]
    try:
        with gc_paused():
            yield _CURRENT[1]
    finally:
        _CURRENT[:] = previous


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (unless it already is), then as it was. Reading, scoring
    and writing a chunk makes tens of thousands of small objects (pairs, word tokens, scores), which
    would set it off again and again, each time walking the chunk's objects that are still alive
    and, now and then, every object of the process (a lexicon of a million entries); reference
    counting frees them when the chunk is done, and the few that form a cycle are collected
    between chunks, once enough of them are left (the collector counts what is still alive)."""
    import gc

    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
