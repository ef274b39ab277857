"""torch's OpenMP threads sleep while they wait on a busy machine (mtfix.engine.openmp), unless the user chose otherwise."""

import os
import re
import subprocess
import sys

import pytest

from mtfix.engine.openmp import WAIT_VARIABLES, calm_openmp


@pytest.mark.parametrize("load, user, expected", [
    (8.0, {}, {"OMP_WAIT_POLICY": "PASSIVE"}),
    (0.2, {}, {}),
    (8.0, {"OMP_WAIT_POLICY": "active"}, {"OMP_WAIT_POLICY": "active"}),
    (8.0, {"GOMP_SPINCOUNT": "300000"}, {"GOMP_SPINCOUNT": "300000"}),
])
def test_passive_on_a_busy_machine_unless_the_user_set_a_wait_policy(monkeypatch, load, user, expected):
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    for name in WAIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in user.items():
        monkeypatch.setenv(name, value)
    calm_openmp()
    assert {name: os.environ[name] for name in WAIT_VARIABLES if name in os.environ} == expected


def _openmp_settings(model, extra: dict, load: float = 99.0) -> dict:
    """The wait settings the OpenMP runtime of a fresh transformers-backend process loaded with (it prints
    them with OMP_DISPLAY_ENV=VERBOSE as it starts)."""
    env = {k: v for k, v in os.environ.items() if k not in WAIT_VARIABLES}
    env.update(extra, OMP_DISPLAY_ENV="VERBOSE")
    code = (f"import os; os.getloadavg = lambda: ({load}, {load}, {load})\n"
            "from mtfix.engine import load_translator\n"
            f"t = load_translator({str(model)!r}, backend='transformers', threads=2)\n"
            "print(t.translate_batch(['هو لا يزال'], src='ar', tgt='en', beam_size=2)[0][0].tokens > 0)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stdout.split() == ["True"], r.stderr[-2000:]
    if "OPENMP DISPLAY ENVIRONMENT" not in r.stderr:
        pytest.skip("this torch has no libgomp (it prints its settings at start-up)")
    return dict(re.findall(r"^\s*(OMP_WAIT_POLICY|GOMP_SPINCOUNT) = '([^']*)'", r.stderr, re.M))


def test_the_transformers_backend_sets_it_before_torch_loads_openmp(tiny_models):
    """Set after torch's import it would change nothing: libgomp reads its environment once, as it loads."""
    assert _openmp_settings(tiny_models["marian-ar-en"], {}) == {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0"}
    # libgomp's own default (threads spin 300,000 rounds first) on an idle machine, and when asked for
    assert _openmp_settings(tiny_models["marian-ar-en"], {}, load=0.0)["GOMP_SPINCOUNT"] == "300000"
    assert _openmp_settings(tiny_models["marian-ar-en"], {"GOMP_SPINCOUNT": "300000"})["GOMP_SPINCOUNT"] == "300000"
