"""Paragraphs and sentences for Arabic and English, with exact reassembly.

A :class:`Document` keeps the original text; every :class:`Sentence` is a span
of it. Everything between sentences (spaces, blank lines, line endings,
Markdown markers such as ``#`` or ``- ``, code blocks, rules, bidi and
zero-width marks at sentence edges) is layout and is given back untouched
by :meth:`Document.reassemble`, so ``reassemble(segment(text)) == text`` for
any text.

Paragraphs: one per line, except that a plain line starting with a lower-case
Latin letter continues the paragraph above when that one ends without
punctuation (English text wrapped by hand). Headings, list items and quotes
each start a paragraph.

Sentences end at ``. ! ? ؟ … ۔`` (closing quotes and brackets stay with the
sentence) followed by white space, but not after abbreviations (``Mr.``,
``e.g.``, ``U.S.`` unless a new sentence clearly starts), initials (``J. K.``),
nor before a lower-case word (except after a bare ``?``/``!``: ``what? no``
is two sentences, ``"Why?" he asked`` one). A number (``7.7``, ``20,000``,
``2014 ،``) never ends a sentence by itself.

Arabic: the semicolon ``؛`` joins clauses of one sentence (``clauses=True``
also cuts there, for callers that want shorter units). A one-letter word
(``د.``, ``م.``, ``هـ.``) or a dotted abbreviation (``أ.د.``, ``ق.م.``,
``ص.ب.``) is kept with what follows (a title before a name), unless what
follows clearly opens a new sentence (a particle, pronoun, demonstrative or
auxiliary verb, alone or after و/ف: ``وكانت``, ``ثم``, ``تجرى``); after a
year (``762 م.``, ``1441 هـ.``, ``2560 ق.م.``) it ends the sentence unless
a preposition or conjunction carries the sentence on (``في عهد``).
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate
from operator import add
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from mtfix.text.invisibles import INVISIBLES
from mtfix.text.lang import script_lang

__all__ = ["Sentence", "Paragraph", "Document", "segment", "reassemble", "split_sentences", "independent_blocks",
           "block_chunks", "line_chunks"]


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text`` is ``document.text[start:end]``; ``line`` is 1-based."""

    text: str
    index: int
    paragraph: int
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Paragraph:
    """One paragraph; ``kind`` is ``text``, ``heading``, ``list`` or ``quote``."""

    index: int
    start: int
    end: int
    line: int
    kind: str
    sentences: tuple[Sentence, ...]


@dataclass
class Document:
    """A segmented text: ``paragraphs`` (each with ``sentences``) over the original ``text``."""

    text: str
    lang: str | None
    paragraphs: list[Paragraph]
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def column_of(self, offset: int) -> int:
        """1-based column (in characters) of a character offset."""
        return self.position_of(offset)[1]

    def position_of(self, offset: int) -> tuple[int, int]:
        """``(line_of(offset), column_of(offset))``, with one search."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def reassemble(self, replacements: Mapping[int, str] | Sequence[str] | None = None) -> str:
        """The original text, with sentence texts replaced by flat sentence index."""
        return reassemble(self, replacements)


# ---------------------------------------------------------------- lines & paragraphs

_NEWLINE = re.compile(r"\r\n|\r|\n")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"[ \t]*([-*_=])(?:[ \t]*\1){2,}[ \t]*")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*")
_MARKER = re.compile(r"[ \t]*(?:(?P<h>#{1,6})[ \t]+|(?P<q>>)[ \t]?|(?P<l>[-*+•]|\d{1,3}[.)])[ \t]+)")
_MARKS = frozenset(INVISIBLES)  # bidi controls, zero-width marks
_TERMINAL = ".!?؟؛…۔:\"'”’»)]"


def _lines(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """``(starts, spans)``: where each line starts, and ``(start, end)`` of each line's content
    (line endings excluded). A text with only line feeds is split at them (the lengths of its
    lines, added up at C speed), not searched line by line."""
    if "\r" not in text:
        lengths = list(map(len, text.split("\n")))
        starts = list(map(add, accumulate(lengths, initial=0), range(len(lengths))))  # + 1 per line feed
        return starts, list(zip(starts, map(add, starts, lengths)))
    spans, starts, pos = [], [0], 0
    for m in _NEWLINE.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
        starts.append(pos)
    spans.append((pos, len(text)))
    return starts, spans


def _blank(c: str) -> bool:
    return c.isspace() or c in _MARKS


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim white space and invisible marks: they are layout, not sentence text (:func:`_blank`,
    written out: this runs at both ends of every sentence)."""
    while start < end and (text[start].isspace() or text[start] in _MARKS):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _MARKS):
        end -= 1
    return start, end


def _content(text: str, start: int, end: int) -> tuple[str, int, int]:
    """Markdown kind of a line and the span of its text after the markers."""
    kind, pos = "text", start
    for _ in range(3):  # nested markers such as "> - item"
        m = _MARKER.match(text, pos, end)
        if not m:
            break
        pos = m.end()
        kind = "heading" if m.group("h") else "quote" if m.group("q") else "list"
        if kind == "heading":
            break
    s, e = _strip_span(text, pos, end)
    return kind, s, e


def _continues(text: str, prev_end: int, start: int) -> bool:
    """Does a plain line starting at ``start`` continue the paragraph ending at ``prev_end``?"""
    if text[prev_end - 1] in _TERMINAL:
        return False
    first = text[start]
    return first.isalpha() and first.islower() and first.isascii()


def _fence_step(line: str, fence: str | None) -> tuple[str | None, bool]:
    """``(open fence after line, whether line is code or a fence line)`` given the fence before it."""
    m = _FENCE.match(line)
    if fence is not None:
        if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line[m.end():].strip():
            return None, True
        return fence, True
    if m:
        return m.group(1), True
    return None, False


#: the first character of a line of plain text: not blank, and none of the characters a fence, a
#: rule, a table rule or a Markdown marker starts with (the regular expressions above), so that
#: line is text from its first character (most lines of prose: one test instead of five)
_PLAIN_START = re.compile("[^\\s`~\\-*_=|:#>+•\\d" + "".join(sorted(_MARKS)) + "]")


#: in a text without a carriage return, a line feed that ends a line ending with white space or a
#: mark, or starts a line that is not empty and either not plain (:data:`_PLAIN_START`) or starts
#: with a lower-case ASCII letter (it may continue the paragraph above); a line starting with a
#: digit is plain unless a list marker starts it (``\d{1,3}[.)]`` and a space, :data:`_MARKER`).
#: A text with none, whose first line is empty or plain and whose last character is not blank, has one paragraph per
#: non-empty line, each the whole line (:func:`_paragraph_spans`). Starts with a literal line feed:
#: the engine scans for it at C speed.
_ODD_LINE = re.compile("\n(?:(?<=[^\\S\n]\n)|(?<=[" + "".join(sorted(_MARKS)) + "]\n)|(?=[a-z])|(?=[^\n])(?!"
                       + _PLAIN_START.pattern + r")(?!\d(?!\d{0,2}[.)][ \t])))")


def _paragraph_spans(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of each paragraph (``lines``: the line spans of ``text``, :func:`_lines`)."""
    if "\r" not in text and not _ODD_LINE.search(text) and (not text or _ODD_LINE.match("\n" + text[:5]) is None) \
            and not (text and _blank(text[-1]) and text[-1] != "\n"):
        # prose (no Markdown, no code, nothing wrapped by hand): what the loop below gives each line
        return [(s, e, "text") for s, e in lines if s < e]
    return _paragraph_spans_by_line(text, lines)


def _paragraph_spans_by_line(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """:func:`_paragraph_spans`, line by line (any text)."""
    spans: list[list] = []  # [start, end, kind]
    fence: str | None = None
    open_para = False
    for ls, le in lines:
        if fence is None and _PLAIN_START.match(text, ls, le):
            kind, s, e = "text", ls, le
            while text[e - 1].isspace() or text[e - 1] in _MARKS:  # _blank; the first character is not
                e -= 1
        else:
            line = text[ls:le]
            fence, fenced = _fence_step(line, fence)
            if fenced:
                open_para = False
                continue
            if all(_blank(c) for c in line) or _RULE.fullmatch(line) or _TABLE_RULE.fullmatch(line):
                open_para = False
                continue
            kind, s, e = _content(text, ls, le)
            if s == e:
                open_para = False
                continue
        if open_para and kind == "text" and spans[-1][2] != "heading" and _continues(text, spans[-1][1], s):
            spans[-1][1] = e
        else:
            spans.append([s, e, kind])
        open_para = True
    return [tuple(x) for x in spans]


def independent_blocks(lines: Iterable[str]) -> Iterator[str]:
    """Group ``lines`` (line endings kept) into pieces that :func:`segment` splits on its own.

    A piece ends after a blank line outside a code fence: no paragraph spans
    one, so segmenting each piece gives the paragraphs and sentences of the
    whole text (offsets shifted). Memory: the longest piece. ``"".join`` of
    the pieces is the input.
    """
    buf: list[str] = []
    for chunk, ends, _ in block_chunks(lines):
        buf.append(chunk)
        if ends:
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def block_chunks(lines: Iterable[str]) -> Iterator[tuple[str, bool, bool]]:
    """``(chunk, block_ends, seamless)`` for each of ``lines`` (line endings kept), in order.

    ``block_ends``: :func:`independent_blocks` ends a piece after this chunk.
    ``seamless``: the text before and after this point segments the same whether
    it is cut here or not (``segment(a + b)`` is ``segment(a)`` followed by
    ``segment(b)``, offsets shifted): the chunk ends with ``\n`` outside a code
    fence and the next line starts a paragraph whatever precedes it (blank, a
    rule, a heading, list item or quote, or text that cannot continue a wrapped
    paragraph), and is not a line whose first word is an Arabic abbreviation (a
    year marker there looks back across the line break). So a caller may cut
    at a seamless point inside a block, or join two blocks at a seamless
    block end. Reads one chunk ahead.
    """
    fence: str | None = None
    pending: tuple[str, bool, str | None] | None = None  # the previous chunk, its block end, the fence after it
    for chunk in lines:
        if pending is not None:
            prev, ends, prev_fence = pending
            yield prev, ends, prev_fence is None and prev.endswith("\n") and _opens_paragraph(chunk)
        cut = False
        if fence is None and "```" not in chunk and "~~~" not in chunk:  # no fence: only the last line counts
            if chunk.endswith(("\n", "\r")):
                body = chunk[:-2] if chunk.endswith("\r\n") else chunk[:-1]
                cut = all(_blank(c) for c in body[max(body.rfind("\n"), body.rfind("\r")) + 1:])
        else:
            for m in _NEWLINE_OR_END.finditer(chunk):
                line = chunk[m.start():m.start(1)]
                if not m.group(1) and not line:
                    continue
                fence, fenced = _fence_step(line, fence)
                cut = not fenced and bool(m.group(1)) and all(_blank(c) for c in line)
        pending = (chunk, cut, fence)
    if pending is not None:
        yield pending[0], pending[1], False


def _opens_paragraph(chunk: str) -> bool:
    """Does the first line of ``chunk`` start a paragraph whatever the text before it, and segment
    the same without that text? (See :func:`block_chunks`.)"""
    m = _NEWLINE.search(chunk)
    line = chunk if m is None else chunk[:m.start()]
    if all(_blank(c) for c in line) or _FENCE.match(line):
        return True
    kind, s, e = _content(line, 0, len(line))
    if s == e:
        return True
    first = line[s]
    if kind == "text" and first.isalpha() and first.islower() and first.isascii():
        return False  # may continue a paragraph wrapped by hand
    word = _WORD_BEFORE_DOT.match(line, s)
    return not (word and _ARABIC_ABBREVIATION.fullmatch(word.group(1)))


_NEWLINE_OR_END = re.compile(r"[^\r\n]*(\r\n|\r|\n|$)")
#: a blank line (white space and invisible marks) ending with a line feed: a block may end after it
_BLANK_LINE = "(?:[^\\S\r\n]|[" + "".join(sorted(_MARKS)) + "])*\r?\n"
_BLANK_LINE_END = re.compile("(?:\n|\r(?!\n))(?=(" + _BLANK_LINE + "))")  # a line break, then a blank line
#: the same in a text without a carriage return: it starts with a literal, scanned for several times faster
_BLANK_LINE_END_LF = re.compile("\n(?=(" + _BLANK_LINE + "))")
_BLANK_FIRST_LINE = re.compile(_BLANK_LINE)


def line_chunks(chunks: Iterable[str], size: int) -> Iterator[str]:
    """Whole lines (each chunk of ``chunks`` ending with ``\n``, but the last) regrouped so that
    :func:`block_chunks` sees the blocks it would see line by line: a piece ends after every
    blank line, and about every ``size`` characters at a line end (where a caller may cut);
    a chunk with a code fence is given line by line."""
    for chunk in chunks:
        if "```" in chunk or "~~~" in chunk:
            yield from _lf_lines(chunk)
            continue
        pos, n = 0, len(chunk)
        first = _BLANK_FIRST_LINE.match(chunk)
        ends = [first.end()] if first else []
        ends += [m.end(1) for m in (_BLANK_LINE_END if "\r" in chunk else _BLANK_LINE_END_LF).finditer(chunk)]
        ends.append(n)
        for end in ends:
            while end - pos > size:  # long stretch: cut it at line ends about every `size` characters
                cut = chunk.find("\n", pos + size, end)
                if cut < 0 or cut + 1 >= end:
                    break
                yield chunk[pos:cut + 1]
                pos = cut + 1
            if end > pos:
                yield chunk[pos:end]
                pos = end


def _lf_lines(text: str) -> list[str]:
    """``text`` cut after each ``\n`` (not at a lone ``\r``), line endings kept."""
    out = text.split("\n")
    last = out.pop()
    return [x + "\n" for x in out] + ([last] if last else [])


# ---------------------------------------------------------------- sentences

_CLOSERS = "\"'”’»)\\]}›" + "".join(re.escape(c) for c in INVISIBLES)
#: a run of terminators written ``[..][..]*``, not ``[..]+``: a pattern that starts with a character
#: class is scanned for it at C speed, one that starts with a repeat is tried at every character
_BOUNDARY = re.compile(rf"[.!?؟…۔‼⁇⁈⁉][.!?؟…۔‼⁇⁈⁉]*[{_CLOSERS}]*(?=\s|$)")
_BOUNDARY_CLAUSES = re.compile(rf"[.!?؟؛…۔‼⁇⁈⁉][.!?؟؛…۔‼⁇⁈⁉]*[{_CLOSERS}]*(?=\s|$)")
_TRAILING_CLOSERS = re.compile(rf"[{_CLOSERS}]+$")
_OPENERS = "\"'“‘«([{‹„"
_TITLES = {
    "mr", "mrs", "ms", "mx", "dr", "prof", "rev", "fr", "sr", "st", "mt", "gen", "sen", "rep", "gov",
    "lt", "col", "capt", "cpt", "sgt", "maj", "cmdr", "adm", "pres", "hon", "messrs", "mme", "mlle",
    "sens", "reps", "det", "insp", "supt", "atty", "v",  # "Sens. Mike Lee", "Roe v. Wade"
}
_NEVER_END = {"e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "al"}
_BEFORE_NUMBER = {"no", "nos", "vol", "vols", "pp", "p", "fig", "figs", "ch", "sec", "art", "op", "tel", "ref"}
_SOMETIMES_END = {
    "etc", "inc", "ltd", "co", "corp", "jr", "bros", "dept", "est", "univ", "ave", "blvd", "rd",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "am", "pm", "a.m", "p.m", "u.s", "u.k", "u.n",
    "e.u", "d.c", "ph.d", "b.a", "m.a", "b.sc", "m.sc",
}
_STARTERS = {
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this", "that", "these", "those",
    "there", "but", "and", "or", "however", "in", "on", "at", "for", "as", "if", "when", "while",
    "after", "before", "since", "so", "yet", "his", "her", "its", "their", "our", "my", "your",
    "some", "many", "most", "all", "one", "what", "why", "how", "who", "where", "then", "now",
    "meanwhile", "also", "still", "although", "though", "because", "according", "last", "next",
}
_WORD = re.compile(r"[\w.]*")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_WORD_BEFORE = re.compile(r"[^\s\"'“‘«(\[{]*$")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
#: one Arabic letter (``د``, ``هـ``) or dotted letters (``أ.د``, ``ق.م``, ``ص.ب``) before the final dot
_ARABIC_ABBREVIATION = re.compile(r"(?:[\u0621-\u064A\u0671-\u06D3]ـ?\.)*[\u0621-\u064A\u0671-\u06D3]ـ?")
_SPEECH_TAG = re.compile(r"\s+(?:\w+\s+){0,2}?(?:asked|asks|said|says|replied|replies|wondered|cried|shouted|"
                         r"whispered|added|exclaimed|wrote|writes|answered|insisted|demanded)\b")
_YEAR_MARKERS = {"م", "ه", "ق.م", "ب.م", "ق.ه"}  # after a year: AD, AH, BC (tatweel removed)
#: the first word of a line when a dot ends it (``هـ.``): `_arabic_abbreviation_ends` looks before it
_WORD_BEFORE_DOT = re.compile(r"([^\s\"'“‘«(\[{]+?)\.")
_YEAR_BEFORE = re.compile(r"(?:^|\s)[0-9٠-٩۰-۹]{1,4}\s*$")
#: words that open an Arabic sentence and are never a name (also after the conjunctions و / ف)
_AR_STARTERS = {
    "ثم", "لكن", "ولكن", "كما", "إلا", "أما", "إن", "ان", "إذ", "لذلك", "لهذا", "بينما", "حيث", "غير", "قد", "لقد",
    "هذا", "هذه", "ذلك", "تلك", "هؤلاء", "هناك", "هنا", "هو", "هي", "هم", "هن", "نحن", "أنا", "كان", "كانت",
    "كانوا", "يكون", "تكون", "ليس", "ليست", "تم", "يتم", "تتم", "يجب", "ينبغي", "يمكن", "يعد", "تعد", "يعتبر",
    "تعتبر", "يوجد", "توجد", "تجرى", "يجرى", "تجري", "يجري", "ظل", "ظلت", "بات", "باتت", "أصبح", "أصبحت", "لم",
    "لن", "لا", "ما", "عندما", "بعد", "منذ", "خلال", "وفقا", "يذكر", "يشار", "يقول", "قال", "قالت",
    "أضاف", "أضافت", "أكد", "أكدت", "أشار", "أشارت",
}
#: words that carry a sentence on after a year marker (``عام 2560 ق.م. في عهد``)
_AR_CONTINUERS = {"في", "من", "إلى", "الى", "على", "عن", "حتى", "حين", "عندما", "بعد", "قبل", "خلال", "أي", "أو",
                  "او", "تقريبا", "تقريبًا", "ميلادية", "ميلادي", "هجرية", "هجري", "و", "،", ",", "-", "–", "(", "إلى"}


def _next_word(text: str, pos: int, end: int) -> str:
    while pos < end and (text[pos].isspace() or text[pos] in _OPENERS):
        pos += 1
    return _WORD.match(text, pos, end).group()


def _arabic_opens(word: str) -> bool:
    """Does an Arabic ``word`` clearly open a new sentence (never a name)?"""
    word = word.rstrip(".")
    if word in _AR_STARTERS:
        return True
    return len(word) > 2 and word[0] in "وف" and (word[1:] in _AR_STARTERS or word[1:] in ("في", "من", "على"))


def _arabic_abbreviation_ends(text: str, word: str, start: int, nxt: str) -> bool:
    """After an Arabic one-letter word or dotted abbreviation ``word`` (at ``start``): a sentence end?"""
    if not nxt or not _ARABIC_LETTER.match(nxt[0]):
        return not nxt[:1].isdigit() and not nxt[:1].isalpha()  # "د. 5": no; a quote or bracket: yes
    if word.replace("ـ", "") in _YEAR_MARKERS and _YEAR_BEFORE.search(text, max(0, start - 12), start):
        # "762 م. وكانت" ends; "2560 ق.م. في عهد", "30 ق.م. و14 م." do not
        return nxt.rstrip(".") not in _AR_CONTINUERS and not re.match(r"[وف]?[0-9٠-٩۰-۹]", nxt)
    return _arabic_opens(nxt)  # "فيتامين د. تجرى" ends, "قال د. محمد" does not


def _is_boundary(text: str, m: re.Match, end: int) -> bool:
    """Is the terminator run ``m`` (inside a paragraph ending at ``end``) a sentence end?"""
    nxt = _next_word(text, m.end(), end)
    first = nxt[:1]
    run = _TRAILING_CLOSERS.sub("", m.group())
    if first.isalpha() and first.islower() and first.isascii():
        # "e.g. the", "… and then", '"Why?" he asked' go on; "what? no way" is two sentences
        if run != m.group() or not set(run) <= set("?!‼⁇⁈⁉"):
            return False
        return not _SPEECH_TAG.match(text, m.end(), end)  # "Why? she asked." is one sentence
    if run != ".":
        return True
    word = _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start()).group()
    low = word.lower().rstrip(".")
    if not word:
        return True
    if low in _TITLES:
        return False
    if len(word) == 1 and word.isupper() and word.isascii():
        return False  # an initial: "George W. Bush"
    if _ARABIC_ABBREVIATION.fullmatch(word):
        return _arabic_abbreviation_ends(text, word, m.start() - len(word), nxt)
    nxt_low = nxt.lower().rstrip(".")
    if low in _NEVER_END or (low in _BEFORE_NUMBER and first.isdigit()):
        return False
    if low in _SOMETIMES_END or _ACRONYM.fullmatch(word.rstrip(".")):
        # "the U.S. He said" ends, "the U.S. President" and "Jan. 5" do not
        return nxt_low in _STARTERS or (first.isalpha() and not first.isascii())
    return True


def _sentence_spans(text: str, start: int, end: int, clauses: bool = False) -> list[tuple[int, int]]:
    spans, pos = [], start
    for m in (_BOUNDARY_CLAUSES if clauses else _BOUNDARY).finditer(text, start, end):
        if m.end() >= end or not _is_boundary(text, m, end):
            continue
        spans.append(_strip_span(text, pos, m.end()))
        pos = m.end()
    spans.append(_strip_span(text, pos, end))
    return [s for s in spans if s[0] < s[1]]


def segment(text: str, lang: str | None = None, *, clauses: bool = False) -> Document:
    """Split ``text`` into paragraphs and sentences (``lang``: ``ar``/``en``/None = either).

    ``clauses=True`` also cuts after the Arabic semicolon ``؛`` (shorter units)."""
    line_starts, lines = _lines(text)
    doc = Document(text, script_lang(lang), [], line_starts)
    n = 0
    line_of = bisect.bisect_right  # Document.line_of, without a call per sentence
    new, add = object.__new__, doc.paragraphs.append
    # the ends of terminator runs followed by white space, found in one pass over the whole text:
    # _sentence_spans cuts a paragraph only at a run it finds ending strictly inside it, and such a
    # run is found here too, ending at the same place (a run cannot cross white space, so one found
    # from further left that covers its start ends where it does). A paragraph with no end strictly
    # inside is one sentence, its span stripped, as _sentence_spans gives it.
    ends = [m.end() for m in (_BOUNDARY_CLAUSES if clauses else _BOUNDARY).finditer(text)]
    j, n_ends = 0, len(ends)
    for pi, (ps, pe, kind) in enumerate(_paragraph_spans(text, lines)):
        sents = []
        while j < n_ends and ends[j] <= ps:
            j += 1
        if j < n_ends and ends[j] < pe:
            spans = _sentence_spans(text, ps, pe, clauses)
        else:  # _paragraph_spans gives stripped, non-empty spans: _strip_span would keep this one whole
            spans = ((ps, pe),)
        for ss, se in spans:
            # Sentence(text[ss:se], n, pi, ss, se, line): a frozen dataclass's __init__ sets each
            # field through object.__setattr__; its __dict__ is filled at once here (the same object)
            s = new(Sentence)
            s.__dict__.update(text=text[ss:se], index=n, paragraph=pi, start=ss, end=se,
                              line=line_of(line_starts, ss))
            sents.append(s)
            n += 1
        p = new(Paragraph)  # Paragraph(pi, ps, pe, line, kind, sentences), filled at once (as above)
        p.__dict__.update(index=pi, start=ps, end=pe, line=line_of(line_starts, ps), kind=kind,
                          sentences=tuple(sents))
        add(p)
    return doc


def reassemble(doc: Document, replacements: Mapping[int, str] | Sequence[str] | None = None) -> str:
    """``doc.text`` with the given sentences replaced; all layout around them is kept.

    ``replacements`` is a mapping from flat sentence index to new text, or a
    sequence with one text per sentence.
    """
    sents = doc.sentences
    if replacements is None:
        return doc.text
    if isinstance(replacements, str):
        raise TypeError("replacements must be a mapping or a sequence of strings, not a string")
    if isinstance(replacements, Mapping):
        bad = [k for k in replacements if not (isinstance(k, int) and 0 <= k < len(sents))]
        if bad:
            raise ValueError(f"no sentence with index {bad[0]!r} (document has {len(sents)})")
        new = dict(replacements)
    else:
        if len(replacements) != len(sents):
            raise ValueError(f"got {len(replacements)} replacements for {len(sents)} sentences")
        new = dict(enumerate(replacements))
    out, pos = [], 0
    for s in sents:
        out.append(doc.text[pos:s.start])
        out.append(new.get(s.index, s.text))
        pos = s.end
    out.append(doc.text[pos:])
    return "".join(out)


def split_sentences(text: str, lang: str | None = None, *, clauses: bool = False) -> list[str]:
    """The sentence texts of ``text``, in order (``clauses``: see :func:`segment`)."""
    return [s.text for s in segment(text, lang, clauses=clauses).sentences]
