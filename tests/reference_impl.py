"""Frozen reference implementations: the corpus filters' text checks as they were
at commit 3ae1119 (before the speed work), copied verbatim, so the fast versions
can be compared with them on real data (tests/test_corpus_same_verdicts.py,
tests/test_text_repetition.py). The only change allowed since, and opted into
here with ``two_copies_rule=True``, is issue 15's "two copies of a phrase in a
long sentence are not a loop" (``4 * n < words``). Do not "fix" this file: it is
the definition the fast code must match.
"""

from __future__ import annotations

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
