"""A run killed with SIGKILL and started again ends with the same bytes as an uninterrupted run,
whatever the number of worker processes (the reference runs with one, killed runs with two, the
resumed run with three)."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_corpus_noise import noisy_bitext


OUTPUTS = ("c.jsonl", "c.tsv", "c.parquet", "c_hf", "d.jsonl", "r.jsonl", "c.summary.json")


def _cmd(tsv: Path, chunk: int = 100, workers: int | None = None) -> list[str]:
    return [sys.executable, "-m", "mtfix", "corpus", "filter", str(tsv), "-o", "c.jsonl", "-o", "c.tsv",
            "-o", "c.parquet", "-o", "c_hf", "--dropped", "d.jsonl", "--skip-bad", "--rejects", "r.jsonl",
            "--chunk-size", str(chunk), *(["--workers", str(workers)] if workers else []), "-q"]


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if f.is_file():
            h.update(f.relative_to(path).as_posix().encode() if path.is_dir() else b"")
            h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def bitext(shared_data, tmp_path_factory) -> Path:
    """~3100 noisy pairs (duplicates whose originals lie in earlier chunks) and a few ragged rows."""
    pairs, _ = noisy_bitext(shared_data)
    path = tmp_path_factory.mktemp("resume") / "noisy.tsv"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i, (en, ar) in enumerate(pairs):
            f.write(f"{en}\t{ar}\n")
            if i % 997 == 500:
                f.write(f"{en}\t{ar}\tstray third column\n")
    return path


@pytest.fixture(scope="module")
def reference(bitext, tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("uninterrupted")
    subprocess.run(_cmd(bitext, workers=1), cwd=d, check=True, timeout=300)
    assert not (d / "c.jsonl.partial").exists()
    return {name: _digest(d / name) for name in OUTPUTS}


def _kill_when(proc: subprocess.Popen, kept: Path, min_bytes: int, timeout: float = 60) -> bool:
    """SIGKILL ``proc`` once ``kept`` holds more than ``min_bytes``; False if it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            size = kept.stat().st_size
        except FileNotFoundError:
            size = 0
        if size > min_bytes:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    proc.kill()
    raise AssertionError("the run made no progress")


@pytest.mark.parametrize("workers,resume_workers", [(1, 1), (2, 3)])
def test_sigkill_then_resume_gives_identical_outputs(bitext, reference, tmp_path, workers, resume_workers):
    work = tmp_path / "c.jsonl.partial"
    kept = work / "kept.jsonl"
    kills = 0
    for min_bytes in (0, 600_000):  # early, then again further on
        proc = subprocess.Popen(_cmd(bitext, workers=workers), cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        if _kill_when(proc, kept, min_bytes):
            kills += 1
            assert proc.returncode == -signal.SIGKILL
            assert work.is_dir()
            assert not (tmp_path / "c.jsonl").exists()  # no final output before the input is done
    assert kills >= 1, "the run finished before it could be killed; give it more input"
    resumed = subprocess.run(_cmd(bitext, workers=resume_workers)[:-1], cwd=tmp_path, capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed after" in resumed.stderr
    assert not work.exists()
    assert {name: _digest(tmp_path / name) for name in OUTPUTS} == reference


def test_every_worker_count_writes_the_same_bytes(bitext, reference, tmp_path):
    """Uninterrupted runs with 2 and 4 workers (more than this machine's cores) against the 1-worker run
    (same chunk size: the align filter compares neighbours within a chunk)."""
    for workers in (2, 4):
        d = tmp_path / f"w{workers}"
        d.mkdir()
        subprocess.run(_cmd(bitext, workers=workers), cwd=d, check=True, timeout=300)
        assert {name: _digest(d / name) for name in OUTPUTS} == reference


def test_workers_must_be_positive(bitext, tmp_path):
    r = subprocess.run(_cmd(bitext, workers=1)[:-2] + ["0"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == ["error: --workers must be at least 1"]


# ---------------------------------------------------------------- the same, in process, at exact moments


@pytest.fixture
def small(shared_data, tmp_path):
    pairs, _ = noisy_bitext(shared_data)
    src = tmp_path / "in.tsv"
    src.write_text("".join(f"{e}\t{a}\n" for e, a in pairs[:700] + pairs[100:160]), encoding="utf-8")
    return src


def _library_run(src: Path, out_dir: Path):
    from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parse_output

    outs = [parse_output(out_dir / n) for n in ("k.jsonl", "k.parquet", "k_hf")]
    return CorpusRun(open_bitext([src]), load_pipeline_config(), outs, dropped=parse_output(out_dir / "d.jsonl"),
                     summary=out_dir / "s.json", chunk_size=50)


def _digests(d: Path) -> dict:
    import json

    summary = json.loads((d / "s.json").read_text(encoding="utf-8"))
    del summary["outputs"], summary["dropped"]  # where they were written: differs from the reference run's
    return {"summary": summary, **{n: _digest(d / n) for n in ("k.jsonl", "k.parquet", "k_hf", "d.jsonl")}}


def test_a_crash_after_writing_a_chunk_but_before_committing_it(small, tmp_path, monkeypatch):
    from mtfix.corpus.state import WorkDir

    (tmp_path / "ref").mkdir()
    _library_run(small, tmp_path / "ref").run()
    calls = []
    real = WorkDir._commit_state

    def crash_on_the_fourth(self, cursor, counts):
        calls.append(cursor)
        if len(calls) == 4:  # chunk 4's records are in the .jsonl files, its dedup keys inserted, nothing committed
            raise KeyboardInterrupt
        return real(self, cursor, counts)

    monkeypatch.setattr(WorkDir, "_commit_state", crash_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        _library_run(small, tmp_path).run()
    work = tmp_path / "k.jsonl.partial"
    assert (work / "kept.jsonl").stat().st_size > 0
    monkeypatch.setattr(WorkDir, "_commit_state", real)
    result = _library_run(small, tmp_path).run()
    assert result.resumed_at == 150
    assert _digests(tmp_path) == _digests(tmp_path / "ref")


def test_a_crash_while_writing_the_final_outputs(small, tmp_path, monkeypatch):
    import mtfix.corpus.runner as runner

    (tmp_path / "ref").mkdir()
    _library_run(small, tmp_path / "ref").run()
    real = runner.write_output
    seen = []

    def fail_on_the_second(spec, *a, **kw):
        seen.append(spec)
        if len(seen) == 2:
            raise OSError("disk full")
        return real(spec, *a, **kw)

    monkeypatch.setattr(runner, "write_output", fail_on_the_second)
    with pytest.raises(OSError):
        _library_run(small, tmp_path).run()
    assert (tmp_path / "k.jsonl").exists() and not (tmp_path / "k.parquet").exists()
    monkeypatch.setattr(runner, "write_output", real)
    result = _library_run(small, tmp_path).run()
    assert result.resumed_at == 760 and not (tmp_path / "k.jsonl.partial").exists()
    assert _digests(tmp_path) == _digests(tmp_path / "ref")


def _leave_an_unfinished_run(src: Path, out_dir: Path, monkeypatch) -> None:
    """A library run (chunk size 50) interrupted before its second chunk is committed."""
    from mtfix.corpus.state import WorkDir

    real = WorkDir._commit_state
    calls = []

    def crash_on_the_second(self, cursor, counts):
        calls.append(cursor)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, cursor, counts)

    monkeypatch.setattr(WorkDir, "_commit_state", crash_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        _library_run(src, out_dir).run()
    monkeypatch.setattr(WorkDir, "_commit_state", real)
    assert (out_dir / "k.jsonl.partial").is_dir()


def test_an_unfinished_run_with_other_settings_is_not_taken_up(small, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from mtfix.cli.app import app

    _leave_an_unfinished_run(small, tmp_path, monkeypatch)
    pipeline = tmp_path / "p.toml"
    pipeline.write_text("[filters.length_ratio]\nmax_ratio = 3.0\n", encoding="utf-8")
    args = ["corpus", "filter", str(small), "-o", str(tmp_path / "k.jsonl"), "--pipeline", str(pipeline),
            "--chunk-size", "50"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2
    assert r.output.strip() == (f"error: {tmp_path / 'k.jsonl.partial'} holds an unfinished run made with a "
                                f"different filter pipeline; run the same command to finish it, or pass --restart "
                                f"to discard it")
    r = CliRunner().invoke(app, args + ["--restart"])
    assert r.exit_code == 0, r.output
    assert "resumed" not in r.output and not (tmp_path / "k.jsonl.partial").exists()


def test_an_unfinished_run_is_not_taken_up_with_another_chunk_size(small, tmp_path, monkeypatch):
    """The align filter compares neighbours inside a chunk: resuming with another --chunk-size would
    judge the rest of the input differently from an uninterrupted run, so it is refused."""
    from typer.testing import CliRunner

    from mtfix.cli.app import app

    _leave_an_unfinished_run(small, tmp_path, monkeypatch)  # chunk size 50
    args = ["corpus", "filter", str(small), "-o", str(tmp_path / "k.jsonl"), "-o", str(tmp_path / "k.parquet"),
            "-o", str(tmp_path / "k_hf"), "--dropped", str(tmp_path / "d.jsonl"), "--workers", "1"]
    r = CliRunner().invoke(app, args + ["--chunk-size", "80"])
    assert r.exit_code == 2 and "another --chunk-size" in r.output and len(r.output.strip().splitlines()) == 1
    r = CliRunner().invoke(app, args + ["--chunk-size", "50"])
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "k.jsonl.partial").exists()


@pytest.mark.parametrize("crash", ["after a run's files are written", "before a chunk is committed"])
def test_dedup_keys_in_sorted_runs_survive_a_crash(small, tmp_path, monkeypatch, crash):
    """The dedup store writes its keys out as sorted runs every ``MERGE`` keys: with runs of 60 keys
    (a run every chunk or so), the duplicates at the end of the input (of pairs kept from its start) are found in runs written
    long before, and a crash right after a run's files are written (no commit counts it yet) or
    before a later chunk's commit, then a resumed run, give the bytes of a run that kept every key
    in memory (the reference: fewer than ``MERGE`` keys, no run)."""
    from mtfix.corpus.state import SqliteKeyStore, WorkDir

    (tmp_path / "ref").mkdir()
    _library_run(small, tmp_path / "ref").run()
    dropped = (tmp_path / "ref" / "d.jsonl").read_text(encoding="utf-8")
    assert dropped.count("exact duplicate of #") >= 40
    monkeypatch.setattr(SqliteKeyStore, "MERGE", 60)
    real_run, real_commit, runs, commits = SqliteKeyStore._write_run, WorkDir._commit_state, [], []

    def write_run(self):
        real_run(self)
        runs.append(len(self._runs))
        if crash.startswith("after") and len(runs) == 5:
            raise KeyboardInterrupt

    def commit_state(self, cursor, counts):
        commits.append(cursor)
        if crash.startswith("before") and len(commits) == 9:
            raise KeyboardInterrupt
        return real_commit(self, cursor, counts)

    monkeypatch.setattr(SqliteKeyStore, "_write_run", write_run)
    monkeypatch.setattr(WorkDir, "_commit_state", commit_state)
    with pytest.raises(KeyboardInterrupt):
        _library_run(small, tmp_path).run()
    keys = tmp_path / "k.jsonl.partial" / "keys"
    assert len(list(keys.glob("*.keys"))) >= 5
    monkeypatch.setattr(WorkDir, "_commit_state", real_commit)
    result = _library_run(small, tmp_path).run()
    assert 0 < result.resumed_at < 760 and len(runs) > 10
    if crash.startswith("after"):  # the run no commit counted is written again
        assert runs.count(5) == 2
    assert not (tmp_path / "k.jsonl.partial").exists()
    assert _digests(tmp_path) == _digests(tmp_path / "ref")
