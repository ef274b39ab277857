"""The output length cap: at most ``ceil(max_output_ratio * source tokens) + output_slack`` tokens per
segment, never above the model's limit; a decoding option (cache key, both backends, the CLI's
``--max-output-ratio`` on translate, repair and corpus build) that never binds on a real-length output."""

from __future__ import annotations

import json
import math

import pytest
from conftest import assert_one_line_error

from mtfix.engine.decode import DecodeOptions
from mtfix.engine.loader import load_translator, plan_translator
from mtfix.errors import MtfixError

BACKENDS = ("ctranslate2", "transformers")


def _cap(ratio: float, n_source: int, limit: int, slack: int = 10) -> int:
    return min(math.ceil(ratio * n_source) + slack, limit)


@pytest.fixture(scope="module")
def lines(seed_path):
    """Short Arabic segments (the seed's first words), each one under the tiny models' source limit."""
    return [" ".join(line.split()[:5]) for line in seed_path.read_text(encoding="utf-8").splitlines()
            if line.strip()][:8]


@pytest.mark.parametrize("backend", BACKENDS)
def test_cap_bounds_every_hypothesis_and_changes_no_finished_one(tiny_models, lines, backend):
    tr = load_translator(str(tiny_models["marian-ar-en"]), backend=backend)
    pair = tr.pair("ar", "en")
    n_source = [tr.count_tokens(t, pair) for t in lines]
    assert max(n_source) <= tr.max_source_tokens  # no piece splitting: one cap per line
    got = {}
    for ratio in (0.2, 3.0, 50.0):
        got[ratio] = tr.translate_batch(lines, src="ar", tgt="en", beam_size=1, max_output_ratio=ratio)
        for n, hyps in zip(n_source, got[ratio]):
            assert hyps[0].tokens <= _cap(ratio, n, tr.max_target_tokens)
    # a tight cap binds (random weights loop on), and says so
    assert any(h[0].truncated and h[0].tokens == _cap(0.2, n, tr.max_target_tokens)
               for n, h in zip(n_source, got[0.2]))
    # greedy: an output that ended before the cap is the same under any larger cap
    for small, large in ((0.2, 3.0), (3.0, 50.0)):
        for a, b in zip(got[small], got[large]):
            if not a[0].truncated:
                assert a[0] == b[0]


def test_real_translations_fit_far_under_the_default_cap(tiny_models, shared_data):
    """FLORES-200 devtest, both directions, every line: the human translation's tokens against the
    source's (the NLLB and M2M100 tokenizers) stay under the default cap, with room to spare."""
    ratio = DecodeOptions().max_output_ratio
    ar = (shared_data / "flores200-devtest" / "arb_Arab.txt").read_text(encoding="utf-8").splitlines()
    en = (shared_data / "flores200-devtest" / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()
    assert len(ar) == len(en) == 1012
    for name in ("nllb", "m2m100"):
        family = plan_translator(str(tiny_models[name]), backend="transformers").family()
        for s, t, src_lines, tgt_lines in (("ar", "en", ar, en), ("en", "ar", en, ar)):
            src = family.encode(src_lines, family.pair(s, t))
            tgt = family.encode(tgt_lines, family.pair(t, s))
            worst = max(len(b) / len(a) for a, b in zip(src, tgt))
            assert worst < ratio / 1.5, (name, s, t, worst)  # measured: 1.57
            assert all(len(b) <= math.ceil(ratio * len(a)) for a, b in zip(src, tgt))


def test_cap_is_in_the_cache_key_and_validated():
    a, b = DecodeOptions(), DecodeOptions(max_output_ratio=1.5)
    assert a.output_key() != b.output_key()
    assert a.output_key() == DecodeOptions(max_batch_tokens=64).output_key()  # the batch budget is not
    for bad in (dict(max_output_ratio=0), dict(max_output_ratio=-1.0), dict(output_slack=-1)):
        with pytest.raises(MtfixError, match="length cap"):
            DecodeOptions(**bad).validate()


def test_cli_flag_reaches_the_engine_and_the_cache(cli, tiny_models, seed_path, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("\n".join(seed_path.read_text(encoding="utf-8").splitlines()[:4]) + "\n", encoding="utf-8")
    cache = tmp_path / "cache.sqlite"
    runs = {}
    for ratio in ("3", "0.2", "3"):
        out = tmp_path / f"out-{ratio}.jsonl"
        r = cli("translate", src, "--src", "ar", "--tgt", "en", "-m", tiny_models["marian-ar-en"], "--beam", "1",
                "--json", "--max-output-ratio", ratio, "--cache", cache, "--out", out)
        assert r.exit_code == 0, r.output
        runs.setdefault(ratio, []).append([json.loads(x)["hypotheses"][0] for x in out.read_text().splitlines()])
    assert runs["3"][0] == runs["3"][1]  # the second default run: from the cache, the same
    short, full = runs["0.2"][0], runs["3"][0]
    assert short != full and any(h["truncated"] for h in short)  # not served the other cap's translations
    assert sum(h["tokens"] for h in short) < sum(h["tokens"] for h in full)


@pytest.mark.parametrize("command", ["translate", "repair", "corpus build"])
def test_cli_flag_is_shared_and_bad_values_are_one_line(cli, seed_path, tmp_path, command):
    assert "--max-output-ratio" in cli(*command.split(), "--help").output
    extra = ["--src", "ar", "--tgt", "en"] if command == "translate" else []
    out = tmp_path / "out.txt"
    r = cli(*command.split(), seed_path, *extra, "--max-output-ratio", "0", "--out", out)
    assert_one_line_error(r, "--max-output-ratio", not_written=[out])
