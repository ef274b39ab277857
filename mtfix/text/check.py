"""Model-free lint for translated text: what MT breaks, per sentence, with line numbers.

Findings (``kind`` / ``code``):

- ``number`` / ``arabic-comma-thousands``, ``spaced-thousands``, ``spaced-percent``,
  ``percent-before-number``, ``lost-range``: garbled numbers;
- ``script`` / ``latin-in-arabic``: a Latin word left in an Arabic sentence;
- ``script`` / ``wrong-language``: a sentence in another script than the document's language;
- ``repetition`` / ``tandem``, ``frequent``: NMT loops;
- ``invisible`` / ``bidi``, ``zero-width``: invisible control characters;
- ``punctuation`` / ``space-before-punctuation``, ``latin-punctuation``, ``doubled-punctuation``:
  what :mod:`mtfix.text.fix` repairs by rule;
- ``glossary`` / ``glossary-term`` (a Latin term the glossary renders; it replaces
  ``latin-in-arabic`` there), ``glossary-avoid`` (a known mistranslation of a glossary term);
- ``markup`` / ``entity``, ``tag``, ``mojibake``, ``replacement``, ``control``, ``symbol-junk``:
  markup and encoding damage (:mod:`mtfix.text.markup`), with ``action`` repair or drop.

Findings that ``mtfix fix`` repairs carry ``fixable: true`` and the ``suggestion``.
"""

from __future__ import annotations

import bisect
import itertools
import json
import marshal
import operator
import os
import re
import tempfile
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from mtfix.text.invisibles import INVISIBLES, Invisible
from mtfix.text.lang import script_lang
from mtfix.text.markup import MOJIBAKE_CHAR, MOJIBAKE_CONTEXT, OpenMarkup, may_hold_mojibake
from mtfix.text.numbers import format_value
from mtfix.text.repetition import FREQUENT_N, MAX_N, loops_inside, repetition_report
from mtfix.text.script import LATIN_LETTER, detect_script_language, latin_words_in_arabic, script_stats
from mtfix.text.script import script_majority as _majority  # detect_script_language's rule, on counts
from mtfix.errors import MtfixError
from mtfix.text.segment import Document, Sentence, block_chunks, line_chunks, segment

__all__ = ["Finding", "CheckReport", "SpooledFindings", "check_text", "check_document", "check_lines", "check_file",
           "rewound_lines", "script_and_pieces"]

#: a sentence needs this many letters before its language is judged
MIN_LETTERS_FOR_LANGUAGE = 4
#: a streamed text is checked in pieces of about this many characters (several paragraphs per
#: pass; a paragraph is never cut): the memory of a check is about the piece or the longest paragraph
PIECE_CHARS = 4_000
#: a streamed check keeps this many findings (and flagged sentences) in memory; more go to a
#: temporary file, read back in order for the report (memory bounded by the piece, not the file)
SPOOL_AFTER = 2_000

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
    """All findings on a text, in text order; ``has_issues`` when there is at least one.

    ``findings`` is a list, or for a streamed check (:func:`check_lines`) a
    :class:`SpooledFindings`: iterable again and again in text order, with ``len``."""

    document: Document
    lang: str | None
    findings: list[Finding]

    @property
    def has_issues(self) -> bool:
        return bool(self.findings)

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings by ``code``."""
        counted = getattr(self.findings, "counts", None)
        return dict(counted) if counted is not None else dict(Counter(f.code for f in self.findings))

    def flagged_sentences(self) -> Iterator[Sentence]:
        """The sentences with a finding, in text order (each once)."""
        spooled = getattr(self.document.sentences, "flagged", None)
        if spooled is not None:
            yield from spooled()
            return
        sents = self.document.sentences
        yield from (sents[i] for i in sorted({f.sentence for f in self.findings if f.sentence is not None}))

    def flagged_count(self) -> int:
        """How many sentences have a finding."""
        spooled = getattr(self.document.sentences, "flagged_count", None)
        return spooled if spooled is not None else len({f.sentence for f in self.findings if f.sentence is not None})

    def by_sentence(self) -> list[tuple[Sentence | None, list[Finding]]]:
        """Findings grouped by sentence, in text order (None: outside any sentence)."""
        sents = self.document.sentences
        groups: dict[int | None, list[Finding]] = {}
        for f in self.findings:
            groups.setdefault(f.sentence, []).append(f)
        return [(None if k is None else sents[k], v) for k, v in groups.items()]

    def _head(self) -> dict:
        return {"lang": self.lang, "paragraphs": len(self.document.paragraphs),
                "sentences": len(self.document.sentences), "issues": len(self.findings), "counts": self.counts}

    def to_dict(self) -> dict:
        return {**self._head(),
                "flagged_sentences": [{"index": s.index, "line": s.line, "text": s.text}
                                      for s in self.flagged_sentences()],
                "findings": [f.to_dict() for f in self.findings]}

    def write_json(self, write: Callable[[str], object], extra: dict | None = None) -> None:
        """Write ``json.dumps({**extra, **to_dict()}, ensure_ascii=False, indent=2)`` piece by
        piece through ``write``: the same text, in memory bounded by one finding."""
        head = json.dumps({**(extra or {}), **self._head()}, ensure_ascii=False, indent=2)
        write(head[:-2] + ",\n")  # without the closing "\n}"
        lists = (("flagged_sentences", ({"index": s.index, "line": s.line, "text": s.text}
                                        for s in self.flagged_sentences())),
                 ("findings", (f.to_dict() for f in self.findings)))
        for n, (key, items) in enumerate(lists):
            write(f"  {json.dumps(key)}: [")
            first = True
            for item in items:
                body = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")
                write(("\n    " if first else ",\n    ") + body)
                first = False
            write(("]" if first else "\n  ]") + (",\n" if n == 0 else "\n}"))


class SpooledFindings:
    """Findings of a streamed check, in text order: the first :data:`SPOOL_AFTER` in memory,
    the rest in an anonymous temporary file (``marshal``, a batch per piece); ``counts`` by code
    and ``len`` kept as they come. Iterable any number of times."""

    def __init__(self, make: Callable = tuple, limit: int | None = None):
        self._make, self._limit = make, SPOOL_AFTER if limit is None else limit
        self._memory: list = []
        self._file = None
        self._n = 0
        self.counts: Counter = Counter()

    def extend_rows(self, rows: list[tuple]) -> None:
        """Add the items ``make(*row)`` for each of ``rows`` (made only while they stay in memory)."""
        if not rows:
            return
        self._n += len(rows)
        if self._file is None and self._n <= self._limit:
            make = self._make
            self._memory.extend([make(*row) for row in rows])
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # unlinked at once: nothing is left behind
        self._file.seek(0, os.SEEK_END)
        marshal.dump(rows, self._file)

    def __len__(self) -> int:
        return self._n

    def __bool__(self) -> bool:
        return self._n > 0

    def __iter__(self) -> Iterator:
        yield from self._memory
        if self._file is None:
            return
        at, make = 0, self._make
        while True:
            self._file.seek(at)
            try:
                batch = marshal.load(self._file)
            except EOFError:
                return
            at = self._file.tell()
            yield from (make(*row) for row in batch)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


_CODE = operator.attrgetter("code")
_SPAN = operator.attrgetter("start", "end")  # text order


def _make_finding(kind, code, start, end, line, column, surface, message, sentence, details) -> Finding:
    """``Finding(...)``, its fields set at once (a frozen dataclass's ``__init__`` sets each through
    ``object.__setattr__``: a check makes a Finding two or three times per finding)."""
    f = object.__new__(Finding)
    f.__dict__.update(kind=kind, code=code, start=start, end=end, line=line, column=column, surface=surface,
                      message=message, sentence=sentence, details=details)
    return f


def _finding(doc: Document, kind: str, code: str, start: int, end: int, message: str,
             sentence: int | None, **details) -> Finding:
    line, column = doc.position_of(start)
    return _make_finding(kind, code, start, end, line, column, doc.text[start:end], message, sentence, details)


class _SentenceAt:
    """The sentence holding an offset (None: between sentences)."""

    def __init__(self, sents: list[Sentence]):
        self.sents, self.starts = sents, [s.start for s in sents]
        self.by_index = {s.index: s for s in sents}

    def __call__(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.sents[i].index if i >= 0 and offset < self.sents[i].end else None


#: letters every script count takes for its language (the basic Arabic letters, ASCII letters):
#: a sentence more than half of them is in that language (tests/test_text_check.py checks them)
_SURELY = {"ar": re.compile("[\u0621-\u063a\u0641-\u064a]"), "en": re.compile("[A-Za-z]")}
_NOT_SURELY = {lang: re.compile("[^" + rx.pattern[1:-1] + "]+") for lang, rx in _SURELY.items()}
_TOKEN = re.compile(r"\w+")  # the words of mtfix.text.repetition
_SEP = "\x01"  # between sentences in a piece's word list: never inside a word
#: ``repetition_report`` finds a loop only where a word equals the word d places later (d = 1 ..
#: MAX_N + 1) in 3 places d apart (d < FREQUENT_N: a tandem of 1-3 words needs 3 copies) or
#: FREQUENT_N times in a row (longer tandems and loops)
_LOOP_DISTANCES = range(1, MAX_N + 2)


#: letters (a superset: ``[^\W\d_]`` also takes numerals like ``²``) that
#: :func:`~mtfix.text.script.script_stats` counts for another script than ``lang``'s ("ar": neither
#: Arabic nor Latin, "en": not Latin); in a piece without any, no sentence can be in the wrong
#: language, and an Arabic sentence without a Latin word has no script finding
_LATIN_RANGES = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_ARABIC_RANGES = "\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_FOREIGN_LETTER = {"ar": re.compile(f"(?![{_ARABIC_RANGES}{_LATIN_RANGES}])[^\\W\\d_]"),
                   "en": re.compile(f"(?![{_LATIN_RANGES}])[^\\W\\d_]")}
#: a character that may be a foreign letter (outside ASCII, the Latin letters, punctuation, and
#: for "ar" the Arabic blocks): a cheap scan before _FOREIGN_LETTER, which looks ahead at every one
_PLAIN_CHARS = "\x00-\xa9\xab-\xb1\xb4\xb6-\xb8\xbb\xbf-\u024f\u1e00-\u1eff\u2000-\u206f"
_MAYBE_FOREIGN = {"ar": re.compile(f"[^{_PLAIN_CHARS}{_ARABIC_RANGES}]"), "en": re.compile(f"[^{_PLAIN_CHARS}]")}


_RARE: dict = {}


def _rare_chars(lang: str | None) -> re.Pattern:
    """One character that :data:`_MAYBE_FOREIGN` (for ``lang``; None: as for "ar") takes, or an
    invisible mark (:data:`~mtfix.text.invisibles.INVISIBLES`), or a character markup damage needs
    (:data:`~mtfix.text.markup.TRIGGER_CHAR`, :data:`~mtfix.text.markup.JUNK_CHAR`): a class of
    everything but the other characters of the plain ranges (ASCII, Latin, general punctuation and
    for "ar" the Arabic blocks), built when first used. Prose holds few of them: one scan of a
    piece finds the characters that those three scans would look for (none, in most pieces)."""
    got = _RARE.get(lang)
    if got is None:
        from mtfix.text.markup import JUNK_CHAR, TRIGGER_CHAR

        ranges = _PLAIN_CHARS + (_ARABIC_RANGES if lang != "en" else "")
        plain = [c for a, b in re.findall("(.)(?:-(.))?", ranges, re.S) for c in map(chr, range(ord(a), ord(b or a) + 1))
                 if c not in INVISIBLES and not TRIGGER_CHAR.match(c) and not JUNK_CHAR(c)]
        runs: list[list[int]] = []
        for c in sorted(map(ord, plain)):
            if runs and runs[-1][1] == c - 1:
                runs[-1][1] = c
            else:
                runs.append([c, c])
        got = _RARE[lang] = re.compile("[^" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                                                      for a, b in runs) + "]")
    return got


def _surely_in(text: str, lang: str) -> bool:
    """Is ``text`` certainly mostly in ``lang``'s script (more than half its characters are
    letters :func:`~mtfix.text.script.script_stats` counts for it)? Then it is not in the wrong
    language, and nothing else needs counting."""
    return 2 * len(_NOT_SURELY[lang].sub("", text)) > len(text)


class _WordIds(dict):
    """Each word (as found by ``\\w+``) -> one character standing for its case-folded form, so a
    piece's words become a string that one regular expression searches for repeats; words that
    hold a loop of characters (:func:`~mtfix.text.repetition.loops_inside`, tested once per word)
    get characters of their own, remembered in ``loopy``. A memo across pieces (most words
    recur), emptied when large."""

    MAX = 200_000

    def __init__(self):
        super().__init__({_SEP: _SEP})
        self.folded: dict[str, str] = {}
        self.loopy: set[str] = set()

    def __missing__(self, word: str) -> str:
        f = word.casefold()
        c = self.folded.get(f)
        if c is None:
            if loops_inside(f):
                c = chr(_LOOPY_FIRST + len(self.loopy) % (0x110000 - _LOOPY_FIRST))
                self.loopy.add(c)
            else:
                c = chr(0x100 + len(self.folded) - len(self.loopy))
            self.folded[f] = c
        self[word] = c
        return c

    def reset_if_large(self) -> None:
        if len(self.folded) > self.MAX or len(self.loopy) >= 0x110000 - _LOOPY_FIRST:
            self.__init__()
            _SPACED_IDS.clear()
            _SPACED_IDS[_SEP] = _SEP
        elif len(_SPACED_IDS) > _SpacedIds.MAX:
            _SPACED_IDS.clear()
            _SPACED_IDS[_SEP] = _SEP


class _SpacedIds(dict):
    """Each white-space separated token -> the characters of :class:`_WordIds` for its words
    (``\\w+`` never spans white space, so the tokens of ``str.split()`` mapped through this give
    the same string as the words of ``\\w+`` mapped one by one: ``str.split`` and one look-up per
    token, instead of a regular expression over the text and one look-up per word). A memo across
    pieces (most tokens recur), emptied with the word ids or when larger than :attr:`MAX`."""

    MAX = 50_000

    def __missing__(self, token: str) -> str:
        ids = _WORD_IDS
        # a token of letters and digits is one word (\w is those and "_")
        c = self[token] = ids[token] if token.isalnum() else "".join([ids[w] for w in _TOKEN.findall(token)])
        return c


_LOOPY_FIRST = 0x100000  # words that hold a loop of characters get characters from here on
_LOOPY_CHAR = re.compile(f"[{chr(_LOOPY_FIRST)}-\U0010ffff]")
_WORD_IDS = _WordIds()
_SPACED_IDS = _SpacedIds({_SEP: _SEP})
_SPACED_SEP = f" {_SEP} "  # between sentences: a token of its own
_NOT_SEP = "[^" + _SEP + "]"
#: a word equal to the word d places later in 3 places d apart (d < FREQUENT_N), or FREQUENT_N
#: words in a row equal to those d places later (FREQUENT_N <= d <= MAX_N + 1), within a sentence.
#: Each needs the word to recur 1 to MAX_N + 1 places later: a look-ahead for that comes first
#: (one scan ahead instead of a try of every alternative at every word); the second alternative
#: takes the first of the FREQUENT_N words from group 1. The same matches as the pattern without
#: the look-ahead (tests/test_text_check.py)
_LOOP_RX = re.compile(
    f"({_NOT_SEP})(?={_NOT_SEP}{{0,{MAX_N}}}\\1)(?:"
    + "|".join(f"{_NOT_SEP}{{{d - 1}}}\\1{_NOT_SEP}{{{d - 1}}}\\1" for d in _LOOP_DISTANCES if d < FREQUENT_N)
    + f"|({_NOT_SEP}{{{FREQUENT_N - 1}}}){_NOT_SEP}{{0,{MAX_N + 1 - FREQUENT_N}}}\\1\\2)")


def _may_repeat(sents: list[Sentence]) -> set[int]:
    """The sentences where :func:`~mtfix.text.repetition.repetition_report` may find a repeat
    (a superset, found for all sentences at once at C speed): a word equal to the word d places
    later (d = 1..9) in 3 places d apart (d <= 3, a tandem of 1-3 words) or 4 places in a row
    (d >= 4, a longer tandem or a loop), within a sentence; or a word that holds a loop of
    characters (:func:`~mtfix.text.repetition.loops_inside`). Each word becomes one
    character (:class:`_WordIds`), the sentences one string, searched by one regular expression."""
    joined = _SPACED_SEP.join([s.text for s in sents])
    if joined.count(_SEP) != max(len(sents) - 1, 0):  # the text holds the separator: no prefilter
        return {s.index for s in sents}
    ids = _WORD_IDS
    ids.reset_if_large()
    line = "".join(map(_SPACED_IDS.__getitem__, joined.split()))
    found: set[int] = set()
    k = pos = 0  # the sentence at `pos`
    for m in _LOOP_RX.finditer(line):
        k += line.count(_SEP, pos, m.start())
        pos = m.start()
        found.add(sents[k].index)
    k = pos = 0
    for m in _LOOPY_CHAR.finditer(line) if ids.loopy else ():
        k += line.count(_SEP, pos, m.start())
        pos = m.start()
        found.add(sents[k].index)
    return found


def _latin_words(ctx) -> dict[int, list]:
    """:func:`~mtfix.text.script.latin_words_in_arabic` of each sentence with a Latin letter, by
    sentence index (offsets in the sentence). A word never runs over a sentence's edge (white
    space or a mark is there), so these are the words of the whole text that lie in a sentence."""
    out: dict[int, list] = {}
    for s in ctx.holding(LATIN_LETTER):
        words = latin_words_in_arabic(s.text)
        if words:
            out[s.index] = words
    return out


def _latin_findings(doc: Document, s: Sentence, latin: dict[int, list]) -> list[Finding]:
    """The ``latin-in-arabic`` findings of sentence ``s`` (its words in ``latin``)."""
    out = []
    for w in latin.get(s.index, ()):
        kind = w.kind  # a property, computed on each read
        out.append(_finding(doc, "script", "latin-in-arabic", s.start + w.start, s.start + w.end,
                            f"Latin {kind} left in Arabic", s.index, word=w.word, word_kind=kind))
    return out


def _check_sentence(doc: Document, s: Sentence, lang: str | None, ctx, may_repeat: set[int],
                    latin: dict[int, list]) -> list[Finding]:
    out = []
    for g in ctx.garbled(s):
        why = _GARBLED_WHY[g.kind]
        value = " and ".join(format_value(v) for v in g.values)
        fix = f" → {g.suggestion}" if g.suggestion else ""
        out.append(_finding(doc, "number", g.kind, s.start + g.start, s.start + g.end,
                            f"{value}: {why}{fix}", s.index,
                            value=g.to_dict()["value"], values=g.to_dict()["values"], suggestion=g.suggestion))
    if lang is not None and _surely_in(s.text, lang):
        if lang == "ar":
            out.extend(_latin_findings(doc, s, latin))
    elif lang is not None:
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
            out.extend(_latin_findings(doc, s, latin))
    rep = repetition_report(s.text) if s.index in may_repeat else None
    for r in rep.repeats if rep is not None else ():
        out.append(_finding(doc, "repetition", r.kind, s.start + r.start, s.start + r.end,
                            f"{r.count}× “{r.ngram}” {'back to back' if r.kind == 'tandem' else 'in a loop'}, "
                            f"repetition score {rep.score:.2f}", s.index,
                            ngram=r.ngram, count=r.count, score=round(rep.score, 3)))
    return out


def _rule_findings(doc: Document, ctx, sentence_at: _SentenceAt) -> tuple[list[Finding], dict]:
    """Findings for the fix rules that report themselves; and every edit by span, to mark the
    other findings ``fixable``."""
    from mtfix.text.fix import RULES, propose_edits

    out, by_span = [], {}
    for name, e in propose_edits(ctx):
        by_span.setdefault((e.start, e.end), e)
        if RULES[name].in_check:
            kind = "glossary" if e.code.startswith("glossary") else "punctuation"
            after = e.after if e.after else "(nothing)"
            msg = f"{e.reason} → {after}" if e.safe else f"{e.reason}; not fixed by rule (→ {after}?)"
            out.append(_finding(doc, kind, e.code, e.start, e.end, msg, sentence_at(e.start),
                                suggestion=e.after, fixable=e.safe))
    return out, by_span


def check_document(doc: Document, lang: str | None = None, glossary=None) -> CheckReport:
    """Lint an already segmented document (``lang`` None: the majority script decides;
    ``glossary``: a :class:`~mtfix.text.glossary.Glossary` whose terms are checked)."""
    lang = script_lang(lang) or doc.lang or detect_script_language(doc.text)
    return CheckReport(doc, lang, _findings(doc, lang, glossary))


def _findings(doc: Document, lang: str | None, glossary=None, mentioned: set | None = None,
              mojibake: bool = True) -> list[Finding]:
    """Every finding on ``doc``, in text order, for the decided language ``lang`` (``mentioned``:
    glossary terms met earlier in the same text, when ``doc`` is one piece of it; ``mojibake``
    False: the text is known to hold no character of ftfy's mojibake heuristic)."""
    from mtfix.text.fix import FixContext
    from mtfix.text.glossary import Glossary

    # the few characters of the text that are rare in prose: a superset of the maybe-foreign
    # letters, the invisible marks and markup damage's characters (one scan for all three)
    present = set(_rare_chars(lang).findall(doc.text))
    ctx = FixContext(doc, lang, glossary if glossary is not None else Glossary(),
                     mentioned if mentioned is not None else set(), mojibake, present)
    sentence_at = _SentenceAt(ctx.sentences)
    may_repeat = _may_repeat(ctx.sentences)
    latin = _latin_words(ctx) if lang == "ar" else {}
    findings = []
    if lang is not None and any(_MAYBE_FOREIGN[lang].match(c) for c in present) \
            and _FOREIGN_LETTER[lang].search(doc.text):
        todo = ctx.sentences
    else:  # only these sentences can have a number, script or repetition finding
        held = may_repeat.union(latin, (s.index for s in ctx.with_numbers()))
        todo = [sentence_at.by_index[i] for i in sorted(held)]
    for s in todo:
        findings.extend(_check_sentence(doc, s, lang, ctx, may_repeat, latin))
    runs: list[list] = []  # consecutive identical invisibles become one finding
    for m in ctx.invisibles():  # the marks find_invisibles finds (one scan, shared with the rule)
        c, i = m.group(), m.start()
        if runs and runs[-1][0] == c and runs[-1][2] == i:
            runs[-1][2] += 1
        else:
            runs.append([c, i, i + 1])
    for c, start, end in runs:
        n, inv = end - start, Invisible(c, INVISIBLES[c], start, 0, 0)  # codepoint and name of the mark
        findings.append(_finding(doc, "invisible", inv.kind, start, end,
                                 f"{n}× {inv.codepoint} {inv.name}", sentence_at(start),
                                 codepoint=inv.codepoint, name=inv.name, count=n))
    damage = ctx.damage()
    # "nbsp" in "&nbsp;" is markup, not a Latin word left in the Arabic, nor "amp;amp;" a loop
    findings = [f for f in findings if f.code != "latin-in-arabic" and f.kind != "repetition"
                or not any(d.start < f.end and f.start < d.end for d in damage)]
    for d in damage:
        findings.append(_finding(doc, "markup", d.kind, d.start, d.end, d.describe(), sentence_at(d.start),
                                 action=d.action, repaired=d.repaired))
    extra, edits = _rule_findings(doc, ctx, sentence_at)
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
            f = _make_finding(f.kind, f.code, f.start, f.end, f.line, f.column, f.surface, f.message, f.sentence,
                              {**f.details, "fixable": True})
        marked.append(f)
    findings = marked + extra
    findings.sort(key=_SPAN)
    return findings


def check_text(text: str, lang: str | None = None, glossary=None) -> CheckReport:
    """Segment ``text`` and lint every sentence; ``lang`` is the expected language (None: detect);
    ``glossary`` (a :class:`~mtfix.text.glossary.Glossary`, optional) adds its terms' checks."""
    return check_document(segment(text, lang), lang, glossary)


# ---------------------------------------------------------------- streaming


class _FlaggedSentences:
    """The sentences of a streamed document: all counted, only the flagged ones kept (spooled)."""

    def __init__(self, count: int, kept: SpooledFindings):
        self.count, self.kept = count, kept
        self._by_index: dict[int, Sentence] | None = None

    def __len__(self) -> int:
        return self.count

    def flagged(self) -> Iterator[Sentence]:
        return iter(self.kept)

    @property
    def flagged_count(self) -> int:
        return len(self.kept)

    def __getitem__(self, i: int) -> Sentence:
        if self._by_index is None:  # random access (by_sentence): every flagged sentence in memory
            self._by_index = {s.index: s for s in self.kept}
        try:
            return self._by_index[i]
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


def _deleting_all_but(keep: bytes) -> bytes:
    """The bytes ``bytes.translate(None, ...)`` deletes to keep only those of ``keep``."""
    return bytes(b for b in range(256) if b not in keep)


#: UTF-8 lead bytes: D8-DB of U+0600-06FF; C3-C9 and E1 of the Latin letters outside ASCII
#: (U+00C0-024F, U+1E00-1EFF); DD, E0, EF of the other Arabic blocks (U+0750-077F, U+0870-08FF,
#: U+FB50-FDFF, U+FE70-FEFF). A lead byte is never a continuation byte (80-BF) nor ASCII.
_ARABIC_LEADS = bytes(range(0xD8, 0xDC))
_LATIN_LEADS = bytes(range(0xC3, 0xCA)) + b"\xe1"
_OTHER_LEADS = b"\xdd\xe0\xef"
_ASCII_LETTERS_BYTES = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B))
_NOT_ARABIC_LEADS = _deleting_all_but(_ARABIC_LEADS)
_NOT_RARE = _deleting_all_but(_ASCII_LETTERS_BYTES + _LATIN_LEADS + _OTHER_LEADS)
_COUNTERS: list = []  # (letters of U+0600-06FF that are not, letters of the other Arabic blocks, Latin letters)


def _script_counts(text: str) -> tuple[int, int]:
    """``(arabic, latin)`` of :func:`~mtfix.text.script.script_stats` (tested equal), counted
    faster for the survey of a whole file, on the text's UTF-8 bytes: the characters of
    U+0600-06FF are the lead bytes D8-DB (counted by deleting every other byte: one pass), less
    the few of them that are not letters (and tatweel), found by a regular expression; the Latin
    letters are the ASCII letters (counted on the bytes too) unless the text holds a lead byte of
    another Latin letter, and there are no letters of the other Arabic blocks unless it holds one
    of their lead bytes: then a regular expression counts them."""
    if not _COUNTERS:
        blocks = ((0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
        letter = lambda c: chr(c).isalpha() and chr(c) != "ـ"  # noqa: E731 (script_stats' rule)
        _COUNTERS.extend([
            re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x0600, 0x0700) if not letter(c)) + "]"),
            re.compile("[" + "".join(re.escape(chr(c)) for a, b in blocks for c in range(a, b + 1) if letter(c)) + "]"),
            LATIN_LETTER])
    not_letters, other_letters, latin = _COUNTERS
    data = text.encode("utf-8", "surrogatepass")
    arabic = len(data.translate(None, _NOT_ARABIC_LEADS)) - len(not_letters.findall(text))
    rare = data.translate(None, _NOT_RARE)  # ASCII letters and the rarer lead bytes
    leads = rare.translate(None, _ASCII_LETTERS_BYTES)
    if not leads:
        return arabic, len(rare)
    if leads.translate(None, _LATIN_LEADS):
        arabic += len(other_letters.findall(text))
    return arabic, (len(latin.findall(text)) if leads.translate(None, _OTHER_LEADS) else len(rare) - len(leads))


def _survey(lines: Iterable[str], count_scripts: bool) -> tuple[int, int, set[int]]:
    """First pass: Arabic and Latin letters (when ``count_scripts``), and the blocks
    (:func:`~mtfix.text.segment.block_chunks`) where ftfy may find mojibake: those are checked
    whole, as ftfy judges a block as a whole."""
    arabic = latin = block = 0
    dirty: set[int] = set()
    before = ""
    batch: list[str] = []
    n = 0
    for chunk, ends, _ in block_chunks(lines):
        if count_scripts:  # counted a batch of lines at a time (the counts add up)
            batch.append(chunk)
            n += len(chunk)
            if n >= PIECE_CHARS:
                a, b = _script_counts("".join(batch))
                arabic, latin, batch, n = arabic + a, latin + b, [], 0
        if may_hold_mojibake(chunk, before):
            dirty.add(block)
        before = (before[-MOJIBAKE_CONTEXT:] + chunk)[-MOJIBAKE_CONTEXT:]
        block += ends
    if batch:
        a, b = _script_counts("".join(batch))
        arabic, latin = arabic + a, latin + b
    return arabic, latin, dirty


def _pieces(lines: Iterable[str], dirty: set[int], size: int | None = None) -> Iterator[str]:
    """The text in pieces that are checked one by one with the findings of the whole: cut where
    :func:`~mtfix.text.segment.independent_blocks` cuts, or cut further (at a seamless point:
    no paragraph, sentence or markup spans it) into pieces of about ``size`` characters, or joined
    across such a point into pieces of about that size. A block where ftfy may find mojibake
    (``dirty``) is one piece, as before."""
    size = PIECE_CHARS if size is None else size
    buf: list[str] = []
    n = block = 0
    markup = OpenMarkup()
    for chunk, ends, seamless in block_chunks(lines):
        buf.append(chunk)
        n += len(chunk)
        markup.feed(chunk)
        if ends:
            block += 1
            join = seamless and n < size and not markup.open and block - 1 not in dirty and block not in dirty
            cut = not join
        else:
            cut = n >= size and seamless and not markup.open and block not in dirty
        if cut:
            yield "".join(buf)
            buf, n, markup = [], 0, OpenMarkup()
    if buf:
        yield "".join(buf)


class _Abandon(Exception):
    """The single pass of :func:`check_lines` guessed wrong (a block where ftfy may see mojibake,
    or another majority script than the first piece's): the two passes take over."""


def _pieces_in_one_pass(lines: Iterable[str], survey: list | None) -> Iterator[tuple[str, bool]]:
    """:func:`_pieces` of ``lines`` with no block marked dirty, surveyed as they come: the
    Arabic and Latin letters of each piece are added to ``survey`` (``[arabic, latin]``, unless
    None); a line where ftfy may find mojibake (as :func:`_survey` looks) raises
    :class:`_Abandon` (the block it is in would be one piece). Each piece comes with whether it
    holds a character of ftfy's heuristic (:data:`~mtfix.text.markup.MOJIBAKE_CHAR`, found by
    this pass's own scan of each line): without one, its markup check needs no mojibake scan."""
    held: deque = deque()  # (length, holds a MOJIBAKE_CHAR) of each line read and not yet in a piece

    def watched() -> Iterator[str]:
        before, tail = "", False  # tail: `before` holds a MOJIBAKE_CHAR
        for chunk in lines:
            has = not chunk.isascii() and MOJIBAKE_CHAR.search(chunk) is not None
            # may_hold_mojibake is false without such a character in before + chunk
            if (has or tail) and may_hold_mojibake(chunk, before):
                raise _Abandon
            held.append((len(chunk), has))
            before = (before[-MOJIBAKE_CONTEXT:] + chunk)[-MOJIBAKE_CONTEXT:]
            tail = (has or tail) and MOJIBAKE_CHAR.search(before) is not None
            yield chunk

    for piece in _pieces(watched(), set()):
        if survey is not None:
            a, b = _script_counts(piece)
            survey[0], survey[1] = survey[0] + a, survey[1] + b
        n, mojibake = len(piece), False  # a piece is whole lines: the first ones read (block_chunks reads ahead)
        while n > 0:
            k, has = held.popleft()
            n, mojibake = n - k, mojibake or has
        yield piece, mojibake


def check_lines(lines: Callable[[], Iterable[str]], lang: str | None = None, name: str = "<input>",
                glossary=None) -> CheckReport:
    """:func:`check_text` on a text given line by line (line endings kept), in bounded memory.

    ``lines()`` gives the lines afresh. The text is checked a few paragraphs at a time (pieces
    cut where no paragraph, sentence or markup runs over the cut; blocks between blank lines where
    ftfy sees mojibake stay whole), so memory is the piece or the longest paragraph, plus the
    findings. Findings, counts and language equal :func:`check_text`'s on the joined text.

    One pass when it can: the language (when ``lang`` is None) is guessed from the first piece's
    majority script and every block is taken to be free of mojibake; the pass counts the letters
    and looks for mojibake as it goes. When the whole text's majority is another, or a block may
    hold mojibake, ``lines()`` is read again twice: a first pass finds the majority script and
    the blocks where ftfy may find mojibake (it judges a block as a whole), the second checks.
    """
    want = script_lang(lang)
    survey = [0, 0] if want is None else None
    pieces = _pieces_in_one_pass(lines(), survey)
    try:
        first = next(pieces, None)
        guess = want if want is not None or first is None else _majority(*survey)
        got = _check_pieces(itertools.chain([first] if first is not None else [], pieces), lang, guess, glossary)
        if want is None and _majority(*survey) != guess:
            got[0].close(), got[1].close()
            raise _Abandon
    except _Abandon:
        arabic, latin, dirty = _survey(lines(), want is None)
        got = _check_pieces(((piece, True) for piece in _pieces(lines(), dirty)), lang,
                            _majority(arabic, latin) if want is None else want, glossary)
    findings, kept, n_par, n_sent, blank, decided = got
    if blank:
        findings.close(), kept.close()
        raise MtfixError(f"{name}: is empty; nothing to check")
    return CheckReport(StreamedDocument(script_lang(lang), range(n_par), _FlaggedSentences(n_sent, kept)),
                       decided, findings)


def _check_pieces(pieces: Iterable[tuple[str, bool]], lang: str | None, want: str | None, glossary) -> tuple:
    """Check ``pieces`` (each with whether it may hold mojibake) one by one for the decided
    language ``want`` (``lang``: as given, for the segmentation): ``(findings, flagged sentences,
    paragraphs, sentences, blank, want)``."""
    findings = SpooledFindings(_make_finding)
    kept = SpooledFindings(Sentence)
    n_par = n_sent = offset = line0 = 0
    mentioned: set = set()  # glossary terms met in earlier pieces (the first mention gets the long form)
    blank = True
    try:
        for block, mojibake in pieces:
            blank = blank and not block.strip()
            doc = segment(block, lang)
            sents = doc.sentences
            found = _findings(doc, want, glossary, mentioned, mojibake)
            if found:  # the findings and their sentences as rows, shifted to the whole text
                findings.counts.update(map(_CODE, found))
                findings.extend_rows([(f.kind, f.code, f.start + offset, f.end + offset, f.line + line0, f.column,
                                       f.surface, f.message, None if f.sentence is None else f.sentence + n_sent,
                                       f.details) for f in found])
                flagged = sorted({f.sentence for f in found if f.sentence is not None})
                kept.extend_rows([(s.text, n_sent + i, s.paragraph + n_par, s.start + offset, s.end + offset,
                                   s.line + line0) for i in flagged for s in (sents[i],)])  # in text order
            n_par, n_sent = n_par + len(doc.paragraphs), n_sent + len(sents)
            offset, line0 = offset + len(block), line0 + doc.line_of(len(block)) - 1
    except BaseException:
        findings.close(), kept.close()
        raise
    return findings, kept, n_par, n_sent, blank, want


def check_file(path: str | os.PathLike, lang: str | None = None, glossary=None) -> CheckReport:
    """:func:`check_lines` on a UTF-8 file read line by line (:func:`mtfix.text.read.iter_text_lines`)."""
    from mtfix.text.read import iter_text_chunks

    # read a few thousand lines at a time, regrouped at blank lines and about every piece's length
    return check_lines(lambda: line_chunks(iter_text_chunks(path), PIECE_CHARS), lang, str(path), glossary)


def rewound_lines(spool, name: str) -> Callable[[], Iterator[str]]:
    """``lines()`` for :func:`check_lines` over a binary file object read again and again (a
    spooled copy of a stream): each call reads it from the start, in chunks of whole lines
    (``name`` in decoding errors). The rewind happens when the reading starts, so a pass made
    before an earlier one is read does not disturb it."""
    from mtfix.text.read import iter_stream_chunks

    def lines() -> Iterator[str]:
        spool.seek(0)
        yield from line_chunks(iter_stream_chunks(spool, name), PIECE_CHARS)

    return lines


def script_and_pieces(lines: Callable[[], Iterable[str]]) -> tuple[str | None, Iterator[str]]:
    """For another pass over a text piece by piece (``mtfix fix``): the text's majority script
    (``"ar"``, ``"en"`` or None, as :func:`detect_script_language` decides on the whole) and the
    pieces of :func:`check_lines`'s two passes, which segment and fix on their own. ``lines()`` is
    read twice: the first pass is done (and any decoding error raised) before this returns."""
    arabic, latin, dirty = _survey(lines(), True)
    return _majority(arabic, latin), _pieces(lines(), dirty)
