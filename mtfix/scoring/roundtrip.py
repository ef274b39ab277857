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

**The gain is paired, on references made from neither side.** The value of a
challenger ``c`` and of the incumbent ``I`` used to be compared as they are:
``c`` against every pivot, the original (repair) against the pivots it did
not produce. That compares them on different references, and one of ``c``'s
is the pivot ``c`` was made from: back-translating a translation of a pivot
lands near that pivot whatever ``c`` is worth (random-weight models included),
so the round trip handed noise a systematic gain (with the gates off it
carried most of the noise matrix's wins). Now, as the consensus does with
candidates (:mod:`mtfix.scoring.consensus`), every reference made from neither
``c`` nor ``I`` casts a vote ``metric(bt(c), r) - metric(bt(I), r)`` on the
same text, and the gain (``Score.gain``) is their mean. A pivot is *made from*
``c`` when it comes from the back model of ``c``'s chain (``fwd#r<back#p``:
its ancestor and that model's other n-best), and from ``I`` when it comes from
the back model that makes the round trip (its pivots are the same model's
readings of the original, ``bt(I)`` among them) or, where the pivots' origins
are unknown (``Segment.source_origins``), when it *is* ``bt(I)``. The pivots of
one back model are one voice (their votes averaged: n-best readings of one
model share its errors). A source line (``select --source``) is made from
neither. Without a vote (one back model; or ``c`` from the second of two) the
round trip has no evidence for ``c``: its gain is the plain difference capped
at 0, so it can hold a challenger back, never carry it. The value still
ranks and reports.

**Its noise is in the allowance** (``Score.se``): estimated as the
consensus's, by :func:`mtfix.scoring.consensus.noise_of_votes`: per character
(the length of the two back-translations), each voice's constant lean taken
out, pooled per pair of origins as ``[consensus] noise_pooling`` says, the
file's below 30 degrees of freedom; with a single voice per line (two back
models) the spread of the votes across lines, an upper bound. Re-estimated on
the challengers that passed the gates (:meth:`RoundTripScorer.after_gates`).
More voices do not divide it (as ``[consensus] shared_noise = 1``), and it is
not scaled to the line's corpus weight (``length_weighting``): a round trip's
gain is measured in the other language, not in corpus chrF of the output, so
it gets a per-line test. A round-trip gain whose noise cannot be estimated
(too few lines) counts as no evidence: capped at 0, as above. The allowance
note names the estimate (``round trip (chrF): noise of the single votes across
476 lines``), and the Selector adds it to the decision's reason.

**How the noise is combined.** The chrF and the BLEU round trip compare the
same back-translations with the same pivots, so their noise is treated as one
(perfectly correlated: their weighted ``se`` add before squaring,
``noise_group = "roundtrip"``); the consensus compares candidates with
candidates in the other language, so the two groups' variances add, as
independent noise does.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Sequence

from mtfix.metrics.chrf_stats import SentenceBleu
from mtfix.params import SHARE, validate
from mtfix.scoring.base import Score, Scorer, ScorerContext, Segment, get_normalizer
from mtfix.scoring.consensus import NOISE_POOLINGS, VoteNoise, chain_components, noise_of_votes, origin_group
from mtfix.scoring.facts import shared_facts
from mtfix.scoring.registry import register_scorer

BackTranslate = Callable[[list[str]], list[str]]
_NOT_COMPUTED = Score(0.0, "not computed")  # a placeholder, replaced before a row is returned
_PAIRED = "; paired: "  # where a challenger's reason gives its paired gain (or why it has none)


def _padded(origins: list[str], n: int) -> list[str | None]:
    """``origins`` (``Segment.source_origins``) as one entry per source, None where unknown."""
    return [*origins[:n], *[None] * (n - len(origins))]


@dataclass
class PairedScore(Score):
    """A challenger's round-trip score with a paired ``gain`` and its ``se``; ``allowance`` names the noise
    estimate (the Selector adds it to the decision's reason and evidence; the report JSON carries it)."""

    allowance: str | None = None


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

    #: The Selector adds the weighted ``se`` of scorers of one noise group before it squares them: the chrF
    #: and the BLEU round trip compare the same back-translations with the same pivots, so their noise is
    #: one (perfectly correlated); groups (this, the consensus) are independent. See the module docstring.
    noise_group = "roundtrip"

    PARAMS = {"min_loop_free": ((int, float), 0.5,
                                "a pivot or back-translation with a smaller share of loop-free words (the loop gate's "
                                "repetition report) is no yardstick: it casts no paired vote, and a challenger whose "
                                "back-translation, or the incumbent's, is one gets no round-trip gain (it may be held "
                                "back, never carried); 0: every text is one (0.5: as [gates.fidelity] "
                                "min_reference_score)")}
    LIMITS = {"min_loop_free": SHARE}

    @classmethod
    def from_config(cls, params: dict, ctx: ScorerContext) -> "RoundTripScorer":
        return cls(ctx.back_translate, normalize=ctx.normalize, model_name=ctx.back_model_name,
                   noise_pooling=ctx.noise_pooling, **params)

    def __init__(self, back_translate: BackTranslate, *, metric: str = "chrf", normalize: str | None = None,
                 model_name: str = "custom", noise_pooling: str = "pair", min_loop_free: float = 0.5):
        validate(type(self), {"min_loop_free": min_loop_free}, f"[roundtrip_{metric}]")
        self.min_loop_free = float(min_loop_free)
        if metric not in ("chrf", "bleu"):
            raise ValueError(f"metric must be 'chrf' or 'bleu', not {metric!r}")
        if noise_pooling not in NOISE_POOLINGS:
            raise ValueError(f"noise_pooling must be one of {', '.join(NOISE_POOLINGS)}, not {noise_pooling!r}")
        self.noise_pooling = noise_pooling
        self._paired: dict[tuple[int, int], tuple] = {}  # (segment, candidate) -> its paired votes, see _paired_gain
        self.metric = metric
        self.name = f"roundtrip_{metric}"
        self.model_name = model_name
        self.back_translate = back_translate if isinstance(back_translate, BackTranslationCache) \
            else BackTranslationCache(back_translate)
        self.profile, self._norm = get_normalizer(normalize)
        self.back_translations: dict[str, str] = {}

    def signature(self) -> dict:
        return {"name": self.name, "metric": self.metric, "model": self.model_name, "normalize": self.profile,
                "noise_pooling": self.noise_pooling, "min_loop_free": self.min_loop_free}

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
        self._paired = {}
        for i, (seg, refs) in enumerate(zip(segments, refs_of)):
            self._paired_gains(i, seg, refs, back, fn)
        return self._with_noise(out)

    # -- the paired gain and its noise ------------------------------------------
    def _paired_gains(self, i: int, seg: Segment, refs: list[str], back: dict, fn) -> None:
        """Record, for every challenger of segment ``i``, its paired votes (see the module docstring):
        each reference made from neither it nor the incumbent votes ``metric(bt(c), r) - metric(bt(I), r)``;
        the references of one back model are one voice (their votes averaged)."""
        inc = seg.incumbent
        if inc is None or not refs or seg.candidates[inc].text not in back:
            return
        norm = self._norm
        origins = [o for s, o in zip(seg.sources, _padded(seg.source_origins, len(seg.sources))) if s and s.strip()]
        bt_inc = norm(back[seg.candidates[inc].text])
        pivots = seg.sources_kind != "source"  # machine readings of the original; a source is made from neither
        mine = chain_components(seg.candidates[inc].origin) | {("back", origin_group(self.model_name))}
        yardstick = self._yardstick
        for c, cand in enumerate(seg.candidates):
            if c == inc or not cand.text.strip() or cand.text not in back:
                continue
            bt = norm(back[cand.text])
            made_from = mine | chain_components(cand.origin)
            voices: dict[str, list[float]] = defaultdict(list)
            why, looping = "no pivot made from neither it nor the incumbent", 0
            if not yardstick(bt):  # a loop read back: the round trip measures the loop, not the meaning
                why, refs_here = "its back-translation is a loop", []
            elif not yardstick(bt_inc):
                why, refs_here = "the incumbent's back-translation is a loop", []
            else:
                refs_here = list(enumerate(zip(refs, origins)))
            for j, (r, o) in refs_here:
                if pivots and (r == bt_inc or (o is not None and ("back", origin_group(o)) in made_from)):
                    continue  # made from one of the two (the incumbent's own back-translation): circular
                if not yardstick(r):
                    looping += 1  # a looping pivot agrees with any loop, whatever it is worth
                    continue
                voices[origin_group(o) if o is not None else f"#{j}"].append(fn(bt, r) - fn(bt_inc, r))
            if looping and not voices:
                why = f"every pivot made from neither it nor the incumbent is a loop ({looping})"
            length = max(1.0, (len(bt) + len(bt_inc)) / 2)
            key = (cand.origin, seg.candidates[inc].origin)
            self._paired[(i, c)] = (key, list(voices), [sum(v) / len(v) for v in voices.values()], length, inc, why)

    def _yardstick(self, text: str) -> bool:
        """Whether ``text`` (a pivot or a back-translation) can judge a round trip: its share of loop-free
        words (the loop gate's repetition report) is at least ``min_loop_free``."""
        if self.min_loop_free <= 0:
            return True
        from mtfix.text.repetition import repetition_report

        return shared_facts().of(repetition_report, text).score >= self.min_loop_free

    def _with_noise(self, scores: list[list[Score]], keep: Callable[[int, int], bool] | None = None
                    ) -> list[list[Score]]:
        """``scores`` with each challenger's paired ``gain``, its ``se`` and an ``allowance`` note naming the
        noise estimate, the noise estimated from the votes on the challengers ``keep`` lets through (all
        by default). A challenger with no vote, or whose votes have no noise estimate, gets the plain
        difference of values capped at 0: the round trip may hold it back, never carry it. See the
        module docstring."""
        rows: dict = defaultdict(list)
        for (i, c), (key, voters, votes, length, *_) in self._paired.items():
            if votes and (keep is None or keep(i, c)):
                rows[key].append((voters, votes, length))
        noise: VoteNoise = noise_of_votes(rows, self.noise_pooling)
        out = [list(row) for row in scores]
        for (i, c), (key, voters, votes, length, inc, why) in self._paired.items():
            sc = out[i][c]
            if sc.reason.startswith("round trip not computed"):
                continue  # a gate stopped it: level with the incumbent, no gain either way
            base = sc.reason.split(_PAIRED)[0]
            got = noise.get(key) if votes else None
            if got is None:
                why = why if not votes else "no estimate of its votes' noise"
                gain = min(0.0, sc.value - out[i][inc].value)
                out[i][c] = Score(sc.value, f"{base}{_PAIRED}{why}: it may hold the candidate back, never carry it",
                                  None, gain)
                continue
            gain = sum(votes) / len(votes) / 100.0
            se = math.sqrt(got[0] / length) / 100.0
            n = len(votes)
            note = f"round trip ({'chrF' if self.metric == 'chrf' else 'BLEU'}): {got[1]}"
            out[i][c] = PairedScore(sc.value, f"{base}{_PAIRED}{gain * 100:+.1f} over the incumbent by {n} "
                                    f"pivot voice{'s' * (n > 1)} ({', '.join(voters)}); allowance: {note}",
                                    se, gain, note)
        return out

    def after_gates(self, segments: Sequence[Segment], scores: list[list[Score]],
                    gated: Sequence[Sequence[Sequence]]) -> list[list[Score]]:
        """``scores`` with the noise re-estimated from the votes on challengers that passed the gates (as
        :meth:`mtfix.scoring.consensus.ConsensusScorer.after_gates`: a loop's votes, spread wide, would
        only inflate the allowance of the clean ones). Called by the Selector after the gates."""
        return self._with_noise(scores, keep=lambda i, c: not gated[i][c])

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
