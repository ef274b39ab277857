"""Fluency scorer with a tiny random GPT-2 and a word-level tokenizer built offline."""

from __future__ import annotations

import math

import pytest

from mtfix.errors import MtfixError
from mtfix.scoring import Candidate, Segment
from mtfix.scoring.fluency import FluencyScorer

WORDS = "the cat sat on a mat dog ran in park".split()


@pytest.fixture(scope="module")
def tiny_lm_dir(tmp_path_factory):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, "[BOS]": 1, **{w: k + 2 for k, w in enumerate(WORDS)}}
    tk = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = transformers.PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", bos_token="[BOS]")
    torch.manual_seed(0)
    cfg = transformers.GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=len(vocab), n_positions=64)
    lm = transformers.GPT2LMHeadModel(cfg)
    d = tmp_path_factory.mktemp("tiny-gpt2")
    lm.save_pretrained(d)
    tok.save_pretrained(d)
    return d


def test_fluency_from_a_local_dir(tiny_lm_dir):
    sc = FluencyScorer(str(tiny_lm_dir))
    seg = Segment(0, [Candidate("the cat sat on a mat", "a"), Candidate("cat", "b"), Candidate("", "c")])
    (row,) = sc.score([seg])
    assert 0 < row[0].value <= 1 and "perplexity" in row[0].reason
    # value is exp(mean log-prob): 1 / perplexity
    ppl = float(row[0].reason.split()[-1])
    assert math.isclose(row[0].value, 1 / ppl, rel_tol=1e-2)
    assert row[1].value == 1.0 and "too short" in row[1].reason
    assert row[2].value == 0.0
    assert sc.signature() == {"name": "fluency", "model": str(tiny_lm_dir)}


def test_fluency_model_missing_is_one_line_error(tmp_path):
    sc = FluencyScorer(str(tmp_path / "no-such-model"))
    with pytest.raises(MtfixError) as e:
        sc.score([Segment(0, [Candidate("the cat sat", "a")])])
    assert "cannot load fluency model" in str(e.value) and "\n" not in str(e.value)


def test_fluency_needs_a_model():
    with pytest.raises(ValueError):
        FluencyScorer()


def test_fluency_is_built_from_the_config(tiny_lm_dir, tmp_path):
    from mtfix.scoring import build_scorers, load_config

    assert "fluency" not in [s.name for s in build_scorers(load_config(), has_sources=False)[0]]
    c = tmp_path / "c.toml"
    c.write_text(f'[weights]\nfluency = 0.2\n[fluency]\nmodel = "{tiny_lm_dir}"\n', encoding="utf-8")
    scorers, _ = build_scorers(load_config(c), has_sources=False)
    assert "fluency" in [s.name for s in scorers]
    c.write_text("[weights]\nfluency = 0.2\n", encoding="utf-8")
    with pytest.raises(MtfixError, match=r"c.toml: \[fluency\] model: empty, while \[weights\] fluency = 0.2"):
        build_scorers(load_config(c), has_sources=False)  # the config names the file, before any scorer is built
