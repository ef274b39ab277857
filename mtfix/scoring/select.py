"""Selection with a do-no-harm rule (file selection, ``mtfix select``, is :mod:`mtfix.select`).

For every segment the :class:`Selector`

1. takes the **incumbent** (the do-no-harm default): the one the segment names
   (repair: the original sentence), or else the candidate whose origin the
   corpus trusts most (:meth:`mtfix.scoring.consensus.Agreement.trust`,
   estimated without references; the order of the candidates plays no part);
2. adds up every candidate's scores, ``total = sum(weight[s] * value[s])``;
3. leaves the incumbent only for a candidate whose total beats the
   incumbent's by more than ``margin + z * se``, where ``se`` combines the
   scorers' own noise estimates (``Score.se``) of that gain; among such
   candidates the highest total wins;
4. records a :class:`Decision`: the totals, which scores decided it
   (``deciding``: each scorer's weighted contribution to the gain of the
   chosen candidate, or of the closest challenger when the incumbent is kept)
   and a one-line reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from mtfix.errors import MtfixError
from mtfix.scoring.base import Score, Scorer, ScorerContext, Segment, check_shape, metric_signatures
from mtfix.scoring.config import ScoringConfig
from mtfix.scoring.consensus import Agreement, ConsensusScorer

#: Gains closer than this are ties (float noise in weighted sums).
_EPS = 1e-12


@dataclass
class Decision:
    """What the selector chose for one segment, and why."""

    index: int
    chosen: int  # index into the segment's candidates
    kept_incumbent: bool
    total: list[float]  # weighted total of every candidate
    reason: str
    deciding: dict[str, float]  # scorer -> weighted contribution to the gain over the incumbent
    incumbent: int = 0
    challenger: int | None = None  # the best candidate other than the incumbent (chosen, or closest to it)
    required: float = 0.0  # gain the challenger needed: margin + z * se

    def to_dict(self) -> dict:
        return {"index": self.index, "chosen": self.chosen, "kept_incumbent": self.kept_incumbent,
                "incumbent": self.incumbent, "challenger": self.challenger,
                "required": round(self.required, 6), "reason": self.reason,
                "deciding": {k: round(v, 6) for k, v in self.deciding.items()},
                "total": [round(t, 6) for t in self.total]}


@dataclass
class Selection:
    """Decisions plus everything they were made from."""

    segments: list[Segment]
    decisions: list[Decision]
    scores: dict[str, list[list[Score]]]  # scorer name -> per segment, per candidate
    trust: dict[str, float]  # origin -> estimated reliability (higher is better)

    def chosen_texts(self) -> list[str]:
        return [seg.candidates[d.chosen].text for seg, d in zip(self.segments, self.decisions)]


class Selector:
    """Scores candidates with ``scorers`` and picks one per segment; see the module docstring."""

    def __init__(self, config: ScoringConfig, scorers: Sequence[Scorer]):
        names = [s.name for s in scorers]
        if len(set(names)) != len(names):
            raise ValueError(f"two scorers share a name: {names}")
        self.config = config
        self.scorers = list(scorers)

    def weight(self, name: str) -> float:
        return self.config.weight(name)

    # -- 1. incumbents ---------------------------------------------------------
    def agreement(self, segments: Sequence[Segment]) -> Agreement:
        for s in self.scorers:
            if isinstance(s, ConsensusScorer):
                return s.agreement(segments)
        from mtfix.scoring.base import get_normalizer

        return Agreement(segments, get_normalizer(self.config.normalize)[1])

    def assign_incumbents(self, segments: Sequence[Segment]) -> dict[str, float]:
        """Give every segment without an incumbent its most trusted candidate (in place); returns the trust.

        Trust is computed when some segment needs an incumbent or a consensus
        scorer will compute the pairwise chrF anyway (it is cached there).
        """
        need = any(s.incumbent is None and len(s.candidates) > 1 for s in segments)
        need = need or any(isinstance(s, ConsensusScorer) for s in self.scorers)
        trust = self.agreement(segments).trust() if need and any(len(s.candidates) > 1 for s in segments) else {}
        for seg in segments:
            if seg.incumbent is None and seg.candidates:
                seg.incumbent = max(
                    range(len(seg.candidates)),
                    key=lambda k: (trust.get(seg.candidates[k].origin, -math.inf),
                                   _desc(seg.candidates[k].origin), _desc(seg.candidates[k].text)),
                )
        return trust

    # -- 2-4. -----------------------------------------------------------------
    def select(self, segments: Sequence[Segment]) -> Selection:
        segments = list(segments)
        for seg in segments:
            if seg.incumbent is not None and not 0 <= seg.incumbent < len(seg.candidates):
                raise ValueError(f"segment {seg.index}: incumbent {seg.incumbent} out of range")
        trust = self.assign_incumbents(segments)
        scores: dict[str, list[list[Score]]] = {}
        for scorer in self.scorers:
            got = scorer.score(segments)
            check_shape(scorer, segments, got)
            scores[scorer.name] = got
        decisions = [self.decide(seg, {n: s[i] for n, s in scores.items()}) for i, seg in enumerate(segments)]
        return Selection(segments, decisions, scores, trust)

    def decide(self, seg: Segment, scores: dict[str, list[Score]]) -> Decision:
        """The do-no-harm decision for one segment from its candidates' scores."""
        k = len(seg.candidates)
        if k == 0:
            raise ValueError(f"segment {seg.index} has no candidates")
        inc = seg.incumbent if seg.incumbent is not None else 0
        w = {n: self.weight(n) for n in scores}
        total = [sum(w[n] * scores[n][c].value for n in scores) for c in range(k)]
        if k == 1:
            return Decision(seg.index, inc, True, total, "only candidate", {}, inc)
        cfg = self.config
        best = None  # (sort key, c) of the best eligible challenger: highest total
        closest = None  # (sort key, c) of the challenger nearest to switching: highest gain - required
        required: dict[int, float] = {}
        for c in range(k):
            if c == inc:
                continue
            var = sum((w[n] * scores[n][c].se) ** 2 for n in scores if scores[n][c].se is not None and w[n])
            required[c] = cfg.margin + cfg.z * math.sqrt(var)
            gain = total[c] - total[inc]
            slack = gain - required[c]
            key = (slack, _desc(seg.candidates[c].origin), _desc(seg.candidates[c].text))
            if closest is None or key > closest[0]:
                closest = (key, c)
            if slack > _EPS:
                bkey = (total[c], _desc(seg.candidates[c].origin), _desc(seg.candidates[c].text))
                if best is None or bkey > best[0]:
                    best = (bkey, c)
        challenger = best[1] if best else closest[1]
        deciding = {n: w[n] * (scores[n][challenger].value - scores[n][inc].value) for n in scores
                    if w[n] and abs(scores[n][challenger].value - scores[n][inc].value) > 1e-9}
        gain = total[challenger] - total[inc]
        why = ", ".join(f"{n} {v:+.3f}" for n, v in sorted(deciding.items(), key=lambda kv: -abs(kv[1])))
        why = f" ({why})" if why else " (no score differs)"
        o_inc, o_ch = seg.candidates[inc].origin, seg.candidates[challenger].origin
        if best:
            reason = f"{o_ch} beats {o_inc} by {gain:+.3f} > required {required[challenger]:.3f}{why}"
        else:
            reason = f"kept {o_inc}: best challenger {o_ch} {gain:+.3f} <= required {required[challenger]:.3f}{why}"
        chosen = challenger if best else inc
        return Decision(seg.index, chosen, not best, total, reason, deciding, inc, challenger, required[challenger])


def _desc(s: str) -> tuple:
    """Sort key that makes max() prefer the alphabetically *first* string (deterministic ties)."""
    return tuple(-ord(ch) for ch in s) + (1,)


# ---------------------------------------------------------------- scorers


def build_scorers(
    config: ScoringConfig,
    *,
    tgt_lang: str | None = None,
    has_sources: bool = True,
    back_translate: Callable[[list[str]], list[str]] | None = None,
    back_model_name: str = "custom",
    fluency_device: str = "cpu",
) -> tuple[list[Scorer], list[str]]:
    """The registered scorers with a weight > 0 in ``config`` that can run here; and notes on the ones left out.

    Each is built by its class's ``from_config`` from its ``PARAMS`` in the
    config (:mod:`mtfix.scoring.registry`); one back-translation cache is shared
    by every scorer that needs ``back_translate``."""
    from mtfix.scoring.registry import SCORERS
    from mtfix.scoring.roundtrip import BackTranslationCache

    ctx = ScorerContext(tgt_lang=tgt_lang, has_sources=has_sources,
                        back_translate=BackTranslationCache(back_translate) if back_translate is not None else None,
                        back_model_name=back_model_name, normalize=config.normalize,
                        trust_weighted=config.trust_weighted, device=fluency_device)
    scorers: list[Scorer] = []
    no_source: list[str] = []
    for name, cls in SCORERS.items():
        if config.weight(name) <= 0:
            continue
        if "back_translate" in cls.NEEDS and ctx.back_translate is None:
            continue  # round trip is asked for by giving a back model, not by a weight
        if "sources" in cls.NEEDS and not has_sources:
            no_source.append(name)
            continue
        scorers.append(cls.from_config(config.scorer_params(name), ctx))
    notes = [f"{' and '.join(no_source)} check{'s' * (len(no_source) > 1)} need a source; none given"] \
        if no_source else []
    return scorers, notes


def signature(config: ScoringConfig, scorers: Sequence[Scorer]) -> dict:
    """What every score in a report depends on."""
    import sacrebleu

    from mtfix import __version__

    return {"mtfix": __version__, "sacrebleu": sacrebleu.__version__, **config.as_dict(),
            "scorers": [s.signature() for s in scorers], "metrics": metric_signatures(),
            "incumbent": "given, else the most trusted origin (three-cornered hat on pairwise chrF)"}
