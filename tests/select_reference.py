"""A frozen reference of how `mtfix select` computed its per-text analyses and its report before
the select speed work (main at commit 204bcbd, and the consensus matrix as before ChrfStats),
for ``tests/test_select_speed.py`` (same selections, same report) and the anchor of
``scripts/bench_speed.py``'s select row.

The speed work changed how the analyses are computed, not what they are, so the reference swaps
in the old computations under the same decision logic (the Selector's rules and the gates'
checks are shared, not frozen: the speed work did not change them, and other work does):

* chrF: sacrebleu's ``sentence_score`` for each ordered pair. The consensus matrix pair by pair
  (as before ``ChrfStats``), and the fidelity and copy gates call it each time they ask, as
  they did (:func:`mtfix.metrics.sentence_chrf`);
* repetition, script, numbers and glossary lookups: the functions called directly each time,
  with no shared memo (repetition reports are kept per text, as the repetition scorer and the
  loop gate each kept them before; the reference computes each once where main computed it
  twice, so the anchor is if anything faster than main was);
* the report: ``SelectionResult.report`` as it was, with ``Score.to_dict`` through
  ``dataclasses.asdict``.

    with reference_analyses():           # every Selector.select in here uses the old computations
        result = select_files(...)
    reference_report(result)             # the report as the old code built it
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict

import mtfix.scoring.select as select_module
from mtfix.metrics import sentence_chrf
from mtfix.scoring.facts import Facts


class ReferenceFacts(Facts):
    """:class:`mtfix.scoring.facts.Facts` that computes every analysis as before: no sharing."""

    def __init__(self):
        super().__init__()
        self._repetition: dict[str, object] = {}

    def of(self, fn, *args):
        from mtfix.text.repetition import repetition_report

        if fn is repetition_report:
            if args[0] not in self._repetition:
                self._repetition[args[0]] = fn(*args)
            return self._repetition[args[0]]
        return fn(*args)

    def chrf(self, hyp: str, ref: str) -> float:
        return sentence_chrf(hyp, ref)

    def prefetch_chrf(self, groups) -> None:
        pass

    def pairwise(self, texts):
        """The consensus matrix as before ChrfStats: sacrebleu sentence chrF per ordered pair."""
        k = len(texts)
        m = [[None] * k for _ in range(k)]
        cache: dict = {}
        for a in range(k):
            for b in range(k):
                if a == b:
                    continue
                key = (texts[a], texts[b])
                if key not in cache:
                    cache[key] = 100.0 if texts[a] == texts[b] and texts[a].strip() else sentence_chrf(*key)
                m[a][b] = cache[key]
        return m


@contextmanager
def reference_analyses():
    """Every :meth:`Selector.select` inside computes its analyses with :class:`ReferenceFacts`."""
    saved = select_module.Facts
    select_module.Facts = ReferenceFacts
    try:
        yield
    finally:
        select_module.Facts = saved


def _score_dict(score) -> dict:
    """``Score.to_dict`` through ``dataclasses.asdict`` (with the ``gain`` the judge work added since)."""
    d = asdict(score)
    d["value"] = round(score.value, 6)
    for k in ("se", "gain"):
        if d.get(k) is None:
            d.pop(k, None)
        else:
            d[k] = round(d[k], 6)
    if d.get("margin_scale") == 1.0:  # the margin at the line's corpus weight: said only where it moves
        d.pop("margin_scale")
    return d


def reference_report(result) -> dict:
    """``SelectionResult.report()`` as main at 204bcbd built it."""
    sel = result.selection
    segs = []
    for i, (seg, d) in enumerate(zip(sel.segments, result.decisions)):
        cands = []
        for c, cand in enumerate(seg.candidates):
            cands.append({"origin": cand.origin, "text": cand.text, "total": round(d.total[c], 6),
                          "scores": {n: _score_dict(s[i][c]) for n, s in sel.scores.items()},
                          "gated": [{"gate": g, "reason": r} for g, r in sel.gate_failures(i, c)]})
        entry = {"index": seg.index, "chosen_origin": seg.candidates[d.chosen].origin,
                 "incumbent_origin": seg.candidates[d.incumbent].origin, **d.to_dict(), "candidates": cands}
        if seg.sources:
            entry["sources"] = seg.sources
        segs.append(entry)
    trust = sel.trust
    return {
        "signature": result.signature,
        "inputs": {"candidates": [{"name": n, "path": p, "trust": round(trust[n], 4) if n in trust else None}
                                  for n, p in zip(result.names, result.paths)],
                   "source": result.source_path,
                   "incumbent": result.incumbent},
        "summary": result.summary(),
        "notes": result.notes,
        "segments": segs,
    }
