"""Frozen reference implementations: the corpus filters' text checks as they were
at commit 3ae1119 (before the speed work), copied verbatim, so the fast versions
can be compared with them on real data (tests/test_corpus_same_verdicts.py,
tests/test_text_repetition.py). The only change allowed since, and opted into
here with ``two_copies_rule=True``, is issue 15's "two copies of a phrase in a
long sentence are not a loop" (``4 * n < words``). Do not "fix" this file: it is
the definition the fast code must match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict

from mtfix.text.normalize import FOLDS
from mtfix.text.repetition import Repeat, RepetitionReport

_TOKEN = re.compile(r"\w+")
_CHAR_LOOP = re.compile(r"(\w{1,6}?)\1{3,}")
MAX_N = 8
FREQUENT_N = 4
FREQUENT_COUNT = 3


def _primitive(unit):
    n = len(unit)
    return not any(n % d == 0 and unit == unit[:d] * (n // d) for d in range(1, n))


def _loop(starts, n):
    best, run = [], []
    for s in starts:
        if run and s < run[-1] + n:
            continue
        if run and s - run[-1] > n + 1:
            run = []
        run.append(s)
        if len(run) > len(best):
            best = list(run)
    return best


def repetition_report(text: str, two_copies_rule: bool = True) -> RepetitionReport:
    spans = [(m.group().casefold(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = [w for w, _, _ in spans]
    total = len(words)
    redundant = [False] * total
    repeats = []

    for n in range(1, MAX_N + 1):
        need = 3 if n <= 3 else 2
        i = 0
        while i + need * n <= total:
            unit = tuple(words[i:i + n])
            k = 1
            while tuple(words[i + k * n:i + (k + 1) * n]) == unit:
                k += 1
            long_enough = not (two_copies_rule and k == 2 and 4 * n < total)
            if k >= need and long_enough and _primitive(unit) and not all(redundant[i + n:i + k * n]):
                for j in range(i + n, i + k * n):
                    redundant[j] = True
                repeats.append(Repeat(" ".join(unit), n, k, spans[i][1], spans[i + k * n - 1][2], "tandem"))
                i += k * n
            else:
                i += 1

    for n in range(FREQUENT_N, MAX_N + 1):
        where = defaultdict(list)
        for i in range(total - n + 1):
            where[tuple(words[i:i + n])].append(i)
        for unit, starts in where.items():
            if len(starts) < FREQUENT_COUNT or not _primitive(unit):
                continue
            kept = _loop(starts, n)
            if len(kept) < FREQUENT_COUNT:
                continue
            fresh = [j for s in kept[1:] for j in range(s, s + n) if not redundant[j]]
            if not fresh:
                continue
            for j in fresh:
                redundant[j] = True
            repeats.append(Repeat(" ".join(unit), n, len(kept), spans[kept[0]][1],
                                  spans[kept[-1] + n - 1][2], "frequent"))

    partial = 0.0
    for i, (word, start, end) in enumerate(spans):
        if redundant[i]:
            continue
        looped = 0
        for m in _CHAR_LOOP.finditer(word):
            unit = m.group(1)
            copies = len(m.group()) // len(unit)
            if not any(c.isalpha() for c in unit) or (len(unit) == 1 and copies < 5):
                continue
            looped += len(m.group()) - len(unit)
            repeats.append(Repeat(unit, 0, copies, start + m.start(), start + m.end(), "chars"))
        partial += looped / len(word)

    repeats.sort(key=lambda r: (r.start, -r.n))
    return RepetitionReport(repeats, total, sum(redundant) + partial)


def _presentation_forms(text: str) -> str:
    if not any("\ufb50" <= c <= "\ufdff" or "\ufe70" <= c <= "\ufeff" for c in text):
        return text
    return "".join(
        unicodedata.normalize("NFKC", c) if "\ufb50" <= c <= "\ufdff" or "\ufe70" <= c <= "\ufefe" else c
        for c in text
    )


def normalize(profile, text: str) -> str:
    """``profile``'s folds applied one after another, as before (presentation forms by NFKC per character)."""
    for f in profile.folds:
        text = _presentation_forms(text) if f == "presentation-forms" else text.translate(FOLDS[f].table)
    return text


def letters_digits(text: str) -> int:
    """The empty filter's count: letters and digits, one ``isalnum`` per character."""
    return sum(c.isalnum() for c in text)


_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_LATIN_LETTER = re.compile(rf"[{_LATIN}]")
_ARABIC_CHAR = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _ARABIC_BLOCKS) + "]")


def script_stats(text: str):
    """mtfix.text.script.script_stats before its ASCII shortcut."""
    from mtfix.text.script import ScriptStats

    letters = sum(map(str.isalpha, text)) - text.count("ـ")
    latin = len(_LATIN_LETTER.findall(text))
    arabic_chars = "".join(_ARABIC_CHAR.findall(text))
    arabic = sum(map(str.isalpha, arabic_chars)) - arabic_chars.count("ـ")
    return ScriptStats(arabic, latin, letters - latin - arabic)


# ---------------------------------------------------------------- align (before its speed work)
# mtfix.corpus.align as it was at commit 204bcbd, with mtfix.text.lexicon's word lists: the fast
# filter must give the same value and reason for every pair. It reads the same lexicon mappings
# (``ar_en``/``en_ar``: stem -> translation stems); tests/test_corpus_align.py checks that the
# lexicon loaded from its cache equals the one built from the dictd files.

_LATIN_IN_ARABIC = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9]|[A-Za-z]{2,}")
_NUMBER = re.compile(r"\d+")
_PUNCT = {"question": "?؟", "exclamation": "!", "parenthesis": "()", "quote": "\"“”«»", "colon": ":"}
_FOLD_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_AR_TOKEN = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u064B-\u065F\u0670\u0640]+")
_EN_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


def _english_words(text):
    from mtfix.text.lexicon import EN_STOP

    return [w for w in (t.lower() for t in _EN_TOKEN.findall(text)) if len(w) > 1 and w not in EN_STOP]


@functools.lru_cache(maxsize=1)
def _ar_stop_folded():
    from mtfix.text.lexicon import AR_STOP, arabic_fold

    return frozenset(map(arabic_fold, AR_STOP))


def _arabic_words(text):
    from mtfix.text.lexicon import AR_STOP, arabic_fold

    stop_folded = _ar_stop_folded()
    return [w for w in _AR_TOKEN.findall(text) if len(w) > 1 and w not in AR_STOP and arabic_fold(w) not in stop_folded]


class _AlignSide:
    def __init__(self, text, lang):
        from mtfix.text import lexicon as lx

        self.text = text
        if lang == "ar":
            self.stems = {lx.arabic_stem(w) for w in _arabic_words(text)}
            self.latin = {w.lower() for w in _LATIN_IN_ARABIC.findall(text)}
        else:
            self.stems = {lx.english_stem(w) for w in _english_words(text)}
            self.latin = set()
        self.numbers = set(_NUMBER.findall(text.translate(_FOLD_DIGITS)))
        self.punct = {k for k, chars in _PUNCT.items() if any(c in text for c in chars)}


def _alignment(en, ar, lexicon):
    matched = known = 0
    if lexicon is not None:
        for a in ar.stems:
            t = lexicon.ar_en.get(a)
            if t:
                known += 1
                matched += not t.isdisjoint(en.stems)
        for e in en.stems:
            t = lexicon.en_ar.get(e)
            if t:
                known += 1
                matched += not t.isdisjoint(ar.stems)
    nums = en.numbers | ar.numbers
    known += 2 * len(nums)
    matched += 2 * len(en.numbers & ar.numbers)
    if ar.latin:
        low = en.text.lower()
        known += 2 * len(ar.latin)
        matched += 2 * sum(w in low for w in ar.latin)
    punct = en.punct | ar.punct
    known += len(punct)
    matched += len(en.punct & ar.punct)
    return (matched + 1) / (known + 4), matched, known


def align_score(self, pairs):
    """``AlignFilter.score`` as it was (``self``: the filter, for its parameters and lexicon)."""
    from mtfix.corpus.records import FilterScore

    def en_ar(pair):
        src, tgt = _AlignSide(pair.src, self.langs[0]), _AlignSide(pair.tgt, self.langs[1])
        return (src, tgt) if self.langs[0] == "en" else (tgt, src)

    sides = [en_ar(p) for p in pairs]
    own = [_alignment(en, ar, self.lexicon) for en, ar in sides]
    out = []
    for i, p in enumerate(pairs):
        value, matched, known = own[i]
        best, where = None, ""
        for j, label in ((i - 1, "previous"), (i + 1, "next")):
            if not (0 <= j < len(pairs)) or abs(pairs[j].id - p.id) != 1 or pairs[j].source != p.source:
                continue
            for alt, what in ((_alignment(sides[i][0], sides[j][1], self.lexicon)[0], "English"),
                              (_alignment(sides[j][0], sides[i][1], self.lexicon)[0], "Arabic")):
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
