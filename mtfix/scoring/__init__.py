"""Scoring and selection: small scorers behind one protocol, and a do-no-harm selector.

    from mtfix.scoring import Candidate, Segment, Selector, load_config, build_scorers
    cfg = load_config()                       # presets/default.toml (+ a user TOML)
    scorers, _ = build_scorers(cfg, tgt_lang="ar")
    selection = Selector(cfg, scorers).select(segments)

``select_files`` runs the whole thing on line-aligned candidate files
(``mtfix select``). Heavy imports (transformers for fluency, the text layer)
happen inside the scorers.
"""

from mtfix.scoring.base import Candidate, Score, Scorer, Segment, sentence_bleu, sentence_chrf
from mtfix.scoring.config import ScoringConfig, load_config
from mtfix.scoring.consensus import Agreement, ConsensusScorer
from mtfix.scoring.select import (
    Decision,
    Selection,
    SelectionResult,
    Selector,
    build_scorers,
    select_files,
)

__all__ = [
    "Agreement", "Candidate", "ConsensusScorer", "Decision", "Score", "Scorer", "ScoringConfig", "Segment",
    "Selection", "SelectionResult", "Selector", "build_scorers", "load_config", "select_files",
    "sentence_bleu", "sentence_chrf",
]
