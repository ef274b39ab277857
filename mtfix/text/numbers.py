"""Numbers across digit systems: extract, compare source with candidate, find MT-garbled forms.

Digits ``0-9``, ``٠-٩`` and ``۰-۹`` are read alike, as are the separators
``,``/``٬`` (thousands) and ``.``/``٫`` (decimal) and the signs ``%``/``٪``.
Folding is character for character, so every span points into the original text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mtfix.text.normalize import ARABIC_INDIC_DIGITS, PERSIAN_DIGITS

__all__ = ["NumberMention", "NumberComparison", "GarbledNumber", "extract_numbers", "number_values",
           "number_at", "fold_numeric", "NUMBER_SEPARATORS", "NUMBER_SIGNS", "NUMBER_SPACES", "AFTER_SPACE_GOES_ON",
           "SUFFIX_FIRST_WORDS",
           "compare_numbers",
           "find_garbled_numbers", "format_value", "same_number", "unexplained_numbers", "meant_numbers",
           "explain_on_the_hour", "MAY_BE_GARBLED"]

_DIGITS = {**{ord(c): str(i) for i, c in enumerate(ARABIC_INDIC_DIGITS)},
           **{ord(c): str(i) for i, c in enumerate(PERSIAN_DIGITS)}}
_NUMERIC = {**_DIGITS, ord("٫"): ".", ord("٬"): ",", ord("٪"): "%"}
_A_DIGIT = re.compile(r"\d")
_HAS_NUMERIC = re.compile("[" + "".join(map(chr, _NUMERIC)) + "]")  # translate only when needed (corpus speed)
FOLDED_CHAR = _HAS_NUMERIC  #: a character the numbers fold maps (Arabic-Indic digits, separators)

_SP = r"[ \t\u00a0\u202f]"
_NUM = r"(?<!\d)(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:\.\d+)?)(?!\d)"
_PERCENT_WORDS = r"per[ ]?cent|بالمئة|بالمائة|بالمية|في[ ]المئة|في[ ]المائة"
_SCALES = {
    "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9, "bn": 1e9,
    "trillion": 1e12, "ألف": 1e3, "الف": 1e3, "آلاف": 1e3, "الاف": 1e3, "مليون": 1e6, "ملايين": 1e6,
    "مليار": 1e9, "مليارات": 1e9, "بليون": 1e9, "تريليون": 1e12, "ترليون": 1e12,
}
_MENTION = re.compile(
    rf"(?P<num>{_NUM})(?:(?P<pct>{_SP}?%|{_SP}+(?:{_PERCENT_WORDS})(?!\w))"
    rf"|{_SP}+(?P<scale>{'|'.join(sorted(_SCALES, key=len, reverse=True))})(?!\w))?",
    re.IGNORECASE,
)
_DASH_GAP = re.compile(rf"{_SP}?[-–—]{_SP}?")
_WORD_GAP = re.compile(rf"{_SP}+(?:and|to|و|إلى|الى|حتى){_SP}*", re.IGNORECASE)
_RANGE_LEAD = re.compile(rf"(?:^|\W)[وف]?(?:between|from|بين|من){_SP}+$", re.IGNORECASE)


def _parse(num: str) -> float:
    if num.count(".") >= 2:  # 1.000.000
        num = num.replace(".", "")
    return float(num.replace(",", ""))


def format_value(value: float) -> str:
    """``20000.0`` → ``20000``, ``7.7`` → ``7.7``."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return repr(value)


@dataclass(frozen=True)
class NumberMention:
    """A number in a text; ``kind`` is ``number``, ``percent`` or ``range`` (then ``values``/``parts``)."""

    value: float
    surface: str
    start: int
    end: int
    kind: str = "number"
    values: tuple[float, ...] = ()
    parts: tuple["NumberMention", ...] = ()

    def __post_init__(self):
        if not self.values:
            object.__setattr__(self, "values", (self.value,))

    def atoms(self) -> tuple["NumberMention", ...]:
        """The single numbers: a range's two ends, else itself."""
        return self.parts or (self,)

    def to_dict(self) -> dict:
        return {"value": _json_num(self.value), "values": [_json_num(v) for v in self.values],
                "surface": self.surface, "start": self.start, "end": self.end, "kind": self.kind}


def _json_num(v: float) -> float | int:
    return int(v) if math.isfinite(v) and v == int(v) and abs(v) < 2**53 else v


def _matches(text: str):
    """The matches of ``_MENTION.finditer`` on the folded text, found without running that regex
    at every position (the slow part: its look-behind defeats the regex engine's fast scan): a
    mention starts at a digit that follows none, and one always matches there (its last
    alternative is any digit run). The next digit after a mention (or the first of the text) is
    such a digit, since a mention never ends just before a digit with a digit as its last
    character; so the fast scan for a digit finds each start, and the regex is tried there only."""
    folded = fold_numeric(text)
    end = 0
    while (digit := _A_DIGIT.search(folded, end)) is not None:
        m = _MENTION.match(folded, digit.start())
        if m is None:  # pragma: no cover - see above
            end = digit.end()
            continue
        end = m.end()
        yield m


def _atoms(text: str) -> list[NumberMention]:
    out = []
    for m in _matches(text):
        value = _parse(m.group("num"))
        kind = "number"
        if m.group("pct"):
            kind = "percent"
        elif m.group("scale"):
            value *= _SCALES[m.group("scale").lower()]
        start, end = m.span()
        out.append(NumberMention(value, text[start:end], start, end, kind, (value,)))
    return out


def number_values(text: str) -> list[float]:
    """The values of the single numbers of ``text`` (a range's two ends) in order:
    ``[a.value for m in extract_numbers(text) for a in m.atoms()]``, without making the mentions
    (a range's ends are its own two atoms)."""
    out = []
    for m in _matches(text):
        num, pct, scale = m.group("num", "pct", "scale")
        value = _parse(num)
        out.append(value * _SCALES[scale.lower()] if scale and not pct else value)
    return out


def number_at(folded: str, start: int) -> tuple[float, int]:
    """The value and the end of the mention that starts at ``start`` of a folded text (a digit
    after none: :func:`_matches` says why one always matches there), as :func:`number_values`
    reads it: a corpus chunk's texts, whose runs of digits are found at once."""
    m = _MENTION.match(folded, start)
    num, pct, scale = m.group("num", "pct", "scale")
    value = _parse(num)
    return (value * _SCALES[scale.lower()] if scale and not pct else value), m.end()


def fold_numeric(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits and separators as ASCII (one character for
    one: every offset stays), as the numbers are read."""
    return text.translate(_NUMERIC) if _HAS_NUMERIC.search(text) else text


#: A run of digits followed by one of these and a digit may be more than that run (``1,000``,
#: ``2.5``, raw or folded); followed by a sign (:data:`NUMBER_SIGNS`) it is; after anything else
#: but a space (:data:`NUMBER_SPACES`) the mention is the run alone.
NUMBER_SEPARATORS = ",.٫٬"
NUMBER_SIGNS = "%٪"
NUMBER_SPACES = " \t\u00a0\u202f"  #: the characters of ``_SP``
#: What may follow a run of digits and one space inside one mention: another space, a sign, or
#: the first letter (either case) of a scale or percent word. After a run, one space and anything
#: else, the mention is the run alone.
AFTER_SPACE_GOES_ON = "".join(sorted(set(NUMBER_SPACES + "%٪" + "".join(
    w[0] + w[0].upper() for w in [*_SCALES, *_PERCENT_WORDS.split("|")]))))
#: The first word (lower case) of every scale and percent word a mention may end with after a
#: space (``per cent``: ``per``; ``في المئة``: ``في``). After a run of digits and one space, a
#: word of ASCII or Arabic letters that is none of these (in any case) ends the mention: the run alone.
SUFFIX_FIRST_WORDS = frozenset([*_SCALES, *(w.replace("[ ]?", "").split("[ ]")[0] for w in _PERCENT_WORDS.split("|")),
                                *(w.split("[ ]")[0] for w in _PERCENT_WORDS.split("|"))])


def extract_numbers(text: str) -> list[NumberMention]:
    """Every number, percent and range (``3-5``, ``between 3 and 5``, ``بين 3 و5``) in ``text``."""
    atoms = _atoms(text)
    out, i = [], 0
    while i < len(atoms):
        a = atoms[i]
        if i + 1 < len(atoms):
            b = atoms[i + 1]
            gap = text[a.end:b.start]
            lead = _RANGE_LEAD.search(text, max(0, a.start - 16), a.start)
            if _DASH_GAP.fullmatch(gap) or (_WORD_GAP.fullmatch(gap) and lead):
                out.append(NumberMention(a.value, text[a.start:b.end], a.start, b.end, "range",
                                         (a.value, b.value), (a, b)))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _same(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


@dataclass(frozen=True)
class NumberComparison:
    """Numbers of a source against a candidate. ``score`` is 1.0 when they all agree."""

    matched: list[tuple[NumberMention, NumberMention]]
    missing: list[NumberMention]  # in the source, not in the candidate
    extra: list[NumberMention]  # in the candidate, not in the source

    @property
    def score(self) -> float:
        total = 2 * len(self.matched) + len(self.missing) + len(self.extra)
        return 1.0 if total == 0 else 2 * len(self.matched) / total

    @property
    def changed(self) -> list[tuple[NumberMention, NumberMention]]:
        """Missing and extra numbers paired in order of appearance: likely the same number, altered."""
        return list(zip(self.missing, self.extra))

    def to_dict(self) -> dict:
        return {"score": self.score,
                "matched": [[s.to_dict(), c.to_dict()] for s, c in self.matched],
                "missing": [m.to_dict() for m in self.missing],
                "extra": [m.to_dict() for m in self.extra]}


def compare_numbers(source: str, candidate: str) -> NumberComparison:
    """Match the numbers of ``source`` and ``candidate`` by value (ranges count as their two ends)."""
    src = [a for m in extract_numbers(source) for a in m.atoms()]
    cand = [a for m in extract_numbers(candidate) for a in m.atoms()]
    left = list(cand)
    matched, missing = [], []
    for s in src:
        j = next((k for k, c in enumerate(left) if _same(s.value, c.value)), None)
        if j is None:
            missing.append(s)
        else:
            matched.append((s, left.pop(j)))
    return NumberComparison(matched, missing, left)


# ---------------------------------------------------------------- garbled forms

@dataclass(frozen=True)
class GarbledNumber:
    """A number form typical of broken MT, what it was meant to be, and a fix where one is sure."""

    surface: str
    value: float
    kind: str
    start: int
    end: int
    values: tuple[float, ...] = ()
    suggestion: str | None = None

    def __post_init__(self):
        if not self.values:
            object.__setattr__(self, "values", (self.value,))

    def to_dict(self) -> dict:
        return {"surface": self.surface, "value": _json_num(self.value),
                "values": [_json_num(v) for v in self.values], "kind": self.kind,
                "start": self.start, "end": self.end, "suggestion": self.suggestion}


_G_COMMA = re.compile(r"(?<![\d.,٫٬])\d{1,3}(?:\s*،\s*\d{3})+(?![\d.,٫٬])")
_G_SPACED_SEP = re.compile(rf"(?<![\d.,٫٬])\d{{1,3}}(?:{_SP}+[,٬]{_SP}*\d{{3}}|٬{_SP}+\d{{3}})+(?!\d)")
_G_SPACE_THOUSANDS = re.compile(rf"(?<![\d.,٫٬])(?<!\d{_SP})\d{{1,3}}(?:{_SP}\d{{3}})+(?![\d.,٫٬]|{_SP}\d)")
_G_SPACED_PCT = re.compile(rf"(?<![\d.,٫٬])(\d+(?:[.,٫٬]\d+)*){_SP}+([%٪])")
_G_PCT_FIRST = re.compile(rf"(?<!\d)(?<!\d{_SP})([%٪]){_SP}*(\d+(?:[.,٫٬]\d+)*)(?![\d%٪]|{_SP}*[%٪])")
_GAP_ONLY_SPACE = re.compile(rf"{_SP}+")
_PLAIN_INT = re.compile(r"\d+")
_ANY_DIGITS = re.compile(r"[0-9٠-٩۰-۹]+")


#: where :func:`find_garbled_numbers` may find something (a superset of every form, found by one
#: search; tests/test_text_fix.py plants every form and tries random strings): a digit before a
#: comma and a digit (``20 ، 000``, ``3 , 000``), a digit spaced from a digit or a percent sign
#: (``20 000``, ``100 ٪``, a lost range ``14,000 18,000``), a percent sign before a digit, or a
#: number and its scale word spaced from a digit (``5 million 6``: a lost range). Starts with a
#: character class: the engine skips to it at C speed. That class is every digit below U+0700
#: (ASCII, Arabic-Indic, Persian), the percent signs, and everything from U+0700 on (written as
#: what it leaves out: a class compiles range by range), confirmed by a look-behind for
#: ``[\d%٪]``: the same matches, without a Unicode digit look-up per character (``\d`` in a class
#: is a category test on every character scanned; tests/test_text_fix.py).
MAY_BE_GARBLED = re.compile("[^\x00-\x24\x26-\x2f\x3a-\u065f\u066b-\u06ef\u06fa-\u06ff]"
                            r"(?<=[\d%٪])(?:(?<=\d)(?:\s*[،,٬]\s*\d|\s+[\d%٪]|\s+(?i:"
                            + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")\s+\d)|(?<=[%٪])\s*\d)")


def _sep_for(digits: str) -> str:
    return "٬" if any(c in ARABIC_INDIC_DIGITS or c in PERSIAN_DIGITS for c in digits) else ","


def find_garbled_numbers(text: str) -> list[GarbledNumber]:
    """MT-broken numbers: ``20 ، 000`` (arabic-comma-thousands), ``20 , 000`` / ``20 000``
    (spaced-thousands), ``100 ٪`` (spaced-percent), ``٪100`` (percent-before-number),
    ``14,000 18,000`` (lost-range: "between … and" dropped)."""
    if not _A_DIGIT.search(text):
        return []  # every form has a digit (most lines have none)
    folded = text.translate(_DIGITS)
    found: list[GarbledNumber] = []
    taken: list[tuple[int, int]] = []

    def add(kind, start, end, value, values=(), suggestion=None):
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(GarbledNumber(text[start:end], value, kind, start, end, tuple(values), suggestion))

    for rx, kind in ((_G_COMMA, "arabic-comma-thousands"), (_G_SPACED_SEP, "spaced-thousands"),
                     (_G_SPACE_THOUSANDS, "spaced-thousands")):
        for m in rx.finditer(folded):
            orig = text[m.start():m.end()]
            add(kind, m.start(), m.end(), float("".join(_PLAIN_INT.findall(m.group()))),
                suggestion=_sep_for(orig).join(_ANY_DIGITS.findall(orig)))
    for m in _G_SPACED_PCT.finditer(folded):
        add("spaced-percent", m.start(), m.end(), _parse(m.group(1).translate(_NUMERIC)),
            suggestion=text[m.start(1):m.end(1)] + text[m.start(2)])
    for m in _G_PCT_FIRST.finditer(folded):
        add("percent-before-number", m.start(), m.end(), _parse(m.group(2).translate(_NUMERIC)),
            suggestion=text[m.start(2):m.end(2)] + text[m.start(1)])
    for a, b in _side_by_side(text):
        if not _looks_like_date(a, b) and not _looks_like_code(a) and not _looks_like_code(b):
            add("lost-range", a.start, b.end, a.value, (a.value, b.value))
    found.sort(key=lambda g: g.start)
    return found


def _side_by_side(text: str) -> list[tuple[NumberMention, NumberMention]]:
    """Pairs of plain numbers separated only by spaces (runs of three or more, like phone numbers, skipped)."""
    runs: list[list[NumberMention]] = []
    for a in _atoms(text):
        if a.kind == "number" and runs and runs[-1][-1].kind == "number" and \
                _GAP_ONLY_SPACE.fullmatch(text[runs[-1][-1].end:a.start]):
            runs[-1].append(a)
        else:
            runs.append([a])
    return [(r[0], r[1]) for r in runs if len(r) == 2]


def _looks_like_code(a: NumberMention) -> bool:
    """``0800``: a leading zero makes an identifier, not a quantity."""
    digits = a.surface.translate(_DIGITS)
    return len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()


def _looks_like_date(a: NumberMention, b: NumberMention) -> bool:
    """``5 2019`` (day, year) is a date, not a lost range."""
    return a.value == int(a.value) and 1 <= a.value <= 31 and b.value == int(b.value) and 1000 <= b.value <= 2100


# ---------------------------------------------------------------- forgiven differences

_DIGITS_ONLY = re.compile(r"\D+")


def _digit_string(surface: str) -> str:
    return _DIGITS_ONLY.sub("", surface.translate(_DIGITS))


def same_number(a: NumberMention, b: NumberMention) -> bool:
    """Tolerant equality of two mentions that :func:`compare_numbers` did not match:
    the same digits (``20,000`` vs ``20.000``), values a scale word apart
    (``2.8`` vs ``2.8 مليار``), or a year and its two last digits (``1950-53``)."""
    da, db = _digit_string(a.surface), _digit_string(b.surface)
    if da == db:
        return True
    short, long_ = sorted((da, db), key=len)
    if len(short) == 2 and len(long_) == 4 and long_.endswith(short) and _is_year(a) and _is_year(b):
        return True
    x, y = sorted((abs(a.value), abs(b.value)))
    if x == 0:
        return False
    ratio = y / x
    return any(abs(ratio - s) <= 1e-9 * s for s in (1e3, 1e6, 1e9, 1e12))


def _is_year(m: NumberMention) -> bool:
    """An integer that can be a year or its last two digits (not ``41.30``)."""
    return m.value == int(m.value) and 0 <= m.value <= 2100


_JOINERS = set(" :.,-\u066b\u066c\u060c")


def _split_in_two(one: NumberMention, many: list, text: str) -> tuple | None:
    """Two neighbouring mentions of ``many`` whose digits, joined, are ``one``'s:
    ``12:00`` read as 12 and 00 against ``1200``, ``2,25`` as 2 and 25 against ``2.25``."""
    target = _digit_string(one.surface)
    ordered = sorted(many, key=lambda m: m.start)
    for a, b in zip(ordered, ordered[1:]):
        gap = text[a.end:b.start]
        if len(gap) <= 2 and set(gap) <= _JOINERS and _digit_string(a.surface) + _digit_string(b.surface) == target:
            return a, b
    return None


def unexplained_numbers(missing: list, extra: list, source: str, candidate: str) -> tuple[list, list]:
    """``missing`` and ``extra`` (of :func:`compare_numbers`) less the mentions that are the same
    number written differently: the same digits, a scale word apart, a year and its last two
    digits, or one number against two neighbours read apart (``12:00`` / ``1200``). The corpus
    numbers filter and the repair numbers gate forgive exactly these."""
    missing, extra = list(missing), list(extra)
    for m in list(missing):
        j = next((k for k, x in enumerate(extra) if same_number(m, x)), None)
        if j is not None:
            missing.remove(m)
            extra.pop(j)
    for one_side, other, text in ((missing, extra, candidate), (extra, missing, source)):
        for m in list(one_side):
            split = _split_in_two(m, other, text)
            if split is not None:
                one_side.remove(m)
                for x in split:
                    other.remove(x)
    return missing, extra


# ---------------------------------------------------------------- numbers as meant (the repair numbers gate)


def meant_numbers(text: str) -> list[NumberMention]:
    """The single numbers of ``text`` (a range's two ends) with the MT-garbled forms of
    :func:`find_garbled_numbers` (``20 ، 000``, ``100 ٪``, ``20 000``) read as the numbers they mean."""
    garbled = find_garbled_numbers(text)
    out = [a for m in extract_numbers(text) for a in m.atoms()
           if not any(g.start <= a.start and a.end <= g.end for g in garbled)]
    for g in garbled:
        out.extend(NumberMention(v, g.surface, g.start, g.end) for v in g.values)
    return sorted(out, key=lambda m: m.start)


_HOUR_BEFORE = re.compile(rf"(?<![\d.,:])\d{{1,2}}:{_SP}?$")


def explain_on_the_hour(missing: list, extra: list, source: str, candidate: str) -> tuple[list, list]:
    """``missing`` (numbers of ``source``) and ``extra`` (of ``candidate``) less the ``00`` minutes of a
    time on the hour: ``10:00`` and ``10`` (``الساعة 10``, ``10 a.m.``) are the same time; ``10:30`` is not."""
    def on_the_hour(m: NumberMention, text: str) -> bool:
        return _digit_string(m.surface) == "00" and _HOUR_BEFORE.search(text, 0, m.start) is not None

    return ([m for m in missing if not on_the_hour(m, source)],
            [m for m in extra if not on_the_hour(m, candidate)])
