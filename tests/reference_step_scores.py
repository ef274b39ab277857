"""Frozen reference: the transformers backend's per-token score lookup as it was at commit
a777531 (a Python loop over sequences x steps), copied verbatim but for taking the
recorded steps as an argument. ``StepScores.transition_scores`` (one gather over all
steps) must return exactly what this returns (tests/test_engine_scores.py). Do not
"fix" this file: it is the definition the fast code must match.
"""

from __future__ import annotations


def transition_scores(recorded_steps, sequences, beam_indices=None) -> list[list[float]]:
    """Per returned sequence, the score of each generated token (0.0 where none)."""
    generated = sequences[:, 1:].tolist()  # after the decoder start token
    rows = beam_indices.tolist() if beam_indices is not None else None
    steps = [(v.tolist(), i.tolist()) for v, i in recorded_steps]
    out = []
    for r, seq in enumerate(generated):
        scores = []
        for t, token in enumerate(seq):
            row = r if rows is None else (rows[r][t] if t < len(rows[r]) else -1)
            if row < 0 or t >= len(steps):
                scores.append(0.0)  # past this hypothesis' end
                continue
            values, ids = steps[t][0][row], steps[t][1][row]
            scores.append(values[ids.index(token)] if token in ids else values[-1])
        out.append(scores)
    return out
