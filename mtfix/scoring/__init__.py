"""Scoring and selection: small scorers behind one protocol, and a do-no-harm selector.

    from mtfix.scoring import Candidate, Segment, Selector, load_config, build_scorers
    cfg = load_config()                       # presets/default.toml (+ a user TOML)
    scorers, _ = build_scorers(cfg, tgt_lang="ar")
    selection = Selector(cfg, scorers).select(segments)

Scorers and gates are registered by name (:mod:`mtfix.scoring.registry`): a
new scorer is one module with ``@register_scorer`` on its class, and the
config, ``--help``, ``build_scorers`` and reports pick it up.

``select_files`` runs the whole thing on line-aligned candidate files
(``mtfix select``). Heavy imports (transformers for fluency, the text layer)
happen inside the scorers.
"""

from mtfix.scoring.base import Candidate, Score, Scorer, ScorerContext, Segment, sentence_bleu, sentence_chrf
from mtfix.scoring.config import ScoringConfig, load_config
from mtfix.scoring.consensus import Agreement, ConsensusScorer
from mtfix.scoring.gates import Gate, GateContext
from mtfix.scoring.registry import GATES, SCORERS, register_gate, register_scorer
from mtfix.scoring.select import (
    Decision,
    Selection,
    SelectionResult,
    Selector,
    build_scorers,
    select_files,
)

__all__ = [
    "Agreement", "Candidate", "ConsensusScorer", "Decision", "GATES", "Gate", "GateContext", "SCORERS", "Score",
    "Scorer", "ScorerContext", "ScoringConfig", "Segment", "register_gate", "register_scorer",
    "Selection", "SelectionResult", "Selector", "build_scorers", "load_config", "select_files",
    "sentence_bleu", "sentence_chrf",
]
