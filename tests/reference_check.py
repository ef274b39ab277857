"""Frozen reference: `mtfix check` and `mtfix fix` as they were at commit 204bcbd, before the
check speed work (issue 16), copied verbatim from mtfix/text/check.py and fix.py (plus the
glossary lookups of mtfix/text/glossary.py and the damage finder of mtfix/text/markup.py, which
the fast code replaced). tests/test_check_same_findings.py compares the fast code with it on
the seed, FLORES/NTREX text and noisy inputs. Do not "fix" this file: it is the definition the
fast code must match. Only the imports and the glue at the top are new: the text layer it uses
underneath (segment, numbers, repetition, script, invisibles) is the library's, whose own
speed work is checked against tests/reference_impl.py.
"""

# ruff: noqa
from __future__ import annotations

import bisect
import difflib
import html
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from mtfix.errors import MtfixError
from mtfix.text.glossary import Glossary, TermMatch, fold_arabic
from mtfix.text.invisibles import INVISIBLES, find_invisibles
from mtfix.text.lang import script_lang
from mtfix.text.markup import ACTIONS, Damage, safe_entity, unescape_entities
from mtfix.text.numbers import find_garbled_numbers, format_value
from mtfix.text.repetition import repetition_report
from mtfix.text.script import detect_script_language, latin_words_in_arabic, script_stats
from mtfix.text.segment import Document, Sentence, independent_blocks, segment
from mtfix.text.read import iter_text_lines


def _phrase_pattern(form: str, *, latin: bool) -> str:
    parts = [re.escape(p) for p in form.split()]
    body = r"[ \u00a0]+".join(parts)
    if latin:
        return rf"(?<![\w.-]){body}(?![\w-]|\.\w)"
    # Arabic renderings may take a proclitic (و ف ب ل ك); ل before ال contracts: لل (للأمم المتحدة)
    clitic = r"(?:[وفبلك]|ول|وب|فب|فل|وك)?"
    if form.startswith("ال") and len(form) > 2:
        rest = r"[ \u00a0]+".join(re.escape(p) for p in form[2:].split())
        return rf"(?<!\w)(?:{clitic}{body}|[وف]?لل{rest})(?!\w)"
    return rf"(?<!\w){clitic}{body}(?!\w)"



#: a named, decimal or hex character reference, escaped again any number of times (``&amp;nbsp;``)
_ENTITY = re.compile(r"&(?:amp;)*(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
#: an opening, closing or self-closing tag with optional attributes, a comment, or a doctype
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(?:\s+[A-Za-z_:][^<>]*?)?\s*/?>|<!--.*?-->|<!DOCTYPE[^<>]*>", re.S)
#: a tag written with entities, once or twice escaped: ``&lt;span&gt;``, ``&amp;lt;/p&amp;gt;``
_ESCAPED_TAG = re.compile(r"&(?:amp;)*lt;/?[A-Za-z][A-Za-z0-9:_-]*(?:\s[^<>]*?)?/?&(?:amp;)*gt;")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")  # not NEL (U+0085), a line break
_JUNK_CATEGORIES = {"So", "Co", "Cn"}
_REPLACEMENT = re.compile("\ufffd")


_NOT_WORD_OR_SPACE = re.compile(r"[^\w\s]")


class OldGlossary(Glossary):
    """A :class:`Glossary` with the lookups as they were (one regex per form, linear ``term_for``)."""

    @classmethod
    def of(cls, g):
        return g if g is None or isinstance(g, cls) else cls(list(g.terms), list(g.names))

    def _compiled(self):
        cache = getattr(self, "_rx", None)
        if cache is None or cache[0] != len(self.terms):
            src, tgt, bad = [], [], []
            for i, t in enumerate(self.terms):
                for f in t.forms:
                    flags = 0 if t.case == "exact" else re.IGNORECASE
                    src.append((re.compile(_phrase_pattern(f, latin=True), flags), i))
                for r in t.renderings:
                    tgt.append((re.compile(_phrase_pattern(fold_arabic(r), latin=False)), i))
                for a in t.avoid:
                    bad.append((re.compile(_phrase_pattern(fold_arabic(a), latin=False)), i))
            cache = (len(self.terms), src, tgt, bad)
            self._rx = cache
        return cache

    @staticmethod
    def _find(rxs, text: str, searched: str) -> list[tuple[int, int, int]]:
        hits = []
        for rx, i in rxs:
            hits.extend((m.start(), m.end(), i) for m in rx.finditer(searched))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out, end = [], -1
        for s, e, i in hits:  # longest leftmost, no overlaps
            if s >= end:
                out.append((s, e, i))
                end = e
        return out

    def find_source_terms(self, text: str) -> list[TermMatch]:
        """Source forms (e.g. ``SDF``, ``Syrian Democratic Forces``) in ``text``."""
        _, src, _, _ = self._compiled()
        return [TermMatch(self.terms[i], s, e, text[s:e]) for s, e, i in self._find(src, text, text)]

    def find_renderings(self, text: str) -> list[TermMatch]:
        """Acceptable target renderings in ``text`` (spelling variants folded; same length, so spans hold)."""
        _, _, tgt, _ = self._compiled()
        folded = fold_arabic(text)
        return [TermMatch(self.terms[i], s, e, text[s:e]) for s, e, i in self._find(tgt, text, folded)]

    def find_avoided(self, text: str) -> list[TermMatch]:
        """Known mistranslations (a term's ``avoid`` list) in ``text``."""
        _, _, _, bad = self._compiled()
        folded = fold_arabic(text)
        return [TermMatch(self.terms[i], s, e, text[s:e]) for s, e, i in self._find(bad, text, folded)]

    def term_for(self, word: str) -> Term | None:
        """The entry whose source form is exactly ``word`` (by its case rule)."""
        for t in reversed(self.terms):
            if t.source_matches(word):
                return t
        return None



# ---------------------------------------------------------------- mtfix/text/markup.py (damage finder)

def _is_junk(c: str) -> bool:
    return unicodedata.category(c) in _JUNK_CATEGORIES and not _is_emoji_like(c)


def _is_emoji_like(c: str) -> bool:
    # emoji are words in social text: not junk by themselves
    return 0x1F000 <= ord(c) <= 0x1FAFF


_NOT_WORD_OR_SPACE = re.compile(r"[^\w\s]")


def _junk_runs(text: str, min_run: int = 3):
    """(start, end) of each run of ``min_run`` or more junk characters (single spaces between them allowed)."""
    start = end = count = 0
    for m in _NOT_WORD_OR_SPACE.finditer(text):
        i = m.start()
        if not _is_junk(text[i]):
            continue
        if count and (i == end or (i == end + 1 and text[end] == " ")):
            end, count = i + 1, count + 1
            continue
        if count >= min_run:
            yield start, end
        start, end, count = i, i + 1, 1
    if count >= min_run:
        yield start, end


def _mojibake(text: str) -> list[Damage]:
    """Spans that ftfy re-decodes (UTF-8 once read as a single-byte code page)."""
    import ftfy

    if text.isascii():
        return []
    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        return []
    # where the texts differ: one span from the first to the last difference
    a = next(i for i, (x, y) in enumerate(zip(text, fixed)) if x != y) if any(
        x != y for x, y in zip(text, fixed)) else min(len(text), len(fixed))
    b = 0
    while b < min(len(text), len(fixed)) - a and text[-1 - b] == fixed[-1 - b]:
        b += 1
    return [Damage("mojibake", a, len(text) - b, text[a:len(text) - b], fixed[a:len(fixed) - b])]


def find_damage(text: str) -> list[Damage]:
    """Every damaged span of ``text``, in text order; where spans overlap the longer one
    (a tag hidden behind entities, ``&lt;b&gt;``) wins."""
    out: list[Damage] = []
    for pattern in (_TAG, _ESCAPED_TAG):
        out += [Damage("tag", m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
    out += [Damage("entity", m.start(), m.end(), m.group(), new) for m in _ENTITY.finditer(text)
            if (new := unescape_entities(m.group())) != m.group()]  # "&foo;" is not an entity
    out += [Damage("replacement", m.start(), m.end(), m.group()) for m in _REPLACEMENT.finditer(text)]
    out += [Damage("control", m.start(), m.end(), m.group()) for m in _CONTROL.finditer(text)]
    out += [Damage("symbol-junk", s, e, text[s:e]) for s, e in _junk_runs(text)]
    out += _mojibake(text)
    out.sort(key=lambda d: (d.start, -d.end))
    kept: list[Damage] = []
    for d in out:
        if not kept or d.start >= kept[-1].end:
            kept.append(d)
    return kept



# ---------------------------------------------------------------- mtfix/text/fix.py

@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``after``; ``code`` names what was wrong."""

    start: int
    end: int
    after: str
    code: str
    reason: str
    safe: bool = True


@dataclass
class FixContext:
    doc: Document
    lang: str | None
    glossary: Glossary
    #: glossary terms mentioned before ``doc`` (a text checked piece by piece); the glossary rule adds to it
    mentioned: set = field(default_factory=set)

    @property
    def text(self) -> str:
        return self.doc.text


@dataclass(frozen=True)
class _Rule:
    name: str
    description: str
    func: Callable[[FixContext], Iterable[Edit]]
    in_check: bool  # does `mtfix check` report this rule's edits itself (else another check does)


#: name -> rule, in the order they run
RULES: dict[str, _Rule] = {}


def rule(name: str, description: str, *, in_check: bool = False):
    """Register a fix rule (``in_check``: `mtfix check` reports its edits as findings)."""

    def deco(func):
        RULES[name] = _Rule(name, description, func, in_check)
        return func

    return deco


@dataclass(frozen=True)
class Fix:
    """One applied fix: where (input offsets, 1-based line:col; ``out_start``/``out_end`` in the output)."""

    rule: str
    code: str
    line: int
    column: int
    start: int
    end: int
    before: str
    after: str
    reason: str
    out_start: int
    out_end: int

    def to_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "rule": self.rule, "code": self.code,
                "before": self.before, "after": self.after, "reason": self.reason,
                "start": self.start, "end": self.end}

    def describe(self) -> str:
        return f"{self.line}:{self.column} {self.code}: {self.before!r} → {self.after!r} ({self.reason})"


@dataclass
class FixResult:
    original: str
    text: str
    fixes: list[Fix]
    lang: str | None
    glossary: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.text != self.original

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.fixes:
            out[f.code] = out.get(f.code, 0) + 1
        return out

    def input_span(self, out_start: int, out_end: int) -> tuple[int, int]:
        """The span of the input that became ``output[out_start:out_end]`` (a span that cuts
        through a fix takes all of it; marks deleted right at its edges are left out)."""
        start = out_start
        for f in self.fixes:
            if f.out_start <= out_start < f.out_end:
                start = f.start
                break
            if f.out_end > out_start:
                break
            start = out_start + f.end - f.out_end
        end = out_end
        for f in self.fixes:
            if f.out_start < out_end <= f.out_end:
                end = f.end
                break
            if f.out_end > out_end or (f.out_end == out_end and f.out_start == out_end):
                break
            end = out_end + f.end - f.out_end
        return start, end

    def fixes_in(self, start: int, end: int) -> list["Fix"]:
        """The fixes inside ``input[start:end]``."""
        return [f for f in self.fixes if start <= f.start and f.end <= end and f.start < end]

    def diff(self, name: str = "input") -> str:
        """A unified diff, input -> output, by line."""
        lines = difflib.unified_diff(self.original.splitlines(keepends=True), self.text.splitlines(keepends=True),
                                     fromfile=name, tofile=f"{name} (fixed)")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)

    def to_dict(self) -> dict:
        return {"lang": self.lang, "glossaries": self.glossary, "fixed": len(self.fixes), "counts": self.counts,
                "fixes": [f.to_dict() for f in self.fixes]}


# ---------------------------------------------------------------- running the rules


def propose_edits(ctx: FixContext, rules: Iterable[str] | None = None) -> list[tuple[str, Edit]]:
    """Every rule's edits in the document's prose (not in code blocks, rules, tables), as
    ``(rule name, edit)``, in rule order (overlaps not yet resolved)."""
    names = list(RULES) if rules is None else list(rules)
    prose = prose_regions(ctx.doc)
    out = []
    for name in names:
        r = RULES[name]
        out.extend((name, e) for e in r.func(ctx)
                   if ctx.text[e.start:e.end] != e.after and _inside(prose, e.start, e.end))
    return out


def fix_document(doc: Document, lang: str | None = None, glossary: Glossary | None = None) -> FixResult:
    """Apply every safe edit to ``doc.text``; see :func:`fix_text`."""
    lang = lang or doc.lang or detect_script_language(doc.text)
    glossary = OldGlossary.of(glossary) if glossary is not None else Glossary()
    ctx = FixContext(doc, lang, glossary)
    chosen: list[tuple[str, Edit]] = []
    spans: list[tuple[int, int]] = []
    for name, e in propose_edits(ctx):
        if not e.safe:
            continue
        i = bisect.bisect_left(spans, (e.start, e.end))
        clash = (i > 0 and spans[i - 1][1] > e.start) or (i < len(spans) and spans[i][0] < e.end) \
            or (i < len(spans) and spans[i] == (e.start, e.end))
        if clash:
            continue
        spans.insert(i, (e.start, e.end))
        chosen.append((name, e))
    chosen.sort(key=lambda x: (x[1].start, x[1].end))
    text = doc.text
    parts, fixes, pos, out_len = [], [], 0, 0
    for name, e in chosen:
        parts.append(text[pos:e.start])
        out_len += e.start - pos
        parts.append(e.after)
        fixes.append(Fix(name, e.code, doc.line_of(e.start), doc.column_of(e.start), e.start, e.end,
                         text[e.start:e.end], e.after, e.reason, out_len, out_len + len(e.after)))
        out_len += len(e.after)
        pos = e.end
    parts.append(text[pos:])
    return FixResult(text, "".join(parts), fixes, lang, list(glossary.names))


def prose_regions(doc: Document) -> list[tuple[int, int]]:
    """The lines that hold paragraphs (code blocks, rules and tables are left alone), as spans."""
    text, out = doc.text, []
    for p in doc.paragraphs:
        start = max(text.rfind("\n", 0, p.start), text.rfind("\r", 0, p.start)) + 1
        ends = [i for i in (text.find("\n", p.end), text.find("\r", p.end)) if i >= 0]
        out.append((start, min(ends) if ends else len(text)))
    return out


def _inside(regions: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect.bisect_right(regions, (start, float("inf"))) - 1
    return i >= 0 and regions[i][0] <= start and end <= regions[i][1]


def fix_text(text: str, lang: str | None = None, glossary: Glossary | None = None) -> FixResult:
    """Fix ``text`` by rule: each safe fix recorded, every other character kept as it was."""
    return fix_document(segment(text, lang), lang, glossary)


# ---------------------------------------------------------------- helpers

_AR_LETTER = "\u0621-\u063A\u0641-\u064A\u0671-\u06D3\u06FA-\u06FC"
_AR = re.compile(f"[{_AR_LETTER}]")
_SP = "[ \t\u00a0\u202f]"


def _letter(c: str) -> bool:
    return c.isalpha() or unicodedata.category(c).startswith("M")


# ---------------------------------------------------------------- numbers

_FOLD_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_RANGE_BETWEEN = re.compile(rf"(?:^|(?<=[\s(«\"“]))[وف]?بين{_SP}+$")
_GAP = re.compile(rf"{_SP}+")


@rule("entities", "HTML entities left in the text: &nbsp; &quot; &#39; &amp;amp; (decoded by the html module)")
def _entities(ctx: FixContext):

    for d in find_damage(ctx.text):
        if d.kind == "entity" and safe_entity(ctx.text, d):
            yield Edit(d.start, d.end, d.repaired, "entity", f"HTML entity {d.surface} is {d.repaired!r}")


@rule("numbers", "number formats broken by MT: 20 ، 000, 20 , 000, 100 ٪, ٪100, بين 14,000 18,000")
def _numbers(ctx: FixContext):
    for s in ctx.doc.sentences:
        for g in find_garbled_numbers(s.text):
            start, end = s.start + g.start, s.start + g.end
            if g.kind == "arabic-comma-thousands":
                # "30،000", "20 ،000": a thousands separator. A space after the comma ("5، 300", "12 ، 500")
                # may as well be a list or a clause break, unless a group is 000 (never a number alone).
                groups = re.findall(r"،(\s*)(\S{3})", g.surface)
                ambiguous = any(sp for sp, _ in groups) and \
                    not any(d.translate(_FOLD_DIGITS) == "000" for _, d in groups)
                yield Edit(start, end, g.suggestion, g.kind,
                           "Arabic comma used as thousands separator" if not ambiguous
                           else "could be a list of numbers", safe=not ambiguous)
            elif g.kind == "spaced-thousands":
                has_sep = any(c in g.surface for c in ",٬")
                yield Edit(start, end, g.suggestion, g.kind,
                           "thousands separator broken by spaces" if has_sep
                           else "digits split by spaces: one number or two?", safe=has_sep)
            elif g.kind == "spaced-percent":
                yield Edit(start, end, g.suggestion, g.kind, "no space between a number and its percent sign")
            elif g.kind == "percent-before-number":
                yield Edit(start, end, g.suggestion, g.kind, "the percent sign follows the number")
            elif g.kind == "lost-range":
                m = re.match(rf"(\S+)({_SP}+)(\S+)$", g.surface)
                lead = _RANGE_BETWEEN.search(s.text, 0, g.start)
                if m and lead and ctx.lang == "ar":
                    yield Edit(start, end, f"{m.group(1)} و{m.group(3)}", g.kind,
                               "بين takes two ends joined by و; the و was lost")
                else:
                    yield Edit(start, end, g.surface, g.kind, "two numbers side by side: a lost range?", safe=False)


# ---------------------------------------------------------------- invisible marks

_BIDI_MARKS = {"\u200e", "\u200f", "\u061c"}  # LRM, RLM, ALM: affect only neutral neighbours
_ZERO_WIDTH = {c for c, k in INVISIBLES.items() if k == "zero-width"}
_STRONG = {"L", "R", "AL"}


def _neighbour(text: str, i: int, step: int) -> str:
    while 0 <= i < len(text) and text[i] in INVISIBLES:
        i += step
    return text[i] if 0 <= i < len(text) else ""


@rule("invisibles", "stray bidi and zero-width marks: ones that have no effect where they are")
def _invisibles(ctx: FixContext):
    text = ctx.text
    for i, c in enumerate(text):
        if c not in INVISIBLES:
            continue
        before, after = _neighbour(text, i - 1, -1), _neighbour(text, i + 1, 1)
        if c in _BIDI_MARKS:
            if i > 0 and text[i - 1] == c:
                yield Edit(i, i + 1, "", "bidi", "the same mark twice in a row")
            elif before and after and unicodedata.bidirectional(before) in _STRONG \
                    and unicodedata.bidirectional(after) in _STRONG \
                    and not (_AR.match(before) and _AR.match(after)):
                yield Edit(i, i + 1, "", "bidi", "a direction mark between two letters has no effect")
            elif before and after and _AR.match(before) and _AR.match(after):
                yield Edit(i, i + 1, "", "bidi", "between two Arabic letters it may break the joining", safe=False)
            else:
                yield Edit(i, i + 1, "", "bidi", "may set the direction of neighbouring punctuation", safe=False)
        elif c in _ZERO_WIDTH:
            if before and after and _letter(before) and _letter(after):
                yield Edit(i, i + 1, "", "zero-width", "inside a word it may shape letters", safe=False)
            else:
                yield Edit(i, i + 1, "", "zero-width", "a zero-width mark outside a word does nothing")
        else:  # embeddings, overrides, isolates: come in pairs; removing one breaks the other
            yield Edit(i, i + 1, "", "bidi", "an embedding/isolate control pairs with another", safe=False)


# ---------------------------------------------------------------- punctuation

_DOUBLED = re.compile(rf"(?<![A-Za-z0-9_])([،,؛;:])(?:{_SP}*\1)+(?![A-Za-z0-9_/])")  # not std::vector, not a URL
_DOUBLED_PERIOD = re.compile(r"(?<![.\d])\.\.(?![.\d])")
_LATIN_COMMA = re.compile(rf"(?<=[{_AR_LETTER}]){_SP}*([,;])(?={_SP}*[{_AR_LETTER}])")
_LATIN_QUESTION = re.compile(rf"(?<=[{_AR_LETTER}]){_SP}*\?(?=[\s\"'”»)]|$)")
_SPACE_BEFORE = re.compile(rf"(?<=[{_AR_LETTER}\d٠-٩\"”»)]){_SP}+([،؛؟!:.])(?=\s|$|[{_AR_LETTER}\"“«(])")


@rule("doubled-punctuation", "doubled commas, semicolons and colons", in_check=True)
def _doubled(ctx: FixContext):
    for m in _DOUBLED.finditer(ctx.text):
        yield Edit(m.start(), m.end(), m.group(1), "doubled-punctuation", "the same punctuation twice")
    for m in _DOUBLED_PERIOD.finditer(ctx.text):
        yield Edit(m.start(), m.end(), ".", "doubled-punctuation", "two periods: a typo, or a cut ellipsis?",
                   safe=False)


@rule("arabic-punctuation", "Latin , ; ? between Arabic words -> ، ؛ ؟", in_check=True)
def _arabic_punctuation(ctx: FixContext):
    if ctx.lang != "ar":
        return
    for m in _LATIN_COMMA.finditer(ctx.text):
        yield Edit(m.start(), m.end(), {",": "،", ";": "؛"}[m.group(1)], "latin-punctuation",
                   "Arabic text takes the Arabic comma/semicolon")
    for m in _LATIN_QUESTION.finditer(ctx.text):
        yield Edit(m.start(), m.end(), "؟", "latin-punctuation", "Arabic text takes the Arabic question mark")


@rule("punctuation-spacing", "no space before ، ؛ ؟ ! : . in Arabic text", in_check=True)
def _spacing(ctx: FixContext):
    if ctx.lang != "ar":
        return
    text = ctx.text
    for m in _SPACE_BEFORE.finditer(text):
        p = m.group(1)
        if p == "." and text[m.end():m.end() + 1] == ".":
            continue  # " ..." an ellipsis set apart
        if text[m.end():m.end() + 1] == p:
            continue  # doubled: that rule first
        if p in "،." and text[m.start() - 1:m.start()].isdigit() and re.match(rf"{_SP}*\d", text[m.end():]):
            continue  # "20 ، 000": a number, the numbers rule decides
        yield Edit(m.start(), m.end(), p, "space-before-punctuation", "punctuation sticks to the word before it")


# ---------------------------------------------------------------- glossary

_LATIN_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z](?:[A-Za-z0-9.&'’-]*[A-Za-z0-9.])?"
                        r"(?:[ -][A-Za-z](?:[A-Za-z0-9.&'’-]*[A-Za-z0-9.])?)*")
_PROCLITIC = re.compile(r"(?:^|(?<=[\s(«\"“]))([وفبلك]|ول|وب|لـ|بـ|ولـ)$")
_OPEN = "([«\"“'‘"
_CLOSE = ")]»\"”'’"


def _glossed(text: str, start: int, end: int) -> bool:
    """``(SDF)``, ``"SDF"``: a Latin term quoted or in brackets is a gloss of the word before, not a leftover."""
    i = start - 1
    while i >= 0 and text[i] in " \u00a0":
        i -= 1
    j = end
    while j < len(text) and text[j] in " \u00a0":
        j += 1
    return i >= 0 and j < len(text) and text[i] in _OPEN and text[j] in _CLOSE


@rule("glossary", "a Latin term left in Arabic text that the glossary renders; known mistranslations",
      in_check=True)
def _glossary(ctx: FixContext):
    if ctx.lang != "ar" or not ctx.glossary:
        return
    text, done = ctx.text, ctx.mentioned
    first_rendered: dict[str, int] = {}  # term -> where an Arabic rendering first appears
    for m in ctx.glossary.find_renderings(text):
        first_rendered.setdefault(m.term.source, m.start)
    yield from _glossary_edits(ctx, text, done, first_rendered)
    done.update(first_rendered)  # a later piece of the same text sees these as mentioned


def _glossary_edits(ctx: FixContext, text: str, done: set, first_rendered: dict[str, int]):
    for s in ctx.doc.sentences:
        for m in _LATIN_RUN.finditer(s.text):
            word = m.group() if ctx.glossary.term_for(m.group()) else m.group().rstrip(".")
            term = ctx.glossary.term_for(word)
            start, end = s.start + m.start(), s.start + m.start() + len(word)
            if term is None or _glossed(text, start, end):
                continue
            mentioned = term.source in done or first_rendered.get(term.source, len(text)) < start
            long_form = term.first and not mentioned
            after = term.first if long_form else term.target
            done.add(term.source)
            clitic = _PROCLITIC.search(s.text, 0, m.start())
            if clitic:  # "لSDF" -> "لقسد"; "ل" + "الأمم" -> "للأمم"
                c = clitic.group(1).rstrip("ـ")
                start = s.start + clitic.start(1)
                after = ("لل" + after[2:]) if c.endswith("ل") and after.startswith("ال") else c + after
            why = f"left in Latin; glossary {term.glossary}"
            yield Edit(start, end, after, "glossary-term", why + (", first mention: long form" if long_form else ""))
        for m in ctx.glossary.find_avoided(s.text):
            yield Edit(s.start + m.start, s.start + m.end, m.term.target, "glossary-avoid",
                       f"a known mistranslation of {m.term.source} (glossary {m.term.glossary})", safe=False)



# ---------------------------------------------------------------- mtfix/text/check.py

#: a sentence needs this many letters before its language is judged
MIN_LETTERS_FOR_LANGUAGE = 4

_GARBLED_WHY = {
    "arabic-comma-thousands": "Arabic comma as thousands separator",
    "spaced-thousands": "thousands separator broken by spaces",
    "spaced-percent": "space before the percent sign",
    "percent-before-number": "percent sign before the number",
    "lost-range": "side by side, the range words (between … and) lost",
}
_LANG_NAMES = {"ar": "Arabic", "en": "English"}
_SCRIPT_NAMES = {"ar": "Arabic", "en": "Latin", "other": "non-Arabic, non-Latin"}


@dataclass(frozen=True)
class Finding:
    """One problem: where (offsets into the text, 1-based line/column), what, and the details."""

    kind: str
    code: str
    start: int
    end: int
    line: int
    column: int
    surface: str
    message: str
    sentence: int | None = None
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "code": self.code, "line": self.line, "column": self.column,
                "start": self.start, "end": self.end, "sentence": self.sentence, "surface": self.surface,
                "message": self.message, **self.details}


@dataclass(frozen=True)
class CheckReport:
    """All findings on a text, in text order; ``has_issues`` when there is at least one."""

    document: Document
    lang: str | None
    findings: list[Finding]

    @property
    def has_issues(self) -> bool:
        return bool(self.findings)

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings by ``code``."""
        return dict(Counter(f.code for f in self.findings))

    def by_sentence(self) -> list[tuple[Sentence | None, list[Finding]]]:
        """Findings grouped by sentence, in text order (None: outside any sentence)."""
        sents = self.document.sentences
        groups: dict[int | None, list[Finding]] = {}
        for f in self.findings:
            groups.setdefault(f.sentence, []).append(f)
        return [(None if k is None else sents[k], v) for k, v in groups.items()]

    def to_dict(self) -> dict:
        sents = self.document.sentences
        flagged = sorted({f.sentence for f in self.findings if f.sentence is not None})
        return {
            "lang": self.lang,
            "paragraphs": len(self.document.paragraphs),
            "sentences": len(sents),
            "issues": len(self.findings),
            "counts": self.counts,
            "flagged_sentences": [{"index": i, "line": sents[i].line, "text": sents[i].text} for i in flagged],
            "findings": [f.to_dict() for f in self.findings],
        }


def _finding(doc: Document, kind: str, code: str, start: int, end: int, message: str,
             sentence: int | None, **details) -> Finding:
    return Finding(kind, code, start, end, doc.line_of(start), doc.column_of(start), doc.text[start:end],
                   message, sentence, details)


def _sentence_at(doc: Document, offset: int) -> int | None:
    sents = doc.sentences
    i = bisect.bisect_right([s.start for s in sents], offset) - 1
    return sents[i].index if i >= 0 and offset < sents[i].end else None


def _check_sentence(doc: Document, s: Sentence, lang: str | None) -> list[Finding]:
    out = []
    for g in find_garbled_numbers(s.text):
        why = _GARBLED_WHY[g.kind]
        value = " and ".join(format_value(v) for v in g.values)
        fix = f" → {g.suggestion}" if g.suggestion else ""
        out.append(_finding(doc, "number", g.kind, s.start + g.start, s.start + g.end,
                            f"{value}: {why}{fix}", s.index,
                            value=g.to_dict()["value"], values=g.to_dict()["values"], suggestion=g.suggestion))
    if lang is not None:
        stats = script_stats(s.text)
        counts = {"ar": stats.arabic, "en": stats.latin, "other": stats.other}
        found = max(counts, key=counts.get)
        if stats.letters >= MIN_LETTERS_FOR_LANGUAGE and found != lang and counts[found] > counts[lang]:
            out.append(_finding(doc, "script", "wrong-language", s.start, s.end,
                                f"mostly {_SCRIPT_NAMES[found]} letters ({counts[found] / stats.letters:.0%}), "
                                f"expected {_LANG_NAMES[lang]}", s.index,
                                detected=found, expected=lang,
                                arabic_share=round(stats.arabic_share, 3), latin_share=round(stats.latin_share, 3)))
        elif lang == "ar":
            for w in latin_words_in_arabic(s.text):
                out.append(_finding(doc, "script", "latin-in-arabic", s.start + w.start, s.start + w.end,
                                    f"Latin {w.kind} left in Arabic", s.index, word=w.word, word_kind=w.kind))
    rep = repetition_report(s.text)
    for r in rep.repeats:
        out.append(_finding(doc, "repetition", r.kind, s.start + r.start, s.start + r.end,
                            f"{r.count}× “{r.ngram}” {'back to back' if r.kind == 'tandem' else 'in a loop'}, "
                            f"repetition score {rep.score:.2f}", s.index,
                            ngram=r.ngram, count=r.count, score=round(rep.score, 3)))
    return out


def _rule_findings(doc: Document, lang: str | None, glossary, mentioned: set | None = None
                   ) -> tuple[list[Finding], dict]:
    """Findings for the fix rules that report themselves; and every edit by span, to mark the
    other findings ``fixable``."""

    ctx = FixContext(doc, lang, glossary if glossary is not None else Glossary(),
                     mentioned if mentioned is not None else set())
    out, by_span = [], {}
    for name, e in propose_edits(ctx):
        by_span.setdefault((e.start, e.end), e)
        if RULES[name].in_check:
            kind = "glossary" if e.code.startswith("glossary") else "punctuation"
            after = e.after if e.after else "(nothing)"
            msg = f"{e.reason} → {after}" if e.safe else f"{e.reason}; not fixed by rule (→ {after}?)"
            out.append(_finding(doc, kind, e.code, e.start, e.end, msg, _sentence_at(doc, e.start),
                                suggestion=e.after, fixable=e.safe))
    return out, by_span


def check_document(doc: Document, lang: str | None = None, glossary=None) -> CheckReport:
    """Lint an already segmented document (``lang`` None: the majority script decides;
    ``glossary``: a :class:`~mtfix.text.glossary.Glossary` whose terms are checked)."""
    lang = script_lang(lang) or doc.lang or detect_script_language(doc.text)
    return CheckReport(doc, lang, _findings(doc, lang, OldGlossary.of(glossary)))


def _findings(doc: Document, lang: str | None, glossary=None, mentioned: set | None = None) -> list[Finding]:
    """Every finding on ``doc``, in text order, for the decided language ``lang`` (``mentioned``:
    glossary terms met earlier in the same text, when ``doc`` is one piece of it)."""
    findings = []
    for s in doc.sentences:
        findings.extend(_check_sentence(doc, s, lang))
    runs: list[list] = []  # consecutive identical invisibles become one finding
    for inv in find_invisibles(doc.text):
        if runs and runs[-1][0].char == inv.char and runs[-1][1] == inv.start:
            runs[-1][1] += 1
        else:
            runs.append([inv, inv.start + 1])
    for inv, end in runs:
        n = end - inv.start
        findings.append(_finding(doc, "invisible", inv.kind, inv.start, end,
                                 f"{n}× {inv.codepoint} {inv.name}", _sentence_at(doc, inv.start),
                                 codepoint=inv.codepoint, name=inv.name, count=n))
    damage = find_damage(doc.text)
    # "nbsp" in "&nbsp;" is markup, not a Latin word left in the Arabic, nor "amp;amp;" a loop
    findings = [f for f in findings if f.code != "latin-in-arabic" and f.kind != "repetition"
                or not any(d.start < f.end and f.start < d.end for d in damage)]
    for d in damage:
        findings.append(_finding(doc, "markup", d.kind, d.start, d.end, d.describe(), _sentence_at(doc, d.start),
                                 action=d.action, repaired=d.repaired))
    extra, edits = _rule_findings(doc, lang, glossary, mentioned)
    glossed = [(f.start, f.end) for f in extra if f.code == "glossary-term"]
    findings = [f for f in findings
                if not (f.code == "latin-in-arabic" and any(s <= f.start and f.end <= e for s, e in glossed))]
    marked = []
    for f in findings:
        e = edits.get((f.start, f.end))
        if f.kind == "invisible":  # a run of marks: fixable when every mark in it is
            run = [edits.get((i, i + 1)) for i in range(f.start, f.end)]
            e = run[0] if all(x is not None and x.safe for x in run) else None
        if e is not None and e.safe and "fixable" not in f.details:
            f = Finding(f.kind, f.code, f.start, f.end, f.line, f.column, f.surface, f.message, f.sentence,
                        {**f.details, "fixable": True})
        marked.append(f)
    findings = marked + extra
    findings.sort(key=lambda f: (f.start, f.end))
    return findings


def check_text(text: str, lang: str | None = None, glossary=None) -> CheckReport:
    """Segment ``text`` and lint every sentence; ``lang`` is the expected language (None: detect);
    ``glossary`` (a :class:`~mtfix.text.glossary.Glossary`, optional) adds its terms' checks."""
    return check_document(segment(text, lang), lang, glossary)


# ---------------------------------------------------------------- streaming


class _FlaggedSentences:
    """The sentences of a streamed document: all counted, only the flagged ones kept."""

    def __init__(self, count: int, kept: dict[int, Sentence]):
        self.count, self.kept = count, kept

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> Sentence:
        try:
            return self.kept[i]
        except KeyError:
            raise IndexError(f"sentence {i} has no finding and was not kept") from None


@dataclass(frozen=True)
class StreamedDocument:
    """What a streamed check keeps of its text: the counts and the sentences with findings.

    Stands in for :class:`~mtfix.text.segment.Document` in a :class:`CheckReport`
    (``len(paragraphs)``, ``len(sentences)``, ``sentences[i]`` for a flagged ``i``).
    """

    lang: str | None
    paragraphs: range
    sentences: _FlaggedSentences


def check_lines(lines: Callable[[], Iterable[str]], lang: str | None = None, name: str = "<input>",
                glossary=None) -> CheckReport:
    """:func:`check_text` on a text given line by line (line endings kept), in bounded memory.

    ``lines()`` gives the lines afresh (called twice when ``lang`` is None: the
    majority script of the whole text decides the language first). The text is
    cut after blank lines outside code fences (:func:`independent_blocks`) and
    each piece is segmented and checked alone, so memory is the longest
    paragraph plus the findings. Findings, counts and language equal
    :func:`check_text`'s on the joined text.
    """
    glossary = OldGlossary.of(glossary)
    want = script_lang(lang)
    decided = want is not None
    if not decided:
        arabic = latin = 0
        for line in lines():
            st = script_stats(line)
            arabic, latin = arabic + st.arabic, latin + st.latin
        want = "ar" if arabic > latin else "en" if latin > arabic else None  # detect_script_language's rule
    findings: list[Finding] = []
    kept: dict[int, Sentence] = {}
    n_par = n_sent = offset = line0 = 0
    mentioned: set = set()  # glossary terms met in earlier pieces (the first mention gets the long form)
    blank = True
    for block in independent_blocks(lines()):
        blank = blank and not block.strip()
        doc = segment(block, lang)
        sents = doc.sentences
        found = _findings(doc, want, glossary, mentioned)
        for f in found:
            findings.append(replace(f, start=f.start + offset, end=f.end + offset, line=f.line + line0,
                                    sentence=None if f.sentence is None else f.sentence + n_sent))
            if f.sentence is not None and f.sentence + n_sent not in kept:
                s = sents[f.sentence]
                kept[s.index + n_sent] = replace(s, index=s.index + n_sent, paragraph=s.paragraph + n_par,
                                                 start=s.start + offset, end=s.end + offset, line=s.line + line0)
        n_par, n_sent = n_par + len(doc.paragraphs), n_sent + len(sents)
        offset, line0 = offset + len(block), line0 + doc.line_of(len(block)) - 1
    if blank:
        raise MtfixError(f"{name}: is empty; nothing to check")
    return CheckReport(StreamedDocument(script_lang(lang), range(n_par), _FlaggedSentences(n_sent, kept)),
                       want, findings)


def check_file(path: str | os.PathLike, lang: str | None = None, glossary=None) -> CheckReport:
    """:func:`check_lines` on a UTF-8 file read line by line (:func:`mtfix.text.read.iter_text_lines`)."""
    return check_lines(lambda: iter_text_lines(path), lang, str(path), glossary)
