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
from collections import Counter
from dataclasses import dataclass, field

from mtfix.text.invisibles import find_invisibles
from mtfix.text.lang import script_lang
from mtfix.text.markup import find_damage
from mtfix.text.numbers import find_garbled_numbers, format_value
from mtfix.text.repetition import repetition_report
from mtfix.text.script import detect_script_language, latin_words_in_arabic, script_stats
from mtfix.text.segment import Document, Sentence, segment

__all__ = ["Finding", "CheckReport", "check_text", "check_document"]

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


def _rule_findings(doc: Document, lang: str | None, glossary) -> tuple[list[Finding], dict]:
    """Findings for the fix rules that report themselves; and every edit by span, to mark the
    other findings ``fixable``."""
    from mtfix.text.fix import RULES, FixContext, propose_edits
    from mtfix.text.glossary import Glossary

    ctx = FixContext(doc, lang, glossary if glossary is not None else Glossary())
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
    extra, edits = _rule_findings(doc, lang, glossary)
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
    return CheckReport(doc, lang, findings)


def check_text(text: str, lang: str | None = None, glossary=None) -> CheckReport:
    """Segment ``text`` and lint every sentence; ``lang`` is the expected language (None: detect);
    ``glossary`` (a :class:`~mtfix.text.glossary.Glossary`, optional) adds its terms' checks."""
    return check_document(segment(text, lang), lang, glossary)
