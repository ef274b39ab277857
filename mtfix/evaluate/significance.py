"""Paired significance tests: a thin wrapper around sacrebleu's ``PairedTest``.

The baseline (first system) is compared with every other system by paired
bootstrap resampling (``bs``: 95% confidence interval around the bootstrap
mean, and a p-value) and by paired approximate randomization (``ar``: a
p-value). The numbers are computed by :class:`sacrebleu.significance.PairedTest`,
the code behind ``sacrebleu --paired-bs`` / ``--paired-ar``; with the same
files, seed and number of samples they are identical to the CLI's.

sacrebleu reads its seed from the ``SACREBLEU_SEED`` environment variable
(default 12345), so the wrapper sets that variable for the duration of a test
and restores it afterwards.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass
from typing import Iterator, Sequence

from sacrebleu.metrics.base import Metric
from sacrebleu.significance import PairedTest

from mtfix.errors import MtfixError
from mtfix.evaluate.metrics import format_signature

TESTS = ("bs", "ar")
TEST_NAMES = {"bs": "paired bootstrap resampling", "ar": "paired approximate randomization"}
DEFAULT_SAMPLES = {"bs": 1000, "ar": 10000}
DEFAULT_SEED = 12345
ALPHA = 0.05


@dataclass
class PairedResult:
    """One system x metric x test. ``p_value`` is None for the baseline."""

    score: float
    p_value: float | None = None
    mean: float | None = None
    ci: float | None = None  # half-width of the 95% interval around ``mean``

    @property
    def significant(self) -> bool | None:
        return None if self.p_value is None else self.p_value < ALPHA

    def to_dict(self) -> dict:
        d = {"score": self.score, "p_value": self.p_value}
        if self.mean is not None:
            d.update(mean=self.mean, ci=self.ci, ci_low=self.mean - self.ci, ci_high=self.mean + self.ci)
        return d


@dataclass
class PairedTestResult:
    """Everything one test produced: per system name, per metric name."""

    test: str
    n_samples: int
    seed: int | None
    baseline: str
    signatures: dict[str, str]
    results: dict[str, dict[str, PairedResult]]

    def to_dict(self) -> dict:
        return {
            "test": self.test,
            "description": TEST_NAMES[self.test],
            "n_samples": self.n_samples,
            "seed": self.seed,
            "baseline": self.baseline,
            "signatures": self.signatures,
            "results": {s: {m: r.to_dict() for m, r in per.items()} for s, per in self.results.items()},
        }


@contextlib.contextmanager
def sacrebleu_seed(seed: int | None) -> Iterator[None]:
    """Set ``SACREBLEU_SEED`` (``None`` -> ``"None"``: an unseeded RNG) for a block."""
    old = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = "None" if seed is None else str(int(seed))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = old


def _float(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def paired_test(
    named_systems: Sequence[tuple[str, Sequence[str]]],
    metrics: dict[str, Metric],
    test: str = "bs",
    n_samples: int | None = None,
    seed: int | None = DEFAULT_SEED,
    n_jobs: int = 1,
    normalize: str = "none",
    signature_extra: dict | None = None,
) -> PairedTestResult:
    """Run sacrebleu's paired ``test`` (``"bs"`` or ``"ar"``); the first system is the baseline.

    ``metrics`` must have their references cached (see
    :func:`mtfix.evaluate.metrics.build_metrics`). ``normalize`` and
    ``signature_extra`` are only recorded in the signatures. ``seed=0`` is treated as
    "unseeded" by sacrebleu itself for the comparisons; use a non-zero seed.
    """
    if test not in TESTS:
        raise MtfixError(f"unknown significance test {test!r}; choose from {', '.join(TESTS)}")
    if len(named_systems) < 2:
        raise MtfixError("significance tests need at least two systems (--sys A=... --sys B=...)")
    n = DEFAULT_SAMPLES[test] if not n_samples else int(n_samples)
    if n < 1:
        raise MtfixError(f"the number of samples for {test} must be positive, got {n}")
    systems = [(name, list(hyps)) for name, hyps in named_systems]
    # one task per system compared with the baseline: more workers than that are idle processes
    # (``--jobs 10**20`` asked for a pool of that many: the run hung)
    n_jobs = min(n_jobs, len(systems) - 1) if n_jobs > 0 else n_jobs
    with sacrebleu_seed(seed):
        ps = PairedTest(systems, metrics, references=None, test_type=test, n_samples=n, n_jobs=n_jobs)
        sigs, scores = ps()
    names = scores.pop("System")
    results: dict[str, dict[str, PairedResult]] = {name: {} for name in names}
    for metric, vals in scores.items():
        for name, r in zip(names, vals):
            results[name][metric] = PairedResult(
                score=float(r.score), p_value=_float(r.p_value), mean=_float(r.mean), ci=_float(r.ci))
    return PairedTestResult(
        test=test, n_samples=ps.n_samples, seed=seed, baseline=names[0],
        signatures={m: format_signature(s, normalize, signature_extra) for m, s in sigs.items()}, results=results)
