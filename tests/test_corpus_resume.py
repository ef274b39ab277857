"""A run killed with SIGKILL and started again ends with the same bytes as an uninterrupted run."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_corpus_noise import noisy_bitext

OUTPUTS = ("c.jsonl", "c.tsv", "c.parquet", "c_hf", "d.jsonl", "r.jsonl", "c.summary.json")


def _cmd(tsv: Path, chunk: int = 100) -> list[str]:
    return [sys.executable, "-m", "mtfix", "corpus", "filter", str(tsv), "-o", "c.jsonl", "-o", "c.tsv",
            "-o", "c.parquet", "-o", "c_hf", "--dropped", "d.jsonl", "--skip-bad", "--rejects", "r.jsonl",
            "--chunk-size", str(chunk), "-q"]


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
    subprocess.run(_cmd(bitext), cwd=d, check=True, timeout=120)
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


def test_sigkill_then_resume_gives_identical_outputs(bitext, reference, tmp_path):
    work = tmp_path / "c.jsonl.partial"
    kept = work / "kept.jsonl"
    kills = 0
    for min_bytes in (0, 600_000):  # early, then again further on
        proc = subprocess.Popen(_cmd(bitext), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if _kill_when(proc, kept, min_bytes):
            kills += 1
            assert proc.returncode == -signal.SIGKILL
            assert work.is_dir()
            assert not (tmp_path / "c.jsonl").exists()  # no final output before the input is done
    assert kills >= 1, "the run finished before it could be killed; give it more input"
    resumed = subprocess.run(_cmd(bitext)[:-1], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed after" in resumed.stderr
    assert not work.exists()
    assert {name: _digest(tmp_path / name) for name in OUTPUTS} == reference


def test_an_unfinished_run_with_other_settings_is_not_taken_up(bitext, tmp_path):
    proc = subprocess.Popen(_cmd(bitext), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not _kill_when(proc, tmp_path / "c.jsonl.partial" / "kept.jsonl", 0):
        pytest.skip("the run finished before it could be killed")
    pipeline = tmp_path / "p.toml"
    pipeline.write_text("[filters.length_ratio]\nmax_ratio = 3.0\n", encoding="utf-8")
    r = subprocess.run(_cmd(bitext) + ["--pipeline", str(pipeline)], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2
    assert "made with a different filter pipeline" in r.stderr and "--restart" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = subprocess.run(_cmd(bitext) + ["--pipeline", str(pipeline), "--restart"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "resumed" not in r.stderr
