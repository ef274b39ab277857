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
