"""Round trip: back-translate the candidate and compare it with the sources.

Model-agnostic: the constructor takes ``back_translate(texts) -> texts`` (one
output line per input line, target language -> source language), e.g. a
wrapper around :func:`mtfix.engine.load_translator`. The back-translation of
each candidate is scored with sacrebleu sentence chrF (``metric="chrf"``) or
BLEU (``metric="bleu"``, ``effective_order=True``) against every line of
``Segment.sources`` (the ``--source`` line, or the pivots); the value is the
mean, on 0-1. Candidates are back-translated once, in one call, and the
results are cached, so a chrF and a BLEU scorer built over the same
:class:`BackTranslationCache` translate each text only once.
"""

from __future__ import annotations

from typing import Callable, Sequence

from mtfix.metrics.chrf_stats import SentenceBleu
from mtfix.scoring.base import Score, Scorer, ScorerContext, Segment, get_normalizer
from mtfix.scoring.facts import shared_facts
from mtfix.scoring.registry import register_scorer

BackTranslate = Callable[[list[str]], list[str]]
_NOT_COMPUTED = Score(0.0, "not computed")  # a placeholder, replaced before a row is returned


class BackTranslationCache:
    """Wraps ``back_translate`` so each distinct text is translated at most once."""

    def __init__(self, back_translate: BackTranslate):
        self._fn = back_translate
        self._done: dict[str, str] = {}

    def __call__(self, texts: list[str]) -> list[str]:
        todo = list(dict.fromkeys(t for t in texts if t not in self._done))
        if todo:
            got = list(self._fn(todo))
            if len(got) != len(todo):
                raise RuntimeError(f"back_translate returned {len(got)} lines for {len(todo)}")
            self._done.update(zip(todo, got))
        return [self._done[t] for t in texts]


class RoundTripScorer(Scorer):
    """Sentence chrF or BLEU of the candidate's back-translation vs the sources, 0-1."""

    NEEDS = ("back_translate",)

    @classmethod
    def from_config(cls, params: dict, ctx: ScorerContext) -> "RoundTripScorer":
        return cls(ctx.back_translate, normalize=ctx.normalize, model_name=ctx.back_model_name, **params)

    def __init__(self, back_translate: BackTranslate, *, metric: str = "chrf", normalize: str | None = None,
                 model_name: str = "custom"):
        if metric not in ("chrf", "bleu"):
            raise ValueError(f"metric must be 'chrf' or 'bleu', not {metric!r}")
        self.metric = metric
        self.name = f"roundtrip_{metric}"
        self.model_name = model_name
        self.back_translate = back_translate if isinstance(back_translate, BackTranslationCache) \
            else BackTranslationCache(back_translate)
        self.profile, self._norm = get_normalizer(normalize)
        self.back_translations: dict[str, str] = {}

    def signature(self) -> dict:
        return {"name": self.name, "metric": self.metric, "model": self.model_name, "normalize": self.profile}

    #: The selector passes ``needed``: candidates a gate already stopped are not back-translated.
    skips_stopped = True

    def score(self, segments: Sequence[Segment], needed: Callable[[int, int], bool] | None = None
              ) -> list[list[Score]]:
        """``needed(i, c)``: False for a candidate of segment ``i`` that a gate stopped (and no gate
        needs back-translated); it is not back-translated unless its text is anyway, and scores level
        with the incumbent (no gain either way), reason "not computed". A stopped candidate can never
        be chosen, so only the scores shown for it change, never a decision; except that where an
        original has no other pivot to be compared with, its round trip is level with the best
        candidate's, so there every candidate is scored."""
        self.back_translations = {}
        skip = self._skipped(segments, needed) if needed is not None else set()
        texts = list(dict.fromkeys(c.text for i, seg in enumerate(segments) for k, c in enumerate(seg.candidates)
                                   if c.text.strip() and (i, k) not in skip))
        back = {**self.back_translations, **dict(zip(texts, self.back_translate(texts)))} if texts \
            else dict(self.back_translations)
        self.back_translations = back
        norm = self._norm
        refs_of = [[norm(s) for s in seg.sources if s and s.strip()] for seg in segments]
        if self.metric == "chrf":
            # The selection's shared chrF memo (mtfix.scoring.facts): every pair this scorer asks for
            # (each back-translation against each source or pivot of its segment) in one vectorised
            # pass over all the segments, then read pair by pair; the values are sentence_chrf's.
            facts = shared_facts()
            facts.prefetch_chrf([[*(norm(back[c.text]) for c in seg.candidates if c.text in back), *refs]
                                 for seg, refs in zip(segments, refs_of) if refs])
            fn, label = facts.chrf, "chrF"
        else:  # each text's word n-grams counted once, each pair scored once
            fn, label = SentenceBleu(), "BLEU"
        out = []
        for seg, refs in zip(segments, refs_of):
            row = []
            for cand in seg.candidates:
                if not refs:
                    row.append(Score(0.0, "no source or pivot to compare with"))
                elif not cand.text.strip():
                    row.append(Score(0.0, "empty"))
                elif seg.original is not None and cand.text == seg.original:
                    row.append(None)  # scored below, once the others are known
                elif cand.text not in back:
                    row.append(_NOT_COMPUTED)  # stopped by a gate: level with the incumbent, set below
                else:
                    bt = norm(back[cand.text])
                    vals = [fn(bt, r) for r in refs]
                    v = sum(vals) / len(vals)
                    what = "source" if len(refs) == 1 else f"{len(refs)} pivots"
                    row.append(Score(min(1.0, max(0.0, v / 100.0)), f"round-trip {label} {v:.1f} vs {what}"))
            row = [sc if sc is not None else self._original(seg, refs, row, back, fn, label) for sc in row]
            if any(sc is _NOT_COMPUTED for sc in row):
                level = row[seg.incumbent].value
                row = [Score(level, "round trip not computed: a gate stopped it (level with the incumbent)")
                       if sc is _NOT_COMPUTED else sc for sc in row]
            out.append(row)
        return out

    def _skipped(self, segments: Sequence[Segment], needed: Callable[[int, int], bool]) -> set[tuple[int, int]]:
        """(segment, candidate) pairs not to back-translate: ``needed`` says no, and the segment's
        incumbent does not depend on them (see :meth:`score`)."""
        originals = list(dict.fromkeys(seg.original for seg in segments if seg.original and seg.original.strip()))
        own = dict(zip(originals, self.back_translate(originals))) if originals else {}
        self.back_translations = dict(own)
        skip = set()
        for i, seg in enumerate(segments):
            if seg.incumbent is None:
                continue
            if seg.original is not None:
                refs = [self._norm(s) for s in seg.sources if s and s.strip()]
                mine = self._norm(own[seg.original]) if seg.original in own else None
                if not [r for r in refs if r != mine]:
                    continue  # the original is scored level with the best candidate: score them all
            skip |= {(i, c) for c in range(len(seg.candidates)) if c != seg.incumbent and not needed(i, c)}
        return skip

    def _original(self, seg: Segment, refs: list[str], row: list, back: dict, fn, label: str) -> Score:
        """Repair: the pivots are the original's own back-translations, so comparing its
        back-translation with them is circular (100 against the pivot it produced). It is
        compared with the *other* pivots only (other n-best ranks, other back models):
        what back-translation variation alone changes. With no other pivot, it is scored
        level with the most faithful candidate, so round trip neither protects nor
        penalises it."""
        own = self._norm(back[seg.original])
        others = [r for r in refs if r != own]
        if others:
            v = sum(fn(own, r) for r in others) / len(others)
            return Score(min(1.0, max(0.0, v / 100.0)),
                         f"original: {label} {v:.1f} vs the {len(others)} pivot(s) it did not produce")
        level = max((sc.value for sc in row if sc is not None), default=1.0)
        return Score(level, f"original: its only pivot is its own back-translation; level with the best "
                            f"candidate ({label} {level * 100:.1f})")


@register_scorer
class RoundTripChrfScorer(RoundTripScorer):
    name = "roundtrip_chrf"
    HELP = "chrF of the candidate's back-translation vs the source or pivots (needs a back model)"

    def __init__(self, back_translate: BackTranslate, **kw):
        super().__init__(back_translate, metric="chrf", **kw)


@register_scorer
class RoundTripBleuScorer(RoundTripScorer):
    name = "roundtrip_bleu"
    HELP = "BLEU of the candidate's back-translation vs the source or pivots (needs a back model)"

    def __init__(self, back_translate: BackTranslate, **kw):
        super().__init__(back_translate, metric="bleu", **kw)


def roundtrip_scorers(back_translate: BackTranslate, *, normalize: str | None = None,
                      model_name: str = "custom") -> list[RoundTripScorer]:
    """A chrF and a BLEU round-trip scorer sharing one back-translation cache."""
    cache = BackTranslationCache(back_translate)
    return [RoundTripScorer(cache, metric=m, normalize=normalize, model_name=model_name) for m in ("chrf", "bleu")]
