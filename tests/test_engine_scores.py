"""The transformers backend's token scores: the gather over all recorded steps returns exactly
what the step-by-step lookup it replaced returned (tests/reference_step_scores.py), on real
decodings of the tiny models and on the edge cases a decoding rarely shows."""

import pytest
import torch

from mtfix.engine import load_translator
from mtfix.engine.hf import StepScores
from reference_step_scores import transition_scores as reference

AR = ["في ذروتها في عام 2014 ، تم تأسيس الخلافة.", "هو لا يزال يشكل تهديدا", "تحليل بي بي سي العربية", "هو"]
EN = ["The battle has been raging for several hours.", "IS still poses a threat", "Analysis"]


@pytest.fixture(scope="module")
def translators(tiny_models):
    return {name: load_translator(str(tiny_models[name]), backend="transformers")
            for name in ("marian-ar-en", "nllb", "m2m100")}


@pytest.mark.parametrize("name, src, tgt, texts", [("marian-ar-en", "ar", "en", AR), ("nllb", "en", "ar", EN),
                                                   ("m2m100", "en", "ar", EN)])
@pytest.mark.parametrize("beam, n_best", [(1, 1), (2, 2), (4, 4), (3, 1)])
def test_scores_of_real_decodings_equal_the_step_by_step_lookup(translators, monkeypatch, name, src, tgt, texts,
                                                                beam, n_best):
    checked = []
    fast = StepScores.transition_scores

    def both(self, sequences, beam_indices=None):
        got = fast(self, sequences, beam_indices)
        assert got == reference(self.steps, sequences, beam_indices)  # equal floats, not close ones
        checked.append(len(got))
        return got

    monkeypatch.setattr(StepScores, "transition_scores", both)
    out = translators[name].translate_batch(texts, src=src, tgt=tgt, beam_size=beam, n_best=n_best)
    assert sum(checked) == len(texts) * n_best and all(len(h) == n_best for h in out)


def test_edge_cases_equal_the_step_by_step_lookup():
    """Tokens not among a row's recorded scores (its lowest value), rows past a hypothesis' end
    (-1), beam indices shorter than the sequence, and more tokens than recorded steps (0.0)."""
    torch.manual_seed(0)
    rec = StepScores(beam_size=2)
    for _ in range(5):  # 5 steps of 6 rows over a 40-token vocabulary
        rec(None, torch.randn(6, 40))
    sequences = torch.randint(0, 40, (4, 8))  # 7 generated tokens: 2 past the recorded steps
    top = torch.stack([i for _, i in rec.steps])  # steps x rows x k
    sequences[0, 1:6] = top[:, 0, 0]  # row 0's best token at every step: found
    sequences[1, 1:6] = top[:, 1, -1]  # the last recorded one
    beams = torch.tensor([[0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [2, 3, -1, -1, -1], [5, 4, 3, 2, 1]])
    for beam_indices in (beams, beams[:, :3], None):
        got = rec.transition_scores(sequences, beam_indices)
        assert got == reference(rec.steps, sequences, beam_indices)
        assert [len(s) for s in got] == [7] * 4 and all(s[5:] == [0.0, 0.0] for s in got)
    got = rec.transition_scores(sequences, beams)
    assert got[0][:5] == [rec.steps[t][0][0, 0].item() for t in range(5)]
    assert got[2][2:5] == [0.0, 0.0, 0.0]
    assert rec.transition_scores(sequences[:, :1], None) == [[], [], [], []]
