"""The translation engine on tiny offline models: both backends, n-best,
backend agreement, language codes, the length guard, batching."""

import json

import pytest

from mtfix.engine import load_translator
from mtfix.engine.batching import token_batches
from mtfix.engine.guard import split_to_fit
from mtfix.errors import MtfixError

AR = ["في ذروتها في عام 2014 ، تم تأسيس الخلافة.", "هو لا يزال يشكل تهديدا", "تحليل بي بي سي العربية"]
EN = ["The battle has been raging for several hours.", "IS still poses a threat", "Analysis"]
CASES = [
    ("marian-ar-en", "ar", "en", AR),
    ("marian-en-ar", "en", "ar", EN),
    ("nllb", "ar", "en", AR),
    ("nllb", "en", "ar", EN),
    ("m2m100", "en", "ar", EN),
]


@pytest.fixture(scope="module")
def translators(tiny_models):
    """name -> {backend: translator}; CTranslate2 in float32 so it can match transformers."""
    out = {}
    for name in ("marian-ar-en", "marian-en-ar", "nllb", "m2m100"):
        out[name] = {
            "transformers": load_translator(str(tiny_models[name]), backend="transformers"),
            "ctranslate2": load_translator(str(tiny_models[name]), backend="ctranslate2", quantization="float32"),
        }
    return out


@pytest.mark.parametrize("name,src,tgt,texts", CASES)
@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_both_backends_translate_with_n_best(translators, name, src, tgt, texts, backend):
    tr = translators[name][backend]
    assert tr.backend == backend
    results = tr.translate_batch(texts, src=src, tgt=tgt, beam_size=4, n_best=3)
    assert len(results) == len(texts)
    assert any(len({h.text for h in hyps}) > 1 for hyps in results)
    for hyps in results:
        assert len(hyps) == 3
        assert all(h.text.strip() for h in hyps)
        assert len({(h.text, h.score) for h in hyps}) == 3  # real alternatives, not one copied
        scores = [h.score for h in hyps]
        assert all(s < 0 for s in scores)
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("name,src,tgt,texts", CASES)
def test_ctranslate2_fp32_greedy_equals_transformers_greedy(translators, name, src, tgt, texts):
    hf = translators[name]["transformers"].translate_batch(texts, src=src, tgt=tgt, beam_size=1)
    ct2 = translators[name]["ctranslate2"].translate_batch(texts, src=src, tgt=tgt, beam_size=1)
    assert [h[0].text for h in hf] == [h[0].text for h in ct2]
    assert [h[0].tokens for h in hf] == [h[0].tokens for h in ct2]
    for a, b in zip(hf, ct2):
        assert a[0].score == pytest.approx(b[0].score, abs=1e-3)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_multi_target_marian_gets_the_ara_prefix(translators, backend):
    tr = translators["marian-en-ar"][backend]
    tok = tr.family.tokenizer
    ara = tok.vocab()[">>ara<<"]
    assert ara != tok.unk_id
    pair = tr.pair("en", "ar")
    assert pair.source_prefix == ">>ara<< "
    ids = tr.family.encode(["IS still poses a threat"], pair)[0]
    assert ids[0] == ara
    # The prefix is what the model sees: without it the translation differs.
    with_prefix = tr.translate_batch(["IS still poses a threat"], src="en", tgt="ar", beam_size=1)[0][0].text
    bare = tr._generate([ids[1:]], target_prefix=[], beam_size=1, n_best=1, length_penalty=1.0, max_new_tokens=20)
    assert tr.family.decode(bare[0][0].ids) != with_prefix
    with pytest.raises(MtfixError, match="cannot translate into 'fr'"):
        tr.pair("en", "fr")


def test_single_target_marian_gets_no_prefix_and_checks_direction(translators):
    tr = translators["marian-ar-en"]["transformers"]
    assert tr.pair("ar", "en").source_prefix == ""
    assert tr.family.encode(["هو"], tr.pair("ar", "en"))[0][0] != tr.family.tokenizer.unk_id
    with pytest.raises(MtfixError, match="source language ar, not en"):
        tr.pair("en", "ar")


def test_nllb_forces_arb_arab_as_a_real_token(translators, monkeypatch):
    tr = translators["nllb"]["transformers"]
    tok = tr.family.tokenizer
    arb = tok.token_id("arb_Arab")
    assert arb is not None and arb != tok.unk_id and tok.ids_to_tokens([arb]) == ["arb_Arab"]
    pair = tr.pair("en", "ar")
    assert pair.target_prefix == (arb,)
    assert pair.src_code == "eng_Latn"
    assert tr.family.encode(["IS still poses a threat"], pair)[0][0] == tok.token_id("eng_Latn")
    seen = {}
    real_generate = tr.model.generate

    def spy(**kwargs):
        out = real_generate(**kwargs)
        seen["forced"] = kwargs.get("forced_bos_token_id")
        seen["first"] = out.sequences[:, 1].tolist()
        return out

    monkeypatch.setattr(tr.model, "generate", spy)
    tr.translate_batch(EN[:2], src="en", tgt="arb_Arab", beam_size=2)
    assert seen["forced"] == arb
    assert seen["first"] == [arb, arb]  # decoding really started with arb_Arab
    with pytest.raises(MtfixError, match="no language code 'xx_Fake'"):
        tr.pair("en", "xx_Fake")


def test_nllb_ctranslate2_gets_the_target_prefix(translators, monkeypatch):
    tr = translators["nllb"]["ctranslate2"]
    seen = {}
    real = tr.translator

    class Spy:  # the C++ translator's methods are read-only; wrap the object
        def translate_batch(self, tokens, **kwargs):
            seen.update(kwargs)
            return real.translate_batch(tokens, **kwargs)

    monkeypatch.setattr(tr, "translator", Spy())
    tr.translate_batch(EN[:1], src="en", tgt="ar", beam_size=1)
    assert seen["target_prefix"] == [["arb_Arab"]]
    assert seen["max_input_length"] == 0  # never CTranslate2's silent truncation


def test_guard_splits_at_boundaries_and_loses_nothing():
    text = "First clause here, second clause there; third one. " * 6
    pieces = split_to_fit(text, len, 60)
    assert "".join(pieces) == text
    assert all(len(p) <= 60 for p in pieces)
    assert all(p.rstrip().endswith((",", ";", ".")) for p in pieces[:-1])
    word = "x" * 130
    assert "".join(split_to_fit(word, len, 50)) == word  # last resort: inside a word
    assert split_to_fit("short", len, 50) == ["short"]


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_segment_longer_than_the_limit_is_split_and_fully_translated(translators, seed_path, backend):
    tr = translators["marian-ar-en"][backend]
    pair = tr.pair("ar", "en")
    paragraphs = [p for p in seed_path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    long_text = " ".join(paragraphs[:4])
    assert tr.count_tokens(long_text, pair) > 2 * tr.max_source_tokens
    sizes = []
    real = tr._generate

    def spy(batch, **kw):
        sizes.extend(len(s) for s in batch)
        return real(batch, **kw)

    tr._generate = spy
    try:
        [hyp] = [h[0] for h in tr.translate_batch([long_text], src="ar", tgt="en", beam_size=1)]
    finally:
        del tr._generate
    assert hyp.pieces >= 3
    assert max(sizes) <= tr.max_source_tokens
    # Every piece was translated: the output is exactly the pieces' translations, joined.
    pieces = split_to_fit(long_text, lambda t: tr.count_tokens(t, pair), tr.max_source_tokens)
    assert "".join(pieces) == long_text
    each = tr.translate_batch([p.strip() for p in pieces], src="ar", tgt="en", beam_size=1)
    assert hyp.text == " ".join(h[0].text for h in each)
    assert len(pieces) == hyp.pieces


def test_batching_respects_the_budget_and_is_deterministic():
    lengths = [5, 30, 12, 30, 7, 1, 22]
    batches = token_batches(lengths, max_batch_tokens=40)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 40
    assert batches == token_batches(list(lengths), max_batch_tokens=40)
    assert lengths[batches[0][0]] == 30  # longest first


def test_output_does_not_depend_on_batching_and_duplicates_are_translated_once(translators):
    tr = translators["nllb"]["ctranslate2"]
    texts = AR + AR[:2] + ["", AR[0]]
    calls = tr.calls
    small = tr.translate_batch(texts, src="ar", tgt="en", beam_size=2, max_batch_tokens=16)
    assert tr.calls - calls == 3  # 3 distinct segments, one per batch at this budget
    big = tr.translate_batch(texts, src="ar", tgt="en", beam_size=2, max_batch_tokens=100_000)
    assert [h[0].text for h in small] == [h[0].text for h in big]
    assert small[3][0].text == small[0][0].text and small[6][0].text == small[0][0].text
    assert small[5][0].text == "" and small[5][0].tokens == 0


def test_random_models_hit_the_length_cap_and_say_so(translators):
    tr = translators["marian-ar-en"]["transformers"]
    [hyp] = tr.translate_batch(["هو"], src="ar", tgt="en", beam_size=1)[0]
    n_src = tr.count_tokens("هو", tr.pair("ar", "en"))
    assert hyp.truncated and hyp.tokens == 3 * n_src + 10


def test_decoding_options_are_checked(translators):
    tr = translators["nllb"]["transformers"]
    with pytest.raises(MtfixError, match="n-best"):
        tr.translate_batch(AR, src="ar", tgt="en", beam_size=2, n_best=3)
    with pytest.raises(MtfixError, match="beam size"):
        tr.translate_batch(AR, src="ar", tgt="en", beam_size=0)


def test_marian_tokenizer_without_a_class_name_loads_without_torch(tiny_models, tmp_path):
    """Real opus-mt tokenizer configs often name no class; the CTranslate2 path must still
    not import torch (≈190 MB and a second of start-up)."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    model = tmp_path / "opus-like"
    shutil.copytree(tiny_models["marian-ar-en"], model)
    cfg = json.loads((model / "tokenizer_config.json").read_text())
    cfg.pop("tokenizer_class")
    (model / "tokenizer_config.json").write_text(json.dumps(cfg))
    code = (
        "import sys\nfrom mtfix.engine.registry import resolve\nfrom mtfix.engine.hf import load_tokenizer\n"
        f"t = load_tokenizer(resolve({str(model)!r}))\nprint(type(t).__name__, 'torch' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert r.stdout.split() == ["MarianTokenizer", "False"], r.stderr


def test_m2m100_forces_its_own_language_token(translators):
    for backend in ("transformers", "ctranslate2"):
        tr = translators["m2m100"][backend]
        tok = tr.family.tokenizer
        assert tr.family.name == "m2m100"
        pair = tr.pair("en", "ar")
        ar = tok.token_id("__ar__")
        assert pair.target_prefix == (ar,) and ar not in (None, tok.unk_id)
        assert tr.family.encode(["IS still poses a threat"], pair)[0][0] == tok.token_id("__en__")
        with pytest.raises(MtfixError, match="no language code 'xx'.*M2M100 codes"):
            tr.pair("en", "xx")


# ----------------------------------------------------------------------------- the engine contract


def test_backends_and_the_cache_follow_the_translator_protocol(translators, tiny_models):
    from mtfix.engine import Translator, open_translator

    for name in translators:
        for tr in translators[name].values():
            assert isinstance(tr, Translator)
    cached = open_translator(str(tiny_models["marian-ar-en"]), backend="transformers")
    assert isinstance(cached, Translator) and not cached.loaded
    assert cached.name == tiny_models["marian-ar-en"].name


def test_decode_options_are_declared_once_and_read_by_the_cli():
    import inspect

    from mtfix.cli import options
    from mtfix.engine import DecodeOptions
    from mtfix.repair import RepairDecoding

    d = DecodeOptions()
    assert (options.BeamOpt.default, options.BatchTokensOpt.default) == (d.beam_size, d.max_batch_tokens)
    assert RepairDecoding().back == DecodeOptions(n_best=options.BackNBestOpt.default)
    assert DecodeOptions.of(d, beam_size=1) == DecodeOptions(beam_size=1)
    with pytest.raises(MtfixError, match="unknown decoding option"):
        DecodeOptions.of(beam=2)
    # the cache and the backends take the options object, not a copy of its fields
    from mtfix.engine.base import Backend
    from mtfix.engine.cache import CachedTranslator

    for cls in (Backend, CachedTranslator):
        params = inspect.signature(cls.translate_batch).parameters
        assert "options" in params and "beam_size" not in params


def test_options_object_and_keywords_give_the_same_translation(translators):
    from mtfix.engine import DecodeOptions

    tr = translators["marian-ar-en"]["ctranslate2"]
    a = tr.translate_batch(AR, src="ar", tgt="en", options=DecodeOptions(beam_size=2, n_best=2))
    b = tr.translate_batch(AR, src="ar", tgt="en", beam_size=2, n_best=2)
    assert a == b


def test_device_and_compute_type_are_in_the_cache_key_and_the_signature(tiny_models):
    from mtfix.engine import plan_translator

    model = str(tiny_models["marian-ar-en"])
    cpu = plan_translator(model, backend="ctranslate2", quantization="float32")
    auto = plan_translator(model, backend="ctranslate2", quantization="float32", device="auto")
    fp32 = plan_translator(model, backend="ctranslate2", quantization="float32", compute_type="float32")
    assert cpu.device == auto.device == "cpu"  # no GPU here: auto is the CPU, same key
    assert cpu.key == auto.key and cpu.key.endswith("|cpu|default")
    assert fp32.key != cpu.key and fp32.key.endswith("|cpu|float32")
    assert cpu.signature()["device"] == "cpu" and fp32.signature()["compute_type"] == "float32"
    tr = fp32.load()
    assert tr.signature()["device"] == "cpu" and tr.signature()["compute_type"] == "float32"
    hf = plan_translator(model, backend="transformers", compute_type="bfloat16").load()
    assert hf.signature()["dtype"] == "bfloat16"


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "auto"])
def test_cuda_asked_for_and_absent_is_an_error_not_a_fallback(tiny_models, device, monkeypatch):
    from mtfix.engine import plan_translator
    from mtfix.engine.ct2 import CT2Translator
    from mtfix.engine.hf import HFTranslator

    for cls in (CT2Translator, HFTranslator):
        assert cls.cuda_devices() == 0  # this machine has no GPU
    if device == "auto":
        assert plan_translator(str(tiny_models["nllb"]), device=device).device == "cpu"
        return
    for backend in ("ctranslate2", "transformers"):
        with pytest.raises(MtfixError, match=f"--device {device}: no CUDA GPU is available to {backend}"):
            plan_translator(str(tiny_models["nllb"]), backend=backend, device=device)
    # with GPUs, the index is checked against how many there are
    monkeypatch.setattr(CT2Translator, "cuda_devices", staticmethod(lambda: 2))
    assert plan_translator(str(tiny_models["nllb"]), backend="ctranslate2", device="cuda:1").device == "cuda:1"
    with pytest.raises(MtfixError, match="only 2 CUDA device"):
        plan_translator(str(tiny_models["nllb"]), backend="ctranslate2", device="cuda:2")


def test_bad_device_and_compute_type_are_named(tiny_models):
    from mtfix.engine import plan_translator

    with pytest.raises(MtfixError, match="unknown device 'gpu'; choose cpu, cuda, cuda:N or auto"):
        plan_translator(str(tiny_models["nllb"]), device="gpu")
    with pytest.raises(MtfixError, match="unknown device 'cpu:1'"):
        plan_translator(str(tiny_models["nllb"]), device="cpu:1")
    with pytest.raises(MtfixError, match="--compute-type int8 is not one transformers runs"):
        plan_translator(str(tiny_models["nllb"]), backend="transformers", compute_type="int8")
    with pytest.raises(MtfixError, match="unknown backend marian"):
        plan_translator(str(tiny_models["nllb"]), backend="marian")


def test_a_new_backend_is_one_class_and_one_registry_line(tiny_models, monkeypatch):
    from mtfix.engine import load_translator
    from mtfix.engine.backends import BACKENDS, register_backend
    from mtfix.engine.base import Backend, Generated
    from mtfix.engine.families import load_family

    class Reverse(Backend):
        backend = "reverse"

        @classmethod
        def from_plan(cls, plan):
            return cls(plan.ref, load_family(plan.ref), max_source_tokens=48, max_target_tokens=48)

        def _generate(self, batch, *, target_prefix, beam_size, n_best, length_penalty, max_new_tokens):
            eos = self.family.tokenizer.eos_id
            return [[Generated(ids=[t for t in seq[::-1] if t != eos], score=-1.0, finished=True)] * n_best
                    for seq in batch]

    monkeypatch.setitem(BACKENDS, "reverse", None)
    register_backend("reverse", Reverse)
    tr = load_translator(str(tiny_models["marian-ar-en"]), backend="reverse")
    [[hyp]] = tr.translate_batch(["هو لا"], src="ar", tgt="en")
    assert tr.signature()["backend"] == "reverse" and hyp.tokens == len(tr.family.encode(["هو لا"],
                                                                                         tr.pair("ar", "en"))[0])


# ----------------------------------------------------------------------------- one back-translator, always cached


def _no_loading(monkeypatch):
    """From here on, loading a model or a tokenizer fails the test."""
    from mtfix.engine import families, hf
    from mtfix.engine.loader import TranslatorPlan

    def boom(*args, **kwargs):
        raise AssertionError("a model or tokenizer was loaded although every translation is cached")

    monkeypatch.setattr(TranslatorPlan, "load", boom)
    monkeypatch.setattr(TranslatorPlan, "family", boom)
    monkeypatch.setattr(families, "load_family", boom)
    monkeypatch.setattr(hf, "load_tokenizer", boom)


def _cli(*args):
    from typer.testing import CliRunner

    from mtfix.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def roundtrip_files(tmp_path):
    src = tmp_path / "src.en"
    src.write_text("\n".join(EN) + "\n", encoding="utf-8")
    a, b = tmp_path / "a.ar", tmp_path / "b.ar"
    a.write_text("\n".join(AR) + "\n", encoding="utf-8")
    b.write_text("\n".join(AR[::-1]) + "\n", encoding="utf-8")
    return src, a, b


@pytest.mark.parametrize("command", ["select", "evaluate"])
def test_select_and_evaluate_back_translate_through_the_cache(tiny_models, roundtrip_files, tmp_path, monkeypatch,
                                                               command):
    src, a, b = roundtrip_files
    cache, models = tmp_path / "c.sqlite", tmp_path / "models"
    engine = ["--back-model", tiny_models["marian-ar-en"], "--backend", "ctranslate2", "--quantization", "float32",
              "--models-dir", models, "--threads", "1", "--cache", cache]
    if command == "select":
        args = ["select", "--candidates", a, b, "--source", src, *engine]
    else:
        args = ["evaluate", "--no-ref", "--src", src, "--sys", f"a={a}", "--sys", f"b={b}", "--src-lang", "en",
                "--tgt-lang", "ar", "--paired", "none", "-q", *engine]
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    out = ["--out", tmp_path / "1.ar", "--report", first] if command == "select" else ["--json", first]
    r = _cli(*args, *out)
    assert r.exit_code == 0, r.output
    # --models-dir and --quantization were honoured: the conversion is there, in float32
    [conversion] = models.iterdir()
    assert conversion.name.endswith("-ct2-float32") and (conversion / "model.bin").is_file()
    _no_loading(monkeypatch)
    out = ["--out", tmp_path / "2.ar", "--report", second] if command == "select" else ["--json", second]
    r = _cli(*args, *out)
    assert r.exit_code == 0, r.output
    if command == "select":
        assert (tmp_path / "1.ar").read_text(encoding="utf-8") == (tmp_path / "2.ar").read_text(encoding="utf-8")
        one, two = (json.loads(p.read_text(encoding="utf-8"))["segments"] for p in (first, second))
    else:
        one, two = ([s["scores"] for s in json.loads(p.read_text(encoding="utf-8"))["systems"]]
                    for p in (first, second))
    assert one == two


def test_a_cached_repair_loads_no_model_and_no_tokenizer(tiny_models, tmp_path, monkeypatch):
    article = tmp_path / "a.txt"
    article.write_text("هو لا يزال يشكل تهديدا.\n\nتحليل بي بي سي العربية.\n", encoding="utf-8")
    args = ["repair", article, "-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"],
            "--beam", "2", "--backend", "ctranslate2", "--quantization", "float32", "--models-dir", tmp_path / "m",
            "--cache", tmp_path / "c.sqlite"]
    r = _cli(*args, "--out", tmp_path / "1.txt")
    assert r.exit_code == 0, r.output
    _no_loading(monkeypatch)
    r = _cli(*args, "--out", tmp_path / "2.txt")
    assert r.exit_code == 0, r.output
    assert "by 0 loaded model(s)" in r.stderr
    assert (tmp_path / "1.txt").read_text(encoding="utf-8") == (tmp_path / "2.txt").read_text(encoding="utf-8")
    # a model never checked for the pair is still checked (from its tokenizer, here forbidden)
    r = _cli(*args[:3], tiny_models["marian-en-ar"], *args[4:], "--out", tmp_path / "3.txt")
    assert isinstance(r.exception, AssertionError) and "tokenizer was loaded" in str(r.exception)


def test_the_back_translator_uses_the_first_hypothesis_and_the_given_options(translators):
    from mtfix.engine import DecodeOptions, back_translator

    tr = translators["marian-ar-en"]["ctranslate2"]
    bt = back_translator(tr, src="ar", tgt="en", options=DecodeOptions(beam_size=2, n_best=2))
    assert bt(AR) == [h[0].text for h in tr.translate_batch(AR, src="ar", tgt="en", beam_size=2, n_best=2)]
    assert bt.name == tr.name and bt.signature()["backend"] == "ctranslate2"
    with pytest.raises(MtfixError, match="source language ar, not en"):
        back_translator(tr, src="en", tgt="ar")


# ----------------------------------------------------------------------------- tokenizers without transformers

EDGE = ["", "   two  spaces  ", "a </s> b <unk> c", "<pad>", ">>ara<< IS still", "__ar__ x", "eng_Latn y",
        "emoji 🙂 and ‐ dashes — «quotes»", "١٢٣ 123 1,000.5", "Ünïcödé ﷺ ـــ", "tab\there", "x" * 300]
CODES = {"marian-ar-en": [None], "marian-en-ar": [None], "nllb": ["arb_Arab", "eng_Latn"], "m2m100": ["ar", "en"]}


@pytest.mark.parametrize("name", list(CODES))
def test_light_tokenizers_give_transformers_ids_and_text(translators, shared_data, name):
    """The CTranslate2 path reads tokenizers with SentencePiece / `tokenizers`: same ids, same text."""
    import random

    from mtfix.engine.tokenizer import HFTokenizer

    light = translators[name]["ctranslate2"].family.tokenizer
    hf = translators[name]["transformers"].family.tokenizer
    assert not isinstance(light, HFTokenizer) and isinstance(hf, HFTokenizer)
    flores = shared_data / "flores200-devtest"
    texts = AR + EN + EDGE
    for f in ("arb_Arab.txt", "eng_Latn.txt"):
        texts += (flores / f).read_text(encoding="utf-8").splitlines()[:300]
    for code in CODES[name]:
        assert light.encode(texts, src_lang=code) == hf.encode(texts, src_lang=code)
    assert (light.eos_id, light.unk_id, light.max_length) == (hf.eos_id, hf.unk_id, hf.max_length)
    ct2_dir = translators[name]["ctranslate2"].ref.path  # the ids the model can output: its vocabulary
    size = len(json.loads((ct2_dir / "shared_vocabulary.json").read_text(encoding="utf-8")))
    assert light.ids_to_tokens(list(range(size))) == hf.ids_to_tokens(list(range(size)))
    tokens = list(hf.vocab()) + ["not-a-token", ">>xyz<<", "__xx__"]
    assert light.tokens_to_ids(tokens) == hf.tokens_to_ids(tokens)
    for token in tokens[:50] + [t for t in tokens if t.startswith((">>", "__")) or t in ("arb_Arab", "eng_Latn")]:
        assert light.token_id(token) == hf.token_id(token), token
    rng = random.Random(7)
    samples = [rng.choices(range(size), k=rng.randint(0, 30)) for _ in range(300)]
    samples += [ids for ids in light.encode(texts[:200], src_lang=CODES[name][0])]
    for ids in samples:
        assert light.decode(ids) == hf.decode(ids), ids


def test_the_ctranslate2_path_imports_neither_torch_nor_transformers(translators, tiny_models, tmp_path):
    """A converted model translates (and a cached plan checks its languages) without them."""
    import os
    import subprocess
    import sys

    models = {name: str(translators[name]["ctranslate2"].ref.path) for name in CODES}
    originals = {name: str(tiny_models[name]) for name in CODES}  # converted already (float32), by the fixture
    code = (
        "import sys\nfrom mtfix.engine import load_translator, plan_translator\n"
        f"for name, path in {originals!r}.items():\n"
        "    src, tgt = ('ar', 'en') if name in ('marian-ar-en', 'nllb') else ('en', 'ar')\n"
        "    plan_translator(path, quantization='float32').family().pair(src, tgt)\n"
        f"for name, path in {models!r}.items():\n"
        "    src, tgt = ('ar', 'en') if name in ('marian-ar-en', 'nllb') else ('en', 'ar')\n"
        "    plan_translator(path).family().pair(src, tgt)\n"
        "    load_translator(path).translate_batch(['x y', 'هو'], src=src, tgt=tgt, beam_size=2)\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert r.stdout.split() == ["False", "False"], r.stderr


def test_the_readme_library_example_runs(tiny_models, tmp_path, monkeypatch):
    """The README's library example, with the tiny models in place of the presets."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## Library.*?```python\n(.*?)```", readme, re.S).group(1)
    back, fwd = str(tiny_models["marian-ar-en"]), str(tiny_models["marian-en-ar"])
    assert "open_repair_models(cache=cache)" in code and '"opus-mt-tc-big-ar-en"' in code
    code = code.replace("open_repair_models(cache=cache)", f"open_repair_models([{back!r}], [{fwd!r}], cache=cache)")
    code = code.replace('"opus-mt-tc-big-ar-en"', repr(back))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "article.txt").write_text("هو لا يزال يشكل تهديدا.\n", encoding="utf-8")
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - our own README
    assert scope["result"].text.strip() and scope["report"]["sentences"]
    assert scope["models"].back[0][0] == tiny_models["marian-ar-en"].name
    assert [type(x) for x in scope["bt"](["هو"])] == [str]
