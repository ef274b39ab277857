"""A bilingual Arabic-English word lexicon from the FreeDict dictionaries.

The dictionaries are not shipped with mtfix (they are GPL-2.0-or-later, mtfix
is Apache-2.0): they are read where Debian installs them,

    apt-get install dict-freedict-ara-eng dict-freedict-eng-ara

(``/usr/share/dictd/freedict-{ara-eng,eng-ara}.{index,dict.dz}``, the dictd
format: a tab-separated index of ``headword, offset, length`` in base64 and a
dictzip (gzip-compatible) body). ``MTFIX_DICT_DIR`` or an explicit directory
points elsewhere. :func:`load_lexicon` returns ``None`` when neither file is
there, and callers degrade (see :class:`mtfix.corpus.align.AlignFilter`).
Building the lexicon takes seconds, so it is built once and kept in
``$XDG_CACHE_HOME/mtfix/lexicon-<hash>.marshal`` (the hash covers the
dictionary files, this module, the normalisation folds, PyStemmer and Python),
with its :class:`LexiconIndex` (integer ids and arrays, for whole chunks):
every later process reads both in a few hundredths of a second.

Words on both sides are reduced to stems so that inflected and cliticised
forms meet: English with the Snowball English stemmer (PyStemmer), Arabic
with the Snowball Arabic stemmer after the ``arabic`` normalisation profile's
letter folds (hamza/alef, yeh, diacritics, tatweel), the conjunctions و/ف
and the article and prepositions (ال ب ل ك) stripped, and ة/ه folded.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Lexicon", "LexiconIndex", "Memo", "load_lexicon", "dictionary_dir", "arabic_stem", "english_stem",
           "arabic_words", "english_words", "arabic_stems", "english_stems", "arabic_fold", "DICT_FILES",
           "DEBIAN_PACKAGES", "missing_dictionary"]

DEFAULT_DIRS = ("/usr/share/dictd",)
DICT_FILES = ("freedict-ara-eng", "freedict-eng-ara")
DEBIAN_PACKAGES = ("dict-freedict-ara-eng", "dict-freedict-eng-ara")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

#: function words: carry no meaning across a pair (matched by anything, they would blur the signal)
EN_STOP = frozenset("""a an the of to in on at by for with from as into onto about over under and or but nor
not no so than then that this these those there here it its is are was were be been being am do does did
has have had having he she they we you i me him her them us my your his our their who whom whose which what
when where why how all any some each every both either neither one also very more most much many such only
just can could may might must shall should will would s t up out off if while after before since until
""".split())
AR_STOP = frozenset("""في من على إلى الى عن مع أن ان إن أو او ثم قد لقد لا لم لن ما هذا هذه ذلك تلك التي الذي الذين
كان كانت يكون تكون هو هي هم هن نحن أنا انت كل بعض غير بين عند حتى كما إذا اذا لكن لكن أي اي وقد وكان وهو
وهي وفي ومن وعلى وإلى وأن وان ولا ولم فقد فإن بأن بان لأن لان أيضا ايضا منذ خلال حيث قبل بعد تم
""".split())

_AR_TOKEN = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u064B-\u065F\u0670\u0640]+")
_EN_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "لل", "ال")


@functools.lru_cache(maxsize=1)
def _stemmers():
    import Stemmer  # PyStemmer: the Snowball stemmers in C

    stemmers = Stemmer.Stemmer("english"), Stemmer.Stemmer("arabic")
    for s in stemmers:  # without PyStemmer's own cache: the words come here once each (the memos above),
        s.maxCacheSize = 0  # and filling it costs twice the stemming (31 -> 11 ms for a 10k run's new words)
    return stemmers


@functools.lru_cache(maxsize=1)
def _fold():
    """The ``arabic`` normalisation profile: its folds composed into one ``str.translate``, each
    mapping one character (none maps a line break, so a batch of words folds as one text)."""
    from mtfix.text.normalize import get_profile

    return get_profile("arabic")


def arabic_fold(text: str) -> str:
    """``text`` with the ``arabic`` profile's letter folds (hamza/alef, yeh, diacritics, tatweel)."""
    return _fold()(text)


@functools.lru_cache(maxsize=200_000)
def english_stem(word: str) -> str:
    return _stemmers()[0].stemWord(word.lower())


@functools.lru_cache(maxsize=200_000)
def arabic_stem(word: str) -> str:
    """Light stem of one Arabic word: clitics stripped, letters folded, Snowball stem."""
    w = _strip(_fold()(word))
    s = _fold()(_stemmers()[1].stemWord(w))
    return s if len(s) >= 2 else w


def _strip(w: str) -> str:
    """A folded Arabic word without its conjunction, article or preposition (what is stemmed)."""
    if len(w) > 4 and w[0] in "وف" and any(w[1:].startswith(p) for p in _PREFIXES):
        w = w[1:]
    for p in _PREFIXES:
        if w.startswith(p) and len(w) - len(p) >= 2:
            return w[len(p):]
    return w


# _strip on many words at once, one per line: the conjunction before a prefix of a word of 5 or more
# letters, then the first prefix (in _PREFIXES' order) that leaves at least 2 letters
_CONJUNCTION = re.compile("^[وف](?=[^\n]{4})(?=" + "|".join(_PREFIXES) + ")", re.M)
_PREFIX = re.compile("^(?:" + "|".join(p + "(?=[^\n]{2})" for p in _PREFIXES) + ")", re.M)


def _strip_lines(words: list[str]) -> list[str]:
    """``[_strip(w) for w in words]`` (words without line breaks), by two regular expressions over
    the words joined, not a loop of Python per word."""
    joined = _PREFIX.sub("", _CONJUNCTION.sub("", "\n".join(words)))
    got = joined.split("\n")
    return got if len(got) == len(words) else list(map(_strip, words))


def english_words(text: str) -> list[str]:
    """Content words of an English text (lower case, no function words)."""
    return [w for w in (t.lower() for t in _EN_TOKEN.findall(text)) if len(w) > 1 and w not in EN_STOP]


@functools.lru_cache(maxsize=200_000)
def _is_arabic_content(word: str) -> bool:
    return len(word) > 1 and word not in AR_STOP and _fold()(word) not in _AR_STOP_FOLDED()


@functools.lru_cache(maxsize=1)
def _AR_STOP_FOLDED() -> frozenset:  # noqa: N802 - a constant, built on first use
    return frozenset(map(_fold(), AR_STOP))


def arabic_words(text: str) -> list[str]:
    """Content words of an Arabic text (no function words)."""
    return [w for w in _AR_TOKEN.findall(text) if _is_arabic_content(w)]


class Memo(dict):
    """key -> ``make(key)``: ``memo[key]`` computes a key once; cleared when it holds ``MAX`` keys
    (memory stays bounded). Here: token -> stem of a content word, or None (a function word)."""

    MAX = 200_000

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        if len(self) >= self.MAX:
            self.clear()
        got = self[key] = self.make(key)
        return got

    def put(self, items: dict) -> None:
        """Keys with values made elsewhere (as ``make`` would): cleared first when they would not
        fit under ``MAX`` (so at most ``MAX`` keys, or one batch when a batch is larger)."""
        if len(self) + len(items) > self.MAX:
            self.clear()
        self.update(items)


def _english_content_stem(token: str) -> str | None:
    w = token.lower()
    return english_stem(w) if len(w) > 1 and w not in EN_STOP else None


def _arabic_content_stem(token: str) -> str | None:
    return arabic_stem(token) if _is_arabic_content(token) else None


_EN_STEMS = Memo(_english_content_stem)
_AR_STEMS = Memo(_arabic_content_stem)


_ABSENT = object()


def _new_tokens(memo: Memo, tokens) -> tuple[dict, list]:
    """``({token: memo value}`` of the tokens ``memo`` has, ``[the others]``)."""
    values = list(map(memo.get, tokens, itertools.repeat(_ABSENT)))
    got = {t: v for t, v in zip(tokens, values) if v is not _ABSENT}
    return got, [t for t, v in zip(tokens, values) if v is _ABSENT]


def _english_token_stems(tokens) -> dict:
    """``{token: _EN_STEMS[token]}``, the tokens not seen before stemmed in one call."""
    got, todo = _new_tokens(_EN_STEMS, tokens)
    if todo:
        words = _lines(str.lower, todo)
        content = list(dict.fromkeys(w for w in words if len(w) > 1 and w not in EN_STOP))
        stems = dict(zip(content, _stemmers()[0].stemWords(content)))
        made = dict(zip(todo, map(stems.get, words)))
        _EN_STEMS.put(made)
        got.update(made)
    return got


def _lines(fold, words: list[str]) -> list[str]:
    """``[fold(w) for w in words]`` by one call on the words joined by line breaks (``fold`` maps
    each character on its own, never to or from a line break)."""
    got = fold("\n".join(words)).split("\n")
    return got if len(got) == len(words) and words else [fold(w) for w in words]


def _arabic_token_stems(tokens) -> dict:
    """``{token: _AR_STEMS[token]}``, the tokens not seen before stemmed in one call."""
    got, todo = _new_tokens(_AR_STEMS, tokens)
    if todo:
        fold, stop = _fold(), _AR_STOP_FOLDED()
        folded = _lines(fold, todo)
        content = [k for k, (t, f) in enumerate(zip(todo, folded)) if len(t) > 1 and t not in AR_STOP and f not in stop]
        bare = _strip_lines([folded[k] for k in content])
        distinct = list(dict.fromkeys(bare))  # tokens with and without clitics or marks share one
        stem_of = dict(zip(distinct, _lines(fold, _stemmers()[1].stemWords(distinct))))
        stems = dict.fromkeys(range(len(todo)))
        for k, w in zip(content, bare):
            s = stem_of[w]
            stems[k] = s if len(s) >= 2 else w
        made = dict(zip(todo, stems.values()))
        _AR_STEMS.put(made)
        got.update(made)
    return got


def english_stems(text: str) -> set[str]:
    """``{english_stem(w) for w in english_words(text)}``, each token looked up once."""
    stems = set(map(_EN_STEMS.__getitem__, _EN_TOKEN.findall(text)))
    stems.discard(None)
    return stems


def arabic_stems(text: str) -> set[str]:
    """``{arabic_stem(w) for w in arabic_words(text)}``, each token looked up once."""
    stems = set(map(_AR_STEMS.__getitem__, _AR_TOKEN.findall(text)))
    stems.discard(None)
    return stems


def dictionary_dir(path: str | os.PathLike | None = None) -> Path | None:
    """Where the FreeDict files are: ``path``, else ``$MTFIX_DICT_DIR`` when set, else Debian's
    dictd folder; None when that place has none of them."""
    env = os.environ.get("MTFIX_DICT_DIR")
    candidates = [path] if path else [env] if env else list(DEFAULT_DIRS)
    for c in candidates:
        if c and any((Path(c) / f"{name}.index").is_file() for name in DICT_FILES):
            return Path(c)
    return None


def missing_dictionary(path: str | os.PathLike | None = None) -> str:
    """Where :func:`dictionary_dir` looked and what it did not find there, in words (for the note
    of a run without a dictionary): ``path``, else ``$MTFIX_DICT_DIR``, else Debian's folder."""
    env = os.environ.get("MTFIX_DICT_DIR")
    folders = [str(path)] if path else [env] if env else list(DEFAULT_DIRS)
    where = folders[0] if path else f"MTFIX_DICT_DIR={env}" if env else " or ".join(DEFAULT_DIRS)
    present = sorted(p.name for f in folders for name in DICT_FILES
                     for p in (Path(f) / f"{name}.index", Path(f) / f"{name}.dict.dz") if p.is_file())
    found = ("no such folder" if not any(Path(f).is_dir() for f in folders) else
             f"it holds only {', '.join(present)}" if present else "it holds neither")
    apt = f"apt-get install {' '.join(DEBIAN_PACKAGES)}"
    fix = ("set dictionary to the folder that holds them" if path else
           f"point MTFIX_DICT_DIR at the folder that holds them, or unset it and {apt}" if env else
           f"{apt}, or set MTFIX_DICT_DIR to the folder that holds them")
    wanted = " or ".join(f"{name}.index with its .dict.dz" for name in DICT_FILES)
    return f"no FreeDict dictionary in {where} (it needs {wanted}; {found}): {fix}"


def _b64(s: str) -> int:
    n = 0
    for ch in s:
        n = n * 64 + _B64.index(ch)
    return n


def _entries(index: Path, body: Path):
    """(headword, [translations]) of one dictd dictionary."""
    import gzip  # only to build the lexicon (its disk cache is read without it)

    with gzip.open(body, "rb") as f:
        data = f.read()
    for line in index.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0].startswith("00database"):
            continue
        off, size = _b64(parts[1]), _b64(parts[2])
        lines = data[off:off + size].decode("utf-8", "replace").splitlines()
        senses = []
        for sense in lines[1:]:
            sense = re.sub(r"^\s*\d+\.\s*", "", sense).split(" - ")[0]
            senses += [s.strip() for s in re.split(r"[,;،؛]", sense) if s.strip()]
        yield parts[0], senses


@dataclass
class Lexicon:
    """Arabic stem -> English stems (and back), from dictionary entries of up to three content words.

    A lexicon read from the disk cache has its :class:`LexiconIndex` at once and reads ``ar_en``
    and ``en_ar`` (sets of strings: most of its memory and reading time) on first use only: a
    corpus run asks the index alone."""

    ar_en: dict[str, set[str]] = field(default_factory=dict)
    en_ar: dict[str, set[str]] = field(default_factory=dict)
    source: str = ""

    def __getattr__(self, name: str):
        """``ar_en`` / ``en_ar`` of a lexicon read from the cache, read when first asked for."""
        read = self.__dict__.get("_read_dicts")
        if name not in ("ar_en", "en_ar") or read is None:
            raise AttributeError(name)
        self.ar_en, self.en_ar = read()
        del self.__dict__["_read_dicts"]
        return self.__dict__[name]

    def add(self, arabic: str, english: str) -> None:
        ar = {arabic_stem(w) for w in arabic_words(arabic)}
        en = {english_stem(w) for w in english_words(english)}
        if not ar or not en or len(ar) > 3 or len(en) > 3:
            return
        for a in ar:
            self.ar_en.setdefault(a, set()).update(en)
        for e in en:
            self.en_ar.setdefault(e, set()).update(ar)

    def __len__(self) -> int:
        return len(self.ar_en)

    def index(self) -> "LexiconIndex":
        """The lexicon as integer ids and arrays (built on first use; the lexicon must not change
        after that)."""
        got = self.__dict__.get("_index")
        if got is None:
            got = self.__dict__["_index"] = LexiconIndex(self)
        return got


class LexiconIndex:
    """A :class:`Lexicon` for whole chunks of text: each stem with a translation has an id
    (``en_ids``, ``ar_ids``), the English-to-Arabic translations are arrays (``en_ptr``,
    ``en_to_ar``: the Arabic ids of English id ``e`` are ``en_to_ar[en_ptr[e]:en_ptr[e + 1]]``),
    and ``english[run]`` / ``arabic[run]`` is the id of the one known stem among the content words
    of a run of word characters, -1 for none, -2 for several (then see :meth:`all_ids`); each run
    is computed once, memory bounded as in :class:`Memo` (``english_utf8`` / ``arabic_utf8``: the
    same ids by the runs' UTF-8 bytes, :meth:`ids_of_utf8`; ``packed``: by the runs packed as
    integers, :meth:`ids_of_packed`)."""

    def __init__(self, lexicon: Lexicon, arrays: tuple | None = None):
        """``arrays``: :meth:`arrays` of this lexicon's index, as kept in the disk cache (else
        built: a tenth of a second)."""
        import numpy as np

        if arrays is None:
            ar_keys = [a for a, t in lexicon.ar_en.items() if t]
            en_keys = [e for e, t in lexicon.en_ar.items() if t]
            get, flat, counts = {a: i for i, a in enumerate(ar_keys)}.get, [], []
            for e in en_keys:
                found = [x for x in map(get, lexicon.en_ar[e]) if x is not None]
                flat += found
                counts.append(len(found))
            ptr = np.zeros(len(counts) + 1, np.int64)
            np.cumsum(counts, out=ptr[1:])
            arrays = ar_keys, en_keys, ptr.tobytes(), np.array(flat, np.int64).tobytes()
        ar_keys, en_keys, ptr, to_ar = arrays
        self._arrays = arrays
        self.ar_ids = ar_ids = dict(zip(ar_keys, range(len(ar_keys))))
        self.en_ids = en_ids = dict(zip(en_keys, range(len(en_keys))))
        self.en_ptr, self.en_to_ar = np.frombuffer(ptr, np.int64), np.frombuffer(to_ar, np.int64)
        inside = not len(self.en_to_ar) or (self.en_to_ar.min() >= 0 and self.en_to_ar.max() < len(ar_ids))
        if len(self.en_ptr) != len(en_ids) + 1 or not inside or self.en_ptr[-1] != len(self.en_to_ar):
            raise ValueError("a lexicon index of another lexicon")
        self.english = Memo(functools.partial(self._ids, en_ids, english_stems))
        self.arabic = Memo(functools.partial(self._ids, ar_ids, arabic_stems))
        self.english_utf8, self.arabic_utf8 = Memo(None), Memo(None)  # the same, keyed by UTF-8 bytes
        #: {arabic: (sorted packed runs, their ids)} (:meth:`ids_of_packed`)
        self.packed = {k: (np.zeros(0, np.uint64), np.zeros(0, np.int64)) for k in (False, True)}

    def arrays(self) -> tuple:
        """(Arabic stems, English stems, in id order; ``en_ptr``, ``en_to_ar`` as bytes): what
        rebuilds this index (``LexiconIndex(lexicon, arrays)``), for the disk cache."""
        return self._arrays

    def _ids(self, ids: dict, stems_of, run: str) -> int:
        found = {ids[s] for s in stems_of(run) if s in ids}
        if len(found) <= 1:
            return found.pop() if found else -1
        return -2

    def ids_of(self, runs: list[str], arabic: bool = False) -> list[int]:
        """``[self.english[run] for run in runs]`` (``arabic``: ``self.arabic``), the runs not
        seen before computed together: their new tokens stemmed in one call of the stemmer."""
        memo = self.arabic if arabic else self.english
        got = list(map(memo.get, runs))  # None: not seen yet (an id is an int)
        if None in got:
            made = self._made(list(dict.fromkeys(r for r, g in zip(runs, got) if g is None)), arabic)
            memo.put(made)
            got = list(map(made.get, runs, got))
        return got

    def ids_of_utf8(self, runs: list[bytes], arabic: bool = False):
        """:meth:`ids_of` of runs given as UTF-8 bytes (:func:`mtfix.text.columns.analyse`), as a numpy
        array, memoised by those bytes: a run seen before is one dictionary look-up, and only a
        new one is decoded."""
        import numpy as np

        memo = self.arabic_utf8 if arabic else self.english_utf8
        got = np.fromiter(map(memo.get, runs, itertools.repeat(-3)), np.int64, len(runs))  # -3: not seen yet
        new = np.flatnonzero(got == -3)
        if len(new):
            runs_new = list(dict.fromkeys([runs[k] for k in new.tolist()]))
            made = dict(zip(runs_new, self._made([r.decode("utf-8") for r in runs_new], arabic).values()))
            memo.put(made)
            got[new] = np.fromiter(map(made.__getitem__, [runs[k] for k in new.tolist()]), np.int64, len(new))
        return got

    def ids_of_packed(self, keys, unpack, arabic: bool = False):
        """:meth:`ids_of` of runs packed into nonzero 64-bit integers (:func:`mtfix.text.columns.analyse`;
        ``unpack(keys)`` gives their texts), as a numpy array: the runs seen before are found in a
        sorted array of their keys (numpy), and only new ones are unpacked and stemmed."""
        import numpy as np

        known, ids = self.packed[arabic]
        at = np.minimum(np.searchsorted(known, keys), max(len(known) - 1, 0))
        found = known[at] == keys if len(known) else np.zeros(len(keys), bool)
        got = np.where(found, ids[at] if len(known) else 0, -3)
        new = np.flatnonzero(~found)
        if len(new):
            fresh = np.unique(keys[new])
            made = np.fromiter(self._made(unpack(fresh), arabic).values(), np.int64, len(fresh))
            got[new] = made[np.searchsorted(fresh, keys[new])]
            if len(known) + len(fresh) > Memo.MAX:  # memory bounded as the memos are
                known, ids = known[:0], ids[:0]
            at = np.searchsorted(known, fresh)
            self.packed[arabic] = np.insert(known, at, fresh), np.insert(ids, at, made)
        return got

    def _made(self, new: list[str], arabic: bool) -> dict:
        """``{run: id}`` of distinct runs, computed together: their tokens stemmed in one call."""
        ids = self.ar_ids if arabic else self.en_ids
        # an Arabic run (mtfix.text.columns: the characters of _AR_TOKEN) is one token, and so
        # is an English one without an apostrophe; the others are tokenised
        apostrophe = set() if arabic else {r for r in new if "'" in r or "’" in r}
        single = [r for r in new if r and r not in apostrophe]
        several = [(r, _EN_TOKEN.findall(r) if r else []) for r in new if not r or r in apostrophe]
        stems = (_arabic_token_stems if arabic else _english_token_stems)(
            [*single, *(t for _, ts in several for t in ts)])
        get = ids.get
        made = {r: -1 if s is None else get(s, -1) for r, s in zip(single, map(stems.__getitem__, single))}
        for run, ts in several:
            found = {ids[s] for s in map(stems.__getitem__, ts) if s is not None and s in ids}
            made[run] = (found.pop() if found else -1) if len(found) <= 1 else -2
        return {r: made[r] for r in new}

    def all_ids(self, run: str, arabic: bool = False) -> tuple:
        """The ids of every known stem among the content words of ``run`` (for the runs with several)."""
        ids, stems_of = (self.ar_ids, arabic_stems) if arabic else (self.en_ids, english_stems)
        return tuple(sorted({ids[s] for s in stems_of(run) if s in ids}))


def _dict_files(directory: str) -> list[tuple[str, Path, Path]]:
    """``(name, index, body)`` of each FreeDict dictionary present in ``directory``."""
    out = []
    for name in DICT_FILES:
        index, body = Path(directory) / f"{name}.index", Path(directory) / f"{name}.dict.dz"
        if index.is_file() and body.is_file():
            out.append((name, index, body))
    return out


def _build(directory: str, files) -> Lexicon:
    lex = Lexicon()
    for name, index, body in files:
        arabic_first = name.startswith("freedict-ara")
        for head, senses in _entries(index, body):
            for sense in senses:
                lex.add(head, sense) if arabic_first else lex.add(sense, head)
    lex.source = f"{directory} ({', '.join(name for name, _, _ in files)})"
    return lex


def _cache_path(directory: str, files) -> Path:
    """Where the lexicon built from ``files`` is kept: ``$XDG_CACHE_HOME/mtfix/`` (as the
    translation cache), named by a hash of what it depends on: the dictionary files (path, size,
    modification time), this module and the normalisation folds (the stemming), PyStemmer (its
    compiled module's path, size and modification time: no package metadata to read) and Python's
    version (the ``marshal`` format)."""
    import Stemmer

    from mtfix.text import diskcache, normalize

    stamps = [directory]
    for f in [Path(Stemmer.__file__)] + [f for _, index, body in files for f in (index, body)]:
        st = f.stat()
        stamps.append((str(f.resolve()), st.st_size, st.st_mtime_ns))
    key = diskcache.source_hash((__file__, normalize.__file__), (1, tuple(stamps)))
    return diskcache.cache_dir() / f"lexicon-{key}.marshal"


def _read_cached(path: Path, build=None) -> Lexicon | None:
    """The lexicon of a cache file: its source and index (the file's first object) now, its two
    dicts (the second) when first used (:meth:`Lexicon.__getattr__`); ``build()`` makes the
    lexicon afresh should the file be gone or damaged by then."""
    import marshal

    try:
        source, arrays, at = marshal.loads(_mapped(path))
        if not isinstance(source, str) or not isinstance(at, int):
            return None
        lex = Lexicon.__new__(Lexicon)
        lex.source = source
        lex.__dict__["_index"] = LexiconIndex(lex, arrays)
    except (OSError, ValueError, EOFError, TypeError):  # absent, unreadable or damaged: built again
        return None

    def read_dicts():
        try:
            ar_en, en_ar = marshal.loads(memoryview(_mapped(path))[at:])
            if isinstance(ar_en, dict) and isinstance(en_ar, dict):
                return ar_en, en_ar
        except (OSError, ValueError, EOFError, TypeError):
            pass
        if build is None:
            raise ValueError(f"the lexicon cache {path} went or was damaged while in use")
        fresh = build()  # the file went or was damaged since: built again
        return fresh.ar_en, fresh.en_ar

    lex.__dict__["_read_dicts"] = read_dicts
    return lex


def _mapped(path: Path):
    """The bytes of ``path``, memory-mapped (read-only): ``marshal.loads`` reads the objects it
    needs from them, where ``marshal.load`` on a file calls the file's ``readinto`` for every
    object (a third of a one-pair corpus run's instructions, for the lexicon's 63k stems)."""
    import mmap

    with open(path, "rb") as f:
        try:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # empty, or a file system without mmap: read whole
            return f.read()


def _write_cached(path: Path, lex: Lexicon) -> None:
    """Best effort, all or nothing (a temporary file renamed): a cache that cannot be written
    (read-only home, full disk) only means the next process builds the lexicon again. The file
    holds two marshal objects: ``(source, index arrays, offset of the second)``, then
    ``(ar_en, en_ar)``. Once written, the older cache files of the same lexicon (same
    ``source``: dictionary folder and files) that mtfix wrote for other code or dictionary
    versions are removed; those of another lexicon, and anything else, stay."""
    import marshal

    from mtfix.text import diskcache

    def write(f):
        head, at = b"", -1
        while len(head) != at:  # the offset of the second object is in the first: until it holds
            at = len(head)
            head = marshal.dumps((lex.source, lex.index().arrays(), at))
        f.write(head)
        marshal.dump((lex.ar_en, lex.en_ar), f)

    if diskcache.write_atomic(path, write):
        diskcache.remove_older(path, lambda other: _cached_source(other) == lex.source)


def _cached_source(path: Path) -> str | None:
    """The ``source`` of a lexicon cache file (its first object); None when it is not one."""
    import marshal

    try:
        head = marshal.loads(_mapped(path))
    except (OSError, ValueError, EOFError, TypeError):
        return None
    ok = isinstance(head, tuple) and len(head) == 3 and isinstance(head[0], str)
    return head[0] if ok else None


@functools.lru_cache(maxsize=4)
def _load(directory: str) -> Lexicon | None:
    """The lexicon of ``directory``: read from its cache file when there is one for exactly these
    dictionary files and this code (a few hundredths of a second), else built from the dictd
    files (seconds) and cached."""
    files = _dict_files(directory)
    if not files:
        return None
    try:
        cache = _cache_path(directory, files)
    except OSError:
        cache = None
    lex = _read_cached(cache, lambda: _build(directory, files)) if cache is not None else None
    if lex is None:
        lex = _build(directory, files)
        if cache is not None:
            _write_cached(cache, lex)
    return lex


def load_lexicon(path: str | os.PathLike | None = None) -> Lexicon | None:
    """The FreeDict lexicon (cached per process), or None when no dictionary is installed.

    Raises ``OSError``/``ValueError`` for a dictionary that is there but unreadable."""
    d = dictionary_dir(path)
    return None if d is None else _load(str(d))
