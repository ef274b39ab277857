"""`--ray`: the pipeline on a local Ray cluster (2 CPUs) gives exactly the local runner's records,
counts, summary and outputs on the FLORES+NTREX noise set, and resumes after a failure; without
Ray installed, `--ray` is one error line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_corpus_noise import noisy_bitext, write_tsv

from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parse_output


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="Ray is the optional extra mtfix[ray] (make test installs it)")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def noisy(shared_data, tmp_path_factory) -> Path:
    pairs, _ = noisy_bitext(shared_data)
    path = tmp_path_factory.mktemp("ray") / "noisy.tsv"
    write_tsv(path, pairs)
    return path


def _run(src: Path, out: Path, **kw) -> CorpusRun:
    out.mkdir(exist_ok=True)
    return CorpusRun(open_bitext([src], order=("en", "ar")), load_pipeline_config(),
                     [parse_output(out / "k.jsonl"), parse_output(out / "k.parquet")],
                     dropped=parse_output(out / "d.jsonl"), summary=out / "s.json", chunk_size=200, **kw)


def _files(out: Path) -> dict:
    summary = json.loads((out / "s.json").read_text(encoding="utf-8"))
    del summary["outputs"], summary["dropped"]  # paths
    return {"summary": summary, **{n: (out / n).read_bytes() for n in ("k.jsonl", "k.parquet", "d.jsonl")}}


def test_ray_gives_exactly_the_local_runners_results(ray_cluster, noisy, tmp_path):
    local = _run(noisy, tmp_path / "local", workers=1).run()
    on_ray = _run(noisy, tmp_path / "ray", workers=2, ray="local").run()
    assert on_ray.summary == local.summary and str(on_ray.signature) == str(local.signature)
    assert local.summary["dropped"] > 300 and local.summary["filters"]["dedup"]["rejected"] >= 120
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")


def test_a_failed_ray_run_resumes_after_its_last_committed_chunk(ray_cluster, noisy, tmp_path, monkeypatch):
    from mtfix.corpus.state import WorkDir

    _run(noisy, tmp_path / "ref", workers=1).run()
    real, calls = WorkDir._commit_state, []

    def fail_on_the_ninth(self, cursor, counts):
        calls.append(cursor)
        if len(calls) == 9:
            raise RuntimeError("a node died")
        return real(self, cursor, counts)

    monkeypatch.setattr(WorkDir, "_commit_state", fail_on_the_ninth)
    with pytest.raises(RuntimeError):
        _run(noisy, tmp_path / "ray", ray="local").run()
    monkeypatch.setattr(WorkDir, "_commit_state", real)
    result = _run(noisy, tmp_path / "ray", ray="local").run()
    assert result.resumed_at == 8 * 200
    assert _files(tmp_path / "ray") == _files(tmp_path / "ref")


def test_without_ray_the_option_is_one_error_line(noisy, tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"  # as if Ray were not installed
            "from mtfix.cli.app import main\n"
            f"sys.argv = ['mtfix', 'corpus', 'filter', {str(noisy)!r}, '-o', 'k.jsonl', '--ray', 'local']\n"
            "main()\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "error: --ray needs Ray, an optional extra: pip install 'mtfix[ray]' (or run without --ray: local "
        "worker processes)"]
    assert list(tmp_path.iterdir()) == []  # nothing written, no work dir
