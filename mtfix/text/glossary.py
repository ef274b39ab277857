"""Glossaries: source term -> the target rendering a translation must use.

A glossary is TOML or TSV. TOML, one ``[[term]]`` table per entry::

    [glossary]
    name = "news-ar"
    source_lang = "en"
    target_lang = "ar"

    [[term]]
    source = "SDF"                                   # the term as it appears in English
    aliases = ["Syrian Democratic Forces"]           # other English forms of the same term
    target = "قسد"                                    # the rendering to use
    first = "قوات سوريا الديمقراطية (قسد)"           # optional: the first mention's long form
    variants = ["قوات سوريا الديمقراطية"]             # other acceptable renderings
    avoid = ["قوات الدفاع الذاتي"]                   # known mistranslations (reported, never replaced)
    case = "exact"                                   # "exact" or "ignore"; default: exact for
                                                     # all-capital acronyms, else ignore
    from = "Arabic Wikipedia article title"          # where the rendering comes from

TSV, one entry per line, ``#`` starts a comment, an optional header line
``source<TAB>target...``; columns: ``source``, ``target``, then optional
``first``, ``aliases`` (``|``-separated), ``case``, ``from``.

A malformed file raises :class:`MtfixError` naming ``FILE:LINE``. Several
glossaries are merged in order: a later entry with the same source term (or
alias) replaces the earlier one (``--glossary`` adds to or overrides the
shipped preset).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from mtfix.errors import MtfixError
from mtfix.tomlcompat import loads as toml_loads

__all__ = ["Term", "Glossary", "TermMatch", "load_glossary", "load_glossaries", "preset_names",
           "DEFAULT_GLOSSARY", "fold_arabic"]

#: The preset loaded for Arabic targets unless told otherwise.
DEFAULT_GLOSSARY = "news-ar"
PRESETS = Path(__file__).resolve().parents[1] / "glossaries"

_CASES = ("exact", "ignore")
_TOML_KEYS = {"source", "aliases", "target", "first", "variants", "avoid", "case", "from"}
_TSV_COLUMNS = ("source", "target", "first", "aliases", "case", "from")
_ACRONYM = re.compile(r"[A-Z][A-Z.&-]*[A-Z.]?")
# Folds spellings that differ only in letters MT and typists mix up (ى/ي, ة/ه, hamza seats),
# letter for letter, so offsets in a folded text are offsets in the original.
_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


_FOLD_PAIRS = tuple((chr(a), b) for a, b in _FOLD.items())


def fold_arabic(text: str) -> str:
    """``text`` with Arabic spelling variants folded (for matching renderings, never for output)."""
    for a, b in _FOLD_PAIRS:  # one str.replace per letter: much faster than str.translate on long texts
        text = text.replace(a, b)
    return text


@dataclass(frozen=True)
class Term:
    """One glossary entry (see the module docstring for the fields)."""

    source: str
    target: str
    aliases: tuple[str, ...] = ()
    first: str | None = None
    variants: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    case: str = "ignore"
    origin: str = ""  # where the rendering comes from
    glossary: str = ""  # the glossary (file or preset) that defined it

    @property
    def forms(self) -> tuple[str, ...]:
        """The source term and its aliases, longest first."""
        return tuple(sorted({self.source, *self.aliases}, key=len, reverse=True))

    @property
    def renderings(self) -> tuple[str, ...]:
        """Every acceptable target rendering: the target, the long form and the variants."""
        return tuple(dict.fromkeys(r for r in (self.target, self.first, *self.variants) if r))

    def source_matches(self, word: str) -> bool:
        if self.case == "exact":
            return word in self.forms
        return word.casefold() in {f.casefold() for f in self.forms}

    def to_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "aliases": list(self.aliases), "first": self.first,
                "variants": list(self.variants), "avoid": list(self.avoid), "case": self.case,
                "from": self.origin, "glossary": self.glossary}


@dataclass(frozen=True)
class TermMatch:
    """A span of a text where a glossary term (a source form, a rendering or an avoided form) occurs."""

    term: Term
    start: int
    end: int
    surface: str


def _default_case(source: str) -> str:
    return "exact" if _ACRONYM.fullmatch(source) and len(source) <= 6 else "ignore"


def _required(form: str) -> str:
    """A piece of text every match of ``_phrase_pattern(form, latin=False)`` contains: its last
    word (of ``form`` less a leading ال, which the لل alternative drops); "" when there is none."""
    words = (form[2:] if form.startswith("ال") and len(form) > 2 else form).split()
    return words[-1] if words else ""


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


class _LazyPattern:
    """A regular expression compiled on its first search: a glossary has a hundred or more
    patterns and a text needs few of them (compiling them all was most of a short check's time)."""

    __slots__ = ("pattern", "flags", "_rx")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags, self._rx = pattern, flags, None

    def finditer(self, *args):
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.pattern, self.flags)
        return rx.finditer(*args)

    def search(self, *args):
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.pattern, self.flags)
        return rx.search(*args)


def _lazy_core(form: str) -> tuple["_LazyPattern", int]:
    core, lead = _core(form)
    return _LazyPattern(core), lead


def _core(form: str) -> tuple[str, int]:
    """``(pattern, lead)`` for ``_phrase_pattern(form, latin=False)``: every match of that pattern
    ends with a match of this one (the words, less a leading ال, which the لل alternative drops),
    and starts at most ``lead`` characters before it (a proclitic, ال, لل). It starts with a
    literal, which the regular expression engine looks for at C speed."""
    words = (form[2:] if form.startswith("ال") and len(form) > 2 else form).split()
    return r"[ \u00a0]+".join(re.escape(w) for w in words), 4


_WORD_CHAR = re.compile(r"\w")
_WORD_RUN = re.compile(r"\w+")


def _trie(words: set[str]) -> str:
    """A pattern matching exactly ``words``, as a tree of their common beginnings (the engine
    tries one branch per letter, not every word in turn)."""
    tree: dict = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(c) + emit(sub) for c, sub in sorted(node.items()) if c]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


def _ending_words(words: set[str]) -> tuple[re.Pattern, re.Pattern] | None:
    """Patterns for the words of ``words`` (word characters only) that end a run of word
    characters, searched in the text reversed (``text[::-1]``), where such a word, reversed,
    starts a run: ``(first, rest)``, ``first.match`` at the start of the reversed text and
    ``rest.findall`` after each non-word character; each finds the longest of them there, reversed.
    (A search for the words themselves followed by no word character is tried at nearly every
    character of an Arabic text; this one only where a run of word characters begins.)"""
    if not words:
        return None
    tree = _trie({w[::-1] for w in words})
    # \W, as a class of what it leaves out (ASCII letters and digits, "_", the basic Arabic
    # letters: word characters) confirmed by a look-behind: the engine tests most characters
    # against a bitmap, not the Unicode word-character tables
    return re.compile(tree), re.compile(r"[^0-9A-Za-z_\u0621-\u063a\u0641-\u064a](?<=\W)(" + tree + ")")


def _finditer_near(rx: _LazyPattern, core: _LazyPattern, lead: int, text: str, i: int) -> list[tuple[int, int, int]]:
    """``(start, end, i)`` of ``rx.finditer(text)``, for a pattern whose every match ends with a
    match of ``core`` not followed by a word character, and starts at most ``lead`` characters
    before it: ``rx`` runs only over the stretches around the matches of ``core`` (found, even
    overlapping, by the engine's literal search), merged where they overlap, so that a match
    that would hide another one hides it here too. (``rx`` looks behind the start of a stretch,
    and the end of a stretch is never followed by a word character.)"""
    spans: list[list[int]] = []
    m = core.search(text, 0)
    while m is not None:
        a, b = m.span()
        if b >= len(text) or not _WORD_CHAR.match(text, b):
            lo = max(0, a - lead)
            if spans and lo <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], b)
            else:
                spans.append([lo, b])
        m = core.search(text, a + 1)
    out = []
    for lo, hi in spans:
        out.extend((x.start(), x.end(), i) for x in rx.finditer(text, lo, hi))
    return out


@dataclass
class Glossary:
    """An ordered set of :class:`Term`; later definitions of the same source form win."""

    terms: list[Term] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the glossaries merged, in order

    def __bool__(self) -> bool:
        return bool(self.terms)

    def merged(self, other: "Glossary") -> "Glossary":
        """This glossary with ``other`` laid over it (same source form: ``other`` wins)."""
        taken = {f.casefold() for t in other.terms for f in t.forms}
        kept = [t for t in self.terms if not any(f.casefold() in taken for f in t.forms)]
        return Glossary(kept + list(other.terms), self.names + other.names)

    # ---------------------------------------------------------------- lookups

    def _compiled(self):
        """``(len(terms), source, target, avoid)`` patterns (compiled when first used): source
        ``(rx, i)``; target and avoid ``(rx, i, required, core, lead)``, where every match contains
        ``required`` (searched for first, a C-speed test that skips most patterns on most texts)
        and ends with a match of ``core`` (see :func:`_finditer_near`)."""
        cache = getattr(self, "_rx", None)
        if cache is None or cache[0] != len(self.terms):
            src, tgt, bad = [], [], []
            for i, t in enumerate(self.terms):
                for f in t.forms:
                    flags = 0 if t.case == "exact" else re.IGNORECASE
                    src.append((_LazyPattern(_phrase_pattern(f, latin=True), flags), i))
                for r in t.renderings:
                    f = fold_arabic(r)
                    tgt.append((_LazyPattern(_phrase_pattern(f, latin=False)), i, _required(f),
                                *_lazy_core(f)))
                for a in t.avoid:
                    f = fold_arabic(a)
                    bad.append((_LazyPattern(_phrase_pattern(f, latin=False)), i, _required(f),
                                *_lazy_core(f)))
            cache = (len(self.terms), src, tgt, bad)
            self._rx = cache
        return cache

    @staticmethod
    def _find(rxs, text: str, searched: str, present: set | None = None) -> list[tuple[int, int, int]]:
        hits = []
        for rx, i, *required in rxs:
            if not required or not required[0]:
                hits.extend((m.start(), m.end(), i) for m in rx.finditer(searched))
            elif (required[0] in present) if present is not None else (required[0] in searched):
                hits.extend(_finditer_near(rx, required[1], required[2], searched, i))
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

    def find_renderings(self, text: str, folded: str | None = None) -> list[TermMatch]:
        """Acceptable target renderings in ``text`` (spelling variants folded; same length, so spans
        hold; ``folded``: ``fold_arabic(text)`` when the caller has it)."""
        _, _, tgt, _ = self._compiled()
        folded = fold_arabic(text) if folded is None else folded
        present = self._present(folded)
        return [TermMatch(self.terms[i], s, e, text[s:e]) for s, e, i in self._find(tgt, text, folded, present)]

    def first_renderings(self, text: str, folded: str | None = None, known: set | frozenset = frozenset()) -> dict:
        """``{source: start}``: where the first rendering of each term whose source is not in
        ``known`` occurs in ``text`` (as :meth:`find_renderings` finds them). The patterns of the
        other terms are searched only when one of these terms' patterns matches: a rendering of a
        known term can hide (overlap) one of theirs, never make one. Both are searched only when
        the word each requires ends a word of the text (:meth:`_present`: one search over the text
        reversed, instead of a substring search per word); the others cannot match."""
        _, _, tgt, _ = self._compiled()
        folded = fold_arabic(text) if folded is None else folded
        terms = self.terms
        present = self._present(folded)
        fresh = [p for w, patterns in self._unknown_by_word(known) if not w or w in present for p in patterns]
        out: dict = {}
        if fresh and self._find(fresh, text, folded, present):
            for s, _, i in self._find(tgt, text, folded, present):
                if terms[i].source not in known:
                    out.setdefault(terms[i].source, s)
        return out

    def _unknown_by_word(self, known) -> list:
        """``[(word, patterns)]``: the rendering patterns of the terms whose source is not in
        ``known``, by the word each requires ("": none); remembered per set of known terms."""
        key = frozenset(known)
        cache = getattr(self, "_unknown", None)
        if cache is None or cache[0] != len(self.terms) or len(cache[1]) > 256:
            cache = self._unknown = (len(self.terms), {})
        got = cache[1].get(key)
        if got is None:
            terms = self.terms
            got = [(w, kept) for w, patterns in self._renderings_by_word().items()
                   if (kept := [p for p in patterns if terms[p[1]].source not in key])]
            cache[1][key] = got
        return got

    def _renderings_by_word(self) -> dict:
        """The rendering patterns of :meth:`_compiled` by the word each requires ("": none)."""
        cache = getattr(self, "_by_word", None)
        if cache is None or cache[0] != len(self.terms):
            by_word: dict = {}
            for p in self._compiled()[2]:
                by_word.setdefault(p[2] or "", []).append(p)
            cache = self._by_word = (len(self.terms), by_word)
        return cache[1]

    def _present(self, folded: str) -> set:
        """The words required by the target and avoid patterns that occur in ``folded`` where a
        pattern can match: followed by no word character (every match ends so, see
        :func:`_required`). A required word made of word characters then ends a run of them: one
        search over the text reversed (:func:`_ending_words`) finds, at the end of each run, the
        longest such word, and the others that end it are its suffixes; the few other words are
        searched for one by one."""
        cache = getattr(self, "_required", None)
        if cache is None or cache[0] != len(self.terms):
            _, _, tgt, bad = self._compiled()
            words = {p[2] for p in tgt + bad if p[2]}
            plain = {w for w in words if _WORD_RUN.fullmatch(w)}
            ending = {w: {v for v in plain if w.endswith(v)} for w in plain}
            others: dict = {}  # by first character: one search for it, then the words that start with it
            for w in sorted(words - plain):
                others.setdefault(w[0], []).append(w)
            cache = self._required = (len(self.terms), others, _ending_words(plain), ending)
        _, others, rx, ending = cache
        present = {w for c, ws in others.items() if c in folded for w in ws if w in folded}
        if rx is not None:
            backwards = folded[::-1]
            found = set(rx[1].findall(backwards))
            first = rx[0].match(backwards)
            if first:
                found.add(first.group())
            for w in found:
                present |= ending[w[::-1]]
        return present

    def find_avoided(self, text: str, patterns: list | None = None) -> list[TermMatch]:
        """Known mistranslations (a term's ``avoid`` list) in ``text`` (``patterns``: only those of
        :meth:`avoided_in` a longer text that holds ``text``)."""
        bad = self._compiled()[3] if patterns is None else patterns
        folded = fold_arabic(text)
        return [TermMatch(self.terms[i], s, e, text[s:e]) for s, e, i in self._find(bad, text, folded)]

    def avoided_in(self, text: str, folded: str | None = None) -> list:
        """The patterns of known mistranslations that may occur in ``text`` or any part of it
        (for :meth:`find_avoided` on its parts); empty when none can."""
        folded = fold_arabic(text) if folded is None else folded
        return [p for p in self._compiled()[3] if p[2] in folded]

    def term_for(self, word: str) -> Term | None:
        """The entry whose source form is exactly ``word`` (by its case rule); the last one
        defined wins."""
        cache = getattr(self, "_forms", None)
        if cache is None or cache[0] != len(self.terms):
            exact: dict[str, int] = {}
            folded: dict[str, int] = {}
            for i, t in enumerate(self.terms):
                for f in t.forms:
                    if t.case == "exact":
                        exact[f] = i
                    else:
                        folded[f.casefold()] = i
            cache = self._forms = (len(self.terms), exact, folded)
        i = max(cache[1].get(word, -1), cache[2].get(word.casefold(), -1))
        return self.terms[i] if i >= 0 else None

    def to_dict(self) -> dict:
        return {"names": self.names, "terms": len(self.terms)}


# ---------------------------------------------------------------- loading


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESETS.glob("*.toml"))


def _fail(path, line: int | None, msg: str):
    where = f"{path}:{line}" if line else str(path)
    raise MtfixError(f"{where}: {msg}")


def _check_text(path, line, what: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(path, line, f"{what} must be a non-empty string")
    if "\n" in value or "\t" in value:
        _fail(path, line, f"{what} must be on one line")
    return value.strip()


def _make_term(path, line, d: dict, name: str) -> Term:
    source = _check_text(path, line, "source", d.get("source"))
    target = _check_text(path, line, "target", d.get("target"))
    lists = {}
    for key in ("aliases", "variants", "avoid"):
        v = d.get(key, [])
        if isinstance(v, str):
            v = [x for x in v.split("|") if x.strip()]
        if not isinstance(v, list):
            _fail(path, line, f"{key} must be a list of strings")
        lists[key] = tuple(_check_text(path, line, key, x) for x in v)
    first = d.get("first")
    if first is not None and first != "":
        first = _check_text(path, line, "first", first)
    case = d.get("case") or _default_case(source)
    if case not in _CASES:
        _fail(path, line, f"case must be one of {', '.join(_CASES)}, not {case!r}")
    origin = d.get("from", "")
    if not isinstance(origin, str):
        _fail(path, line, "from must be a string")
    return Term(source, target, lists["aliases"], first or None, lists["variants"], lists["avoid"], case,
                origin.strip(), name)


def _read(path: Path) -> str:
    from mtfix.text.read import read_text

    text = read_text(path)
    if not text.strip():
        _fail(path, None, "is empty; expected glossary entries")
    return text


def _load_toml(path: Path, text: str) -> Glossary:
    try:
        data = toml_loads(text)
    except ValueError as e:  # TOMLDecodeError, or a whole number of over 4300 digits
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e)) or "invalid TOML"
        _fail(path, int(m.group(1)) if m else None, f"not valid TOML: {msg}")
    lines = text.split("\n")
    starts = [i + 1 for i, l in enumerate(lines) if l.strip().startswith("[[term]]")]
    unknown_top = set(data) - {"glossary", "term"}
    if unknown_top:
        _fail(path, None, f"unknown table(s) {sorted(unknown_top)}; expected [glossary] and [[term]]")
    meta = data.get("glossary", {})
    if not isinstance(meta, dict):
        _fail(path, None, f"[glossary] must be a table, not {meta!r}")
    name = meta.get("name") if isinstance(meta.get("name"), str) else path.stem
    entries = data.get("term", [])
    if not isinstance(entries, list) or not entries:
        _fail(path, None, "no [[term]] entries")
    terms = []
    for k, d in enumerate(entries):
        line = starts[k] if k < len(starts) else None
        if not isinstance(d, dict):
            _fail(path, line, f"each term must be a [[term]] table, not {d!r}")
        extra = set(d) - _TOML_KEYS
        if extra:
            _fail(path, line, f"unknown key(s) {sorted(extra)} in [[term]]; known: {', '.join(sorted(_TOML_KEYS))}")
        terms.append(_make_term(path, line, d, name))
    return Glossary(terms, [name])


def _load_tsv(path: Path, text: str) -> Glossary:
    terms = []
    for n, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if [c.strip().lower() for c in cells[:2]] == ["source", "target"]:
            continue  # header
        if len(cells) < 2:
            _fail(path, n, "expected source<TAB>target (at least two tab-separated columns)")
        if len(cells) > len(_TSV_COLUMNS):
            _fail(path, n, f"{len(cells)} columns; at most {len(_TSV_COLUMNS)}: {', '.join(_TSV_COLUMNS)}")
        d = {k: v.strip() for k, v in zip(_TSV_COLUMNS, cells) if v.strip()}
        d.setdefault("source", "")
        d.setdefault("target", "")
        terms.append(_make_term(path, n, d, path.stem))
    if not terms:
        _fail(path, None, "no entries")
    return Glossary(terms, [path.stem])


def load_glossary(spec: str | Path) -> Glossary:
    """A glossary from a ``.toml``/``.tsv`` file, or a shipped preset by name (e.g. ``news-ar``)."""
    spec_s = str(spec)
    if not spec_s.strip():
        raise MtfixError(f"an empty glossary name; give a .toml or .tsv file or a preset ({', '.join(preset_names())})")
    path = Path(spec_s).expanduser()
    if not path.exists() and "/" not in spec_s and not path.suffix:
        preset = PRESETS / f"{spec_s}.toml"
        if preset.is_file():
            return _load_toml(preset, preset.read_text(encoding="utf-8"))
        _fail(spec_s, None, f"no such glossary file or preset (presets: {', '.join(preset_names()) or 'none'})")
    if path.is_dir():
        _fail(spec_s, None, "is a folder, expected a .toml or .tsv glossary")
    text = _read(path)
    fmt = {".toml": "toml", ".tsv": "tsv", ".txt": "tsv", ".tab": "tsv"}.get(path.suffix.lower()) or _sniff(text)
    if fmt == "toml":
        return _load_toml(path, text)
    if fmt == "tsv":
        return _load_tsv(path, text)
    _fail(spec_s, None, "neither its name (.toml, .tsv) nor its content says its format: a TOML glossary has "
                        "[[term]] tables, a TSV glossary source<TAB>target lines")
    raise AssertionError  # unreachable


def _sniff(text: str) -> str | None:
    """The format of a glossary whose name does not say it (``-g <(cmd)``: ``/dev/fd/63``; a file without
    an extension), from its first line that is not blank or a comment: ``[`` opens a TOML table
    (``[glossary]``, ``[[term]]``), a tab separates a TSV entry's columns; None for anything else."""
    for line in text.splitlines():
        line = line.strip(" \ufeff")
        if not line or line.startswith("#"):
            continue
        return "toml" if line.startswith("[") else "tsv" if "\t" in line else None
    return None


def load_glossaries(specs=(), *, default: bool = True) -> Glossary:
    """The default preset (when ``default``) with each of ``specs`` laid over it, in order."""
    g = load_glossary(DEFAULT_GLOSSARY) if default else Glossary()
    for s in specs or ():
        g = g.merged(load_glossary(s))
    return g
