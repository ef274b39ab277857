"""Outputs of `mtfix evaluate`: JSON, markdown, per-segment JSONL, worst segments, self-contained HTML."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from html.parser import HTMLParser

import pytest
import sacrebleu
from typer.testing import CliRunner

from mtfix.cli.app import app

N_LINES = 200
SYSTEMS = {
    "tc-big": "Tatoeba-MT-models__ara-eng__opusTCv20210807+bt_transformer-big_2022-03-09.txt",
    "nllb-600M": "facebook__nllb-200-distilled-600M.txt",
    "m2m100": "facebook__m2m100_418M.txt",
}


@pytest.fixture(scope="module")
def run(shared_data, tmp_path_factory):
    """One CLI run on the first N_LINES of FLORES ara-eng writing every output format."""
    d = tmp_path_factory.mktemp("report")

    def cut(src, name):
        p = d / name
        p.write_text("\n".join(src.read_text(encoding="utf-8").split("\n")[:N_LINES]) + "\n", encoding="utf-8")
        return p

    sysdir = shared_data / "systems" / "flores200-devtest.ara-eng"
    ref = cut(shared_data / "flores200-devtest" / "eng_Latn.txt", "ref.en")
    src = cut(shared_data / "flores200-devtest" / "arb_Arab.txt", "src.ar")
    systems = {name: cut(sysdir / f, f"{name}.en") for name, f in SYSTEMS.items()}
    out = {k: d / f"report.{k}" for k in ("json", "md", "html", "jsonl")}
    args = ["evaluate", "--ref", str(ref), "--src", str(src), "--bs-n", "200", "--ar-n", "500", "--worst", "4",
            "--json", str(out["json"]), "--markdown", str(out["md"]), "--html", str(out["html"]),
            "--segments", str(out["jsonl"])]
    for name, p in systems.items():
        args += ["--sys", f"{name}={p}"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    lines = {"ref": ref.read_text(encoding="utf-8").splitlines(), "src": src.read_text(encoding="utf-8").splitlines(),
             **{n: p.read_text(encoding="utf-8").splitlines() for n, p in systems.items()}}
    return {"out": out, "stdout": res.stdout, "report": json.loads(out["json"].read_text(encoding="utf-8")),
            "lines": lines, "dir": d}


def test_terminal_tables(run):
    for name in SYSTEMS:
        assert name in run["stdout"]
    for word in ("BLEU", "chrF2++", "TER", "Signatures", "Worst segments"):
        assert word in run["stdout"]


def test_json_report(run):
    r = run["report"]
    assert r["mode"] == "reference" and r["estimate"] is False
    assert [s["name"] for s in r["systems"]] == list(SYSTEMS)
    assert r["metrics"] == ["BLEU", "chrF2", "chrF2++", "TER"] and r["lower_is_better"] == ["TER"]
    for s in r["systems"]:
        hyps = run["lines"][s["name"]]
        # corpus scores are sacrebleu's
        assert s["scores"]["BLEU"]["score"] == sacrebleu.corpus_bleu(hyps, [run["lines"]["ref"]]).score
        assert s["scores"]["chrF2"]["score"] == sacrebleu.corpus_chrf(hyps, [run["lines"]["ref"]]).score
    sig = r["significance"]
    assert sig["bs"]["n_samples"] == 200 and sig["ar"]["n_samples"] == 500 and sig["bs"]["seed"] == 12345
    for name in list(SYSTEMS)[1:]:
        bs = sig["bs"]["results"][name]["BLEU"]
        assert 0 < bs["p_value"] <= 1 and bs["ci_low"] < bs["mean"] < bs["ci_high"]
        assert 0 < sig["ar"]["results"][name]["BLEU"]["p_value"] <= 1
    assert sig["bs"]["results"]["tc-big"]["BLEU"]["p_value"] is None  # the baseline


def _segments(run):
    return [json.loads(line) for line in run["out"]["jsonl"].read_text(encoding="utf-8").splitlines()]


def test_segments_jsonl_are_sacrebleu_sentence_scores(run):
    segs = _segments(run)
    assert len(segs) == len(SYSTEMS) * N_LINES
    lines = run["lines"]
    for seg in segs[:: 37]:  # a spread of lines over all systems
        hyp, ref = lines[seg["system"]][seg["line"] - 1], lines["ref"][seg["line"] - 1]
        assert seg["hyp"] == hyp and seg["refs"] == [ref] and seg["src"] == lines["src"][seg["line"] - 1]
        assert seg["bleu"] == pytest.approx(sacrebleu.sentence_bleu(hyp, [ref]).score, abs=1e-9)
        assert seg["chrf"] == pytest.approx(sacrebleu.sentence_chrf(hyp, [ref]).score, abs=1e-9)


def test_worst_segments_are_the_lowest_sentence_chrf(run):
    by_sys = {}
    for seg in _segments(run):
        by_sys.setdefault(seg["system"], []).append(seg)
    for s in run["report"]["systems"]:
        worst = s["worst_segments"]
        assert len(worst) == 4
        lowest = sorted(by_sys[s["name"]], key=lambda x: (x["chrf"], x["bleu"], x["line"]))[:4]
        assert [w["line"] for w in worst] == [x["line"] for x in lowest]
        assert worst[0]["chrf"] <= worst[-1]["chrf"] <= min(
            x["chrf"] for x in by_sys[s["name"]] if x["line"] not in {w["line"] for w in worst})


def test_markdown_tables(run):
    md = run["out"]["md"].read_text(encoding="utf-8")
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    head = next(i for i, line in enumerate(rows) if line.startswith("| System |"))
    assert rows[head] == "| System | BLEU ↑ | chrF2 ↑ | chrF2++ ↑ | TER ↓ |"
    score_rows = rows[head + 1: head + 1 + len(SYSTEMS)]
    for line, s in zip(score_rows, run["report"]["systems"]):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0].startswith(s["name"])
        for cell, m in zip(cells[1:], ["BLEU", "chrF2", "chrF2++", "TER"]):
            mean = run["report"]["significance"]["bs"]["results"][s["name"]][m]
            assert cell == f"{s['scores'][m]['score']:.2f} ({mean['mean']:.2f} ± {mean['ci']:.2f})"
    assert "tc-big (baseline)" in score_rows[0]
    p_head = next(i for i, line in enumerate(rows) if line.startswith("| vs tc-big (p: bs / ar) |"))
    for line, name in zip(rows[p_head + 1: p_head + 3], list(SYSTEMS)[1:]):
        p_bs = run["report"]["significance"]["bs"]["results"][name]["BLEU"]["p_value"]
        assert line.split("|")[2].strip().startswith(f"{p_bs:.4f}")
    assert "`nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:" in md


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_with_a_real_plot(run, tmp_path):
    # copied alone into an empty folder: nothing it needs may live beside it
    page = tmp_path / "alone.html"
    shutil.copy(run["out"]["html"], page)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    parser = _Tags()
    parser.feed(text)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    for tag, attrs in parser.tags:
        for key in ("src", "href"):
            if key in attrs:
                assert attrs[key].startswith("data:"), (tag, attrs[key][:80])
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", text)
    imgs = [a for t, a in parser.tags if t == "img"]
    assert len(imgs) == 1
    data = base64.b64decode(imgs[0]["src"].removeprefix("data:image/png;base64,"), validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    h, w = pixels.shape[:2]
    assert w >= 600 and h >= 200
    assert pixels[..., :3].std() > 0.05  # not a blank canvas
    for name in SYSTEMS:
        assert name in text
    for s in run["report"]["systems"]:
        assert f"{s['scores']['BLEU']['score']:.2f}" in text


def test_plot_changes_with_the_data(run):
    """The PNG is drawn from the per-segment scores: other scores, other image."""
    from mtfix.evaluate import evaluate
    from mtfix.evaluate.render import distribution_png

    lines = run["lines"]
    a = evaluate([("x", lines["tc-big"])], [lines["ref"]], tests=())
    b = evaluate([("x", lines["m2m100"])], [lines["ref"]], tests=())
    assert distribution_png(a) != distribution_png(b)
