"""Consensus (MBR): how much a candidate agrees with the rest of the pool.

For candidate ``k`` of a segment, the value is its expected sacrebleu
sentence chrF against the *other* candidates, used as pseudo-references
(minimum-Bayes-risk decoding with chrF as the utility)::

    value(k) = sum_{j != k} w_j * chrF(k, j) / sum_{j != k} w_j / 100

**Trust** (``trust_weighted=True``): plain consensus is pulled toward the
weaker systems, so each pseudo-reference is weighted by how reliable its
origin (system, model, "original") is, estimated over the whole corpus
without references by the *three-cornered hat* (Gray & Allan, 1974): if the
errors of two systems are independent, their disagreement is the sum of their
own errors, ``d(a, b) ~ e_a + e_b`` with ``d = 100 - chrF``. Solving the mean
pairwise disagreements for ``e`` by least squares gives each origin's error
``e`` (up to the part all systems share), its trust ``100 - e``, and an
inverse-variance weight ``w = 1 / e`` (chrF distances add like variances:
independent errors hit different character n-grams). The ranking by trust is
the ranking by mean agreement with the others; the selector uses it to pick
the do-no-harm incumbent when none is given. Candidates whose origins share
a prefix before ``#`` (``"<model>#n"``: the n-best of one model) form one
group: their errors are not independent, so pairs inside a group are left out
of the fit and the group gets one trust.

**Independent voices.** In repair every candidate descends from the
original's own pivots, so candidates re-translated from one pivot (or by one
forward model) agree with each other whatever their quality, and the original,
made by another system, is the odd one out: plain consensus then favours the
pool, noise included. So a candidate's pseudo-references are only the
candidates *independent* of it: an origin ``"fwd#r<back#p"`` is a chain of a
back model and a forward model (:func:`chain_components`), and a candidate
sharing either with it has no vote; the candidates of one chain (n-best ranks,
pivot ranks) count as **one voice**, their chrF averaged, weighted by their
trust. With one back and one forward model a challenger's only independent
voice is the original itself (consensus becomes similarity to the original),
while the original is judged by the whole pool as one voice. Systems in
``mtfix select`` are independent of each other, so there every candidate is its
own voice and nothing changes.

**Noise** (``Score.se``): for a candidate ``c`` and the incumbent ``I``, every
other candidate ``j`` casts a vote ``chrF(c, j) - chrF(I, j)``. How much those
votes disagree within a segment is the noise of sentence chrF as a judge of
this pair; it is pooled over the corpus (per pair of origins, or over all
pairs when a pair has too few degrees of freedom), and turned into the
standard error of the weighted mean vote. The selector demands ``z * se``
on top of its margin before it leaves the incumbent.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from typing import Sequence


from mtfix.scoring.base import Normalizer, Score, Scorer, ScorerContext, Segment, get_normalizer
from mtfix.scoring.facts import Facts, shared_facts
from mtfix.scoring.registry import register_scorer

#: Fewest degrees of freedom for a per-origin-pair noise estimate; below it the
#: estimate pooled over all pairs is used (30: the usual point where a sample
#: variance is stable enough to plug into a normal approximation).
MIN_NOISE_DF = 30

#: Smallest error (chrF points) an origin may be given, so a system that the
#: least-squares fit puts at (or below) zero error does not get infinite weight.
MIN_ERROR = 1.0


class Agreement:
    """Pairwise sentence chrF between the candidates of every segment.

    ``matrices[i][a, b]`` is ``chrF(candidate a, reference candidate b)`` of
    segment ``i`` (0-100); the diagonal is NaN. Identical texts are scored
    once. Built once per corpus and shared by trust and consensus.
    """

    def __init__(self, segments: Sequence[Segment], normalize: Normalizer | None = None, facts: Facts | None = None):
        import numpy as np  # here, not at import: `mtfix --help` lists scorers without numpy
        norm = normalize or (lambda t: t)
        # each text's n-grams extracted once, each pair's chrF computed once, shared with the gates
        facts = facts or shared_facts()
        self.origins: list[list[str]] = [[c.origin for c in seg.candidates] for seg in segments]
        self.matrices: list[np.ndarray] = []
        pools = [[norm(c.text) for c in seg.candidates] for seg in segments]
        facts.prefetch_chrf(pools)  # every segment's pairs in a few vectorised passes
        for texts in pools:
            m = np.array(facts.pairwise(texts), dtype=float)  # None (the diagonal) -> NaN
            self.matrices.append(m.reshape(len(texts), len(texts)))
        self._errors: dict[str, float] | None = None

    # -- corpus-level reliability ------------------------------------------
    def origin_errors(self) -> dict[str, float]:
        """Three-cornered-hat error (chrF points) of every origin; see the module docstring."""
        if self._errors is None:
            self._errors = _three_cornered_hat(self.origins, self.matrices)
        return self._errors

    def trust(self) -> dict[str, float]:
        """Estimated reliability of every origin: ``100 - error``; higher is better."""
        return {o: 100.0 - e for o, e in self.origin_errors().items()}

    def weights(self) -> dict[str, float]:
        """Inverse-error weight of every origin, normalised to a mean of 1."""
        inv = {o: 1.0 / max(e, MIN_ERROR) for o, e in self.origin_errors().items()}
        mean = sum(inv.values()) / len(inv) if inv else 1.0
        return {o: v / mean for o, v in inv.items()}

    def mean_agreement(self) -> dict[str, float]:
        """Mean symmetric chrF of every origin against the other candidates (for reports)."""
        import numpy as np  # here, not at import: `mtfix --help` lists scorers without numpy
        tot: dict[str, list[float]] = defaultdict(list)
        for origins, m in zip(self.origins, self.matrices):
            sym = (m + m.T) / 2
            for a, o in enumerate(origins):
                if len(origins) > 1:
                    tot[o].append(float(np.nanmean(sym[a])))
        return {o: sum(v) / len(v) for o, v in tot.items()}


def origin_group(origin: str) -> str:
    """``"<model>#n"`` -> ``"<model>"``: the n-best of one model share a trust."""
    return origin.split("#", 1)[0]


def _three_cornered_hat(origins: list[list[str]], matrices: list[np.ndarray]) -> dict[str, float]:
    """Least-squares ``e`` in ``mean d(a, b) = e_a + e_b`` over co-occurring origin groups; per origin."""
    groups = {o: origin_group(o) for row in origins for o in row}
    err = _fit_groups([[groups[o] for o in row] for row in origins], matrices)
    return {o: err[g] for o, g in groups.items()}


def _fit_groups(origins: list[list[str]], matrices: list[np.ndarray]) -> dict[str, float]:
    import numpy as np  # here, not at import: `mtfix --help` lists scorers without numpy
    names = sorted({o for row in origins for o in row})
    idx = {o: n for n, o in enumerate(names)}
    sums: dict[tuple[int, int], float] = defaultdict(float)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for row, m in zip(origins, matrices):
        for a in range(len(row)):
            for b in range(a + 1, len(row)):
                ia, ib = idx[row[a]], idx[row[b]]
                if ia == ib:
                    continue
                key = (min(ia, ib), max(ia, ib))
                sums[key] += 100.0 - (m[a, b] + m[b, a]) / 2
                counts[key] += 1
    if not names:
        return {}
    pairs = sorted(sums)
    design = np.zeros((len(pairs), len(names)))
    target = np.zeros(len(pairs))
    for r, (a, b) in enumerate(pairs):
        design[r, a] = design[r, b] = 1.0
        target[r] = sums[(a, b)] / counts[(a, b)]
    if pairs and np.linalg.matrix_rank(design) == len(names):
        err, *_ = np.linalg.lstsq(design, target, rcond=None)
    else:
        # Fewer than three origins (or a disconnected pool): no triangulation
        # possible; split each origin's mean disagreement evenly.
        per: dict[int, list[float]] = defaultdict(list)
        for (a, b), t in zip(pairs, target):
            per[a].append(t / 2)
            per[b].append(t / 2)
        err = np.array([sum(per[n]) / len(per[n]) if per[n] else 50.0 for n in range(len(names))])
    return {o: float(max(err[idx[o]], MIN_ERROR)) for o in names}


@register_scorer
class ConsensusScorer(Scorer):
    """MBR consensus: expected sentence chrF against the rest of the pool, 0-1.

    1.0: every other candidate is identical; 0.0: nothing in common. With
    ``trust_weighted`` each pseudo-reference counts by its origin's corpus-level
    reliability (see the module docstring); otherwise all count the same.
    Gives ``se`` (noise of the gain over the incumbent) for the selector.
    """

    name = "consensus"
    HELP = "trust-weighted expected chrF against the independent rest of the pool"

    @classmethod
    def from_config(cls, params: dict, ctx: ScorerContext) -> "ConsensusScorer":
        return cls(trust_weighted=ctx.trust_weighted, normalize=ctx.normalize, **params)

    def __init__(self, *, trust_weighted: bool = True, normalize: str | None = None):
        self.trust_weighted = trust_weighted
        self.profile, self._norm = get_normalizer(normalize)
        self._cache: tuple[str, Agreement] | None = None

    def signature(self) -> dict:
        return {"name": self.name, "metric": "chrf", "trust_weighted": self.trust_weighted,
                "normalize": self.profile}

    def agreement(self, segments: Sequence[Segment]) -> Agreement:
        """The (cached) pairwise chrF of ``segments``."""
        key = _fingerprint(segments)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, Agreement(segments, self._norm))
        return self._cache[1]

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        import numpy as np  # here, not at import: `mtfix --help` lists scorers without numpy
        agr = self.agreement(segments)
        weights = agr.weights() if self.trust_weighted else {}
        noise = _vote_noise(segments, agr)
        how = "trust-weighted " if self.trust_weighted else ""
        out: list[list[Score]] = []
        for seg, m in zip(segments, agr.matrices):
            k = len(seg.candidates)
            w = np.array([weights.get(c.origin, 1.0) for c in seg.candidates])
            comps = [chain_components(c.origin) for c in seg.candidates]
            voices = _voices(comps)
            row: list[Score] = []
            for a in range(k):
                others = [j for j in range(k) if j != a]
                if not others:
                    row.append(Score(1.0, "alone in the pool"))
                    continue
                # One voice per independent chain: candidates sharing a pivot's back model or a
                # forward model with ``a`` do not vote for it, and a chain's members share one weight.
                indep = [v for v in voices if not (comps[v[0]] & comps[a])]
                tag = " (incumbent)" if a == seg.incumbent else ""
                if not indep:
                    row.append(Score(0.0, f"no independent voice among {len(others)} other{'s' * (len(others) > 1)}{tag}"))
                    continue
                vw = np.array([float(w[v].mean()) for v in indep])
                vv = np.array([float(np.mean(m[a, v])) for v in indep])
                val = float(np.dot(vw, vv) / vw.sum())
                n_cands = sum(len(v) for v in indep)
                if n_cands == len(indep):
                    what = f"{len(indep)} other{'s' * (len(indep) > 1)}"
                else:
                    what = f"{len(indep)} independent voice{'s' * (len(indep) > 1)} ({n_cands} candidates)"
                dropped = len(others) - n_cands
                if dropped:
                    what += f"; {dropped} correlated left out"
                se = None
                if seg.incumbent is not None and a != seg.incumbent:
                    s2 = noise.get((seg.candidates[a].origin, seg.candidates[seg.incumbent].origin), noise.get(None))
                    voters = [j for j in others if j != seg.incumbent]
                    if s2 is not None and voters:
                        wv = w[voters] / w[voters].sum()
                        se = math.sqrt(s2 * float(np.dot(wv, wv))) / 100.0
                row.append(Score(min(1.0, max(0.0, val / 100.0)), f"{how}chrF {val:.1f} vs {what}{tag}", se))
            out.append(row)
        return out


def chain_components(origin: str) -> frozenset:
    """What a candidate's translation chain is made of, for telling correlated candidates apart.

    ``"fwd#2<back#1"`` (repair: the 2nd-best of forward model ``fwd`` from the
    1st pivot of back model ``back``) -> ``{("forward", "fwd"), ("back", "back")}``;
    any other origin (a system, ``"original"``, ``"model#n"``) -> ``{("system", group)}``.
    Two candidates are independent when their components are disjoint.
    """
    if "<" in origin:
        fwd, back = origin.split("<", 1)
        return frozenset({("forward", origin_group(fwd)), ("back", origin_group(back))})
    return frozenset({("system", origin_group(origin))})


def _voices(comps: list[frozenset]) -> list[list[int]]:
    """Candidates grouped by chain (same components): each group is one voice."""
    groups: dict[frozenset, list[int]] = {}
    for i, c in enumerate(comps):
        groups.setdefault(c, []).append(i)
    return list(groups.values())


def _vote_noise(segments: Sequence[Segment], agr: Agreement) -> dict:
    """Pooled variance of the votes ``chrF(c, j) - chrF(I, j)``, per (origin c, origin I), and overall (key None)."""
    import numpy as np  # here, not at import: `mtfix --help` lists scorers without numpy
    ss: dict[tuple[str, str], float] = defaultdict(float)
    df: dict[tuple[str, str], int] = defaultdict(int)
    single: dict[tuple[str, str], list[float]] = defaultdict(list)  # one vote per segment
    for seg, m in zip(segments, agr.matrices):
        inc = seg.incumbent
        if inc is None:
            continue
        for c in range(len(seg.candidates)):
            if c == inc:
                continue
            votes = np.array([m[c, j] - m[inc, j] for j in range(len(seg.candidates)) if j not in (c, inc)])
            key = (seg.candidates[c].origin, seg.candidates[inc].origin)
            if len(votes) >= 2:
                ss[key] += float(((votes - votes.mean()) ** 2).sum())
                df[key] += len(votes) - 1
            elif len(votes) == 1:
                single[key].append(float(votes[0]))
    out: dict = {}
    total_ss, total_df = sum(ss.values()), sum(df.values())
    for key in ss:
        if df[key] >= MIN_NOISE_DF:
            out[key] = ss[key] / df[key]
    if total_df > 0:
        out[None] = total_ss / total_df
    else:
        # A single pseudo-reference per segment: no within-segment spread. Use
        # the spread of the vote across segments, an upper bound on its noise
        # (it includes the real differences), so the selector stays cautious.
        allv = [v for vs in single.values() for v in vs]
        if len(allv) >= 2:
            out[None] = float(np.var(allv, ddof=1))
    return out


def _fingerprint(segments: Sequence[Segment]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for seg in segments:
        for c in seg.candidates:
            h.update(c.origin.encode("utf-8", "replace") + b"\x00" + c.text.encode("utf-8", "replace") + b"\x01")
        h.update(b"\x02")
    return h.hexdigest()
