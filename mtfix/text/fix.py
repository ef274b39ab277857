"""Safe rule fixes: repair, without a model, what ``mtfix check`` finds and can justify.

Every rule is a function registered with :func:`rule`; it looks at a
:class:`FixContext` (the segmented document, its language, the glossary) and
proposes :class:`Edit` s. An edit is *safe* when it cannot change meaning
(number formats, spacing, punctuation conventions, invisible marks with no
effect, a glossary term left in Latin); anything ambiguous is proposed with
``safe=False`` and only reported. :func:`fix_text` applies the safe edits in
one pass, records each one (line:col, rule, before -> after, why), and leaves
every other character as it was: the layout comes back byte for byte.

A new rule is one function plus its ``@rule`` line::

    @rule("my-rule", "what it fixes", in_check=True)
    def _my_rule(ctx):
        for m in MY_RE.finditer(ctx.text):
            yield Edit(m.start(), m.end(), "replacement", "my-rule", "why it is safe")

Rules run in registration order; where two edits overlap, the earlier rule wins.
"""

from __future__ import annotations

import bisect
import difflib
import operator
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator

from mtfix.text.glossary import Glossary
from mtfix.text.invisibles import INVISIBLE_RE, INVISIBLES
from mtfix.text.numbers import MAY_BE_GARBLED, GarbledNumber, find_garbled_numbers
from mtfix.text.script import LATIN_LETTER
from mtfix.text.segment import Document, Sentence, segment

__all__ = ["Edit", "Fix", "FixContext", "FixResult", "RULES", "rule", "propose_edits", "fix_text",
           "fix_document", "fix_pieces"]


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``after``; ``code`` names what was wrong."""

    start: int
    end: int
    after: str
    code: str
    reason: str
    safe: bool = True


def _edit(start: int, end: int, after: str, code: str, reason: str, safe: bool = True) -> Edit:
    """``Edit(...)``, its fields set at once (a frozen dataclass's ``__init__`` sets each through
    ``object.__setattr__``): for the rules that propose an edit at most punctuation marks."""
    e = object.__new__(Edit)
    e.__dict__.update(start=start, end=end, after=after, code=code, reason=reason, safe=safe)
    return e


@dataclass
class FixContext:
    """What the rules look at, and what they share: the sentences, the markup damage and the
    garbled numbers of each sentence are computed once per text (``mtfix check`` reads them too)."""

    doc: Document
    lang: str | None
    glossary: Glossary
    #: glossary terms mentioned before ``doc`` (a text checked piece by piece); the glossary rule adds to it
    mentioned: set = field(default_factory=set)
    #: False: the text is known to hold no character of ftfy's mojibake heuristic
    #: (:data:`~mtfix.text.markup.MOJIBAKE_CHAR`; ``mtfix check`` found none in its pass over the
    #: lines): :meth:`damage` skips that scan
    mojibake: bool = True
    #: None, or a set holding every character of the text that is an invisible mark
    #: (:data:`~mtfix.text.invisibles.INVISIBLES`) or one :func:`~mtfix.text.markup.find_damage`
    #: looks for (``mtfix check`` found them in one scan): the scans for marks and damage whose
    #: characters are not among them are skipped
    present: set | None = None
    _shared: dict = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        return self.doc.text

    @property
    def sentences(self) -> list[Sentence]:
        got = self._shared.get("sentences")
        if got is None:
            got = self._shared["sentences"] = self.doc.sentences
        return got

    def damage(self) -> list:
        """:func:`mtfix.text.markup.find_damage` of the text."""
        got = self._shared.get("damage")
        if got is None:
            from mtfix.text.markup import find_damage

            got = self._shared["damage"] = find_damage(self.text, mojibake=self.mojibake, present=self.present)
        return got

    def invisibles(self) -> list[re.Match]:
        """The matches of :data:`~mtfix.text.invisibles.INVISIBLE_RE` in the text (:meth:`matches`;
        none without a search when :attr:`present` holds no invisible mark)."""
        if self.present is not None and not any(c in INVISIBLES for c in self.present):
            return []
        return self.matches(INVISIBLE_RE)

    def with_numbers(self) -> list[Sentence]:
        """The sentences where :func:`~mtfix.text.numbers.find_garbled_numbers` may find something
        (a match of :data:`~mtfix.text.numbers.MAY_BE_GARBLED`: one search per such sentence), in
        order: :meth:`garbled` finds nothing in the others."""
        return self.holding(MAY_BE_GARBLED)

    def holding(self, runs: re.Pattern) -> list[Sentence]:
        """The sentences holding a match of ``runs`` (a pattern for runs of characters that never
        span a sentence's edge, such as ``\\d+``, or for the sentence where a match starts), found
        in one pass over the text, in order."""
        cache = self._shared.setdefault("holding", {})
        got = cache.get(runs)
        if got is None:
            sents, got, text = self.sentences, [], self.text
            i, n = 0, len(sents)
            m = runs.search(text)
            while m is not None:  # runs and sentences both in text order; one search per sentence held
                at = m.start()
                while i < n and sents[i].end <= at:
                    i += 1
                if i == n:
                    break
                if sents[i].start <= at:
                    got.append(sents[i])
                    m = runs.search(text, sents[i].end)
                else:
                    m = runs.search(text, sents[i].start)
            cache[runs] = got
        return got

    def holding_within(self, runs: re.Pattern, wider: re.Pattern) -> list[Sentence]:
        """:meth:`holding` of ``runs``, a pattern for runs of characters of a class that ``wider``
        (one character) takes whole: searched only in the sentences holding ``wider`` (``mtfix
        check`` has found those already: no pass over the whole text)."""
        cache = self._shared.setdefault("holding", {})
        got = cache.get(runs)
        if got is None:
            got = cache[runs] = [s for s in self.holding(wider) if runs.search(s.text)]
        return got

    def matches(self, rx: re.Pattern) -> list[re.Match]:
        """``list(rx.finditer(text))``, found once per text (the invisibles rule and ``mtfix check``
        both walk the invisible marks)."""
        cache = self._shared.setdefault("matches", {})
        got = cache.get(rx)
        if got is None:
            got = cache[rx] = list(rx.finditer(self.text))
        return got

    def garbled(self, s: Sentence) -> list[GarbledNumber]:
        """:func:`~mtfix.text.numbers.find_garbled_numbers` of sentence ``s`` (none without a digit)."""
        cache = self._shared.get("garbled")
        if cache is None:
            cache = self._shared["garbled"] = {x.index: None for x in self.with_numbers()}
        if s.index not in cache:
            return []
        got = cache[s.index]
        if got is None:
            got = cache[s.index] = find_garbled_numbers(s.text)
        return got


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


def fix_document(doc: Document, lang: str | None = None, glossary: Glossary | None = None,
                 mentioned: set | None = None) -> FixResult:
    """Apply every safe edit to ``doc.text``; see :func:`fix_text` (``mentioned``: as in
    :class:`FixContext`, for one piece of a longer text)."""
    from mtfix.text.script import detect_script_language

    lang = lang or doc.lang or detect_script_language(doc.text)
    glossary = glossary if glossary is not None else Glossary()
    ctx = FixContext(doc, lang, glossary, mentioned if mentioned is not None else set())
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
        fixes.append(Fix(name, e.code, *doc.position_of(e.start), e.start, e.end,
                         text[e.start:e.end], e.after, e.reason, out_len, out_len + len(e.after)))
        out_len += len(e.after)
        pos = e.end
    parts.append(text[pos:])
    return FixResult(text, "".join(parts), fixes, lang, list(glossary.names))


def prose_regions(doc: Document) -> list[tuple[int, int]]:
    """The lines that hold paragraphs (code blocks, rules and tables are left alone), as spans."""
    text, out = doc.text, []
    if "\r" not in text:  # only line feeds: each search stops at the line's own (not the text's end)
        n = len(text)
        for p in doc.paragraphs:
            end = text.find("\n", p.end)
            out.append((text.rfind("\n", 0, p.start) + 1, n if end < 0 else end))
        return out
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


def fix_pieces(pieces: Iterable[str], lang: str, glossary: Glossary | None = None) -> Iterator[tuple[str, list[Fix]]]:
    """:func:`fix_text` of a text given in pieces that segment on their own (as
    :func:`mtfix.text.check.script_and_pieces` cuts it), in memory bounded by a piece: for each
    piece, ``(fixed piece, its fixes)`` with the offsets, lines and output offsets of the whole
    text. Joined, they are :func:`fix_text`'s text and fixes on the joined text (tested)."""
    glossary = glossary if glossary is not None else Glossary()
    mentioned: set = set()  # glossary terms met in earlier pieces (the first mention gets the long form)
    offset = out_offset = line0 = 0
    for piece in pieces:
        doc = segment(piece, lang)
        result = fix_document(doc, lang, glossary, mentioned)
        yield result.text, [replace(f, line=f.line + line0, start=f.start + offset, end=f.end + offset,
                                    out_start=f.out_start + out_offset, out_end=f.out_end + out_offset)
                            for f in result.fixes]
        offset, out_offset = offset + len(piece), out_offset + len(result.text)
        line0 += doc.line_of(len(piece)) - 1


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
_COMMA_GROUPS = re.compile(r"،(\s*)(\S{3})")
_TWO_NUMBERS = re.compile(rf"(\S+)({_SP}+)(\S+)$")
_SPACED_DIGIT = re.compile(rf"{_SP}*\d")


@rule("entities", "HTML entities left in the text: &nbsp; &quot; &#39; &amp;amp; (decoded by the html module)")
def _entities(ctx: FixContext):
    from mtfix.text.markup import safe_entity

    for d in ctx.damage():
        if d.kind == "entity" and safe_entity(ctx.text, d):
            yield Edit(d.start, d.end, d.repaired, "entity", f"HTML entity {d.surface} is {d.repaired!r}")


@rule("numbers", "number formats broken by MT: 20 ، 000, 20 , 000, 100 ٪, ٪100, بين 14,000 18,000")
def _numbers(ctx: FixContext):
    for s in ctx.with_numbers():
        for g in ctx.garbled(s):
            start, end = s.start + g.start, s.start + g.end
            if g.kind == "arabic-comma-thousands":
                # "30،000", "20 ،000": a thousands separator. A space after the comma ("5، 300", "12 ، 500")
                # may as well be a list or a clause break, unless a group is 000 (never a number alone).
                groups = _COMMA_GROUPS.findall(g.surface)
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
                m = _TWO_NUMBERS.match(g.surface)
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
    for m in ctx.invisibles():
        i, c = m.start(), m.group()
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

# not std::vector, not a URL; the lookbehind looks past the mark just matched (a pattern that starts
# with its characters is scanned for them at C speed, one that starts with a lookbehind is not)
_DOUBLED = re.compile(rf"([،,؛;:])(?<![A-Za-z0-9_][،,؛;:])(?:{_SP}*\1)+(?![A-Za-z0-9_/])")
_DOUBLED_PERIOD = re.compile(r"\.\.(?<![.\d]\.\.)(?![.\d])")


def _each_mark(pattern: str, marks: str) -> dict[str, re.Pattern]:
    """``pattern`` (its marks written ``[marks]``) once per mark: mark -> the pattern with that
    mark in place of each ``[marks]``, so that it starts with a literal (the engine scans for a
    literal several times faster than for a class) and is searched only in texts holding it
    (:func:`_by_mark`)."""
    return {c: re.compile(pattern.replace(f"[{marks}]", re.escape(c))) for c in marks}


def _by_mark(patterns: dict[str, re.Pattern], text: str) -> list[re.Match]:
    """The matches of :func:`_each_mark`'s ``patterns`` in ``text``, in text order: those of the
    pattern with the class, when its matches are runs of one mark and spaces (none can start
    inside another mark's match)."""
    got = [m for c, rx in patterns.items() if c in text for m in rx.finditer(text)]
    got.sort(key=_START)
    return got


_START = operator.methodcaller("start")
_DOUBLED_BY_MARK = _each_mark(_DOUBLED.pattern, "،,؛;:")
_LATIN_COMMA = re.compile(rf"(?<=[{_AR_LETTER}]){_SP}*([,;])(?={_SP}*[{_AR_LETTER}])")
_LATIN_QUESTION = re.compile(rf"(?<=[{_AR_LETTER}]){_SP}*\?(?=[\s\"'”»)]|$)")
#: the marks of _LATIN_COMMA and _LATIN_QUESTION, found by a scan for the mark (their look-behind
#: at the start defeats the engine's fast scan); the spaces and the letter before it are checked
#: by :func:`_after_arabic_letter`
_LATIN_COMMA_MARK = re.compile(rf"([,;])(?={_SP}*[{_AR_LETTER}])")
_LATIN_QUESTION_MARK = re.compile(r"\?(?=[\s\"'”»)]|$)")
_SP_CHARS = frozenset(" \t\u00a0\u202f")


def _after_arabic_letter(text: str, mark: int) -> int:
    """Where a match of ``(?<=[Arabic letter]){_SP}*`` ending at ``mark`` starts, or -1: the
    spaces before ``mark`` must follow an Arabic letter (a match can only start right after one)."""
    i = _spaces_before(text, mark)
    return i if i > 0 and _AR.match(text, i - 1) else -1
_WORD_END = rf"[{_AR_LETTER}\d٠-٩\"”»)]"
#: spaces before a mark, after a word (``_AFTER_WORD`` at ``m.start() - 1``, checked by the caller:
#: a pattern that starts with a character class, not a look-behind, is scanned for it at C speed)
_SPACED_MARK = re.compile(rf"{_SP}+([،؛؟!:.])(?=\s|$|[{_AR_LETTER}\"“«(])")
#: the marks of _SPACED_MARK's matches: a scan for the mark (a pattern that starts with spaces stops
#: at every space), the space before it checked by the look-behind; the match starts where the
#: run of spaces before the mark does (:func:`_spaces_before`)
_SPACED_MARK_AT = re.compile(rf"([،؛؟!:.])(?<={_SP}[،؛؟!:.])(?=\s|$|[{_AR_LETTER}\"“«(])")
_SPACED_MARK_BY_MARK = _each_mark(_SPACED_MARK_AT.pattern, "،؛؟!:.")


def _spaces_before(text: str, i: int) -> int:
    """Where the run of spaces (``_SP``) that ends at ``i`` starts."""
    while i > 0 and text[i - 1] in _SP_CHARS:
        i -= 1
    return i
_AFTER_WORD = re.compile(_WORD_END)


@rule("doubled-punctuation", "doubled commas, semicolons and colons", in_check=True)
def _doubled(ctx: FixContext):
    for m in _by_mark(_DOUBLED_BY_MARK, ctx.text):  # the matches of _DOUBLED
        yield Edit(m.start(), m.end(), m.group(1), "doubled-punctuation", "the same punctuation twice")
    for m in _DOUBLED_PERIOD.finditer(ctx.text) if ".." in ctx.text else ():
        yield Edit(m.start(), m.end(), ".", "doubled-punctuation", "two periods: a typo, or a cut ellipsis?",
                   safe=False)


@rule("arabic-punctuation", "Latin , ; ? between Arabic words -> ، ؛ ؟", in_check=True)
def _arabic_punctuation(ctx: FixContext):
    if ctx.lang != "ar":
        return
    text = ctx.text
    # the matches of _LATIN_COMMA and _LATIN_QUESTION (each mark ends at most one, and none overlaps)
    for m in _LATIN_COMMA_MARK.finditer(text) if "," in text or ";" in text else ():
        start = _after_arabic_letter(text, m.start())
        if start >= 0:
            yield Edit(start, m.end(), {",": "،", ";": "؛"}[m.group(1)], "latin-punctuation",
                       "Arabic text takes the Arabic comma/semicolon")
    for m in _LATIN_QUESTION_MARK.finditer(text) if "?" in text else ():
        start = _after_arabic_letter(text, m.start())
        if start >= 0:
            yield Edit(start, m.end(), "؟", "latin-punctuation", "Arabic text takes the Arabic question mark")


@rule("punctuation-spacing", "no space before ، ؛ ؟ ! : . in Arabic text", in_check=True)
def _spacing(ctx: FixContext):
    if ctx.lang != "ar":
        return
    text = ctx.text
    for m in _by_mark(_SPACED_MARK_BY_MARK, text):  # the matches of _SPACED_MARK, from their marks
        start = _spaces_before(text, m.start())
        if not start or not _AFTER_WORD.match(text, start - 1):
            continue
        p = m.group(1)
        if p == "." and text[m.end():m.end() + 1] == ".":
            continue  # " ..." an ellipsis set apart
        if text[m.end():m.end() + 1] == p:
            continue  # doubled: that rule first
        if p in "،." and text[start - 1:start].isdigit() and _SPACED_DIGIT.match(text, m.end()):
            continue  # "20 ، 000": a number, the numbers rule decides
        yield _edit(start, m.end(), p, "space-before-punctuation", "punctuation sticks to the word before it")


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


#: Characters that join a Latin word to code, not to prose: a hashtag or handle (``#SDF``, ``@UN``), a path
#: or URL (``/home/SDF``, ``bbc.com/arabic/SDF``), a variable or assignment (``$SDF``, ``SDF=1``), inline
#: code (`` `SDF` ``). A term touching one is a literal, not a word left untranslated: renaming it breaks
#: the tag, link or name. Markup is prose (``<b>SDF</b>``, ``**SDF**``, ``_SDF_``); ``_`` joins only
#: word characters (``SDF_2``, ``my_SDF``).
_CODE_JOINERS = frozenset("#@/\\=$~`{}%&")


def _code_like(text: str, start: int, end: int) -> bool:
    """``#SDF``, ``@UN``, ``/home/SDF``, ``SDF_2``: the Latin run at ``start:end`` is part of code."""
    before, after = text[max(0, start - 2):start].rjust(2), text[end:end + 2].ljust(2)
    return before[1] in _CODE_JOINERS or after[0] in _CODE_JOINERS \
        or (before[1] == "_" and before[0].isalnum()) or (after[0] == "_" and after[1].isalnum())


@rule("glossary", "a Latin term left in Arabic text that the glossary renders; known mistranslations",
      in_check=True)
def _glossary(ctx: FixContext):
    if ctx.lang != "ar" or not ctx.glossary:
        return
    from mtfix.text.glossary import fold_arabic

    text, done = ctx.text, ctx.mentioned
    folded = fold_arabic(text)
    # term -> where an Arabic rendering first appears (terms mentioned before need no look)
    first_rendered = ctx.glossary.first_renderings(text, folded, done)
    yield from _glossary_edits(ctx, text, done, first_rendered, folded)
    done.update(first_rendered)  # a later piece of the same text sees these as mentioned


_ASCII_LETTERS = re.compile("[A-Za-z]+")  # every Latin run starts with one


def _glossary_edits(ctx: FixContext, text: str, done: set, first_rendered: dict[str, int], folded: str):
    avoided = ctx.glossary.avoided_in(text, folded)  # the few known mistranslations that can occur in the text
    held = ctx.holding_within(_ASCII_LETTERS, LATIN_LETTER)  # ASCII letters are Latin letters
    latin = {s.index for s in held}
    for s in ctx.sentences if avoided else held:
        for m in _LATIN_RUN.finditer(s.text) if s.index in latin else ():
            word = m.group() if ctx.glossary.term_for(m.group()) else m.group().rstrip(".")
            term = ctx.glossary.term_for(word)
            start, end = s.start + m.start(), s.start + m.start() + len(word)
            if term is None or _glossed(text, start, end) or _code_like(text, start, end):
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
        for m in ctx.glossary.find_avoided(s.text, avoided) if avoided else ():
            yield Edit(s.start + m.start, s.start + m.end, m.term.target, "glossary-avoid",
                       f"a known mistranslation of {m.term.source} (glossary {m.term.glossary})", safe=False)

