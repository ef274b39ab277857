"""What a corpus process pays before its first pair: numpy's BLAS threads."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

THREADS = "import os, mtfix.corpus, numpy; print(len(os.listdir('/proc/self/task')), os.environ.get('OPENBLAS_NUM_THREADS'))"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_numpy_loads_with_one_blas_thread_and_the_environment_is_given_back():
    """OpenBLAS would start a thread per core on numpy's import (their spinning: ~0.1 s of CPU per
    corpus process); mtfix.corpus loads numpy with one, and leaves OPENBLAS_NUM_THREADS as it
    found it; a user's own setting wins."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env["PYTHONPATH"] = str(REPO)
    out = subprocess.run([sys.executable, "-c", THREADS], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "None"]
    plain = subprocess.run([sys.executable, "-c", "import os, numpy; print(len(os.listdir('/proc/self/task')))"],
                           env=env, capture_output=True, text=True, check=True)
    if (os.cpu_count() or 1) > 1:
        assert int(plain.stdout) > 1  # what it saves: numpy alone starts more threads here
    out = subprocess.run([sys.executable, "-c", THREADS], env={**env, "OPENBLAS_NUM_THREADS": "2"},
                         capture_output=True, text=True, check=True)
    assert out.stdout.split()[1] == "2"  # left as the user set it


@pytest.mark.parametrize("expected", [None, 1, 20_000])
def test_the_dedup_bloom_filter_is_sized_for_the_run_and_any_size_finds_the_same_keys(tmp_path, expected):
    """A run that knows its size gets a Bloom filter for it (a 10,000-pair run: 256 KiB, not 16 MiB
    of pages its first chunk would all touch); a filter far too small for its keys (expected=1)
    only says "maybe" more often: every key added is found with its id, and no other key."""
    import hashlib

    from mtfix.corpus.state import KEYS, DiskKeyStore, WorkDir

    work = WorkDir(tmp_path / "work")
    work.open({"test": 1})
    store = DiskKeyStore(work.db, "dedup", work.subdir(KEYS), expected)
    assert store.bloom_bits == {None: DiskKeyStore.BLOOM_BITS, 1: 1 << 16, 20_000: 1 << 21}[expected]
    keys = [b"e" + hashlib.blake2b(str(i).encode(), digest_size=16).digest() for i in range(6000)]
    for start in range(0, 4000, 1000):
        chunk = keys[start:start + 1000]
        assert store.lookup(chunk) == {}
        store.add(dict(zip(chunk, range(start, start + 1000))))
    assert store.lookup(keys) == {k: i for i, k in enumerate(keys[:4000])}
    work.close()


def test_a_runs_set_up_pauses_the_collector_and_a_library_run_gives_it_back_unfrozen(tmp_path):
    """The collector is off while a run builds its filters and on again after, as it was found;
    only mtfix's own processes (the command line, a worker) freeze their start-up's objects: a
    library caller's process is left as it was."""
    import gc

    from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parse_output
    from mtfix.startup import collector_paused

    for on in (True, False):
        (gc.enable if on else gc.disable)()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is on
    gc.enable()
    src = tmp_path / "in.tsv"
    src.write_text("It costs 20 dollars.\tيكلف 20 دولارا.\n", encoding="utf-8")
    frozen = gc.get_freeze_count()
    result = CorpusRun(open_bitext([src]), load_pipeline_config(), [parse_output(str(tmp_path / "out.jsonl"))],
                       workers=1).run()
    assert result.summary["pairs"] == 1 and gc.isenabled() and gc.get_freeze_count() == frozen
