"""Run a list of filters over a chunk of pairs: every filter scores every pair.

No filter short-circuits another, so each record carries every score and
the reasons of every filter that rejected it. Dedup filters are judged last
whatever their place in the list, because "seen" means "seen and kept": a
pair only blocks its later duplicates once it passed every other filter.
"""

from __future__ import annotations

from itertools import compress
from operator import and_, not_
from typing import Sequence

from mtfix.corpus.filters import DedupFilter, Filter
from mtfix.corpus.records import Pair, Record
from mtfix.corpus.sides import shared

__all__ = ["Pipeline"]


class Pipeline:
    def __init__(self, filters: Sequence[Filter]):
        names = [f.name for f in filters]
        if len(set(names)) != len(names):
            raise ValueError(f"two filters share a name: {names}")
        self.filters = list(filters)
        self._next_id = 0

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.filters]

    def judge(self, pairs: Sequence[Pair], precomputed: dict | None = None) -> list[Record]:
        """One :class:`Record` per pair, in order. Pairs without an id (``-1``) are
        numbered in the order this pipeline sees them (dedup reasons name ids).
        ``precomputed``: scores of some filters for these pairs, already computed
        elsewhere (worker processes, Ray tasks), used as they are; under
        ``("keys", name)``, a dedup filter's keys of these pairs."""
        pairs = list(pairs)
        scores, failed = self.verdicts(pairs, precomputed)
        names = self.names
        rows = [dict(zip(names, row)) for row in zip(*(scores[n] for n in names))] if names else [{} for _ in pairs]
        return list(map(Record, pairs, rows, failed))

    def verdicts(self, pairs: list[Pair], precomputed: dict | None = None) -> tuple[dict, list[list[str]]]:
        """What :meth:`judge` makes its records of, by column: every filter's scores (by name, in
        pair order) and, per pair, the names of the filters that rejected it (in pipeline order).
        A corpus run writes these as JSON lines without making the records
        (:func:`mtfix.corpus.records.json_lines`)."""
        for p in pairs:
            if p.id < 0:
                p.id = self._next_id
            self._next_id = max(self._next_id, p.id + 1)
        with shared(pairs):  # what several filters ask of the texts, answered once for the chunk
            scores, ok = self._score(pairs, precomputed)
        failed: list[list[str]] = [[] for _ in pairs]
        for name in self.names:  # in pipeline order
            for i in compress(range(len(pairs)), map(not_, ok[name])):
                failed[i].append(name)
        return scores, failed

    def _score(self, pairs: list[Pair], precomputed: dict | None) -> tuple[dict, dict]:
        """Every filter's scores and verdicts (``accept``), by name."""
        scores, ok = {}, {}
        regular = [f for f in self.filters if not isinstance(f, DedupFilter)]
        for f in regular:
            scores[f.name] = precomputed[f.name] if precomputed and f.name in precomputed else f.score(pairs)
            if len(scores[f.name]) != len(pairs):
                raise RuntimeError(f"filter {f.name} returned {len(scores[f.name])} scores for {len(pairs)} pairs")
            ok[f.name] = f.accepts(scores[f.name])
        passed = list(map(all, zip(*(ok[f.name] for f in regular)))) if regular else [True] * len(pairs)
        for f in self.filters:
            if isinstance(f, DedupFilter):
                keyed = precomputed.get(("keys", f.name)) if precomputed else None
                scores[f.name] = f.score(pairs, register=passed, keyed=keyed)
                ok[f.name] = f.accepts(scores[f.name])
                passed = list(map(and_, passed, ok[f.name]))
        return scores, ok
