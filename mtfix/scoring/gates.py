"""Hard gates: checks that veto a challenger, whatever its scores.

A weighted score can be outvoted: a loop that the pool agrees on, weighted
0.1, loses 0.1 and wins on consensus. A gate cannot be outvoted. Before the
selector compares totals, every gate looks at every candidate that could
replace the incumbent; a candidate that fails any gate is not eligible, and
the decision says which gate stopped it and why (``gated: loop 'قبل' x47``).
The incumbent itself is never gated: keeping it is always allowed.

Gates compare a challenger with the **reference**: the original sentence
when repairing (``Segment.original``), else the incumbent (``mtfix select``).
Sources that are the text that was translated (``Segment.sources_kind ==
"source"``) may vouch for a number; pivots (machine back-translations) never
do, because a degenerate pivot agrees with the degenerate candidates made
from it.

=========== ==================================================================
gate        a challenger fails when
=========== ==================================================================
loop        it has a repetition loop (across or inside words) the reference
            does not have, ``min_copies`` copies or more, or its share of
            loop-free words is under ``min_score`` and below the reference's
tokens      it contains a tokenizer special or language token the reference
            does not (``__ar__``, ``>>ara<<``, ``arb_Arab``, ``<unk>``,
            ``</s>``, ``▁``, ``<|…|>``, ``[SEP]``, ``<0x0A>``, U+FFFD, …)
script      under ``min_share`` of its letters are in the target script, or
            ``max_drop`` less than the reference's, or (Arabic) more than
            ``max_foreign`` of them are Persian/Urdu-only letters (names
            copied from the translated text, and up to ``max_copied`` of
            its other words, do not count)
length      its length is outside ``min_ratio``-``max_ratio`` times the
            reference's, or (against sources/pivots) outside the same band
            around the corpus's typical reference/source length ratio
numbers     a number of the reference is lost or changed, or one is added
            (digits in any system; the corpus numbers filter's equivalences
            and the MT-garbled forms ``20 ، 000``/``100 ٪`` on either side
            are forgiven, and, as set, a number spelled out on the other
            side, ``three``/``ثلاثة``/``الثالث``, or a time on the hour, ``10:00``/``10``)
entities    (non-Latin targets) a Latin-script name, acronym or code of the
            reference (``SDF``, ``COVID-19``) is neither kept nor found in
            the candidate's back-translation
copy        it is (nearly) a copy of a source or pivot: sentence chrF
            against it at least ``max_chrf``
fidelity    sentence chrF against the reference is below ``min_chrf``:
            without evidence that it says what the reference says, a
            candidate cannot replace it (a reference that is itself a loop
            is no yardstick)
=========== ==================================================================

Each gate is a small class registered by name (:func:`register_gate`), with
its parameters declared in ``PARAMS`` and set, like its ``enabled`` switch, in
the scoring preset's ``[gates.NAME]`` table. The numbers are chosen, not
fitted: see the preset for the reasoning behind each.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import Any, ClassVar, Sequence

from mtfix.errors import MtfixError
from mtfix.params import CHRF, SHARE, Range, set_params
from mtfix.scoring.base import Segment
from mtfix.scoring.facts import Facts, shared_facts
from mtfix.scoring.registry import GATES, register_gate

__all__ = ["Gate", "GateContext", "build_gates", "reference_text", "SPECIAL_TOKEN", "special_tokens"]


@dataclass
class GateContext:
    """What gates may use besides the segment: the target language, when a
    round-trip scorer ran, every candidate's back-translation, and the
    selection's shared per-text analyses (:class:`mtfix.scoring.facts.Facts`)."""

    tgt_lang: str | None = None
    back_translations: dict[str, str] = field(default_factory=dict)
    #: per-text analyses shared with the scorers (chrF, repetition, numbers...), each computed once
    facts: Facts = field(default_factory=Facts)

    def chrf(self, hypothesis: str, reference: str) -> float:
        """Sentence chrF (0-100, :func:`mtfix.metrics.sentence_chrf`'s numbers), each pair computed
        once per selection, most of them in the selection's vectorised pass."""
        return self.facts.chrf(hypothesis, reference)

    def chrf_vs_reference(self, seg: Segment, c: int, reference: str) -> float:
        """Sentence chrF of candidate ``c`` of ``seg`` against ``reference``: the consensus matrix's
        number when ``reference`` is another candidate (one memo holds both)."""
        return self.facts.chrf(seg.candidates[c].text, reference)


class Gate(ABC):
    """One veto. Subclasses set ``name``, ``PARAMS`` and :meth:`check`."""

    name: ClassVar[str] = "?"
    PARAMS: ClassVar[dict[str, tuple[Any, Any, str]]] = {}
    HELP: ClassVar[str] = ""
    #: True for a gate that reads ``GateContext.back_translations``: the selector runs it after the
    #: scorers (the round trip makes them), the others before, so that work on a candidate they stop
    #: can be skipped (see :meth:`needs_back_translation`).
    NEEDS_BACK_TRANSLATIONS: ClassVar[bool] = False

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if "enabled" not in cls.PARAMS:
            cls.PARAMS = {"enabled": (bool, True, "switch this gate on or off"), **cls.PARAMS}

    def __init__(self, **params):
        set_params(self, self.PARAMS, params, f"[gates.{self.name}]")

    def prepare(self, segments: Sequence[Segment], ctx: GateContext) -> None:
        """Corpus-level preparation (e.g. a typical ratio), before :meth:`check`."""

    @abstractmethod
    def check(self, seg: Segment, c: int, ctx: GateContext) -> str | None:
        """Why candidate ``c`` of ``seg`` may not replace the incumbent, or None when it may."""

    def evidence(self, seg: Segment, c: int, ctx: GateContext | None) -> str | None:
        """What passing this gate says in favour of candidate ``c`` (for the decision's reason), if anything."""
        return None

    def needs_back_translation(self, seg: Segment, c: int, ctx: GateContext) -> bool:
        """Whether :meth:`check` of candidate ``c`` could depend on its back-translation (only asked of
        gates with ``NEEDS_BACK_TRANSLATIONS``, after :meth:`prepare`): a candidate that another gate
        stopped is back-translated only when some gate still needs it."""
        return self.NEEDS_BACK_TRANSLATIONS

    def params(self) -> dict:
        return {k: getattr(self, k) for k in self.PARAMS if k != "enabled"}

    def signature(self) -> dict:
        return {"name": self.name, **self.params()}


def reference_text(seg: Segment) -> str:
    """What a challenger is checked against: the original (repair), else the incumbent."""
    if seg.original is not None:
        return seg.original
    return seg.candidates[seg.incumbent if seg.incumbent is not None else 0].text


def reference_name(seg: Segment) -> str:
    """What :func:`reference_text` is, in a reason: ``original`` (repair) or ``incumbent`` (select)."""
    return "original" if seg.original is not None else "incumbent"


def target_lang(segments: Sequence[Segment], ctx: GateContext) -> str | None:
    """The candidates' language: given in ``ctx``, else the majority script of the references."""
    if ctx.tgt_lang is not None:
        return ctx.tgt_lang
    from mtfix.text.script import detect_script_language

    votes = Counter(detect_script_language(reference_text(s)) for s in segments if s.candidates)
    votes.pop(None, None)
    return votes.most_common(1)[0][0] if votes else None


class LanguageGate(Gate):
    """A gate that needs the candidates' language (``self.lang``), fixed by :meth:`prepare`."""

    def __init__(self, **params):
        super().__init__(**params)
        self.lang: str | None = None

    def prepare(self, segments, ctx):
        self.lang = target_lang(segments, ctx)


def _trusted_sources(seg: Segment) -> list[str]:
    return [s for s in seg.sources if s and s.strip()] if seg.sources_kind == "source" else []


# ---------------------------------------------------------------- loop


@register_gate
class LoopGate(Gate):
    name = "loop"
    HELP = "repetition loops (across and inside words) the reference does not have"
    PARAMS = {
        "min_copies": (int, 3, "copies of an n-gram (or of a unit inside a word) that make a loop"),
        "min_score": ((int, float), 0.9, "share of words that are not loop copies a challenger needs"),
    }
    LIMITS = {"min_copies": Range(2), "min_score": SHARE}

    def check(self, seg, c, ctx):
        from mtfix.text.repetition import repetition_report

        cand = ctx.facts.of(repetition_report, seg.candidates[c].text)
        if not cand.repeats:
            return None
        ref = ctx.facts.of(repetition_report, reference_text(seg))
        in_ref = Counter()
        for r in ref.repeats:
            in_ref[r.ngram] = max(in_ref[r.ngram], r.count)
        new = [r for r in cand.repeats if r.count >= self.min_copies and r.count > in_ref.get(r.ngram, 0)]
        if new:
            r = max(new, key=lambda r: (r.count * max(r.n, 1), r.count))
            return f"loop {r.ngram[:30]!r} x{r.count}"
        if cand.score < self.min_score and cand.score < ref.score:
            r = max(cand.repeats, key=lambda r: r.count)
            return f"loop: {100 * (1 - cand.score):.0f}% of the words repeat ({r.ngram[:30]!r} x{r.count})"
        return None


# ---------------------------------------------------------------- tokens

#: Special and language tokens of the tokenizers MT models use: M2M100 ``__ar__``,
#: Marian ``>>ara<<``, NLLB ``arb_Arab``, ``<unk>``/``</s>``/``<pad>``/``<mask>``,
#: ``<|endoftext|>``-style, BERT ``[SEP]``, T5 ``<extra_id_0>``, byte fallback
#: ``<0x0A>``, SentencePiece's ``▁``, the replacement character U+FFFD.
SPECIAL_TOKEN = re.compile(
    r"__[a-z]{2,3}(?:_[A-Za-z]{2,8})?__"
    r"|>>[a-z]{2,3}(?:_[A-Za-z]{2,8})?<<"
    r"|(?<![A-Za-z])[a-z]{3}_(?:Arab|Latn|Cyrl|Hans|Hant|Deva|Grek|Hebr|Jpan|Kore|Thai|Ethi|Beng|Taml|Geor|Armn)(?![A-Za-z])"
    r"|</?(?:s|unk|pad|mask|eos|bos|sep|cls|pad_\w+|unk_\w+)>"
    r"|<\|[^|<>\s]{1,40}\|>"
    r"|\[(?:UNK|PAD|SEP|CLS|MASK|BOS|EOS)\]"
    r"|<extra_id_\d+>|<0x[0-9A-Fa-f]{2}>|<(?:madeupword|lang)[^<>\s]{0,20}>"
    r"|[\u2581\ufffd]",
    re.IGNORECASE,
)


def special_tokens(text: str) -> list[str]:
    """Every tokenizer special-token pattern in ``text``, in order."""
    return [m.group() for m in SPECIAL_TOKEN.finditer(text)]


@register_gate
class TokensGate(Gate):
    name = "tokens"
    HELP = "leaked special or language tokens (__ar__, >>ara<<, arb_Arab, <unk>, </s>, ▁, ...)"
    PARAMS = {"extra_pattern": (str, "", "a regular expression of more tokens to treat as leaked (empty: none)")}

    @classmethod
    def check_params(cls, params, where):
        try:
            re.compile(params.get("extra_pattern", ""))
        except re.error as e:
            raise MtfixError(f"{where} extra_pattern: not a regular expression ({e})") from None

    def check(self, seg, c, ctx):
        text = seg.candidates[c].text
        found = special_tokens(text)
        if self.extra_pattern:
            found += [m.group() for m in re.finditer(self.extra_pattern, text) if m.group()]
        if not found:
            return None
        ref = reference_text(seg)
        leaked = [t for t in dict.fromkeys(found) if t not in ref]
        return f"leaked token {leaked[0]!r}" + (f" (+{len(leaked) - 1} more)" if len(leaked) > 1 else "") \
            if leaked else None


# ---------------------------------------------------------------- script

_PERSIAN_URDU = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc\u06c1\u06d2\u0679\u0688\u0691\u06ba\u06be]")


@register_gate
class ScriptGate(LanguageGate):
    name = "script"
    HELP = "wrong script or wrong language"
    PARAMS = {
        "min_share": ((int, float), 0.5, "share of letters in the target script a challenger needs"),
        "max_drop": ((int, float), 0.2, "how far that share may fall below the reference's"),
        "max_foreign": ((int, float), 0.1, "Arabic target: largest share of Persian/Urdu-only letters"),
        "max_copied": ((int, float), 0.25, "share of a challenger's words that may be lower-case words copied "
                                           "from the translated text (untranslatable terms; names always may)"),
    }
    LIMITS = {"min_share": SHARE, "max_drop": SHARE, "max_foreign": SHARE, "max_copied": SHARE}

    def check(self, seg, c, ctx):
        from mtfix.text.script import script_score, script_stats

        if self.lang is None:
            return None
        facts = ctx.facts
        text = seg.candidates[c].text
        stats = facts.of(script_stats, text)
        if not stats.letters:
            return None if not facts.of(script_stats, reference_text(seg)).letters else "no letters"
        share = facts.of(script_score, _without_source_words(text, seg, self.max_copied), self.lang)
        ref_share = facts.of(script_score, _without_source_words(reference_text(seg), seg, self.max_copied), self.lang)
        name = {"ar": "Arabic", "en": "Latin"}.get(self.lang, self.lang)
        if share < self.min_share:
            return f"wrong script: {100 * share:.0f}% {name} letters"
        if share < ref_share - self.max_drop:
            return (f"script: {100 * share:.0f}% {name} letters, the {reference_name(seg)} has "
                    f"{100 * ref_share:.0f}%")
        if self.lang == "ar":
            foreign = len(_PERSIAN_URDU.findall(text)) / stats.letters
            ref_foreign = len(_PERSIAN_URDU.findall(reference_text(seg))) / max(facts.of(script_stats, reference_text(seg)).letters, 1)
            if foreign > self.max_foreign and foreign > ref_foreign:
                return f"wrong language: {100 * foreign:.0f}% Persian/Urdu letters"
        return None


_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w\-'\u2019.]*")
_POSSESSIVE = re.compile(r"(?:['\u2019]s?|[.\-])+$")


def _word_key(word: str) -> str:
    """A word as it may be copied: case, a possessive and trailing dots aside (``Addenbrooke's`` = ``Addenbrooke``)."""
    return _POSSESSIVE.sub("", word).casefold()


def _without_source_words(text: str, seg: Segment, max_copied: float = 0.0) -> str:
    """``text`` less the Latin-script words it copies from a trusted source: its names (capitalised words,
    acronyms, codes) always, and its other words (an untranslatable term: ``organgatuangs``, ``bhajan``)
    while they are at most ``max_copied`` of ``text``'s words. A source's ordinary words left in
    the text beyond that are still the wrong script."""
    srcs = _trusted_sources(seg)
    if not srcs:
        return text
    return shared_facts().of(_without_words_of, text, tuple(srcs), max_copied)  # once per text and sources


def _source_word_keys(srcs: tuple[str, ...]) -> set:
    return {_word_key(m.group()) for s in srcs for m in _LATIN_WORD.finditer(s)}


def _without_words_of(text: str, srcs: tuple[str, ...], max_copied: float) -> str:
    copied = shared_facts().of(_source_word_keys, srcs)
    if not copied:
        return text
    hits = [m for m in _LATIN_WORD.finditer(text) if _word_key(m.group()) in copied]
    if not hits:
        return text
    names = [m for m in hits if _NAME.fullmatch(m.group())]
    others = [m for m in hits if not _NAME.fullmatch(m.group())]
    drop = names + (others if len(others) <= max_copied * len(text.split()) else [])
    out, at = [], 0
    for m in sorted(drop, key=lambda m: m.start()):
        out.append(text[at:m.start()])
        at = m.end()
    return "".join(out) + text[at:]


# ---------------------------------------------------------------- length


def _chars(text: str) -> int:
    return len(" ".join(text.split()))


@register_gate
class LengthGate(Gate):
    name = "length"
    HELP = "length out of bounds vs the reference (and the sources or pivots)"
    PARAMS = {
        "min_ratio": ((int, float), 0.5, "shortest a challenger may be, times the reference's length"),
        "max_ratio": ((int, float), 2.0, "longest, times the reference's length"),
        "check_sources": (bool, True, "also bound the length against the sources/pivots (corpus-typical ratio)"),
    }

    LIMITS = {"min_ratio": SHARE, "max_ratio": Range(1)}  # so min_ratio <= 1 <= max_ratio: the reference passes

    def __init__(self, **params):
        super().__init__(**params)
        self.typical: float | None = None  # median reference length / median source length

    def prepare(self, segments, ctx):
        """The typical length / source length ratio: over every candidate when the sources are the
        translated text (systems translate it at their own lengths), over the originals when they
        are pivots (candidates made from a degenerate pivot would drag the norm with them)."""
        ratios = []
        for seg in segments:
            srcs = [_chars(s) for s in seg.sources if s and s.strip()]
            if not srcs or not seg.candidates:
                continue
            texts = [c.text for c in seg.candidates] if seg.sources_kind == "source" else [reference_text(seg)]
            ratios += [_chars(t) / median(srcs) for t in texts if _chars(t)]
        self.typical = median(ratios) if len(ratios) >= 2 else None

    def check(self, seg, c, ctx):
        m, n = _chars(seg.candidates[c].text), _chars(reference_text(seg))
        if not n:
            return None
        what = reference_name(seg)
        ratio = m / n
        srcs = [_chars(s) for s in seg.sources if s and s.strip()]
        rel = ref_rel = None
        if self.check_sources and self.typical and srcs:
            rel = m / median(srcs) / self.typical
            ref_rel = n / median(srcs) / self.typical
        in_band = rel is not None and self.min_ratio <= rel <= self.max_ratio
        if ratio < self.min_ratio or ratio > self.max_ratio:
            # The text that was translated (never a pivot) may vouch for a length the incumbent does not have.
            if not (seg.sources_kind == "source" and seg.original is None and in_band):
                return f"length x{ratio:.2f} of the {what} (bounds x{self.min_ratio:g}-x{self.max_ratio:g})"
        if rel is not None and not in_band:
            kind = "source" if seg.sources_kind == "source" else "pivots"
            # Bound only what the reference itself does not already break (a degenerate pivot
            # makes the original look out of bounds too; the original-based bound covers it).
            if (rel < self.min_ratio and rel < ref_rel) or (rel > self.max_ratio and rel > ref_rel):
                return (f"length x{rel:.2f} of the typical length for its {kind} "
                        f"(bounds x{self.min_ratio:g}-x{self.max_ratio:g})")
        return None


# ---------------------------------------------------------------- numbers


def _match(src: list, cand: list) -> tuple[list, list]:
    """``(missing, extra)``: mentions of ``src`` with no equal value in ``cand``, and the rest of ``cand``."""
    left, missing = list(cand), []
    for s in src:
        j = next((k for k, x in enumerate(left) if math.isclose(s.value, x.value, rel_tol=1e-9, abs_tol=1e-12)), None)
        if j is None:
            missing.append(s)
        else:
            left.pop(j)
    return missing, left


@register_gate
class NumbersGate(Gate):
    name = "numbers"
    HELP = "numbers of the reference lost or changed, or numbers added (across digit systems)"
    PARAMS = {
        "max_lost": (int, 0, "numbers of the reference a challenger may lose (a changed number is lost + added)"),
        "max_added": (int, 0, "numbers a challenger may add"),
        "spelled_out": (bool, True, "a number in digits on one side may be written in words on the other "
                                    "(3 / three / ثلاثة, 12th / الثاني عشر, 80% / ثمانون في المئة)"),
        "on_the_hour": (bool, True, "a time on the hour may drop its minutes (10:00 / 10)"),
    }

    def __init__(self, **params):
        super().__init__(**params)
        self._numbers: dict[str, list] = {}

    def _of(self, text: str) -> list:
        from mtfix.text.numbers import meant_numbers

        if text not in self._numbers:
            self._numbers[text] = meant_numbers(text)
        return self._numbers[text]

    def unexplained(self, ref_text: str, text: str) -> tuple[list, list]:
        """``(lost, added)``: numbers of ``ref_text`` that ``text`` does not have, and the reverse, less
        the same numbers written differently (the corpus filter's equivalences, garbled forms on
        either side read as meant, and, as set, times on the hour and numbers spelled out)."""
        from mtfix.text.numbers import explain_on_the_hour, unexplained_numbers

        ref, cand = self._of(ref_text), self._of(text)
        if not ref and not cand:
            return [], []
        missing, extra = unexplained_numbers(*_match(ref, cand), ref_text, text)
        if (missing or extra) and self.on_the_hour:
            missing, extra = explain_on_the_hour(missing, extra, ref_text, text)
        if (missing or extra) and self.spelled_out:
            from mtfix.text.number_words import explain_spelled

            missing, extra = explain_spelled(missing, extra, ref_text, text)
        return missing, extra

    def check(self, seg, c, ctx):
        text = seg.candidates[c].text
        missing, extra = self.unexplained(reference_text(seg), text)
        if len(missing) <= self.max_lost and len(extra) <= self.max_added:
            return None
        for src in _trusted_sources(seg):  # the text that was translated may vouch for the candidate's numbers
            s_missing, s_extra = self.unexplained(src, text)
            if len(s_missing) <= self.max_lost and len(s_extra) <= self.max_added:
                return None
        if missing and extra:
            return f"number {missing[0].surface.strip()} changed to {extra[0].surface.strip()}"
        if missing:
            return "number " + ", ".join(m.surface.strip() for m in missing[:3]) + " lost"
        return "number " + ", ".join(m.surface.strip() for m in extra[:3]) + " added"


# ---------------------------------------------------------------- named entities

_NAME = re.compile(r"(?<![\w])(?:[A-Z][\w.\-']*|[\w\-.]*\d[\w\-.]*[A-Za-z][\w\-.]*|[A-Za-z][\w\-.]*\d[\w\-.]*)(?![\w])")


@register_gate
class EntitiesGate(LanguageGate):
    name = "entities"
    HELP = "Latin-script names/acronyms/codes of the reference lost (non-Latin targets)"
    PARAMS = {"min_chars": (int, 2, "shortest name checked")}
    NEEDS_BACK_TRANSLATIONS = True

    def _names(self, seg: Segment) -> list[str]:
        """The reference's names this gate checks (none for a Latin-script target)."""
        if self.lang in (None, "en"):
            return []  # Latin letters mark names only inside non-Latin text
        names = [m.group().strip(".-'") for m in _NAME.finditer(reference_text(seg))]
        return [n for n in dict.fromkeys(names) if len(n) >= self.min_chars]

    def needs_back_translation(self, seg, c, ctx):
        """Only a name the candidate's own text does not keep is looked for in its back-translation."""
        text = seg.candidates[c].text.casefold()
        return any(n.casefold() not in text for n in self._names(seg))

    def check(self, seg, c, ctx):
        names = self._names(seg)
        if not names:
            return None
        back = ctx.back_translations.get(seg.candidates[c].text)
        if back is None and _trusted_sources(seg):
            # select without a back model: a transliteration cannot be told from a loss, and the
            # candidate answers to the source it translates, not to the incumbent's spelling
            return None
        text = seg.candidates[c].text.casefold()
        back = (back or "").casefold()
        lost = [n for n in names if n.casefold() not in text and n.casefold() not in back]
        if not lost:
            return None
        return f"name {lost[0]!r} lost" + (f" (+{len(lost) - 1} more)" if len(lost) > 1 else "")


# ---------------------------------------------------------------- copy of the pivot


@register_gate
class CopyGate(Gate):
    name = "copy"
    HELP = "an (almost) untranslated copy of a source or pivot"
    PARAMS = {"max_chrf": ((int, float), 50.0, "sentence chrF against a source/pivot from which it is a copy")}
    LIMITS = {"max_chrf": CHRF}

    def check(self, seg, c, ctx):
        text = seg.candidates[c].text
        ref = reference_text(seg)
        for s in seg.sources:
            if not s or not s.strip():
                continue
            v = 100.0 if " ".join(s.split()) == " ".join(text.split()) else ctx.chrf(text, s)
            # the reference's own overlap with the source (names, numbers) is not copying
            if v >= self.max_chrf and v > ctx.chrf(ref, s) + 10:
                kind = "source" if seg.sources_kind == "source" else "pivot"
                return f"copy of the {kind} (chrF {v:.0f})"
        return None


# ---------------------------------------------------------------- fidelity


@register_gate
class FidelityGate(Gate):
    name = "fidelity"
    HELP = "evidence of fidelity: sentence chrF against the reference at least min_chrf"
    PARAMS = {
        "min_chrf": ((int, float), 30.0, "sentence chrF (0-100) against the reference a challenger needs"),
        "min_reference_score": ((int, float), 0.5, "a reference with a smaller share of loop-free words (itself a "
                                                   "loop) is no yardstick: the gate does not apply"),
    }
    LIMITS = {"min_chrf": CHRF, "min_reference_score": SHARE}

    def __init__(self, **params):
        super().__init__(**params)
        self._loop_free: dict[str, float] = {}

    def _value(self, seg, c, ctx, ref: str) -> float:
        return ctx.chrf_vs_reference(seg, c, ref)

    def _reference_is_a_loop(self, ref: str) -> bool:
        if ref not in self._loop_free:
            from mtfix.text.repetition import repetition_report

            self._loop_free[ref] = shared_facts().of(repetition_report, ref).score  # the loop gate's report
        return self._loop_free[ref] < self.min_reference_score

    def check(self, seg, c, ctx):
        ref = reference_text(seg)
        if not ref.strip() or self._reference_is_a_loop(ref):
            return None
        v = self._value(seg, c, ctx, ref)
        what = reference_name(seg)
        if v < self.min_chrf:
            return f"too far from the {what}: chrF {v:.1f} < {self.min_chrf:g}"
        return None

    def evidence(self, seg, c, ctx):
        what = reference_name(seg)
        ctx = ctx if ctx is not None else GateContext()
        ref = reference_text(seg)
        if ref.strip() and self._reference_is_a_loop(ref):
            return f"the {what} is itself a loop: no fidelity yardstick"
        return f"fidelity chrF {self._value(seg, c, ctx, ref):.1f} vs the {what}"


# ---------------------------------------------------------------- building


def build_gates(config) -> list[Gate]:
    """The enabled gates of ``config`` (:class:`mtfix.scoring.config.ScoringConfig`), registry order."""
    out = []
    for name, params in (config.gates or {}).items():
        params = {**GATES.defaults(name), **params}
        if params.get("enabled", True):
            out.append(GATES.get(name)(**params))
    return out


def run_gates(gates: Sequence[Gate], segments: Sequence[Segment], ctx: GateContext) -> list[list[list[tuple[str, str]]]]:
    """Per segment, per candidate: the ``(gate, reason)`` failures (none for the incumbent)."""
    ctx.rows = {id(seg): i for i, seg in enumerate(segments)}
    for g in gates:
        g.prepare(segments, ctx)
    out = []
    for seg in segments:
        row = []
        for c in range(len(seg.candidates)):
            if c == seg.incumbent or not gates:
                row.append([])
                continue
            fails = []
            for g in gates:
                why = g.check(seg, c, ctx)
                if why:
                    fails.append((g.name, why))
            row.append(fails)
        out.append(row)
    return out

