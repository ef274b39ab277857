"""Shared fixtures. Tests never touch the network: HF_HUB_OFFLINE=1, an empty
Hugging Face cache, a private models dir, and tiny models built here."""

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

_SANDBOX = Path(tempfile.mkdtemp(prefix="mtfix-tests-"))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HOME"] = str(_SANDBOX / "hf-home")  # an empty cache: nothing is "already downloaded"
os.environ["XDG_CACHE_HOME"] = str(_SANDBOX / "cache")  # the translation cache, too
os.environ["MTFIX_MODELS_DIR"] = str(_SANDBOX / "models")  # conversions never land in the repo

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "seeds" / "000_66fd05bfb1d0cc1a.txt"

(_SANDBOX / "models").mkdir()
for preset in (REPO / "models").glob("*.toml"):
    shutil.copy(preset, _SANDBOX / "models" / preset.name)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SANDBOX, ignore_errors=True)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def shared_data() -> Path:
    data = SHARED / "data"
    assert data.is_dir(), f"{data} is missing: tests need the shared data pack (CI has it)"
    return data


@pytest.fixture(scope="session")
def models_dir() -> Path:
    """The tests' private models dir (presets copied from the repo)."""
    return Path(os.environ["MTFIX_MODELS_DIR"])


@pytest.fixture(scope="session")
def tiny_models() -> dict:
    """Tiny random-weight models built offline by scripts/make_tiny_models.py:
    {"marian-ar-en": Path, "marian-en-ar": Path, "nllb": Path}."""
    spec = importlib.util.spec_from_file_location("make_tiny_models", REPO / "scripts" / "make_tiny_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_all(_SANDBOX / "tiny")
