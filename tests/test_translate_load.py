"""`mtfix translate` loads a model it needs before the language check, its tokenizer read in a
thread while CTranslate2 loads the weights (the C++ load does not hold the GIL); a run that finds
every line cached loads nothing and looks the cache up once; errors of either side still come out
as one line."""

from __future__ import annotations

import threading

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.engine import plan_translator
from mtfix.engine.background import Background
from mtfix.engine.cache import CachedTranslator, TranslationCache
from mtfix.engine.loader import TranslatorPlan
from mtfix.errors import MtfixError

from conftest import assert_one_line_error

LINES = ["هو لا يزال يشكل تهديدا", "", "تحليل بي بي سي العربية", "هو لا يزال يشكل تهديدا"]


def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_background_returns_the_value_or_raises_in_the_caller():
    assert Background(lambda: threading.current_thread().name, name="t1").result() == "t1"

    def fail():
        raise MtfixError("no tokenizer")

    with pytest.raises(MtfixError, match="no tokenizer"):
        Background(fail).result()


def test_ct2_reads_the_tokenizer_in_a_thread_while_the_weights_load(tiny_models, tmp_path, monkeypatch):
    plan = plan_translator(str(tiny_models["marian-ar-en"]), backend="ctranslate2", quantization="float32",
                           models_dir=tmp_path / "m", threads=1)
    plan.load()  # the conversion, made once
    plan = plan_translator(str(tiny_models["marian-ar-en"]), backend="ctranslate2", quantization="float32",
                           models_dir=tmp_path / "m", threads=1)
    read_in = []
    original = TranslatorPlan._read_family

    def spy(self):
        read_in.append(threading.current_thread() is threading.main_thread())
        return original(self)

    monkeypatch.setattr(TranslatorPlan, "_read_family", spy)
    tr = plan.load()
    assert read_in == [False]  # read once, not on the thread that loads the weights
    assert tr.family is plan.family()  # and shared with the plan: the language check reads nothing more
    [[hyp]] = tr.translate_batch(["هو لا"], src="ar", tgt="en", beam_size=1)
    assert hyp.tokens > 0


def _conversion(tiny_models, tmp_path):
    """A self-contained CTranslate2 folder of the tiny ar-en model."""
    plan = plan_translator(str(tiny_models["marian-ar-en"]), backend="ctranslate2", quantization="float32",
                           models_dir=tmp_path / "m", threads=1)
    plan.load()
    return plan.ct2_path


def _source(tmp_path):
    src = tmp_path / "in.ar"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return src


def _translate(model, src, out, *extra):
    return _run("translate", src, "--model", model, "--src", "ar", "--tgt", "en", "--backend", "ctranslate2",
                "--quantization", "float32", "--beam", "2", "--threads", "1", "--out", out, *extra)


def test_a_cached_translate_loads_nothing_and_looks_up_once(tiny_models, tmp_path, monkeypatch):
    src = tmp_path / "in.ar"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    common = ["--models-dir", tmp_path / "m", "--cache", tmp_path / "c.sqlite"]
    r = _translate(tiny_models["marian-ar-en"], src, tmp_path / "1.en", *common)
    assert r.exit_code == 0, r.output
    lookups = []
    get_many = TranslationCache.get_many

    def counted(self, *a, **k):
        lookups.append(1)
        return get_many(self, *a, **k)

    def boom(*a, **k):
        raise AssertionError("a model or tokenizer was loaded although every translation is cached")

    monkeypatch.setattr(TranslationCache, "get_many", counted)
    monkeypatch.setattr(TranslatorPlan, "load", boom)
    r = _translate(tiny_models["marian-ar-en"], src, tmp_path / "2.en", *common)
    assert r.exit_code == 0, r.output
    assert len(lookups) == 1
    assert (tmp_path / "1.en").read_text(encoding="utf-8") == (tmp_path / "2.en").read_text(encoding="utf-8")


def test_load_if_missing_loads_only_for_a_miss_and_keeps_its_look_up(tiny_models, tmp_path):
    plan = plan_translator(str(tiny_models["marian-ar-en"]), backend="ctranslate2", quantization="float32",
                           models_dir=tmp_path / "m", threads=1)
    cache = TranslationCache(tmp_path / "c.sqlite")
    first = CachedTranslator(key=plan.key, load=plan.load, cache=cache, plan=plan)
    assert first.load_if_missing(LINES, src="ar", tgt="en", beam_size=2) and first.loaded
    want = first.translate_batch(LINES, src="ar", tgt="en", beam_size=2)
    again = CachedTranslator(key=plan.key, load=plan.load, cache=cache, plan=plan)
    assert not again.load_if_missing(LINES, src="ar", tgt="en", beam_size=2) and not again.loaded
    assert again.translate_batch(LINES, src="ar", tgt="en", beam_size=2) == want and again.hits == 3
    # another option or more lines than were looked up: looked up again, a miss loads the model
    assert again.translate_batch(LINES + ["جديد"], src="ar", tgt="en", beam_size=2)[:4] == want
    assert again.loaded and again.misses == 1


def test_a_wrong_language_still_fails_in_one_line(tiny_models, tmp_path):
    src = tmp_path / "in.ar"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    r = _run("translate", src, "--model", tiny_models["marian-ar-en"], "--src", "ar", "--tgt", "fr",
             "--backend", "ctranslate2", "--quantization", "float32", "--models-dir", tmp_path / "m",
             "--no-cache", "--out", tmp_path / "o.txt")
    assert r.exit_code == 2
    assert "fr" in assert_one_line_error(r)
    assert not (tmp_path / "o.txt").exists()


def test_a_missing_tokenizer_is_one_line_even_while_the_weights_load(tiny_models, tmp_path):
    folder = _conversion(tiny_models, tmp_path)
    (folder / "hf" / "vocab.json").unlink()
    r = _run("translate", _source(tmp_path), "--model", folder, "--src", "ar", "--tgt", "en", "--no-cache",
             "--out", tmp_path / "o.txt")
    assert r.exit_code == 2
    assert "tokenizer" in assert_one_line_error(r)
    assert not (tmp_path / "o.txt").exists()


@pytest.fixture(scope="module")
def ct2_folders(tiny_models, tmp_path_factory):
    """Self-contained int8 CTranslate2 conversions of the tiny models, made once (copied before damage)."""
    out = tmp_path_factory.mktemp("ct2")
    return {name: plan_translator(str(tiny_models[name]), backend="ctranslate2", quantization="int8",
                                  models_dir=out, threads=1).load().ref.path
            for name in ("marian-ar-en", "nllb", "m2m100")}


@pytest.mark.parametrize("model, kind, removed, needle", [
    # transformers' own message was "TypeError: expected str, bytes or os.PathLike object, not NoneType"
    ("marian-ar-en", "ct2", "hf/vocab.json",
     "vocab.json is missing (a Marian tokenizer is read from vocab.json, source.spm and target.spm)"),
    ("marian-ar-en", "hf-transformers", "source.spm", "source.spm is missing (a Marian tokenizer"),
    ("marian-ar-en", "hf-ctranslate2", "vocab.json", "cannot convert"),  # the conversion reads the tokenizer too
    ("m2m100", "ct2", "hf/vocab.json", "vocab.json is missing (an M2M100 tokenizer"),
    ("m2m100", "hf-transformers", "sentencepiece.bpe.model", "sentencepiece.bpe.model is missing"),
    # transformers read this NLLB without a word of vocabulary: every word <unk>, no error
    ("nllb", "hf-transformers", "tokenizer.json", "tokenizer.json or sentencepiece.bpe.model is missing"),
    ("nllb", "ct2", "hf/tokenizer.json", "tokenizer.json or sentencepiece.bpe.model is missing"),
    ("nllb", "ct2", "hf/tokenizer_config.json", "names NllbTokenizer, and it is missing too"),
    ("marian-ar-en", "ct2", "config.json", "CTranslate2 model without its config.json"),  # was a JSON type error
])
def test_a_model_folder_missing_a_file_is_one_line_naming_it(tiny_models, ct2_folders, model, kind, removed,
                                                              needle, tmp_path):
    import shutil

    folder = tmp_path / model
    shutil.copytree(ct2_folders[model] if kind == "ct2" else tiny_models[model], folder)
    (folder / removed).unlink()
    backend = "ctranslate2" if kind != "hf-transformers" else "transformers"
    r = _run("translate", _source(tmp_path), "--model", folder, "--src", "ar", "--tgt", "en", "--no-cache",
             "--backend", backend, "--models-dir", tmp_path / "m", "--out", tmp_path / "o.txt")
    line = assert_one_line_error(r, needle, not_written=[tmp_path / "o.txt"])
    assert "TypeError" not in line and "NoneType" not in line, line
    assert not (tmp_path / "m").exists() or not any((tmp_path / "m").iterdir())  # no half conversion


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
@pytest.mark.parametrize("name, content, needle", [
    ("tokenizer_config.json", "[", "tokenizer_config.json is corrupt (Expecting value"),  # was a bare JSONDecodeError
    ("config.json", "[1]", "config.json is corrupt (not a JSON object)"),  # was "'list' object has no attribute"
])
def test_a_model_folder_with_a_corrupt_json_file_is_one_line_naming_it(tiny_models, tmp_path, backend, name, content,
                                                                        needle):
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(tiny_models["marian-ar-en"], folder)
    (folder / name).write_text(content, encoding="utf-8")
    r = _run("translate", _source(tmp_path), "--model", folder, "--src", "ar", "--tgt", "en", "--no-cache",
             "--backend", backend, "--models-dir", tmp_path / "m", "--out", tmp_path / "o.txt")
    assert_one_line_error(r, needle, not_written=[tmp_path / "o.txt"])


def test_translate_of_a_ct2_folder_without_cache_imports_only_what_it_uses(tiny_models, tmp_path):
    """No torch, transformers, pydantic; no SQLite without a cache; no TOML for a model given as a folder."""
    from test_startup import _probe

    folder = _conversion(tiny_models, tmp_path)
    got, _ = _probe(["translate", str(_source(tmp_path)), "--model", str(folder), "--src", "ar", "--tgt", "en",
                     "--beam", "1", "--no-cache", "--threads", "1", "--out", str(tmp_path / "o.en")], tmp_path,
                    watch=("torch", "transformers", "pydantic", "sqlite3", "tomllib", "rich", "sacrebleu"))
    assert got == {"code": 0, "loaded": []}
    assert len((tmp_path / "o.en").read_text(encoding="utf-8").splitlines()) == len(LINES)


def _floats_probe() -> str:
    """test_startup's probe of typer's coercion, with a command of ranged floats."""
    from test_startup import PATHS

    head, tail = PATHS.split("@app.command()", 1)
    return head + """@app.command()
def run(r: float = typer.Option(3.0, "--r", min=0.1), s: float = typer.Option(0.5, "--s", min=0.0, max=1.0)):
    print(json.dumps([r, s, type(r).__name__, type(s).__name__]))

""" + tail[tail.index("results = []"):]


def test_ranged_float_values_skip_pydantic_and_keep_typer_checks(tmp_path):
    """`--max-output-ratio` (a float with a minimum) and its default are the floats typer's adapter
    gives, without importing pydantic; anything else meets the adapter itself."""
    import json
    import os
    import subprocess
    import sys

    from test_startup import REPO

    plain = [[], ["--r", "2.5"], ["--r", "4", "--s", "1"], ["--s", "0.25"], ["--r", "0.1", "--s", "0"]]
    odd = [["--r", "0.05"], ["--s", "1.5"], ["--r", "-1"], ["--r", "1e1"], ["--r", "x"], ["--r", " 2"],
           ["--r", "2."], ["--r", ".5"]]

    def run(how, cases):
        return json.loads(subprocess.run([sys.executable, "-c", _floats_probe(), how, json.dumps(cases)], cwd=tmp_path,
                                         env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                                         timeout=120, check=True).stdout)

    fast = run("fast", plain)
    assert fast["results"] == run("typer", plain)["results"] and not fast["pydantic"]
    assert [json.loads(out) for _, out in fast["results"]] == [
        [3.0, 0.5, "float", "float"], [2.5, 0.5, "float", "float"], [4.0, 1.0, "float", "float"],
        [3.0, 0.25, "float", "float"], [0.1, 0.0, "float", "float"]]
    got, want = run("fast", odd)["results"], run("typer", odd)["results"]
    assert got == want and [got[i][0] for i in (0, 1, 4)] == [2, 2, 2]  # out of range, not a number
