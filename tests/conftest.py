"""Shared fixtures. Tests never touch the network: HF_HUB_OFFLINE=1, an empty
Hugging Face cache, a private models dir, and tiny models built here."""

import importlib.util
import os
import shutil
import sys
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


def load_script(name: str, module_name: str | None = None):
    """``scripts/NAME.py`` imported as a module (registered in ``sys.modules``: dataclasses look their
    module up there), for tests of a script's functions."""
    spec = importlib.util.spec_from_file_location(module_name or name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tiny_models() -> dict:
    """Tiny random-weight models built offline by scripts/make_tiny_models.py:
    {"marian-ar-en": Path, "marian-en-ar": Path, "nllb": Path}."""
    return load_script("make_tiny_models").build_all(_SANDBOX / "tiny")


# ------------------------------------------------------------------ shared helpers

class Cli:
    """Runs ``mtfix ARGS`` in-process (typer's CliRunner) with stdout and stderr apart."""

    def __call__(self, *args, input: str | None = None):
        from typer.testing import CliRunner

        from mtfix.cli.app import app

        return CliRunner().invoke(app, [str(a) for a in args], input=input)


@pytest.fixture(scope="session")
def cli() -> Cli:
    """``cli("translate", path, "--src", "ar", ...)`` -> click Result (exit_code, stdout, stderr)."""
    return Cli()


def leftovers(folder: Path) -> list[str]:
    """Temporary files/folders mtfix left in ``folder`` (see mtfix.outputs.temp_name)."""
    from mtfix.outputs import is_temp_name

    return sorted(p.name for p in Path(folder).iterdir() if is_temp_name(p.name) or p.name.endswith(".part"))


def assert_one_line_error(result, *needles, not_written=(), unchanged: dict | None = None) -> str:
    """The house rule for bad input and faults: exit code 2, exactly one line
    ``error: ...`` (containing every one of ``needles``, any case), no traceback, none of ``not_written``
    exists, every file in ``unchanged`` ({path: bytes}) still holds its bytes, and
    no temporary file is left next to any of them."""
    output = result.output
    lines = [line for line in output.splitlines() if line.strip()]
    assert result.exit_code == 2, f"exit {result.exit_code}: {output!r} {result.exception!r}"
    assert "Traceback" not in output, output
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    for needle in needles:
        assert str(needle).lower() in lines[0].lower(), f"{needle!r} not in {lines[0]!r}"
    for p in not_written:
        assert not Path(p).exists(), f"{p} was written"
        if Path(p).parent.is_dir():
            assert leftovers(Path(p).parent) == [], leftovers(Path(p).parent)
    for p, data in (unchanged or {}).items():
        assert Path(p).read_bytes() == data, f"{p} changed"
    return lines[0]


@pytest.fixture(scope="session")
def flores_subset(shared_data, tmp_path_factory) -> dict:
    """The first 40 FLORES-200 devtest lines: {"ar", "en", "dir"} (paths to line-aligned files)
    plus "systems": {name: path} of two ara-eng system outputs on the same lines."""
    d = tmp_path_factory.mktemp("flores40")
    n = 40
    out = {"dir": d, "systems": {}}
    for key, rel in (("ar", "flores200-devtest/arb_Arab.txt"), ("en", "flores200-devtest/eng_Latn.txt")):
        lines = (shared_data / rel).read_text(encoding="utf-8").splitlines()[:n]
        out[key] = d / Path(rel).name
        out[key].write_text("\n".join(lines) + "\n", encoding="utf-8")
    systems = sorted((shared_data / "systems" / "flores200-devtest.ara-eng").glob("*.txt"))[:2]
    for p in systems:
        lines = p.read_text(encoding="utf-8").splitlines()[:n]
        out["systems"][p.stem] = d / p.name
        out["systems"][p.stem].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
