"""Numbers written in words, English and Arabic: ``twenty-five``, ``four million``,
``ninth``, ``the fifties``; ``خمسة وعشرين``, ``ثمانون في المئة``, ``الحادي عشر``,
``مليونين``, ``خمسينيات القرن التاسع عشر``.

One translation writes ``3``, another ``three`` or ``ثلاثة``; ``the 12th
century`` is ``القرن الثاني عشر``. :func:`spelled_numbers` finds such numbers
(with Arabic clitics: ``وعشرين``, ``بالخامس``, ``للمرة الثانية``) and gives their
values as :class:`~mtfix.text.numbers.NumberMention` of kind ``word``,
``ordinal`` or ``decade`` (``the fifties``, ``الخمسينيات``: 50; with its century,
``خمسينيات القرن التاسع عشر``, the year 1850).

Words are ambiguous where digits are not (``one`` of them, ``second`` as a unit
of time, ``الاثنين`` as Monday), so spelled numbers only ever *explain* a digit
number of the other text (:func:`explain_spelled`), never count as one that is
lost or added.
"""

from __future__ import annotations

import re

from mtfix.text.numbers import NumberMention

__all__ = ["spelled_numbers", "explain_spelled", "spelled_equal"]

# ---------------------------------------------------------------- English

_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_EN_ORD_UNITS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth".split())}
_EN_ORD_TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split())}
_EN_DECADES = {w: 10 * (i + 2) for i, w in enumerate(
    "twenties thirties forties fifties sixties seventies eighties nineties".split())}
_EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_EN_ORD_SCALES = {"hundredth": 1e2, "thousandth": 1e3, "millionth": 1e6, "billionth": 1e9}
_EN_OTHER = {"dozen": 12, "twice": 2, "once": 1}

# ---------------------------------------------------------------- Arabic

# spellings are matched after folding hamza-alefs to bare alef, alef maqsura to yeh, ta marbuta to heh
_AR_UNITS = {
    "واحد": 1, "واحده": 1, "احد": 1, "احدي": 1,
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "اثنا": 2, "اثنتا": 2, "ثنتين": 2,
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6,
    "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9,
}
_AR_TEN = {"عشر": 10, "عشره": 10}  # after a unit: 11-19
_AR_TENS = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "اربعون": 40, "اربعين": 40, "خمسون": 50,
    "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80,
    "تسعون": 90, "تسعين": 90,
}
_AR_HUNDRED = {"مئه": 100, "مائه": 100}
_AR_FIXED = {  # already scaled: duals and fused hundreds
    "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200, "الفان": 2000, "الفين": 2000,
    "مليونان": 2e6, "مليونين": 2e6, "مليونا": 2e6, "مليارين": 2e9, "ملياران": 2e9,
    # duals of the usual units of count and measure: يومين "two days", مرتين "twice"
    **{f"{stem}{end}": 2 for stem in ("يوم", "عام", "سنت", "شهر", "اسبوع", "ساعت", "دقيقت", "مرت", "قرن",
                                      "ضعف", "دولار", "كيلومتر", "متر", "شخص", "طفل", "ولد")
       for end in ("ين", "ان")},
    **{f"{u}{h}": 100 * v for u, v in (("ثلاث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7),
                                        ("ثمان", 8), ("تسع", 9)) for h in ("مئه", "مائه")},
}
_AR_SCALES = {"الف": 1e3, "الاف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9, "مليارات": 1e9,
              "بليون": 1e9, "تريليون": 1e12, "ترليون": 1e12}
_AR_ORD_UNITS = {
    "اول": 1, "اولي": 1, "حادي": 1, "ثاني": 2, "ثانيه": 2, "ثالث": 3, "ثالثه": 3, "رابع": 4, "رابعه": 4,
    "خامس": 5, "خامسه": 5, "سادس": 6, "سادسه": 6, "سابع": 7, "سابعه": 7, "ثامن": 8, "ثامنه": 8,
    "تاسع": 9, "تاسعه": 9, "عاشر": 10, "عاشره": 10,
}
_AR_DECADES = {
    f"{stem}{end}": v
    for stem, v in (("عشرين", 20), ("ثلاثين", 30), ("اربعين", 40), ("خمسين", 50), ("ستين", 60),
                    ("سبعين", 70), ("ثمانين", 80), ("تسعين", 90))
    for end in ("يات", "ات")
}
_AR_CENTURY = "قرن"

_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ـ": None,
                          **{chr(c): None for c in range(0x064B, 0x0653)}, "\u0670": None})
#: clitics before a number word: conjunctions, prepositions, the article (longest first)
_AR_PREFIX = re.compile(r"^(?:[وف])?(?:ب|ل|ك)?(?:ال|ل)?")

_AR_PERCENT = re.compile(r"(?:في\s+ال|بال)(?:مئة|مائة|مئه|مائه|ميه|مية)")
_WORD = re.compile(r"[A-Za-z]+|[\u0621-\u064A\u0660-\u0669\u0670-\u06D3\u0640\u064B-\u0652]+")


def _ar_base(word: str) -> tuple[str, bool]:
    """The folded word less its clitics, and whether it began with و (``and``)."""
    w = word.translate(_AR_FOLD)
    if w.endswith("ا") and len(w) > 3 and w[:-1] in _AR_TENS | _AR_UNITS | _AR_FIXED:
        w = w[:-1]  # accusative tanween alef: خمساً, عشريناً
    m = _AR_PREFIX.match(w)
    for cut in range(m.end(), -1, -1):  # the longest clitic run that leaves a known word
        rest = w[cut:]
        if _ar_kind(rest) is not None:
            return rest, w.startswith("و") and cut > 0
    return w, False


def _ar_kind(w: str):
    for table, kind in ((_AR_UNITS, "unit"), (_AR_TEN, "ten"), (_AR_TENS, "tens"), (_AR_HUNDRED, "hundred"),
                        (_AR_FIXED, "fixed"), (_AR_SCALES, "scale"), (_AR_ORD_UNITS, "ord"),
                        (_AR_DECADES, "decade")):
        if w in table:
            return kind, table[w]
    if w == _AR_CENTURY:
        return "century", 0
    return None


def _en_kind(w: str):
    w = w.lower()
    for table, kind in ((_EN_UNITS, "unit"), (_EN_TENS, "tens"), (_EN_SCALES, "scale"), (_EN_ORD_UNITS, "ord"),
                        (_EN_ORD_TENS, "ordtens"), (_EN_ORD_SCALES, "ordscale"), (_EN_DECADES, "decade"),
                        (_EN_OTHER, "other")):
        if w in table:
            return kind, table[w]
    if w == "hundred":
        return "hundred", 100
    if w == "and":
        return "and", 0
    if w in ("a", "an"):
        return "a", 0
    return None


def _mention(text, start, end, value, kind) -> NumberMention:
    return NumberMention(float(value), text[start:end], start, end, kind)


def spelled_numbers(text: str) -> list[NumberMention]:
    """Every number written in (English or Arabic) words in ``text``, in order.

    Words inside a digit mention (``4 million``, ``20 ألف``) are the digits' scale, not numbers of their own.
    """
    from mtfix.text.numbers import extract_numbers

    digit_spans = [(m.start, m.end) for m in extract_numbers(text)]
    digit_spans += [m.span() for m in _AR_PERCENT.finditer(text)]  # في المئة is the % sign, not a hundred
    tokens = []  # (start, end, kind, value, joined_by_and)
    for m in _WORD.finditer(text):
        if any(s <= m.start() < e for s, e in digit_spans):
            continue
        word = m.group()
        if word.isascii():
            got = _en_kind(word)
            if got is not None:
                tokens.append((m.start(), m.end(), got[0], got[1], False, "en"))
        else:
            base, with_and = _ar_base(word)
            got = _ar_kind(base)
            if got is not None:
                tokens.append((m.start(), m.end(), got[0], got[1], with_and, "ar"))
    out: list[NumberMention] = []
    i = 0
    while i < len(tokens):
        j, mention = _en_run(text, tokens, i) if tokens[i][5] == "en" else _ar_run(text, tokens, i)
        if mention is not None:
            out.append(mention)
        i = max(j, i + 1)
    return out


def _adjacent(text: str, a, b, allowed: str = r"[\s\-\u0640]*") -> bool:
    return re.fullmatch(allowed, text[a[1]:b[0]]) is not None


#: what an English number word may follow (None: the start of a number)
_EN_AFTER = {
    "unit": (None, "a", "tens", "hundred", "scale", "and"),
    "ord": (None, "tens", "hundred", "scale", "and"),
    "tens": (None, "hundred", "scale", "and"),
    "ordtens": (None, "hundred", "scale", "and"),
    "hundred": (None, "a", "unit"),
    "scale": (None, "a", "unit", "tens", "hundred", "ord"),
    "ordscale": (None, "a", "unit", "tens", "hundred"),
    "other": (None, "a"),
    "decade": (None,),
}


def _en_run(text, tokens, i):
    """One English number from ``tokens[i]`` on: ``(next index, mention or None)``."""
    total = current = 0.0
    start = end = None
    kind, last = "word", None
    j = i
    while j < len(tokens):
        s, e, k, v, _, lang = tokens[j]
        if lang != "en" or (j > i and not _adjacent(text, tokens[j - 1], tokens[j])):
            break
        nxt = tokens[j + 1] if j + 1 < len(tokens) and tokens[j + 1][5] == "en" \
            and _adjacent(text, tokens[j], tokens[j + 1]) else None
        if k == "a":
            if last is not None or nxt is None or nxt[2] not in ("hundred", "scale", "ordscale", "other"):
                break
            start, last, j = s, "a", j + 1
            continue
        if k == "and":
            if last not in ("hundred", "scale") or nxt is None or nxt[2] not in ("unit", "tens", "ord", "ordtens"):
                break
            last, j = "and", j + 1
            continue
        if last not in _EN_AFTER[k] or (k in ("unit", "ord") and last == "tens" and v >= 10):
            break
        if k == "hundred":
            current = (current or 1) * 100
        elif k in ("scale", "ordscale"):
            total += (current or 1) * v
            current = 0.0
        else:
            current += v
        if k == "decade":
            kind = "decade"
        elif k in ("ord", "ordtens", "ordscale"):
            kind = "ordinal"
        start = s if start is None else start
        end, last, j = e, k, j + 1
        if kind != "word":
            break  # an ordinal or a decade ends the number
    if end is None:
        return j, None
    return j, _mention(text, start, end, total + current, kind)


def _ar_run(text, tokens, i):
    """One Arabic number from ``tokens[i]`` on (units before tens: خمسة وعشرون, الحادي والعشرون)."""
    total = current = 0.0
    start = end = None
    kind, last = "word", None
    j = i
    while j < len(tokens):
        s, e, k, v, with_and, lang = tokens[j]
        if lang != "ar":
            break
        gap = r"[\s\u0640]*(?:من\s+)?" if k == "century" else r"[\s\u0640]*"
        if j > i and not _adjacent(text, tokens[j - 1], tokens[j], gap):
            break
        if last is None:
            if k == "century":
                break
            current = v if k != "scale" else 0.0
            total = v if k == "scale" else 0.0  # مليون alone: a million
            kind = {"decade": "decade", "ord": "ordinal"}.get(k, "word")
        elif k == "ten" and not with_and and last in ("unit", "ord") and current < 10:
            current += 10  # ثلاثة عشر, الحادي عشر
        elif k == "tens" and with_and and last in ("unit", "ord") and current < 10:
            current += v  # خمسة وعشرون
        elif k == "hundred" and not with_and and last == "unit":
            current *= 100  # ثلاث مئة
        elif k == "scale" and not with_and and last in ("unit", "ten", "tens", "hundred", "fixed"):
            total += (current or 1) * v  # ثلاثة آلاف
            current = 0.0
        elif k in ("unit", "ten", "tens", "fixed") and with_and and last in ("hundred", "scale", "fixed") \
                and current % 100 == 0:
            current += v  # مائة وخمسون, ألف وتسعمائة
        elif k == "century" and last == "decade":
            if j + 1 < len(tokens) and _adjacent(text, tokens[j], tokens[j + 1]):
                nxt, century = _ar_run(text, tokens, j + 1)
                if century is not None and century.kind == "ordinal" and 1 <= century.value <= 21:
                    return nxt, _mention(text, start, century.end, (century.value - 1) * 100 + current, "year")
            break
        else:
            break
        start = s if start is None else start
        end, last, j = e, k, j + 1
        if kind == "decade":
            if j < len(tokens) and tokens[j][2] == "century":
                continue
            break
    if end is None:
        return j, None
    return j, _mention(text, start, end, total + current, kind)


# ---------------------------------------------------------------- explaining digits


def spelled_equal(word: NumberMention, digits: NumberMention) -> bool:
    """A spelled number and a digit number for the same thing: equal values, or a decade and
    a year in it (``the fifties`` / ``1950s``, ``العشرينيات`` / ``1920``)."""
    x, y = word.value, digits.value
    if abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1):
        return True
    return word.kind == "decade" and y == int(y) and 1000 <= y <= 2100 and int(y) % 100 == int(x)


def explain_spelled(missing: list, extra: list, source: str, candidate: str) -> tuple[list, list]:
    """``missing`` (digit numbers of ``source`` not in ``candidate``) and ``extra`` (the reverse) less
    those the other text writes in words (``3`` / ``three`` / ``ثلاثة``, ``80%`` / ``ثمانون في المئة``,
    ``12th`` / ``الثاني عشر``). The words the two texts share pair off first, so a word explains a
    digit only where the other text lacks it."""
    if not missing and not extra:
        return list(missing), list(extra)
    src_words, cand_words = spelled_numbers(source), spelled_numbers(candidate)
    for w in list(src_words):
        k = next((n for n, c in enumerate(cand_words) if spelled_equal(w, c) or spelled_equal(c, w)), None)
        if k is not None:
            src_words.remove(w)
            cand_words.pop(k)

    def explained(mentions, words):
        left = []
        for m in mentions:
            k = next((n for n, w in enumerate(words) if spelled_equal(w, m)), None)
            if k is None:
                left.append(m)
            else:
                words.pop(k)
        return left

    return explained(missing, cand_words), explained(extra, src_words)
