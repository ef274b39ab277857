"""`--workers` not given: worker processes only where the input pays for their start-up (decisions,
not timings: the costs behind the rule are in mtfix.corpus.parallel and the README)."""

from __future__ import annotations

import pytest

from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parallel, parse_output
from mtfix.corpus.parallel import PAIRS_PER_WORKER, WORKER_START_UP_PAIRS, default_workers

PER_WORKER = PAIRS_PER_WORKER


def test_a_worker_takes_over_more_than_twice_its_start_up():
    assert PER_WORKER == 16_000 and PER_WORKER > 2 * WORKER_START_UP_PAIRS


@pytest.mark.parametrize("pairs, cores, workers", [
    (None, 4, 4),  # a source that cannot tell its size: every core, as before
    (None, 1, 1),
    (0, 8, 1),
    (1, 8, 1),
    (10_000, 2, 1),  # the 10k run: its own process (x1.7 the CPU for little wall gain with both cores)
    (30_000, 2, 1),
    (2 * PER_WORKER - 1, 2, 1),  # not yet two workers' worth
    (2 * PER_WORKER, 2, 2),
    (100_000, 2, 2),
    (100_000, 8, 6),  # no more workers than the input pays for
    (1_000_000, 2, 2),
    (1_000_000, 64, 62),
    (1_000_000, 1, 1),  # never more than the cores
])
def test_default_workers(pairs, cores, workers):
    assert default_workers(pairs, cores) == workers


def _run(tmp_path, workers=None):
    src = tmp_path / "in.tsv"
    src.write_text("".join(f"It costs {i} dollars.\tيكلف {i} دولارا.\n" for i in range(3)), encoding="utf-8")
    return CorpusRun(open_bitext([src]), load_pipeline_config(), [parse_output(str(tmp_path / "out.jsonl"))],
                     workers=workers, chunk_size=1)


def test_the_run_asks_the_rule_with_the_pairs_still_to_read_and_a_given_number_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "usable_cores", lambda: 4)
    run = _run(tmp_path)
    assert [run.workers_for(n) for n in (None, 10_000, 2 * PER_WORKER, 10 ** 7)] == [4, 1, 2, 4]
    assert [_run(tmp_path, workers=3).workers_for(n) for n in (None, 1, 10 ** 7)] == [3, 3, 3]


def test_a_small_input_starts_no_pool_unless_workers_are_asked_for(tmp_path, monkeypatch):
    """Three chunks on (said) 4 cores: no pool by default; --workers 2 still means 2 processes."""
    started = []

    class Pool(parallel.WorkerPool):
        def __init__(self, config, workers):
            started.append(workers)
            super().__init__(config, workers)

    monkeypatch.setattr(parallel, "usable_cores", lambda: 4)
    monkeypatch.setattr(parallel, "WorkerPool", Pool)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = _run(tmp_path / "a").run()
    assert started == [] and one.summary["pairs"] == 3
    two = _run(tmp_path / "b", workers=2).run()
    assert started == [2] and two.summary == one.summary
    a, b = ((tmp_path / d / "out.jsonl").read_text(encoding="utf-8").replace(str(tmp_path / d), "") for d in "ab")
    assert a == b and a.count("\n") == 3
