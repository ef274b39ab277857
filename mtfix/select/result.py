""":class:`SelectionResult`: the chosen lines of ``mtfix select`` and a JSON-ready report."""

from __future__ import annotations

from dataclasses import dataclass, field

from mtfix.scoring.select import Decision, Selection
from mtfix.text.read import TextLines


@dataclass
class SelectionResult:
    """The outcome of :func:`mtfix.select.select_lines` / :func:`~mtfix.select.select_files`."""

    lines: list[str]
    names: list[str]  # candidate names, in the order given
    paths: list[str | None]  # where each candidate was read from (None: given in memory)
    source_path: str | None
    selection: Selection
    signature: dict
    notes: list[str] = field(default_factory=list)
    incumbent: str | None = None  # the name given with --incumbent; None: the most trusted per line
    layout: TextLines | None = None  # the file whose layout the text keeps (line breaks, BOM); None: LF

    @property
    def decisions(self) -> list[Decision]:
        return self.selection.decisions

    def text(self) -> str:
        if self.layout is not None:
            return self.layout.join(self.lines)
        return "".join(line + "\n" for line in self.lines)

    def summary(self) -> dict:
        counts = {n: 0 for n in self.names}
        for seg, d in zip(self.selection.segments, self.decisions):
            counts[seg.candidates[d.chosen].origin] += 1
        incumbents = {seg.candidates[seg.incumbent].origin for seg in self.selection.segments}
        return {"segments": len(self.lines), "chosen": counts,
                "incumbent": sorted(incumbents)[0] if len(incumbents) == 1 else sorted(incumbents),
                "incumbent_by": "named (--incumbent)" if self.incumbent is not None else "trust",
                "switched": sum(not d.kept_incumbent for d in self.decisions)}

    def report(self) -> dict:
        sel = self.selection
        segs = []
        for i, (seg, d) in enumerate(zip(sel.segments, self.decisions)):
            cands = []
            for c, cand in enumerate(seg.candidates):
                cands.append({"origin": cand.origin, "text": cand.text, "total": round(d.total[c], 6),
                              "scores": {n: s[i][c].to_dict() for n, s in sel.scores.items()},
                              "gated": [{"gate": g, "reason": r} for g, r in sel.gate_failures(i, c)]})
            entry = {"index": seg.index, "chosen_origin": seg.candidates[d.chosen].origin,
                     "incumbent_origin": seg.candidates[d.incumbent].origin, **d.to_dict(), "candidates": cands}
            if seg.sources:
                entry["sources"] = seg.sources
            segs.append(entry)
        trust = sel.trust
        return {
            "signature": self.signature,
            "inputs": {"candidates": [{"name": n, "path": p, "trust": round(trust[n], 4) if n in trust else None}
                                      for n, p in zip(self.names, self.paths)],
                       "source": self.source_path,
                       "incumbent": self.incumbent},
            "summary": self.summary(),
            "notes": self.notes,
            "segments": segs,
        }
