"""`mtfix translate` and `mtfix models` from the command line, bad input included."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app

from conftest import assert_one_line_error

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def ar_file(tmp_path):
    p = tmp_path / "in.ar"
    p.write_text("هو لا يزال يشكل تهديدا\n\nتحليل بي بي سي العربية\nهو لا يزال يشكل تهديدا\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_translate_keeps_the_line_count(tiny_models, ar_file, tmp_path, backend):
    out = tmp_path / "out.en"
    r = run("translate", ar_file, "--model", tiny_models["marian-ar-en"], "--src", "ar", "--tgt", "en",
            "--backend", backend, "--beam", "2", "--out", out)
    assert r.exit_code == 0, r.output
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) - 1 == 4
    assert lines[1] == "" and lines[0] and lines[0] == lines[3]


def test_translate_json_n_best(tiny_models, ar_file):
    r = run("translate", ar_file, "--model", tiny_models["nllb"], "--src", "ar", "--tgt", "en",
            "--backend", "transformers", "--beam", "3", "--n-best", "2", "--json")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["line"] for row in rows] == [1, 2, 3, 4]
    assert len(rows[0]["hypotheses"]) == 2
    assert {"text", "score", "tokens", "truncated", "pieces"} <= set(rows[0]["hypotheses"][0])


def test_n_best_without_json_is_refused(tiny_models, ar_file):
    r = run("translate", ar_file, "--model", tiny_models["nllb"], "--src", "ar", "--tgt", "en", "--n-best", "2")
    assert r.exit_code == 2
    assert "--json" in assert_one_line_error(r)


def test_unknown_model(ar_file):
    r = run("translate", ar_file, "--model", "no-such-model", "--src", "ar", "--tgt", "en")
    assert r.exit_code == 2
    assert "unknown model no-such-model" in assert_one_line_error(r)


@pytest.mark.parametrize("model", ["opus-mt-ar-en", "Helsinki-NLP/opus-mt-ar-en", "someorg/some-model"])
def test_model_not_available_offline(ar_file, tmp_path, model):
    out = tmp_path / "out.txt"
    r = run("translate", ar_file, "--model", model, "--src", "ar", "--tgt", "en", "--out", out)
    assert r.exit_code == 2
    line = assert_one_line_error(r)
    assert "not available offline" in line and "mtfix models pull" in line and "local model directory" in line
    assert not out.exists()


def test_default_model_comes_from_the_presets(ar_file):
    r = run("translate", ar_file, "--src", "ar", "--tgt", "en")
    assert r.exit_code == 2
    assert "opus-mt-tc-big-ar-en is not available offline" in assert_one_line_error(r)


def test_missing_model_dir(ar_file, tmp_path):
    r = run("translate", ar_file, "--model", tmp_path / "nope", "--src", "ar", "--tgt", "en")
    assert r.exit_code == 2
    assert "no such model directory" in assert_one_line_error(r)


def test_corrupt_model_dirs(ar_file, tmp_path, tiny_models):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("translate", ar_file, "--model", empty, "--src", "ar", "--tgt", "en")
    assert r.exit_code == 2 and "not a model directory" in assert_one_line_error(r)

    bad_json = tmp_path / "badjson"
    bad_json.mkdir()
    (bad_json / "config.json").write_text("{not json", encoding="utf-8")
    r = run("translate", ar_file, "--model", bad_json, "--src", "ar", "--tgt", "en")
    assert r.exit_code == 2 and "corrupt" in assert_one_line_error(r)

    no_weights = tmp_path / "noweights"
    no_weights.mkdir()
    for f in tiny_models["marian-ar-en"].iterdir():
        if f.suffix != ".safetensors":
            (no_weights / f.name).write_bytes(f.read_bytes())
    r = run("translate", ar_file, "--model", no_weights, "--src", "ar", "--tgt", "en", "--backend", "transformers")
    assert r.exit_code == 2 and "cannot load model" in assert_one_line_error(r)

    broken_weights = tmp_path / "broken"
    broken_weights.mkdir()
    for f in tiny_models["marian-ar-en"].iterdir():
        (broken_weights / f.name).write_bytes(f.read_bytes()[: 100 if f.suffix == ".safetensors" else None])
    r = run("translate", ar_file, "--model", broken_weights, "--src", "ar", "--tgt", "en", "--backend", "transformers")
    assert r.exit_code == 2 and "cannot load model" in assert_one_line_error(r)


@pytest.mark.parametrize(
    "model,src,tgt,message",
    [
        ("marian-ar-en", "en", "ar", "source language ar, not en"),
        ("marian-en-ar", "en", "fr", "cannot translate into 'fr'"),
        ("nllb", "ar", "xx_Fake", "no language code 'xx_Fake'"),
    ],
)
def test_wrong_language_for_the_model(tiny_models, ar_file, tmp_path, model, src, tgt, message):
    out = tmp_path / "out.txt"
    r = run("translate", ar_file, "--model", tiny_models[model], "--src", src, "--tgt", tgt,
            "--backend", "transformers", "--out", out)
    assert r.exit_code == 2
    assert message in assert_one_line_error(r)
    assert not out.exists()


def test_wrong_direction_for_a_preset(tiny_models, ar_file, tmp_path, models_dir):
    # A preset pointing at the tiny model, pulled into the models dir.
    pulled = models_dir / "opus-mt-ar-en"
    if not pulled.exists():
        pulled.symlink_to(tiny_models["marian-ar-en"])
    try:
        r = run("translate", ar_file, "--model", "opus-mt-ar-en", "--src", "en", "--tgt", "ar", "--backend", "transformers")
        assert r.exit_code == 2
        assert "translates ar-en, not en-ar" in assert_one_line_error(r)
        ok = run("translate", ar_file, "--model", "opus-mt-ar-en", "--src", "ar", "--tgt", "en", "--backend", "transformers")
        assert ok.exit_code == 0, ok.output
    finally:
        pulled.unlink()


@pytest.mark.parametrize(
    "content,message",
    [(b"", "is empty"), (b"\n \n", "is empty"), (b"PK\x03\x04\x00\x00\x08\x00binary", "binary"), ("عربي".encode("cp1256"), "not UTF-8")],
)
def test_bad_input_files(tiny_models, tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    out = tmp_path / "out.txt"
    r = run("translate", f, "--model", tiny_models["nllb"], "--src", "ar", "--tgt", "en", "--out", out)
    assert r.exit_code == 2
    assert message in assert_one_line_error(r)
    assert not out.exists()


def test_missing_input_and_output_over_input(tiny_models, ar_file, tmp_path):
    r = run("translate", tmp_path / "nope.txt", "--model", tiny_models["nllb"], "--src", "ar", "--tgt", "en")
    assert r.exit_code == 2 and "no such file" in assert_one_line_error(r)
    before = ar_file.read_bytes()
    r = run("translate", ar_file, "--model", tiny_models["nllb"], "--src", "ar", "--tgt", "en", "--out", ar_file)
    assert r.exit_code == 2 and "also an input" in assert_one_line_error(r)
    assert ar_file.read_bytes() == before


def test_models_convert_makes_a_self_contained_ct2_dir(tiny_models, tmp_path):
    out = tmp_path / "ct2"
    r = run("models", "convert", tiny_models["marian-en-ar"], "--quantization", "int8", "--out", out)
    assert r.exit_code == 0, r.output
    assert (out / "model.bin").is_file() and (out / "hf" / "vocab.json").is_file()
    meta = json.loads((out / "mtfix.json").read_text())
    assert meta["quantization"] == "int8"
    # The conversion is usable on its own, as a --model.
    src = tmp_path / "in.en"
    src.write_text("IS still poses a threat\n", encoding="utf-8")
    r = run("translate", src, "--model", out, "--src", "en", "--tgt", "ar")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip()
    r = run("translate", src, "--model", out, "--src", "en", "--tgt", "ar", "--backend", "transformers")
    assert r.exit_code == 2 and "CTranslate2 model" in assert_one_line_error(r)


def test_models_list_shows_the_presets():
    r = run("models", "list", "--json")
    assert r.exit_code == 0, r.output
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    for name in ["opus-mt-ar-en", "opus-mt-en-ar", "opus-mt-tc-big-ar-en", "opus-mt-tc-big-en-ar",
                 "nllb-200-distilled-600M", "nllb-200-distilled-1.3B"]:
        assert name in rows
        assert rows[name]["local"] == ""  # nothing is downloaded in the tests
    assert rows["nllb-200-distilled-600M"]["family"] == "nllb"
    assert "ar-en" in rows["opus-mt-tc-big-ar-en"]["default_for"]


def test_models_pull_offline_is_a_clean_error():
    r = run("models", "pull", "opus-mt-ar-en")
    assert r.exit_code == 2
    assert "cannot reach huggingface.co" in assert_one_line_error(r)


def test_help_lists_every_command():
    r = subprocess.run([sys.executable, "-m", "mtfix", "--help"], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "120"})
    assert r.returncode == 0, r.stderr
    for command in ["translate", "check", "repair", "select", "evaluate", "corpus", "models"]:
        assert command in r.stdout


def test_lines_end_at_newline_only(tiny_models, tmp_path):
    # U+2028 and form feeds inside a segment must not split it (parallel files stay aligned).
    f = tmp_path / "in.ar"
    f.write_text("هو لا\u2028يزال\r\nتحليل\x0cبي بي سي\n", encoding="utf-8")
    r = run("translate", f, "--model", tiny_models["nllb"], "--src", "ar", "--tgt", "en", "--json", "--beam", "1")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.split("\n") if line]
    assert [row["source"] for row in rows] == ["هو لا\u2028يزال", "تحليل\x0cبي بي سي"]


def test_outputs_get_ordinary_permissions(tiny_models, ar_file, tmp_path):
    import stat

    old = os.umask(0o022)
    try:
        out = tmp_path / "out.en"
        r = run("translate", ar_file, "--model", tiny_models["nllb"], "--src", "ar", "--tgt", "en", "--out", out)
        assert r.exit_code == 0, r.output
        assert stat.S_IMODE(out.stat().st_mode) == 0o644  # not mkstemp's owner-only 0600
    finally:
        os.umask(old)


def test_a_models_dir_of_its_own_keeps_the_builtin_presets(tmp_path, monkeypatch):
    own = tmp_path / "my-models"
    own.mkdir()
    (own / "my-preset.toml").write_text(
        'name = "my-preset"\nhub_id = "me/my-model"\nfamily = "marian"\ndirections = ["ar-en"]\n', encoding="utf-8")
    monkeypatch.setenv("MTFIX_MODELS_DIR", str(own))
    r = run("models", "list", "--json")
    names = {row["name"] for row in json.loads(r.stdout)}
    assert {"opus-mt-tc-big-ar-en", "nllb-200-distilled-600M", "my-preset"} <= names


@pytest.mark.parametrize("command", ["translate", "repair", "select", "evaluate", "corpus-filter", "corpus-build"])
def test_every_model_command_refuses_cuda_without_a_gpu(tiny_models, ar_file, tmp_path, command):
    out = tmp_path / "out.txt"
    model = tiny_models["marian-ar-en"]
    en = tmp_path / "src.en"
    en.write_text("He still poses a threat\n\nBBC Arabic analysis\nHe still poses a threat\n", encoding="utf-8")
    tsv = tmp_path / "bi.tsv"
    tsv.write_text("en\tar\nHe still poses a threat\tهو لا يزال يشكل تهديدا\n", encoding="utf-8")
    args = {
        "translate": ["translate", ar_file, "--model", model, "--src", "ar", "--tgt", "en", "--out", out],
        "repair": ["repair", ar_file, "-b", model, "-f", tiny_models["marian-en-ar"], "--out", out],
        "select": ["select", "--candidates", ar_file, ar_file, "--source", en, "--back-model", model, "--out", out],
        "evaluate": ["evaluate", "--no-ref", "--src", en, "--sys", ar_file, "--back-model", model, "--src-lang", "en",
                     "--tgt-lang", "ar", "--json", out],
        "corpus-filter": ["corpus", "filter", tsv, "--back-model", model, "-o", out.with_suffix(".jsonl")],
        "corpus-build": ["corpus", "build", ar_file, "-b", model, "-f", tiny_models["marian-en-ar"],
                         "-o", out.with_suffix(".jsonl")],
    }[command]
    r = run(*args, "--device", "cuda:0", "--cache", tmp_path / "c.sqlite")
    assert r.exit_code == 2, r.output
    assert "--device cuda:0: no CUDA GPU is available" in assert_one_line_error(r)
    assert list(tmp_path.glob("out*")) == []
    r = run(*args, "--device", "tpu")
    assert r.exit_code == 2 and "unknown device 'tpu'" in assert_one_line_error(r)


def test_device_auto_translates_on_the_cpu_like_cpu(tiny_models, ar_file, tmp_path):
    outs = []
    for device in ("cpu", "auto"):
        outs.append(tmp_path / f"{device}.en")
        r = run("translate", ar_file, "--model", tiny_models["marian-ar-en"], "--src", "ar", "--tgt", "en",
                "--device", device, "--compute-type", "float32", "--no-cache", "--out", outs[-1])
        assert r.exit_code == 0, r.output
    assert outs[0].read_text(encoding="utf-8") == outs[1].read_text(encoding="utf-8")
