"""What flows through a corpus run: input pairs, bad rows, judged records.

A :class:`Pair` is one sentence pair with its provenance (the file it came
from, the 1-based line or dataset row, the document id and the segment index
inside that file or document). Readers yield pairs, or :class:`BadRow` for an
input row that cannot be read (kept for the rejects file under ``--skip-bad``).
The pipeline turns pairs into :class:`Record` (every filter's score, kept or
dropped and why), which serialise to one JSON object per line with a fixed
key order, so a run's output is the same bytes every time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter

__all__ = ["Pair", "BadRow", "FilterScore", "Record", "PROVENANCE", "json_lines"]

#: Provenance columns of every output, after the two text columns and ``original``.
PROVENANCE = ("source", "doc_id", "line", "segment")

#: Characters ``json.dumps(ensure_ascii=False)`` leaves raw that ``str.splitlines`` treats as
#: line breaks; escaped, so that every JSONL reader sees one record per line.
_LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def dumps(obj) -> str:
    """One JSON line: UTF-8 text as is, but no character any reader takes for a line break."""
    text = json.dumps(obj, ensure_ascii=False)
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = text.translate(_LINE_BREAKS)
    return text


@dataclass
class Pair:
    """One sentence pair: ``src`` in the pipeline's source language (English),
    ``tgt`` in its target language (Arabic); ``original`` is the garbled sentence
    a repaired ``tgt`` came from (article mode), else None."""

    src: str
    tgt: str
    source: str = ""  # input file or dataset dir, as given
    line: int = 0  # 1-based line (or dataset row) where the pair starts
    segment: int = 0  # 0-based index of the pair in its file, or of the sentence in its document
    doc_id: str | None = None
    original: str | None = None
    id: int = -1  # 0-based position in the whole input stream (set by the runner)


@dataclass(frozen=True)
class BadRow:
    """An input row that could not be read: where, why, and its raw text."""

    source: str
    line: int  # 1-based; 0 when the whole file (an article) is the problem
    error: str
    raw: str = ""

    def message(self) -> str:
        if self.line:
            return f"{self.source}:{self.line}: {self.error}"
        return self.error if self.error.startswith(self.source) else f"{self.source}: {self.error}"

    def to_json(self) -> str:
        return dumps({"source": self.source, "line": self.line, "error": self.error, "raw": self.raw})


@dataclass(frozen=True)
class FilterScore:
    """One filter's verdict on one pair: ``value`` (in the filter's own unit,
    documented per filter) and a short human ``reason``."""

    value: float
    reason: str

    def __init__(self, value: float, reason: str):
        # the fields set as the generated frozen __init__ sets them (in the instance's dict), without
        # its object.__setattr__ call per field: a corpus run makes one score per pair and filter
        fields = self.__dict__
        fields["value"] = value
        fields["reason"] = reason


def _num(v: float) -> float | int:
    if isinstance(v, bool):
        return int(v)
    if float(v).is_integer() and abs(v) < 2**53:
        return int(v)
    return round(float(v), 4)


@dataclass
class Record:
    """A judged pair: every filter's score, whether it is kept, and why not."""

    pair: Pair
    scores: dict[str, FilterScore] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)  # names of the filters that rejected it, in pipeline order

    @property
    def kept(self) -> bool:
        return not self.failed

    @property
    def reason(self) -> str:
        """``""`` when kept, else ``"<filter>: <reason>"`` for each failing filter, joined by ``; ``."""
        return "; ".join(f"{name}: {self.scores[name].reason}" for name in self.failed)

    def to_dict(self, langs: tuple[str, str]) -> dict:
        p = self.pair
        return {
            "id": p.id,
            langs[0]: p.src,
            langs[1]: p.tgt,
            "original": p.original,
            "source": p.source,
            "doc_id": p.doc_id,
            "line": p.line,
            "segment": p.segment,
            "kept": self.kept,
            "reason": self.reason,
            "scores": {name: _num(s.value) for name, s in self.scores.items()},
        }

    def to_json(self, langs: tuple[str, str]) -> str:
        """``dumps(self.to_dict(langs))``, the same characters, written without the dict (this runs
        for every pair of a corpus)."""
        if langs[0] == langs[1] or not _FIXED.isdisjoint(langs):  # keys that would merge in a dict
            return dumps(self.to_dict(langs))
        p, j = self.pair, _value
        reason = "; ".join(f"{name}: {self.scores[name].reason}" for name in self.failed) if self.failed else ""
        keys, memo = _KEYS, _SCORES
        scores = ", ".join([(keys.get(name) or _key(name)) + (memo.get(s.value) or _score(s.value))
                            for name, s in self.scores.items()])
        text = (f'{{"id": {j(p.id)}, {_key(langs[0])}{j(p.src)}, {_key(langs[1])}{j(p.tgt)}, '
                f'"original": {j(p.original)}, "source": {j(p.source)}, "doc_id": {j(p.doc_id)}, '
                f'"line": {j(p.line)}, "segment": {j(p.segment)}, "kept": {"false" if self.failed else "true"}, '
                f'"reason": {_encode(reason)}, "scores": {{{scores}}}}}')
        if "\x85" in text or "\u2028" in text or "\u2029" in text:
            text = text.translate(_LINE_BREAKS)
        return text


def json_lines(pairs: list[Pair], names: list[str], scores: dict[str, list[FilterScore]],
               failed: list[list[str]], langs: tuple[str, str]) -> list[str]:
    """``Record(pair, {name: scores[name][i]}, failed[i]).to_json(langs)`` for every pair ``i``, the
    same characters, made column by column (a corpus run writes this for every pair): each field's
    JSON text for the whole chunk (``map`` over the column; a column of one value, such as a pair's
    file name, written once), then each line joined from its pieces in C."""
    if not pairs:
        return []
    if langs[0] == langs[1] or not _FIXED.isdisjoint(langs) or len(set(names)) != len(names):
        return [Record(p, {n: scores[n][i] for n in names}, f).to_json(langs) for i, (p, f) in
                enumerate(zip(pairs, failed))]
    n = len(pairs)
    memo = _SCORES
    columns = []
    for name in names:
        key = _KEYS.get(name) or _key(name)
        values = list(map(_VALUE, scores[name]))
        # a score's text by its value (scores repeat); equal values (1, 1.0, True) are written alike
        texts = {v: key + (memo.get(v) or _score(v)) for v in set(values)}
        columns.append(map(texts.__getitem__, values))
    joined = map(", ".join, zip(*columns)) if columns else repeat("", n)
    encode = _encode
    reasons = repeat('true, "reason": ""', n)
    if any(failed):
        reasons = ['true, "reason": ""' if not f else
                   'false, "reason": ' + encode("; ".join([f"{name}: {scores[name][i].reason}" for name in f]))
                   for i, f in enumerate(failed)]
    line = [("{" + _key("id")), None, ", " + _key(langs[0]), map(encode, map(_SRC, pairs)),
            ", " + _key(langs[1]), map(encode, map(_TGT, pairs)), ', "original": ', _column(pairs, _ORIGINAL, n),
            ', "source": ', _column(pairs, _SOURCE, n), ', "doc_id": ', _column(pairs, _DOC_ID, n),
            ', "line": ', _column(pairs, _LINE, n), ', "segment": ', _column(pairs, _SEGMENT, n),
            ', "kept": ', reasons, ', "scores": {', joined, "}}"]
    line[1] = _column(pairs, _ID, n)
    out = list(map("".join, zip(*[repeat(x, n) if x.__class__ is str else x for x in line])))
    text = "\n".join(out)
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        out = [t.translate(_LINE_BREAKS) if "\x85" in t or "\u2028" in t or "\u2029" in t else t for t in out]
    return out


_SRC, _TGT, _ID, _VALUE = attrgetter("src"), attrgetter("tgt"), attrgetter("id"), attrgetter("value")
_ORIGINAL, _SOURCE, _DOC_ID = attrgetter("original"), attrgetter("source"), attrgetter("doc_id")
_LINE, _SEGMENT = attrgetter("line"), attrgetter("segment")


def _column(pairs: list[Pair], field, n: int):
    """The JSON text of a field of every pair: an iterator (one value repeated, or ints, or each
    written by :func:`_value`)."""
    values = list(map(field, pairs))
    kinds = set(map(type, values))
    if kinds == {int}:
        return map(int.__repr__, values)
    first = values[0]
    if values.count(first) == n and (first is None or first.__class__ is str):  # one value (a file name, None)
        return repeat(_value(first), n)
    return map(_value, values)


_FIXED = {"id", "original", "source", "doc_id", "line", "segment", "kept", "reason", "scores"}
_encode = json.encoder.encode_basestring  # json.dumps's own string encoder (ensure_ascii=False)
_INF = float("inf")


def _value(v) -> str:
    """One JSON value exactly as ``json.dumps(v, ensure_ascii=False)`` writes it."""
    cls = v.__class__
    if cls is str:
        return _encode(v)
    if cls is int:
        return int.__repr__(v)
    if v is None:
        return "null"
    if cls is float and -_INF < v < _INF:
        return float.__repr__(v)
    return json.dumps(v, ensure_ascii=False)


def _score(v) -> str:
    """``_value(_num(v))``, the common cases first; remembered (scores repeat: 0, 1, 0.5...).
    A dict takes 1, 1.0 and True for one key: they are written alike ("1")."""
    cls = v.__class__
    if cls is int and -2**53 < v < 2**53:
        text = int.__repr__(v)
    elif cls is float and -2**53 < v < 2**53:
        text = int.__repr__(int(v)) if v.is_integer() else float.__repr__(round(v, 4))
    else:
        return _value(_num(v))
    if len(_SCORES) < 100_000:
        _SCORES[v] = text
    return text


_SCORES: dict = {}
_KEYS: dict[str, str] = {}


def _key(name: str) -> str:
    """A dict key as ``json.dumps`` writes it (memo: a run has a few keys)."""
    got = _KEYS.get(name)
    if got is None:
        got = _KEYS[name] = (_value(name) if isinstance(name, str) else json.dumps({name: 0})[1:-4]) + ": "
    return got
