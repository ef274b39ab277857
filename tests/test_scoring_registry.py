"""The scorer and gate registries: a new scorer is one class plus one decorator line.

A toy scorer registered from this test module is validated by the config,
listed by ``--help``, built by ``build_scorers``, run by the selector and shown
in the report, without touching any mtfix module.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.errors import MtfixError
from mtfix.scoring import SCORERS, Score, Scorer, build_scorers, load_config, register_scorer
from mtfix.select import select_files
from mtfix.scoring.registry import GATES, help_text


@pytest.fixture
def toy():
    @register_scorer
    class ShortIsGood(Scorer):
        """Prefers short candidates (a toy)."""

        name = "toy_short"
        PARAMS = {"max_words": (int, 5, "candidates longer than this score 0")}
        HELP = "toy: short candidates win"

        def __init__(self, max_words=5):
            self.max_words = max_words

        def score(self, segments):
            return [[Score(1.0 if len(c.text.split()) <= self.max_words else 0.0, f"{len(c.text.split())} words")
                     for c in seg.candidates] for seg in segments]

    yield ShortIsGood
    SCORERS.unregister("toy_short")


def write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_builtins_are_registered_in_order():
    assert SCORERS.names()[:8] == ["consensus", "roundtrip_chrf", "roundtrip_bleu", "numbers", "length", "script",
                                   "repetition", "fluency"]
    assert {"loop", "tokens", "script", "length", "numbers", "entities", "copy", "fidelity"} <= set(GATES.names())


def test_unknown_scorer_weight_and_param_are_errors(tmp_path, toy):
    with pytest.raises(MtfixError, match="\\[weights\\] nope: unknown key"):
        load_config(write(tmp_path, "[weights]\nnope = 1.0\n"))
    with pytest.raises(MtfixError, match="\\[toy_short\\] max_letters: unknown key; known: max_words"):
        load_config(write(tmp_path, "[toy_short]\nmax_letters = 3\n"))
    with pytest.raises(MtfixError, match="\\[toy_short\\] max_words: must be a whole number, not 'three'"):
        load_config(write(tmp_path, '[toy_short]\nmax_words = "three"\n'))
    with pytest.raises(MtfixError, match="unknown gate"):
        load_config(write(tmp_path, "[gates.nope]\nenabled = false\n"))
    with pytest.raises(MtfixError, match="\\[gates.loop\\] min_copy: unknown key; known: enabled, min_copies"):
        load_config(write(tmp_path, "[gates.loop]\nmin_copy = 3\n"))


def test_legacy_length_tolerance_still_read(tmp_path):
    cfg = load_config(write(tmp_path, "[thresholds]\nlength_tolerance = 2.0\n"))
    assert cfg.scorer_params("length") == {"tolerance": 2.0} and cfg.length_tolerance == 2.0


def test_toy_scorer_validated_built_run_and_reported(tmp_path, toy):
    cfg = load_config(write(tmp_path, "[weights]\ntoy_short = 1.0\nconsensus = 0.0\n[toy_short]\nmax_words = 2\n"))
    scorers, _ = build_scorers(cfg, has_sources=False)
    toys = [s for s in scorers if s.name == "toy_short"]
    assert len(toys) == 1 and toys[0].max_words == 2
    # Three systems; "b" is short on line 2 only; the toy scorer (weight 1) makes it win there.
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    c = tmp_path / "c.txt"
    a.write_text("the cat sat on the mat\nthe dog ran in the park\n", encoding="utf-8")
    b.write_text("the cat sat on the mat\nthe dog ran\n", encoding="utf-8")
    c.write_text("the cat sat on the mat\nthe dog ran in the park\n", encoding="utf-8")
    cfg_path = write(tmp_path, "[weights]\ntoy_short = 1.0\n[toy_short]\nmax_words = 3\n"
                               "[gates.length]\nenabled = false\n[gates.fidelity]\nenabled = false\n"
                               # a per-line allowance: line 2 is shorter than the mean, which would raise it
                               "[consensus]\nlength_weighting = 0\n", "d.toml")
    res = select_files([("a", a), ("b", b), ("c", c)], config_path=cfg_path)
    rep = res.report()
    seg = rep["segments"][1]
    assert "toy_short" in seg["candidates"][0]["scores"]
    assert seg["chosen_origin"] == "b" and "toy_short" in seg["reason"]
    assert any(s["name"] == "toy_short" and s["max_words"] == 3 for s in rep["signature"]["scorers"])
    # switched off by its weight: not built, not reported
    res = select_files([("a", a), ("b", b), ("c", c)])
    assert "toy_short" not in res.report()["segments"][1]["candidates"][0]["scores"]


def test_help_lists_the_registry(toy):
    assert "toy_short(max_words=5): toy: short candidates win" in help_text()
    result = CliRunner().invoke(app, ["select", "--help"], terminal_width=2000)
    assert result.exit_code == 0
    out = " ".join(result.output.split())
    for name in ("consensus", "roundtrip_chrf", "repetition", "loop", "fidelity"):
        assert name in out


def test_registering_twice_under_one_name_is_refused(toy):
    class Other(Scorer):
        name = "toy_short"

        def score(self, segments):  # pragma: no cover
            return []

    with pytest.raises(ValueError, match="already registered"):
        register_scorer(Other)

