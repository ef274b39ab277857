"""The repair run decision lives in the library (mtfix.repair.run): the CLI and a library
caller get the same default-model fallback, decoding checks and summary."""

from __future__ import annotations

import pytest

from mtfix.errors import MtfixError

AR = "هو لا يزال يشكل تهديدا للسكان بنسبة 100 ٪ .\nتحليل بي بي سي العربية للأحداث.\n"


def test_without_the_default_models_the_library_runs_stage_0_only_as_the_cli_does(cli, tmp_path):
    from mtfix.repair import run_repair

    run = run_repair(AR)
    assert not run.models_ran and run.warning.startswith("warning: default model(s)")
    assert run.report()["signature"]["line"].startswith("mtfix:") and "models:none" in run.report()["signature"]["line"]
    assert run.summary_line().endswith("; no model run")
    src = tmp_path / "in.ar"
    src.write_text(AR, encoding="utf-8")
    r = cli("repair", src, "--out", tmp_path / "o.ar")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o.ar").read_text(encoding="utf-8") == run.text
    assert r.stderr.splitlines()[:2] == [run.warning, run.summary_line()]


def test_required_or_named_models_are_never_skipped():
    from mtfix.repair import run_repair

    with pytest.raises(MtfixError, match="not available offline"):
        run_repair(AR, require_models=True)
    with pytest.raises(MtfixError, match="no-such-model"):
        run_repair(AR, back_models=["no-such-model"])


def test_bad_decoding_options_fail_with_or_without_models():
    from mtfix.repair import run_repair

    with pytest.raises(MtfixError, match="cannot exceed --beam 1"):
        run_repair(AR, beam_size=1)  # n-best 2 > beam 1, even offline
    with pytest.raises(MtfixError, match="batch token budget must be positive"):
        run_repair(AR, max_batch_tokens=0)


def test_with_models_the_library_runs_the_loop_through_the_cache(tiny_models, tmp_path):
    from mtfix.engine.cache import open_cache
    from mtfix.repair import run_repair

    kw = dict(back_models=[str(tiny_models["marian-ar-en"])], forward_models=[str(tiny_models["marian-en-ar"])],
              backend="transformers", beam_size=2, back_n_best=1, forward_n_best=1)
    first = run_repair(AR, cache=open_cache(tmp_path / "c.sqlite"), **kw)
    assert first.models_ran and first.warning is None and "by 2 loaded model(s)" in first.summary_line()
    again = run_repair(AR, cache=open_cache(tmp_path / "c.sqlite"), **kw)
    assert "by 0 loaded model(s)" in again.summary_line() and again.text == first.text
    assert again.report()["signature"]["decoding"]["beam_size"] == 2
