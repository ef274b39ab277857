"""Scoring and selection: small scorers behind one protocol, and a do-no-harm selector.

    from mtfix.scoring import Candidate, Segment, Selector, load_config, build_scorers
    cfg = load_config()                       # presets/default.toml (+ a user TOML)
    scorers, _ = build_scorers(cfg, tgt_lang="ar")
    selection = Selector(cfg, scorers).select(segments)

File selection (``mtfix select``) lives in :mod:`mtfix.select`. Heavy imports
(transformers for fluency, the text layer) happen inside the scorers.
"""

from mtfix.scoring.base import Candidate, Score, Scorer, Segment, sentence_bleu, sentence_chrf
from mtfix.scoring.config import ScoringConfig, load_config
from mtfix.scoring.consensus import Agreement, ConsensusScorer
from mtfix.scoring.select import (
    Decision,
    Selection,
    Selector,
    build_scorers,
)

__all__ = [
    "Agreement", "Candidate", "ConsensusScorer", "Decision", "Score", "Scorer", "ScoringConfig", "Segment",
    "Selection", "Selector", "build_scorers", "load_config",
    "sentence_bleu", "sentence_chrf",
]
