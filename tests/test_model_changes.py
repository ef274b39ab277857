"""A model re-saved in place must never be served from an old cache entry or an
old CTranslate2 conversion; `models convert` must never overwrite its input."""

import os
import shutil

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def perturb_in_place(model_dir):
    """New weights, same file size (like a fine-tune saved over the old one)."""
    import torch
    from safetensors.torch import load_file, save_file

    path = model_dir / "model.safetensors"
    size = path.stat().st_size
    tensors = load_file(str(path))
    gen = torch.Generator().manual_seed(7)
    for name, t in tensors.items():
        if t.is_floating_point() and "embed_positions" not in name:
            tensors[name] = t + torch.randn(t.shape, generator=gen) * 0.5
    save_file(tensors, str(path), metadata={"format": "pt"})
    assert path.stat().st_size == size
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))  # coarse clocks: a visibly new mtime


@pytest.fixture()
def own_model(tiny_models, tmp_path):
    model = tmp_path / "my-model"
    shutil.copytree(tiny_models["marian-ar-en"], model)
    src = tmp_path / "in.ar"
    src.write_text("هو لا يزال يشكل تهديدا\nتحليل بي بي سي العربية\n", encoding="utf-8")
    return model, src


@pytest.mark.parametrize("backend", ["transformers", "auto"])
def test_a_model_resaved_in_place_is_translated_afresh(own_model, tmp_path, backend):
    model, src = own_model
    args = ["translate", src, "--model", model, "--src", "ar", "--tgt", "en", "--beam", "1",
            "--backend", backend, "--cache", tmp_path / "cache.sqlite"]
    first = run(*args)
    assert first.exit_code == 0, first.output
    perturb_in_place(model)
    # The same backend with no cache and a fresh models dir: what the new weights really give.
    fresh = run("translate", src, "--model", model, "--src", "ar", "--tgt", "en", "--beam", "1",
                "--backend", backend, "--no-cache", "--models-dir", tmp_path / "fresh-models")
    assert fresh.stdout != first.stdout  # the new weights translate differently
    again = run(*args)  # same cache, same (auto-converted) folder names
    assert again.exit_code == 0, again.output
    assert again.stdout == fresh.stdout


def test_convert_never_overwrites_the_model_or_a_file(own_model, tmp_path):
    model, _ = own_model
    before = sorted(p.name for p in model.iterdir())
    for out in (model, model / "ct2"):
        r = run("models", "convert", model, "--out", out, "--force")
        assert r.exit_code == 2 and "would overwrite the model" in r.stderr
    assert sorted(p.name for p in model.iterdir()) == before
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    r = run("models", "convert", model, "--out", victim, "--force")
    assert r.exit_code == 2 and "is a file" in r.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not list(tmp_path.glob("*.part"))


def test_convert_reuses_only_a_conversion_of_the_same_weights(own_model, tiny_models, tmp_path):
    model, _ = own_model
    out = tmp_path / "conv"
    assert run("models", "convert", model, "--out", out).exit_code == 0
    mtime = (out / "model.bin").stat().st_mtime_ns
    assert run("models", "convert", model, "--out", out).exit_code == 0
    assert (out / "model.bin").stat().st_mtime_ns == mtime  # up to date: reused
    r = run("models", "convert", tiny_models["marian-en-ar"], "--out", out)
    assert r.exit_code == 2 and "holds something else" in r.stderr
    perturb_in_place(model)
    r = run("models", "convert", model, "--out", out)
    assert r.exit_code == 2 and "older conversion" in r.stderr
    assert run("models", "convert", model, "--out", out, "--force").exit_code == 0
    assert (out / "model.bin").stat().st_mtime_ns != mtime


def test_convert_force_never_deletes_a_folder_mtfix_did_not_make(own_model, tmp_path):
    model, _ = own_model
    mine = tmp_path / "my-notes"
    mine.mkdir()
    (mine / "todo.txt").write_text("keep me", encoding="utf-8")
    r = run("models", "convert", model, "--out", mine, "--force")
    assert r.exit_code == 2 and "did not make" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (mine / "todo.txt").read_text(encoding="utf-8") == "keep me"
    empty = tmp_path / "empty"
    empty.mkdir()  # an empty folder the user made is a fine place for a conversion
    assert run("models", "convert", model, "--out", empty).exit_code == 0
    assert (empty / "model.bin").is_file()


def test_convert_into_a_read_only_folder_is_one_line(own_model, tmp_path, monkeypatch):
    import mtfix.engine.ct2 as ct2

    model, _ = own_model

    def refuse(*a, **k):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(ct2, "_convert_into", refuse)
    r = run("models", "convert", model, "--out", tmp_path / "conv")
    assert r.exit_code == 2 and r.stderr.startswith("error: cannot write the conversion")
    assert "Errno" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
