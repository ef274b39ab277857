"""Proof that `mtfix evaluate` computes what the field computes.

Every system in ../shared/data/systems/*/published-scores.tsv is scored with
`mtfix evaluate` (default settings: sacrebleu BLEU with tokenizer 13a, chrF2,
chrF2++ = chrF with word_order=2) and compared with its published BLEU, chrF
and chrF++ to within 0.05. The leaderboards publish chrF on a 0-1 scale, so
the published values are multiplied by 100 before comparing.
"""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app


TOL = 0.05
REFERENCE = {"ara-eng": "eng_Latn.txt", "eng-ara": "arb_Arab.txt"}


def _published(tsv):
    with open(tsv, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_every_published_system_is_reproduced(shared_data, tmp_path):
    tables = sorted((shared_data / "systems").glob("*/published-scores.tsv"))
    assert tables, "no published-scores.tsv found"
    checked = []
    for tsv in tables:
        pair = tsv.parent.name.split(".")[-1]  # flores200-devtest.ara-eng -> ara-eng
        ref = shared_data / "flores200-devtest" / REFERENCE[pair]
        rows = _published(tsv)
        assert rows, f"{tsv} lists no system"
        out = tmp_path / f"{pair}.json"
        args = ["evaluate", "--ref", str(ref), "--metric", "bleu,chrf,chrf++", "--paired", "none",
                "--worst", "0", "--quiet", "--json", str(out)]
        for row in rows:
            args += ["--sys", f"{row['system']}={tsv.parent / (row['system'] + '.txt')}"]
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        report = json.loads(out.read_text(encoding="utf-8"))
        assert report["n_segments"] == 1012
        got = {s["name"]: s["scores"] for s in report["systems"]}
        for row in rows:
            scores = got[row["system"]]
            for metric, column, scale in (("BLEU", "bleu", 1), ("chrF2", "chrf", 100), ("chrF2++", "chrf++", 100)):
                published = float(row[column]) * scale
                assert scores[metric]["score"] == pytest.approx(published, abs=TOL), (
                    f"{pair} {row['system']} {metric}: got {scores[metric]['score']:.3f}, published {published}")
            # the signatures are sacrebleu's defaults, the settings the leaderboards used
            assert scores["BLEU"]["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|")
            assert "|nw:2|" in scores["chrF2++"]["signature"]
            checked.append((pair, row["system"]))
    # the data pack has 5 ara-eng and 4 eng-ara systems; all must have been checked
    assert len(checked) == sum(len(_published(t)) for t in tables) >= 9
