"""Selection with a do-no-harm rule (file selection, ``mtfix select``, is :mod:`mtfix.select`).

For every segment the :class:`Selector`

1. takes the **incumbent** (the do-no-harm default): the one the segment names
   (repair: the original sentence), or else the candidate whose origin the
   corpus trusts most (:meth:`mtfix.scoring.consensus.Agreement.trust`,
   estimated without references; the order of the candidates plays no part);
2. runs the **gates** (:mod:`mtfix.scoring.gates`) on every other candidate:
   one that fails a gate (a loop, a leaked token, the wrong script, a length
   out of bounds, a lost number or name, a copy of the pivot, too far from
   the original) can never replace the incumbent, whatever its scores; the
   gates that read back-translations (``entities``) run after the scorers,
   the others before them, so the round trip skips the candidates they stop;
3. adds up every candidate's scores, ``total = sum(weight[s] * value[s])``;
4. leaves the incumbent only for an ungated candidate whose weighted gain over
   the incumbent is more than ``margin + z * se``: the gain is each scorer's
   ``Score.gain`` where it gives one (consensus: paired votes of the same
   pseudo-references on both; round trip: paired votes of the pivots made from
   neither) and the difference of values otherwise; ``se`` combines the
   scorers' own noise estimates (``Score.se``) of that gain (the weighted
   ``se`` of scorers of one ``noise_group``, which compare the same texts, add
   up as correlated noise; the groups' variances add as independent noise), which
   a scorer may re-estimate on the challengers the gates let through
   (``after_gates``) and scale to the line's weight in the corpus (the
   consensus's ``length_weighting``: its ``allowance`` note is added to the
   reason); among such candidates the highest gain wins;
5. records a :class:`Decision`: the totals, which scores decided it
   (``deciding``: each scorer's weighted contribution to the gain of the
   chosen candidate, or of the closest challenger when the incumbent is kept),
   the gates that stopped challengers, the evidence that let the chosen one
   through, and a one-line reason that names them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from operator import neg
from typing import Callable, Sequence

from mtfix.scoring.base import Score, Scorer, ScorerContext, Segment, check_shape
from mtfix.scoring.config import ScoringConfig
from mtfix.scoring.consensus import Agreement, ConsensusScorer
from mtfix.scoring.facts import Facts
from mtfix.scoring.gates import Gate, GateContext, build_gates, run_gates

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
    gain: float = 0.0  # the challenger's weighted gain over the incumbent (paired where a scorer gives one)
    gated: dict[str, int] = field(default_factory=dict)  # gate -> how many challengers it stopped
    evidence: list[str] = field(default_factory=list)  # what let the chosen challenger through

    def to_dict(self) -> dict:
        return {"index": self.index, "chosen": self.chosen, "kept_incumbent": self.kept_incumbent,
                "incumbent": self.incumbent, "challenger": self.challenger,
                "gain": round(self.gain, 6), "required": round(self.required, 6), "reason": self.reason,
                "deciding": {k: round(v, 6) for k, v in self.deciding.items()},
                "gated": dict(self.gated), "evidence": list(self.evidence),
                "total": [round(t, 6) for t in self.total]}


@dataclass
class Selection:
    """Decisions plus everything they were made from."""

    segments: list[Segment]
    decisions: list[Decision]
    scores: dict[str, list[list[Score]]]  # scorer name -> per segment, per candidate
    trust: dict[str, float]  # origin -> estimated reliability (higher is better)
    #: per segment, per candidate: the (gate, reason) failures (always empty for the incumbent)
    gates: list[list[list[tuple[str, str]]]] = field(default_factory=list)

    def gate_failures(self, segment: int, candidate: int) -> list[tuple[str, str]]:
        return self.gates[segment][candidate] if self.gates else []

    def chosen_texts(self) -> list[str]:
        return [seg.candidates[d.chosen].text for seg, d in zip(self.segments, self.decisions)]


class Selector:
    """Scores candidates with ``scorers`` and picks one per segment; see the module docstring."""

    def __init__(self, config: ScoringConfig, scorers: Sequence[Scorer], gates: Sequence[Gate] | None = None,
                 *, tgt_lang: str | None = None):
        """``gates``: None builds the enabled gates of ``config`` (``[gates.*]``); ``[]`` runs none.
        ``tgt_lang``: the candidates' language, for the script gates (else a script scorer's, else guessed)."""
        names = [s.name for s in scorers]
        if len(set(names)) != len(names):
            raise ValueError(f"two scorers share a name: {names}")
        self.config = config
        self.scorers = list(scorers)
        self._noise_groups = {s.name: getattr(s, "noise_group", s.name) for s in self.scorers}
        self.gates = list(build_gates(config) if gates is None else gates)
        self.tgt_lang = tgt_lang or next((getattr(s, "expected_lang", None) for s in scorers
                                          if getattr(s, "expected_lang", None)), None)

    def weight(self, name: str) -> float:
        return self.config.weight(name)

    def _variance(self, scores: dict[str, list[Score]], c: int, w: dict[str, float]) -> float:
        """The variance of candidate ``c``'s weighted gain: the weighted ``se`` of the scorers of one noise
        group (``noise_group``: the chrF and BLEU round trip, which compare the same texts) add up, as
        perfectly correlated noise does; the groups' (consensus, round trip) variances add, as
        independent noise does (they compare different texts: candidates with candidates in one
        language, back-translations with pivots in the other)."""
        groups = self._noise_groups
        sd: dict[str, float] = {}
        for n in scores:
            se = scores[n][c].se
            if se is not None and w[n]:
                g = groups.get(n, n)
                sd[g] = sd.get(g, 0.0) + w[n] * se
        return sum(v * v for v in sd.values())

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
        with Facts().shared() as facts:  # each text analysed once, whichever scorer or gate asks
            # the chrF pairs the consensus (candidate vs candidate) and the fidelity and copy gates
            # (vs the reference, vs each source) ask for, a segment at a time in one vectorised pass
            facts.prefetch_chrf([[*seg.texts, *seg.sources, *([seg.original] if seg.original is not None else [])]
                                 for seg in segments if len(seg.candidates) > 1])
            trust = self.assign_incumbents(segments)
            ctx = GateContext(tgt_lang=self.tgt_lang, facts=facts)
            # The gates that need no back-translation run first; a scorer that can (the round trip) skips
            # the candidates they stop, unless a later gate needs that candidate's back-translation.
            late = [g for g in self.gates if g.NEEDS_BACK_TRANSLATIONS]
            stopped = run_gates([g for g in self.gates if not g.NEEDS_BACK_TRANSLATIONS], segments, ctx)
            for g in late:
                g.prepare(segments, ctx)

            def needed(i: int, c: int) -> bool:
                return not stopped[i][c] or any(g.needs_back_translation(segments[i], c, ctx) for g in late)

            scores: dict[str, list[list[Score]]] = {}
            for scorer in self.scorers:
                got = scorer.score(segments, needed=needed) if getattr(scorer, "skips_stopped", False) \
                    else scorer.score(segments)
                check_shape(scorer, segments, got)
                scores[scorer.name] = got
            for scorer in self.scorers:
                ctx.back_translations.update(getattr(scorer, "back_translations", None) or {})
            gates = _merge_failures(self.gates, stopped, run_gates(late, segments, ctx)) if late else stopped
            for scorer in self.scorers:  # scores whose noise is estimated on the challengers the gates let through
                if hasattr(scorer, "after_gates"):
                    scores[scorer.name] = scorer.after_gates(segments, scores[scorer.name], gates)
            decisions = [self.decide(seg, {n: s[i] for n, s in scores.items()}, gates[i], ctx)
                         for i, seg in enumerate(segments)]
        return Selection(segments, decisions, scores, trust, gates)

    def decide(self, seg: Segment, scores: dict[str, list[Score]],
               gated: Sequence[Sequence[tuple[str, str]]] | None = None, ctx: GateContext | None = None) -> Decision:
        """The do-no-harm decision for one segment from its candidates' scores and gate failures.

        A score with an ``allowance`` note (the consensus: how the line's length scaled its ``se``)
        has it added to the reason, and to the evidence of a switch."""
        k = len(seg.candidates)
        if k == 0:
            raise ValueError(f"segment {seg.index} has no candidates")
        inc = seg.incumbent if seg.incumbent is not None else 0
        gated = gated or [[] for _ in range(k)]
        w = {n: self.weight(n) for n in scores}
        total = [sum(w[n] * scores[n][c].value for n in scores) for c in range(k)]
        if k == 1:
            return Decision(seg.index, inc, True, total, "only candidate", {}, inc)
        cfg = self.config
        best = None  # (sort key, c) of the best eligible challenger: highest total
        closest = None  # (sort key, c) of the ungated challenger nearest to switching: highest gain - required
        closest_gated = None  # the same among gated challengers (shown when every challenger is gated)
        required: dict[int, float] = {}
        gains: dict[int, float] = {}
        counts: dict[str, int] = {}
        for c in range(k):
            if c == inc:
                continue
            for g in dict.fromkeys(name for name, _ in gated[c]):
                counts[g] = counts.get(g, 0) + 1
            var = self._variance(scores, c, w)
            required[c] = cfg.margin * _margin_scale(scores, w, c) + cfg.z * math.sqrt(var)
            gains[c] = gain = sum(w[n] * _gain(scores[n], c, inc) for n in scores)
            slack = gain - required[c]
            key = (slack, _desc(seg.candidates[c].origin), _desc(seg.candidates[c].text))
            if gated[c]:
                if closest_gated is None or key > closest_gated[0]:
                    closest_gated = (key, c)
                continue
            if closest is None or key > closest[0]:
                closest = (key, c)
            if slack > _EPS:
                bkey = (gain, _desc(seg.candidates[c].origin), _desc(seg.candidates[c].text))
                if best is None or bkey > best[0]:
                    best = (bkey, c)
        challenger = best[1] if best else (closest or closest_gated)[1]
        deciding = {n: w[n] * _gain(scores[n], challenger, inc) for n in scores
                    if w[n] and abs(_gain(scores[n], challenger, inc)) > 1e-9}
        gain = gains[challenger]
        why = ", ".join(f"{n} {v:+.3f}" for n, v in sorted(deciding.items(), key=lambda kv: -abs(kv[1])))
        why = f" ({why})" if why else " (no score differs)"
        o_inc, o_ch = seg.candidates[inc].origin, seg.candidates[challenger].origin
        n_gated = sum(1 for c in range(k) if c != inc and gated[c])
        tally = ", ".join(f"{g} {n}" for g, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        gated_note = f"; {n_gated} of {k - 1} challengers gated ({tally})" if n_gated else ""
        allowance = "" if gated[challenger] else "; ".join(
            a for n in scores if w[n] and (a := getattr(scores[n][challenger], "allowance", None)))
        evidence: list[str] = []
        if best:
            evidence = [f"{n} {v:+.3f}" for n, v in sorted(deciding.items(), key=lambda kv: -kv[1]) if v > 0]
            n_scores = len(evidence)
            evidence += [allowance] if allowance else []
            evidence += [e for g in self.gates if (e := g.evidence(seg, challenger, ctx)) is not None]
            passed = f"passed {len(self.gates)} gate{'s' * (len(self.gates) != 1)}" if self.gates else "no gates"
            reason = (f"{o_ch} beats {o_inc} by {gain:+.3f} > required {required[challenger]:.3f}{why}; "
                      + (f"{allowance}; " if allowance else "") + f"{passed}"
                      + "".join(f", {e}" for e in evidence[n_scores + bool(allowance):] if e) + gated_note)
        elif closest is None:
            shown = "; ".join(f"{r}" for _, r in gated[challenger])
            reason = (f"kept {o_inc}: all {k - 1} challenger{'s' * (k > 2)} gated ({tally}); "
                      f"closest {o_ch} gated: {shown}")
        else:
            reason = (f"kept {o_inc}: best challenger {o_ch} {gain:+.3f} <= required "
                      f"{required[challenger]:.3f}{why}" + (f"; {allowance}" if allowance else "") + gated_note)
        chosen = challenger if best else inc
        return Decision(seg.index, chosen, not best, total, reason, deciding, inc, challenger, required[challenger],
                        gain, counts, evidence)


def _merge_failures(gates: Sequence[Gate], *parts) -> list[list[list[tuple[str, str]]]]:
    """Per segment and candidate, the failures of every part, in the order of ``gates``."""
    order = {g.name: n for n, g in enumerate(gates)}
    return [[sorted((f for part in cands for f in part), key=lambda f: order[f[0]]) for cands in zip(*rows)]
            for rows in zip(*parts)]


def _margin_scale(scores: dict[str, Sequence[Score]], w: dict[str, float], c: int) -> float:
    """What candidate ``c``'s scores do to the margin: a weighted score's ``margin_scale`` (the consensus's
    length weighting: the margin, like the allowance, at the line's weight in the corpus), else 1."""
    return next((m for n in scores if w[n] and (m := getattr(scores[n][c], "margin_scale", None)) is not None), 1.0)


def _gain(scores: Sequence[Score], c: int, inc: int) -> float:
    """One scorer's gain of candidate ``c`` over the incumbent: its own ``gain`` if it gives one, else the difference."""
    own = scores[c].gain
    return own if own is not None else scores[c].value - scores[inc].value


def _desc(s: str) -> tuple:
    """Sort key that makes max() prefer the alphabetically *first* string (deterministic ties)."""
    return (*map(neg, map(ord, s)), 1)  # C-level: this runs on every candidate's text


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
                        trust_weighted=config.trust_weighted, device=fluency_device,
                        noise_pooling=config.scorer_params("consensus")["noise_pooling"])
    scorers: list[Scorer] = []
    no_source: list[str] = []
    for name, cls in SCORERS.items():
        if config.weight(name) <= 0:
            continue
        if "back_translate" in cls.NEEDS and ctx.back_translate is None:
            continue  # round trip is asked for by giving a back model, not by a weight
        if getattr(cls, "TARGETS", None) and tgt_lang is not None and tgt_lang not in cls.TARGETS:
            continue  # a scorer for other target languages (e.g. an Arabic glossary's terminology)
        if "sources" in cls.NEEDS and not has_sources:
            no_source.append(name)
            continue
        scorers.append(cls.from_config(config.scorer_params(name), ctx))
    notes = [f"{' and '.join(no_source)} check{'s' * (len(no_source) > 1)} need a source; none given"] \
        if no_source else []
    return scorers, notes


def signature(config: ScoringConfig, scorers: Sequence[Scorer]) -> dict:
    """What every score in a report depends on (:class:`~mtfix.scoring.signature.SelectionSignature`, as JSON)."""
    from mtfix.scoring.signature import SelectionSignature

    return SelectionSignature.build(config, scorers).to_dict()
