"""`corpus build --workers`: the filters of a build run in worker processes with the same bytes out
(`corpus filter` is covered with SIGKILL and resume in tests/test_corpus_resume.py)."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from mtfix.cli.app import app


def test_build_writes_the_same_bytes_with_one_or_three_workers(tiny_models, seed_path, tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    shutil.copy(seed_path, arts / "seed.txt")
    models = ["-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"], "--beam", "2",
              "--cache", str(tmp_path / "cache.sqlite")]
    outputs = {}
    for workers in ("1", "3"):
        d = tmp_path / f"w{workers}"
        d.mkdir()
        r = CliRunner().invoke(app, ["corpus", "build", str(arts), "-o", str(d / "k.jsonl"), "-o",
                                     str(d / "k.parquet"), "--dropped", str(d / "d.jsonl"), "--chunk-size", "5",
                                     "--workers", workers, "-q", *models])
        assert r.exit_code == 0, r.output
        outputs[workers] = {n: (d / n).read_bytes() for n in ("k.jsonl", "k.parquet", "d.jsonl")}
    assert outputs["1"] == outputs["3"]
    assert outputs["1"]["k.jsonl"].count(b"\n") + outputs["1"]["d.jsonl"].count(b"\n") > 10
