"""The stress benchmark on real text (scripts/stress_repair.py, issue 11).

FLORES-200 devtest: the original of each line is a weak real MT system, the
challengers are stronger systems with ~15 % of their lines replaced by
degenerate variants made from real lines. Through the same scorers and
Selector as repair, with the original as incumbent, no degenerate line may be
chosen and the result may not be worse than the original. The full targets
(1012 lines: +3.0 chrF eng->ara, kept-when-best >= 90 %) are the slow test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import load_script

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def stress():
    return load_script("stress_repair")


@pytest.fixture(scope="module")
def eng_ara(shared_data):
    d = shared_data / "systems" / "flores200-devtest.eng-ara"
    systems = {p.stem: p.read_text(encoding="utf-8").splitlines() for p in sorted(d.glob("*.txt"))}
    src = (shared_data / "flores200-devtest" / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()
    return systems, src


_DIGIT = re.compile(r"[0-9٠-٩۰-۹]")


def test_planted_variants_are_degenerate_of_each_kind(stress, eng_ara):
    systems, src = eng_ara
    n = 300
    name = "facebook__nllb-200-3.3B"
    clean = systems[name][:n]
    others = [ls[:n] for ls in systems.values()]
    out, planted = stress.plant(name, clean, src[:n], others, tgt_lang="ar", rate=0.15, seed=7,
                                neighbours_from=systems[name])
    assert len(planted) == round(0.15 * n) and len({p.line for p in planted}) == len(planted)
    assert {p.kind for p in planted} == set(stress.KINDS)
    changed = [i for i in range(n) if out[i] != clean[i]]
    assert changed == [p.line for p in planted]
    for p in planted:
        i, text, words = p.line, p.text, p.text.split()
        assert out[i] == text and all(text != o[i] for o in others)
        if p.kind == "loop":
            assert re.search(r"(\S.{0,40}?)(?:\s?\1){5,}", text), text
        elif p.kind == "truncation":
            assert 2 <= len(words) <= 4 and clean[i].startswith(text) and len(clean[i].split()) >= len(words) + 4
        elif p.kind == "source":
            assert text == src[i]
        elif p.kind == "neighbour":
            assert text in {systems[name][j] for j in (i - 1, i + 1) if 0 <= j < len(systems[name])}
        elif p.kind == "tokens":
            assert "▁" in text or any(t in text for t in stress.LEAKS["ar"])
        elif p.kind == "digits":
            assert len(text) == len(clean[i])
            diff = [k for k in range(len(text)) if text[k] != clean[i][k]]
            assert diff and all(_DIGIT.match(text[k]) and _DIGIT.match(clean[i][k]) for k in diff)


def test_planting_is_deterministic_in_the_seed(stress, eng_ara):
    systems, src = eng_ara
    name, n = "HPLT-MT-models__translate-en-ar-v1.0-hplt", 200
    args = (name, systems[name][:n], src[:n], [systems[name][:n]])
    a = stress.plant(*args, tgt_lang="ar", rate=0.15, seed=1)
    b = stress.plant(*args, tgt_lang="ar", rate=0.15, seed=1)
    c = stress.plant(*args, tgt_lang="ar", rate=0.15, seed=2)
    assert a == b and a[0] != c[0]


@pytest.mark.parametrize("direction", ["eng-ara", "ara-eng"])
def test_stress_subset_no_degenerate_chosen_and_no_worse(stress, shared_data, direction):
    r = stress.run(shared_data, direction, lines=150, seed=1)
    assert r["degenerate"]["planted"] >= 60  # ~15 % of 150 lines in each of 3-4 challengers
    assert r["degenerate"]["chosen"] == 0, stress.markdown([r])
    assert r["chosen"]["chrf"] >= r["original"]["chrf"], stress.markdown([r])
    assert r["chosen"]["bleu"] >= r["original"]["bleu"] - 0.5, stress.markdown([r])
    # The reference only scores: the oracle and best system bound what selection could reach.
    assert r["oracle"]["chrf"] >= r["chosen"]["chrf"]
    # every switch says how the line's length weighed in its allowance ([consensus] length_weighting)
    assert r["switched"]["lines"] > 0 and r["allowance_named"] == r["switched"]["lines"]
    # the frontier ranks every piece of evidence; the dictionary's rows exactly when FreeDict is installed
    from mtfix.text.lexicon import load_lexicon

    assert set(r["frontier"]) == set(stress.FRONTIER_RANKS)
    has_dictionary = load_lexicon() is not None
    for label, rows in r["frontier"].items():
        assert bool(rows) == (has_dictionary or "dictionary" not in label), label
        assert all(row["kept_when_best"] >= row["at_least"] for row in rows)


def test_parts_are_interleaved_and_cover_the_file_once(stress):
    assert stress.part_lines(None, 5) == [0, 1, 2, 3, 4]
    assert stress.part_lines("even", 7) == [0, 2, 4, 6] and stress.part_lines("odd", 7) == [1, 3, 5]
    folds = [stress.part_lines(f"{k}/3", 10) for k in range(3)]
    assert folds[1] == [1, 4, 7] and sorted(i for f in folds for i in f) == list(range(10))
    for bad in ("3/3", "half", "1/0", "-1/2"):
        with pytest.raises(ValueError, match="part must be"):
            stress.part_lines(bad, 10)
    with pytest.raises(SystemExit) as e:  # the command line says so before any run
        stress.main(["--part", "half"])
    assert e.value.code == 2


def test_held_out_halves_select_their_own_lines_and_are_tabulated(stress, shared_data):
    """--part: the whole run's planted lines, only this half of them selected and scored (its own file)."""
    whole = stress.run(shared_data, "eng-ara", lines=80, seed=1)
    halves = [stress.run(shared_data, "eng-ara", lines=80, seed=1, part=p) for p in stress.HALVES]
    assert [h["lines"] for h in halves] == [40, 40] and [h["part"] for h in halves] == ["even", "odd"]
    # the same planted lines, split between the halves
    assert sum(h["degenerate"]["planted"] for h in halves) == whole["degenerate"]["planted"]
    for kind in stress.KINDS:
        assert sum(h["degenerate"]["by_kind"][kind]["planted"] for h in halves) == \
            whole["degenerate"]["by_kind"][kind]["planted"]
    assert all(h["degenerate"]["chosen"] == 0 for h in halves)
    # the original's sentences are the same, so its corpus score on a half is that of those lines alone
    assert halves[0]["original"] != halves[1]["original"]
    # figures name the file's line numbers: the even half only even ones
    for h, parity in zip(halves, (0, 1)):
        lines = [x["line"] for xs in h["examples_planted"].values() for x in xs] + [x["line"] for x in h["harmed"]]
        assert lines and all(i % 2 == parity for i in lines)
    pooled = stress.cross_fit(halves)
    table = stress.held_out_markdown([whole], [*halves, pooled])
    row = [ln for ln in table.splitlines() if ln.startswith("| eng-ara |")]
    assert len(row) == 1 and row[0].count("%") == 4  # whole file, cross-fit, even, odd
    cells = [c.strip() for c in row[0].split("|")[1:-1]]
    k, h = halves[1]["kept_when_best"], halves[1]
    assert f"({k['kept']}/{k['lines']})" in cells[-2]
    missed = h["chosen"]["delta_chrf"] < 3.0 or k["rate"] < 0.9 or h["degenerate"]["chosen"] > 0
    assert cells[-2].endswith("✗") == missed
    # the stress criterion: every target met on the whole file and on the cross-fit (here: eng-ara alone)
    assert cells[-1] == ("missed" if stress.misses(whole) or stress.misses(pooled) else "**met**")
    k = pooled["kept_when_best"]
    assert f"({k['kept']}/{k['lines']})" in cells[-4]  # whole file, cross-fit, even, odd, ships


def test_cross_fit_pools_both_halves_choices_over_the_whole_file(stress, shared_data):
    """The 2-fold cross-fit: each half selected alone, the chosen lines pooled in the file's order and scored
    together; the original's figures are the whole file's, the counts the halves' sums."""
    from sacrebleu.metrics import CHRF

    whole = stress.run(shared_data, "ara-eng", lines=60, seed=1)
    halves = [stress.run(shared_data, "ara-eng", lines=60, seed=1, part=p) for p in stress.HALVES]
    pooled = stress.cross_fit(halves)
    assert pooled["part"] == stress.CROSS_FIT and pooled["lines"] == 60
    assert pooled["original"] == whole["original"]  # the same lines in the same order
    even, odd = (h[stress.LINES] for h in halves)
    union = [line for pair in zip(even["chosen"], odd["chosen"]) for line in pair]
    refs = [line for pair in zip(even["refs"], odd["refs"]) for line in pair]
    assert round(CHRF().corpus_score(union, [refs]).score, 2) == pooled["chosen"]["chrf"]
    assert pooled["chosen"]["delta_chrf"] == round(pooled["chosen"]["chrf"] - whole["original"]["chrf"], 2)
    for key in ("lines", "kept"):
        assert pooled["kept_when_best"][key] == sum(h["kept_when_best"][key] for h in halves)
    assert pooled["kept_when_best"]["lines"] == whole["kept_when_best"]["lines"]  # which lines are best is per line
    assert pooled["switched"]["lines"] == sum(h["switched"]["lines"] for h in halves)
    assert pooled["degenerate"]["planted"] == whole["degenerate"]["planted"]
    assert stress.LINES not in stress.public(whole) and stress.LINES in whole
    with pytest.raises(ValueError, match="even and the odd half"):
        stress.cross_fit([halves[0], halves[0]])
    with pytest.raises(ValueError, match="even and the odd half"):
        stress.cross_fit([halves[0], stress.run(shared_data, "ara-eng", lines=60, seed=1, part="odd", z=1.0)])


def test_readme_shows_the_published_figures(stress):
    """The README's stress tables are bench/stress.json as the script renders them (--readme)."""
    import json

    rows = json.loads((REPO / "bench" / "stress.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split(stress.README_BEGIN)[1].split(stress.README_END)[0]
    assert stress.markdown(rows).split("\nTargets (issue 11)")[0].strip() in block
    assert {r["direction"] for r in rows} == {"eng-ara", "ara-eng"} and all(r["lines"] == 1012 for r in rows)


def test_readme_shows_the_published_held_out_halves(stress):
    """The README's held-out table is bench/stress.held-out.json as the script renders it (--held-out)."""
    import json

    rows = json.loads((REPO / "bench" / "stress.json").read_text(encoding="utf-8"))
    sweep = json.loads((REPO / "bench" / "stress.sweep.json").read_text(encoding="utf-8"))
    held = json.loads((REPO / "bench" / "stress.held-out.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split(stress.README_BEGIN)[1].split(stress.README_END)[0]
    assert stress.held_out_markdown(rows + sweep, held).strip() in block
    assert {r["part"] for r in held} == {None, *stress.HALVES, stress.CROSS_FIT}
    assert {r["lines"] for r in held if r["part"] in stress.HALVES} == {506}  # 1012 lines, interleaved halves
    assert {r["lines"] for r in held if r["part"] == stress.CROSS_FIT} == {1012}


@pytest.mark.slow
def test_held_out_halves_reproduce_the_published_figures(stress, shared_data):
    """The preset and the two rules of bench/ (file pooling at z 1.2816, and with the margin weighted too)
    on each half and on the cross-fit, as published; the margin-weighted rule meets every stress target
    on the whole file and the cross-fit (README "Stress test": it is not the preset, select loses BLEU)."""
    import json

    held = json.loads((REPO / "bench" / "stress.held-out.json").read_text(encoding="utf-8"))
    configs = (None, str(REPO / "bench" / "stress_file_z90.toml"), str(REPO / "bench" / "stress_margin_z90.toml"))
    for config in configs:
        for d in ("eng-ara", "ara-eng"):
            halves = [stress.run(shared_data, d, seed=1, config_path=config, part=part) for part in stress.HALVES]
            for r in (*halves, stress.cross_fit(halves)):
                p = [h for h in held if h["direction"] == d and h["part"] == r["part"]
                     and stress.setting_of(h) == stress.setting_of(r)]
                assert len(p) == 1 and (r["chosen"], r["kept_when_best"], r["degenerate"]) == \
                    (p[0]["chosen"], p[0]["kept_when_best"], p[0]["degenerate"]), "rerun scripts/stress_repair.py --held-out"
            if config == configs[2]:
                whole = stress.run(shared_data, d, seed=1, config_path=config)
                assert whole["margin_weighting"] == 1 and whole["noise_pooling"] == "file" and whole["z"] == 1.2816
                assert not stress.misses(whole) and not stress.misses(stress.cross_fit(halves)), d


@pytest.mark.slow
def test_stress_full_run_reproduces_the_published_figures(stress, shared_data):
    import json

    published = {r["direction"]: r for r in json.loads((REPO / "bench" / "stress.json").read_text(encoding="utf-8"))}
    for d in ("eng-ara", "ara-eng"):
        r = stress.run(shared_data, d, seed=1)
        p = published[d]
        assert (r["chosen"], r["degenerate"], r["kept_when_best"], r["switched"]) == \
            (p["chosen"], p["degenerate"], p["kept_when_best"], p["switched"]), "rerun scripts/stress_repair.py --readme"


@pytest.mark.slow
def test_stress_full_targets(stress, shared_data):
    rows = [stress.run(shared_data, d, seed=1) for d in ("eng-ara", "ara-eng")]
    report = stress.markdown(rows)
    for r in rows:
        assert r["lines"] == 1012
        assert all(stress.verdict(r).values()), report


@pytest.mark.slow
def test_length_weighting_gains_chrf_and_keeps_more_in_both_directions(stress, shared_data):
    """Judging each line at its corpus weight (the preset) against the per-line test (length_weighting 0)."""
    for d in ("eng-ara", "ara-eng"):
        weighted = stress.run(shared_data, d, seed=1)
        per_line = stress.run(shared_data, d, seed=1, length_weighting=0.0)
        assert weighted["length_weighting"] == 1.0 and per_line["length_weighting"] == 0.0
        assert weighted["chosen"]["chrf"] > per_line["chosen"]["chrf"], d
        assert weighted["kept_when_best"]["rate"] >= per_line["kept_when_best"]["rate"], d
        assert weighted["degenerate"]["chosen"] == per_line["degenerate"]["chosen"] == 0


@pytest.mark.slow
def test_file_pooling_at_the_issues_own_level_meets_every_target(stress, shared_data):
    """Not the preset (README "Stress test"): the noise pooled over the file ([consensus] noise_pooling) with
    z = 1.2816, the one-sided 90 % quantile of the issue's kept-when-best level, meets every stress target in
    both directions, where the per-pair noise at that z keeps under 90 % in ara->eng."""
    cfg = REPO / "bench" / "stress_file_z90.toml"
    rows = [stress.run(shared_data, d, seed=1, config_path=str(cfg)) for d in ("eng-ara", "ara-eng")]
    report = stress.markdown(rows)
    for r in rows:
        assert r["z"] == 1.2816 and r["noise_pooling"] == "file"
        assert all(stress.verdict(r).values()), report
        assert r["chosen"]["delta_chrf"] >= 3.0, report
