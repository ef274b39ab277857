"""Markup and encoding damage: find it, and repair what can be repaired safely.

Kinds (``Damage.kind``) and what is done about each (``Damage.action``):

=================  ==============================================  ========
kind               what                                            action
=================  ==============================================  ========
``entity``         an HTML entity (``&nbsp;``, ``&#39;``,          repair
                   ``&amp;``), also double-escaped
                   (``&amp;lt;``): the standard :mod:`html` module
                   decodes it
``tag``            an HTML/XML tag (``<span class="x">``,          drop
                   ``</p>``, ``<br/>``), also one that only
                   appears once entities are decoded
``mojibake``       UTF-8 read as Latin-1/cp1252 (``Ã©``,           repair
                   ``Ø§Ù„``): :func:`ftfy.fix_encoding` recovers it
``replacement``    U+FFFD: the original character is lost          drop
``control``        C0/C1 control characters (not tab, CR, LF, NEL) drop
``symbol-junk``    three or more symbols (Unicode ``So``, not      drop
                   emoji), private-use or unassigned characters
                   in a row (``■■■``, ``□ □ □``)
=================  ==============================================  ========

"Repair" means the text can be restored exactly (:func:`repair_markup`
does it, and ``mtfix fix`` can); "drop" means the text is lost or is not
text, and a corpus pair carrying it is dropped
(:class:`mtfix.corpus.markup.MarkupFilter`).
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Damage", "find_damage", "repair_markup", "unescape_entities", "safe_entity", "may_hold_mojibake",
           "OpenMarkup", "KINDS", "ACTIONS"]

ACTIONS = {"entity": "repair", "mojibake": "repair", "tag": "drop", "replacement": "drop", "control": "drop",
           "symbol-junk": "drop"}
KINDS = tuple(ACTIONS)

#: a named, decimal or hex character reference, escaped again any number of times (``&amp;nbsp;``)
_ENTITY = re.compile(r"&(?:amp;)*(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
#: an opening, closing or self-closing tag with optional attributes, a comment, or a doctype
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(?:\s+[A-Za-z_:][^<>]*?)?\s*/?>|<!--.*?-->|<!DOCTYPE[^<>]*>", re.S)
#: a tag written with entities, once or twice escaped: ``&lt;span&gt;``, ``&amp;lt;/p&amp;gt;``
_ESCAPED_TAG = re.compile(r"&(?:amp;)*lt;/?[A-Za-z][A-Za-z0-9:_-]*(?:\s[^<>]*?)?/?&(?:amp;)*gt;")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")  # not NEL (U+0085), a line break
_JUNK_CATEGORIES = {"So", "Co", "Cn"}
_REPLACEMENT = re.compile("\ufffd")
#: the end of an escaped tag (``&gt;``, ``&amp;gt;``)
_ESCAPED_TAG_END = re.compile(r"&(?:amp;)*gt;")
#: every non-ASCII character of ftfy's mojibake heuristic (``ftfy.badness.BADNESS_RE``, ftfy 6.3): each
#: of its alternatives needs one, so a text without any is never "bad" and ftfy leaves it as it is.
#: tests/test_text_markup.py checks both against the installed ftfy.
_MOJIBAKE_CHAR = re.compile(
    "[\u0080-\u00fc\u0100-\u0107\u010c-\u0113\u0116-\u011b\u011e-\u011f\u0122-\u0123\u012a-\u012b"
    "\u012f-\u0130\u0136-\u0137\u0139-\u013e\u0141-\u0143\u0145\u0147\u014c\u0150\u0152-\u0153\u0155\u0158"
    "\u015a-\u015b\u015e-\u0162\u0164-\u0165\u016a\u016e\u0170\u0172\u0178-\u017e\u0192\u02c6-\u02c7\u02d8"
    "\u02db-\u02dd\u0384-\u0386\u0388-\u038a\u038c\u038e-\u038f\u0391-\u03c9\u0401-\u045f\u0490-\u0491"
    "\u2013-\u2015\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039-\u203a\u2044\u20a7\u20ac\u2116"
    "\u2122\u2202\u2206\u220f\u2211\u221a\u221e\u2229\u222b\u2248\u2260-\u2261\u2264-\u2265\u2310\u2502"
    "\u250c\u2510\u2518\u251c\u2524\u252c\u253c\u2550-\u256c\u2580\u2584\u2588\u258c\u2590-\u2593\u25ca"
    "\uf8ff\ufb01-\ufb02\ufffd]")
#: at least the longest match of ftfy's heuristic (7 characters in ftfy 6.3; checked by the same test)
MOJIBAKE_CONTEXT = 32


@dataclass(frozen=True)
class Damage:
    """One damaged span of a text: ``kind``, ``text[start:end]``, what it stands for, and the action."""

    kind: str
    start: int
    end: int
    surface: str
    repaired: str | None = None  # the restored text, for "repair" kinds

    @property
    def action(self) -> str:
        return ACTIONS[self.kind]

    def describe(self) -> str:
        what = {"entity": "HTML entity", "tag": "HTML/XML tag", "mojibake": "mojibake",
                "replacement": "U+FFFD replacement character", "control": "control character",
                "symbol-junk": "symbol junk"}[self.kind]
        shown = self.surface if len(self.surface) <= 30 else self.surface[:27] + "..."
        fix = f" -> {self.repaired!r}" if self.repaired is not None else ""
        return f"{what} {shown!r}{fix} ({self.action})"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end, "surface": self.surface,
                "action": self.action, "repaired": self.repaired}


def unescape_entities(text: str, rounds: int = 8) -> str:
    """Decode HTML entities, double-escaped ones too (``&amp;lt;`` -> ``<``), up to ``rounds`` times."""
    for _ in range(rounds):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def _is_junk(c: str) -> bool:
    return unicodedata.category(c) in _JUNK_CATEGORIES and not _is_emoji_like(c)


def _is_emoji_like(c: str) -> bool:
    # emoji are words in social text: not junk by themselves
    return 0x1F000 <= ord(c) <= 0x1FAFF


_NOT_WORD_OR_SPACE = re.compile(r"[^\w\s]")


#: a character that is neither a word character, white space nor ASCII (ASCII is never junk);
#: the basic Arabic letters (word characters) are listed too: a bitmap test settles them before
#: the word-character test, which looks each character up (the same class: tests/test_text_markup.py)
_NOT_WORD_SPACE_ASCII = re.compile(r"[^\x00-\x7f\u0621-\u064a\w\s]")
_JUNK_MEMO: dict[str, bool] = {}


def _junk_char(c: str) -> bool:
    junk = _JUNK_MEMO.get(c)
    if junk is None:
        junk = _JUNK_MEMO[c] = _is_junk(c)
    return junk


def _junk_runs(text: str, min_run: int = 3):
    """(start, end) of each run of ``min_run`` or more junk characters (single spaces between them allowed)."""
    if text.isascii() or not any(map(_junk_char, set(_NOT_WORD_SPACE_ASCII.findall(text)))):
        return
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
    if text.isascii() or not _mojibake_chars().search(text) or not _looks_bad(text):
        return []  # ftfy's heuristic finds nothing bad: it would leave the text as it is
    import ftfy

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


_BADNESS: list = []


def _ftfy_badness() -> re.Pattern:
    """ftfy's own heuristic, ``ftfy.badness.BADNESS_RE``: its module alone (it needs only ``re``),
    without the ``ftfy`` package's ``__init__``, which loads all its fixers and ``wcwidth`` (several
    times the cost, on every `mtfix check` of a text with a curly quote); the full ftfy is imported
    only where the heuristic fires."""
    if not _BADNESS:
        module = sys.modules.get("ftfy.badness")
        if module is None:
            import importlib.util

            spec = importlib.util.find_spec("ftfy")  # finds the package without running it
            path = Path(spec.origin).with_name("badness.py")
            spec = importlib.util.spec_from_file_location("mtfix_ftfy_badness", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        _BADNESS.append(module.BADNESS_RE)
    return _BADNESS[0]


def _looks_bad(text: str) -> bool:
    """``ftfy.badness.is_bad(text)``, looking only around the characters its heuristic needs: a
    match is at most 7 characters long and holds one of them, so the windows of
    :data:`MOJIBAKE_CONTEXT` characters around each find every match (the heuristic has no
    lookaround; its ``^`` only matches at the real start of the text)."""
    if text.isascii():
        return False
    found = _MOJIBAKE_CHAR.search(text)
    if found is None:
        return False
    badness = _ftfy_badness()
    n = len(text)
    while found is not None:
        lo, hi = max(0, found.start() - MOJIBAKE_CONTEXT), found.start() + MOJIBAKE_CONTEXT
        nxt = _MOJIBAKE_CHAR.search(text, found.end())
        while nxt is not None and nxt.start() - MOJIBAKE_CONTEXT <= hi:  # overlapping windows: one search
            hi = nxt.start() + MOJIBAKE_CONTEXT
            nxt = _MOJIBAKE_CHAR.search(text, nxt.end())
        if badness.search(text, lo, min(hi, n)):
            return True
        found = nxt
    return False


def may_hold_mojibake(text: str, before: str = "") -> bool:
    """Could ftfy find mojibake in ``text``, or in a text where ``text`` follows ``before`` (the
    :data:`MOJIBAKE_CONTEXT` characters just in front of it) or begins it? False means ftfy's
    heuristic is false on every stretch of text that starts at or ends inside ``text`` (so
    :func:`find_damage` finds no mojibake there). Cheap: one character scan, ftfy only when needed."""
    probe = before + text
    if probe.isascii() or not _MOJIBAKE_CHAR.search(probe):
        return False
    if len(text) < MOJIBAKE_CONTEXT:
        return True
    return _looks_bad(probe) or _looks_bad(text[:MOJIBAKE_CONTEXT])


class OpenMarkup:
    """Tracks whether a tag, comment or escaped tag (the only damage that can run over a line
    break) may still be open at the end of the text fed so far: where it is not, the text can be
    cut and :func:`find_damage` on the two parts finds what it finds on the whole."""

    def __init__(self):
        self.tag = self.comment = self.escaped = False

    @property
    def open(self) -> bool:
        return self.tag or self.comment or self.escaped

    def feed(self, text: str) -> None:
        i, j = text.rfind("<"), text.rfind(">")
        if i != j:  # a tag has no < or > inside: it is open when a < comes last
            self.tag = i > j
        k = text.rfind("<!--")
        if k >= 0:
            self.comment = text.find("-->", k + 4) < 0
        elif self.comment and "-->" in text:
            self.comment = False
        k = text.rfind("lt;")
        if k >= 0:
            self.escaped = not _ESCAPED_TAG_END.search(text, k + 3)
        elif self.escaped and _ESCAPED_TAG_END.search(text):
            self.escaped = False


def _mojibake_chars() -> re.Pattern:
    """The characters ftfy's mojibake heuristic (``ftfy.badness.BADNESS_RE``) looks for
    (:data:`_MOJIBAKE_CHAR`): each of its alternatives needs one, so a text with none of them
    is not mojibake to ftfy, and ``ftfy.fix_encoding`` returns it as it is."""
    return _MOJIBAKE_CHAR if _MOJIBAKE_CHARS is None else _MOJIBAKE_CHARS


_MOJIBAKE_CHARS: re.Pattern | None = None  # tests set it to skip the shortcut
#: what a tag, an entity, U+FFFD or a control character needs: without one, none of them is there
_TRIGGERS = re.compile("[<&\ufffd" + _CONTROL.pattern[1:-1] + "]")
#: one character of each kind :func:`find_damage` needs (a text with none of them has no damage):
#: a trigger (tag, entity, U+FFFD, control), a symbol-junk character, a mojibake character
TRIGGER_CHAR, JUNK_CHAR, MOJIBAKE_CHAR = _TRIGGERS, _is_junk, _MOJIBAKE_CHAR


def find_damage(text: str, *, mojibake: bool = True, present=None) -> list[Damage]:
    """Every damaged span of ``text``, in text order; where spans overlap the longer one
    (a tag hidden behind entities, ``&lt;b&gt;``) wins. ``mojibake=False``: the caller knows the
    text holds no :data:`MOJIBAKE_CHAR` (then ftfy finds no mojibake there): no scan for one.
    ``present``: None, or characters (a set) among which are all of the text's
    :data:`TRIGGER_CHAR` and :data:`JUNK_CHAR` characters (the caller found them in a scan of its
    own): the scans for a kind none of whose characters is there are skipped."""
    out: list[Damage] = []
    if _TRIGGERS.search(text) if present is None else any(_TRIGGERS.match(c) for c in present):
        for pattern in (_TAG, _ESCAPED_TAG):
            out += [Damage("tag", m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
        out += [Damage("entity", m.start(), m.end(), m.group(), new) for m in _ENTITY.finditer(text)
                if (new := unescape_entities(m.group())) != m.group()]  # "&foo;" is not an entity
        out += [Damage("replacement", m.start(), m.end(), m.group()) for m in _REPLACEMENT.finditer(text)]
        out += [Damage("control", m.start(), m.end(), m.group()) for m in _CONTROL.finditer(text)]
    if present is None or any(map(_junk_char, present)):  # a junk run needs a junk character
        out += [Damage("symbol-junk", s, e, text[s:e]) for s, e in _junk_runs(text)]
    if mojibake:
        out += _mojibake(text)
    out.sort(key=lambda d: (d.start, -d.end))
    kept: list[Damage] = []
    for d in out:
        if not kept or d.start >= kept[-1].end:
            kept.append(d)
    return kept


#: characters an entity must not turn into: they could open a tag or Markdown syntax
_UNSAFE_DECODED = set("<>*_`[]#|\\")


def safe_entity(text: str, d: Damage) -> bool:
    """Can the entity ``d`` in ``text`` be decoded in place without changing what the text means
    or how Markdown renders it? Not when it decodes to ``< > * _`` and the like, nor to an ``&``
    that would start another entity with what follows."""
    if d.kind != "entity" or d.repaired is None or set(d.repaired) & _UNSAFE_DECODED:
        return False
    return not ("&" in d.repaired and _ENTITY.match(d.repaired[d.repaired.rindex("&"):] + text[d.end:d.end + 40]))


def repair_markup(text: str) -> tuple[str, list[Damage]]:
    """``text`` with the repairable damage undone (mojibake re-decoded by ftfy, entities
    decoded by :mod:`html`), and the damage that was repaired. An entity that is not
    :func:`safe_entity` (``&lt;`` may open a tag) and every "drop" kind are left as they are."""
    import ftfy

    done = _mojibake(text)
    if done:
        text = ftfy.fix_encoding(text)
    out, pos = [], 0
    for d in find_damage(text):
        if not safe_entity(text, d):
            continue
        out.append(text[pos:d.start])
        out.append(d.repaired)
        done.append(d)
        pos = d.end
    out.append(text[pos:])
    return "".join(out), done
