"""The one metrics layer (mtfix.metrics): chrF statistics extracted once equal sacrebleu's
sentence scores, the metric registry takes a metric from outside the package, and the one
Signature base prints every published signature exactly as before."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.metrics.base import Metric
from sacrebleu.metrics.base import Signature as SacreSignature

from mtfix.errors import MtfixError
from mtfix.metrics import (
    ChrfStats,
    EvalMetric,
    StatsMetric,
    metric_keys,
    pairwise_chrf,
    register_metric,
    sentence_chrf,
    unregister_metric,
)

EDGE = ["", " ", "a", "aa", "aaaa aaaa", "the cat sat on the mat", "the the the the", "cat", "CAT sat.",
        "مرحبا بالعالم", "مرحبا  بالعالم!", "٣ كتب", "3 books, 3 books, 3 books", "x" * 40, "a b c d e f g",
        "“quoted” — dash…", "new\tline", "ab ab ab ab ab ab"]


def _flores_lines(shared_data, n):
    out = []
    for d in ("flores200-devtest.ara-eng", "flores200-devtest.eng-ara"):
        for p in sorted((shared_data / "systems" / d).glob("*.txt")):
            out.append(p.read_text(encoding="utf-8").splitlines()[:n])
    return out


def test_chrf_stats_equal_sacrebleu_sentence_score(shared_data):
    chrf = CHRF()
    cs = ChrfStats()
    systems = _flores_lines(shared_data, 60)
    pairs = [(a, b) for a in EDGE for b in EDGE if a.strip() and b.strip()]
    for sysa, sysb in zip(systems, systems[1:]):
        pairs += list(zip(sysa, sysb))
    rng = random.Random(5)
    flat = [line for s in systems for line in s]
    pairs += [(rng.choice(flat), rng.choice(flat)) for _ in range(300)]  # unrelated and cross-language pairs
    assert len(pairs) > 800
    for a, b in pairs:
        ga, gb = cs.ngrams(a), cs.ngrams(b)
        ab, ba = cs.pair(ga, gb)
        assert ab == pytest.approx(chrf.sentence_score(a, [b]).score, abs=1e-9), (a, b)
        assert ba == pytest.approx(chrf.sentence_score(b, [a]).score, abs=1e-9), (b, a)
        assert cs.score(ga, gb) == ab


def test_pairwise_chrf_is_sentence_chrf_of_every_ordered_pair():
    texts = ["the cat sat", "", "the cat sat", "a cat sat", "  ", "مرحبا بالعالم", "a cat sat"]
    m = pairwise_chrf(texts)
    for a, ta in enumerate(texts):
        for b, tb in enumerate(texts):
            if a == b:
                assert m[a][b] is None
            elif ta == tb and ta.strip():
                assert m[a][b] == 100.0
            else:
                assert m[a][b] == pytest.approx(sentence_chrf(ta, tb), abs=1e-9)


def test_agreement_matrices_unchanged_on_flores(shared_data):
    """Agreement (select's consensus) gives the matrices the pair-by-pair sentence chrF gave."""
    from mtfix.scoring.base import Candidate, Segment
    from mtfix.scoring.consensus import Agreement

    systems = _flores_lines(shared_data, 40)[:5]  # ara-eng: five systems
    segs = [Segment(index=i, candidates=[Candidate(text=s[i], origin=f"s{k}") for k, s in enumerate(systems)])
            for i in range(40)]
    agr = Agreement(segs)
    for seg, m in zip(segs, agr.matrices):
        texts = [c.text for c in seg.candidates]
        for a in range(len(texts)):
            for b in range(len(texts)):
                if a == b:
                    assert np.isnan(m[a, b])
                else:
                    want = 100.0 if texts[a] == texts[b] and texts[a].strip() else sentence_chrf(texts[a], texts[b])
                    assert m[a, b] == pytest.approx(want, abs=1e-9)


# ------------------------------------------------------------- the registry


class ToySignature(SacreSignature):
    def __init__(self, args):
        super().__init__(args)
        self.info.update({"scale": args["scale"]})


class ToyLength(StatsMetric, Metric):
    """Hypothesis length over reference length (x scale), from summed statistics."""

    _SIGNATURE_TYPE = ToySignature

    def __init__(self, scale=1.0, references=None):
        self.scale = scale
        super().__init__(references)

    def segment_statistics(self, hypothesis, references):
        return [len(hypothesis), len(references[0])]

    def score_from_statistics(self, totals):
        return 100.0 * self.scale * totals[0] / max(1, totals[1])

    score_name = "LenRatio"


class ToyMetric(EvalMetric):
    key = "lenratio"
    score_name = "LenRatio"
    PARAMS = {"scale": ((int, float), 1.0, "multiply the ratio")}
    segment_column = "len"

    def corpus_metric(self, references, sources=None):
        return ToyLength(scale=self.scale, references=references)


@pytest.fixture
def toy():
    register_metric(ToyMetric)
    yield ToyMetric
    unregister_metric("lenratio")


def test_a_registered_metric_is_validated_computed_and_reported(toy, tmp_path):
    from mtfix.evaluate import evaluate, render
    from mtfix.metrics.corpus import MetricOptions

    import mtfix.evaluate
    from mtfix.evaluate.metrics import METRIC_KEYS

    assert "lenratio" in metric_keys() and "lenratio" in mtfix.evaluate.METRIC_KEYS
    assert METRIC_KEYS[:4] == ("bleu", "chrf", "chrf++", "ter")
    with pytest.raises(MtfixError, match="lenratio: scale: must be a number"):
        MetricOptions(metrics=("bleu", "lenratio"), params={"lenratio": {"scale": "x"}})
    with pytest.raises(MtfixError, match="sclae: unknown key; known: scale"):
        MetricOptions(metrics=("lenratio",), params={"lenratio": {"sclae": 2}})
    with pytest.raises(MtfixError, match="unknown metric 'nope'"):
        MetricOptions(metrics=("nope",))

    refs = ["the cat sat on the mat", "a dog", "hello world"]
    hyps = ["the cat sat", "a big dog", "hello world"]
    opts = MetricOptions(metrics=("chrf", "lenratio"), params={"lenratio": {"scale": 2}})
    rep = evaluate([("A", hyps), ("B", refs)], [refs], options=opts, tests=("bs",), bs_samples=50, n_worst=2,
                   worst_by="lenratio")
    want = 100.0 * 2 * sum(map(len, hyps)) / sum(map(len, refs))
    a = rep.systems[0]
    assert a.scores["LenRatio"].score == pytest.approx(want)
    assert rep.systems[1].scores["LenRatio"].score == pytest.approx(200.0)
    assert "lenratio" in rep.segment_metrics
    assert [s.score("lenratio") for s in a.segments] == pytest.approx(
        [200.0 * len(h) / len(r) for h, r in zip(hyps, refs)])
    assert a.worst[0].index == 1  # "the cat sat": the shortest against its reference
    bs = rep.significance["bs"]
    assert "|scale:2|" in bs.signatures["LenRatio"] and "|scale:2|" in rep.signatures["LenRatio"]
    assert bs.results  # the paired bootstrap ran on the registered metric too
    d = rep.to_dict()
    assert "LenRatio" in d["metrics"] and d["systems"][0]["scores"]["LenRatio"]["score"] == pytest.approx(want)
    md = render.to_markdown(rep)
    assert "LenRatio" in md and "| len |" in md
    assert "lenratio" in json.loads(json.dumps(d))["systems"][0]["worst_segments"][0]


def test_registered_metric_through_the_cli(toy, tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli.app import app

    ref, a = tmp_path / "ref.txt", tmp_path / "a.txt"
    ref.write_text("the cat sat on the mat\na dog\n", encoding="utf-8")
    a.write_text("the cat sat\na big dog\n", encoding="utf-8")
    out = tmp_path / "r.json"
    r = CliRunner().invoke(app, ["evaluate", "--ref", str(ref), "--sys", f"A={a}", "--metric", "bleu,lenratio",
                                 "--quiet", "--json", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["metrics"] == ["BLEU", "LenRatio"]
    assert d["systems"][0]["scores"]["LenRatio"]["score"] == pytest.approx(100.0 * 20 / 27)


def test_sentence_scores_reuse_corpus_statistics_multi_ref(shared_data):
    """The per-segment BLEU/chrF read from the corpus statistics equal sacrebleu's sentence_score (2 refs)."""
    from mtfix.evaluate.segments import segment_scores
    from mtfix.metrics.corpus import MetricOptions, build_metrics

    systems = _flores_lines(shared_data, 80)
    hyps, refs = systems[0], [systems[1], systems[2]]
    opts = MetricOptions(metrics=("bleu", "chrf"), lowercase=True)
    segs = segment_scores("s", hyps, refs, opts, None, build_metrics(opts, refs))
    bleu, chrf = BLEU(effective_order=True, lowercase=True), CHRF(lowercase=True)
    for i, s in enumerate(segs):
        r = [refs[0][i], refs[1][i]]
        assert s.bleu == pytest.approx(bleu.sentence_score(hyps[i], r).score, abs=1e-9)
        assert s.chrf == pytest.approx(chrf.sentence_score(hyps[i], r).score, abs=1e-9)


# ------------------------------------------------------------ the signatures

REPAIR_LINE = ("mtfix:0.3.0|dir:ar-en|back:opus-mt-en-ar|fwd:opus-mt-ar-en+nllb-200-distilled-600M|"
               "backend:ct2-int8+transformers+ct2|beam:4|nbest:2x1|weights:consensus=1,numbers=0.5|margin:1.5|z:1.0|"
               "norm:arabic|sacrebleu:2.6.0")


def test_repair_signature_line_and_json_as_published():
    from mtfix.metrics import Signature as Base
    from mtfix.report.signature import Signature

    scoring = {"mtfix": "0.3.0", "sacrebleu": "2.6.0", "weights": {"consensus": 1.0, "numbers": 0.5, "length": 0},
               "margin": 1.5, "z": 1.0, "normalize": "arabic"}
    sig = Signature.build(direction="ar-en",
                          back_models=[{"name": "opus-mt-en-ar", "backend": "ct2", "quantization": "int8"}],
                          forward_models=[{"name": "opus-mt-ar-en", "backend": "transformers"},
                                          {"name": "nllb-200-distilled-600M", "backend": "ct2"}],
                          decoding={"beam_size": 4, "back_n_best": 2, "forward_n_best": 1}, scoring=scoring)
    assert isinstance(sig, Base)
    assert sig.format() == str(sig) == REPAIR_LINE
    d = sig.to_dict()
    assert list(d) == ["line", "mtfix", "sacrebleu", "direction", "back_models", "forward_models", "decoding", "scoring"]
    assert d["line"] == REPAIR_LINE and d["scoring"] == scoring


@pytest.mark.parametrize("extra, line", [
    ({"mode": "filter", "langs": ["en", "ar"], "config": "default", "short": ["length:r3", "dedup"]},
     "mtfix:0.3.0|mode:filter|langs:en-ar|filters:length:r3+dedup|config:default|sacrebleu:2.6.0"),
    ({"mode": "repair", "langs": ["ar", "en"], "config": None, "short": [], "repair": {"line": "mtfix:0.3.0|dir:ar-en"}},
     "mtfix:0.3.0|mode:repair|langs:ar-en|repair:mtfix:0.3.0|dir:ar-en|filters:none|config:None|sacrebleu:2.6.0"),
    ({"mode": "repair", "langs": ["ar", "en"], "config": "c.toml", "short": [], "repair": {}},
     "mtfix:0.3.0|mode:repair|langs:ar-en|repair:?|filters:none|config:c.toml|sacrebleu:2.6.0"),
])
def test_corpus_signature_line_and_json_as_published(extra, line):
    from mtfix.corpus.signature import CorpusSignature
    from mtfix.metrics import Signature as Base

    fields = {"mtfix": "0.3.0", "sacrebleu": "2.6.0", "reader": {"a": 1}, "filters": [], "notes": ["x"], **extra}
    sig = CorpusSignature(fields)
    assert isinstance(sig, Base) and sig.format() == str(sig) == line
    d = sig.to_dict()
    assert d["line"] == line and "short" not in d and d["reader"] == {"a": 1} and list(d)[0] == "line"


def test_selection_and_evaluate_signatures_extend_the_base():
    from mtfix.metrics import MetricSignature, Signature
    from mtfix.scoring.config import load_config
    from mtfix.scoring.signature import SelectionSignature

    sig = SelectionSignature.build(load_config(None), [])
    assert isinstance(sig, Signature)
    d = sig.to_dict()
    assert "line" not in d and list(d)[:2] == ["mtfix", "sacrebleu"] and set(d["metrics"]) == {"chrf", "bleu"}
    assert sig.format().startswith(f"mtfix:{d['mtfix']}|config:") and sig.format().endswith(f"|sacrebleu:{d['sacrebleu']}")
    b = BLEU()
    b.corpus_score(["a b c"], [["a b c"]])
    plain = str(b.get_signature())
    version = f"|version:{b.get_signature().info['version']}"
    ms = MetricSignature.from_sacrebleu(b.get_signature(), "arabic", {"roundtrip": "m"})
    assert ms.format() == plain.replace(version, "|roundtrip:m" + version + "|normalize:arabic")
    assert MetricSignature.from_sacrebleu(b.get_signature()).format() == plain


def test_readme_metric_example_runs():
    """The "new metric" example (docs/develop.md, linked from the README) registers, scores and reports as shown."""
    import re
    from pathlib import Path

    from mtfix.evaluate import evaluate
    from mtfix.metrics.corpus import MetricOptions

    page = (Path(__file__).resolve().parents[1] / "docs" / "develop.md").read_text(encoding="utf-8")
    code = next(b for b in re.findall(r"```python\n(.*?)```", page, re.S) if "register_metric" in b)
    try:
        exec(compile(code, "docs/develop.md", "exec"), {})
        refs, hyps = ["the cat sat on the mat", "a dog"], ["the cat sat", "a big dog"]
        rep = evaluate([("A", hyps)], [refs], options=MetricOptions(metrics=("lenratio",)), tests=(), n_worst=1,
                       worst_by="lenratio")
        assert rep.systems[0].scores["LenRatio"].score == pytest.approx(100.0 * 20 / 27)
        assert rep.signatures["LenRatio"].startswith("nrefs:1|")
        assert rep.systems[0].worst[0].score("lenratio") == pytest.approx(100.0 * 11 / 22)
    finally:
        unregister_metric("lenratio")


def _every_number(texts: list[str], refs: list[str]) -> dict:
    """Every number the metrics layer gives from sacrebleu's internals, or from its public path without them."""
    from mtfix.metrics.chrf_stats import SentenceBleu, SentenceChrf
    from mtfix.metrics.corpus import MetricOptions, sentence_scores

    chrf, bleu = SentenceChrf(), SentenceBleu()
    opts = MetricOptions(metrics=("bleu", "chrf", "chrf++", "ter"))
    return {"pairwise": pairwise_chrf(texts),
            "chrf": [chrf(a, b) for a in texts for b in texts],
            "bleu": [bleu(a, b) for a in texts for b in texts],
            **{key: sentence_scores(key, opts, texts, [refs]) for key in ("bleu", "chrf", "chrf++", "ter")}}


@pytest.mark.parametrize("gone", ["a method", "the version"])
def test_without_sacrebleus_internals_the_public_path_gives_the_same_numbers(shared_data, monkeypatch, gone):
    """mtfix reads sacrebleu's internals (n-grams once per text, chrF from counts, the corpus score's line
    statistics) through one adapter, mtfix.metrics.sacrebleu_internals, only on a sacrebleu it was tested with.
    A sacrebleu that renames one of them, or another version, gets sacrebleu's public sentence_score for every
    pair and line: the same numbers."""
    import sacrebleu

    from mtfix.metrics import sacrebleu_internals as internals

    lines = _flores_lines(shared_data, 12)
    texts = EDGE[:10] + lines[0] + lines[2]
    refs = list(reversed(texts))
    assert internals.usable() and ChrfStats().fast
    fast = _every_number(texts, refs)
    if gone == "a method":
        monkeypatch.setitem(internals._USED, "CHRF", internals._USED["CHRF"] + ("_renamed_in_a_later_sacrebleu",))
    else:
        monkeypatch.setattr(sacrebleu, "__version__", "2.7.0")
    assert not internals.usable() and not ChrfStats().fast
    assert ChrfStats().groups([texts]) == [None]  # the numpy pass needs them too: callers go pair by pair
    public = _every_number(texts, refs)
    assert public.keys() == fast.keys()
    for key in fast:
        flat = [[v for row in fast[key] for v in (row if isinstance(row, list) else [row])],
                [v for row in public[key] for v in (row if isinstance(row, list) else [row])]]
        assert [v is None for v in flat[0]] == [v is None for v in flat[1]], key
        assert [v for v in flat[1] if v is not None] == pytest.approx([v for v in flat[0] if v is not None],
                                                                      abs=1e-9), key


def test_only_the_adapter_reaches_into_sacrebleu():
    """sacrebleu's internals are read (or its abstract hooks written) in mtfix.metrics.sacrebleu_internals only, so
    a sacrebleu that changes them is met in one module, with a tested public path (above)."""
    import ast
    from pathlib import Path

    import mtfix
    from mtfix.metrics import sacrebleu_internals as internals

    names = {n for used in internals._USED.values() for n in used} | {
        "_compute_score_from_stats", "_cache_references", "_compute_segment_statistics", "_remove_punctuation",
        "_get_match_statistics", "_ref_cache"}
    found = []
    for path in Path(mtfix.__file__).parent.rglob("*.py"):
        if path.name == "sacrebleu_internals.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "name", None)
            if name in names:
                found.append(f"{path.name}:{node.lineno} {name}")
    assert found == []
