"""The candidate pool: back-translate every sentence, re-translate the pivots.

For each sentence of the garbled article, every back model gives its n-best
English pivots; every forward model re-translates every pivot into n-best
Arabic candidates. The original sentence is always candidate 0 (the
do-no-harm incumbent). Identical texts are pooled once, keeping the first
origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from mtfix.repair.models import RepairDecoding
from mtfix.scoring.base import Candidate, Segment


@dataclass
class Pivot:
    text: str
    origin: str  # "<back model>#<rank>"
    score: float


@dataclass
class Pool:
    """One sentence's pivots and candidates (candidate 0 is the original)."""

    index: int
    original: str
    pivots: list[Pivot] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    def segment(self) -> Segment:
        return Segment(
            index=self.index,
            candidates=list(self.candidates),
            sources=[p.text for p in self.pivots],
            incumbent=0,
            original=self.original,
            sources_kind="pivot",  # machine output: gates never let a pivot vouch for a candidate
            source_origins=[p.origin for p in self.pivots],
        )


Progress = Callable[[str, int, int], None]  # (phase, done increment, total)


def build_pools(
    sentences: Sequence[str],
    back: Sequence[tuple[str, object]],
    forward: Sequence[tuple[str, object]],
    *,
    src: str,
    pivot: str,
    decoding: RepairDecoding,
    progress: Progress | None = None,
) -> list[Pool]:
    """``back``/``forward``: ``(name, translator)`` pairs (the translator interface)."""
    pools = [Pool(i, s, candidates=[Candidate(s, "original")]) for i, s in enumerate(sentences)]
    for name, tr in back:
        results = tr.translate_batch(
            list(sentences),
            src=src,
            tgt=pivot,
            options=decoding.back,
            on_progress=_phase(progress, f"back-translating ({name})"),
        )
        for pool, hyps in zip(pools, results):
            seen = {p.text for p in pool.pivots}
            for rank, h in enumerate(hyps):
                if h.text.strip() and h.text not in seen:
                    pool.pivots.append(Pivot(h.text, f"{name}#{rank + 1}", h.score))
                    seen.add(h.text)
    flat = [(pool, p) for pool in pools for p in pool.pivots]
    for name, tr in forward:
        results = tr.translate_batch(
            [p.text for _, p in flat],
            src=pivot,
            tgt=src,
            options=decoding.forward,
            on_progress=_phase(progress, f"re-translating ({name})"),
        )
        for (pool, p), hyps in zip(flat, results):
            seen = {c.text for c in pool.candidates}
            for rank, h in enumerate(hyps):
                if h.text.strip() and h.text not in seen:
                    pool.candidates.append(Candidate(h.text, f"{name}#{rank + 1}<{p.origin}", h.score))
                    seen.add(h.text)
    return pools


def _phase(progress: Progress | None, phase: str):
    if progress is None:
        return None
    return lambda k, total: progress(phase, k, total)
