"""A candidate a gate stops pays for no round trip, and no decision changes for it.

The stress benchmark's eng->ara subset (real system outputs with planted degenerate lines) goes
through the selector twice with the same round-trip back-translator: once as before (every
candidate back-translated, then the gates), once as now (the gates that need no back-translation
first; the round trip skips what they stop unless the entities gate needs it). Every choice and
every gate failure is the same; every decision of a line where some challenger passes the gates is
the same to the last digit of its report (reason, gain, required, deciding, the totals of the
candidates that could win); a line where every challenger is gated keeps its reason's gate tally
(its "closest" challenger is now judged without the round trip it did not pay for).
"""

from __future__ import annotations

import pytest

from mtfix.scoring import load_config
from mtfix.scoring.select import build_scorers
from mtfix.select import select_lines
from conftest import load_script

N = 160


@pytest.fixture(scope="module")
def stress_subset(shared_data):
    mod = load_script("stress_repair")
    d = mod.DIRECTIONS["eng-ara"]
    systems = {p.stem: mod.read(p) for p in sorted((shared_data / "systems" / "flores200-devtest.eng-ara").glob("*.txt"))}
    sources = mod.read(shared_data / "flores200-devtest" / f"{d['src']}.txt")[:N]
    original = systems[d["original"]][:N]
    clean = {k: v[:N] for k, v in systems.items() if k != d["original"]}
    offered = {name: mod.plant(name, ls, sources, [original, *clean.values()], tgt_lang="ar", rate=0.15, seed=1,
                               neighbours_from=systems[name])[0] for name, ls in clean.items()}
    return [("original", original), *offered.items()], sources


def _run(candidates, sources, back_translate, *, skip: bool):
    config = load_config()
    scorers, _ = build_scorers(config, tgt_lang="ar", has_sources=True, back_translate=back_translate,
                               back_model_name="tiny")
    for s in scorers:
        if not skip and hasattr(s, "skips_stopped"):
            s.skips_stopped = False  # as before: every candidate back-translated, then every gate
    return select_lines(candidates, sources, incumbent="original", config=config, src_lang="en", tgt_lang="ar",
                        scorers=scorers)


def test_gated_candidates_skip_the_round_trip_and_no_decision_changes(stress_subset, tiny_models, tmp_path):
    from mtfix.engine.back import back_translator
    from mtfix.engine.cache import open_cache

    candidates, sources = stress_subset
    bt = back_translator(str(tiny_models["marian-ar-en"]), src="ar", tgt="en", cache=open_cache(tmp_path / "c.sqlite"),
                         backend="ctranslate2")
    asked: dict[bool, set] = {}

    def counting(skip):
        def fn(texts):
            asked[skip].update(texts)
            return bt(texts)
        asked[skip] = set()
        return fn

    before = _run(candidates, sources, counting(False), skip=False)
    after = _run(candidates, sources, counting(True), skip=True)
    assert asked[True] < asked[False]  # fewer texts back-translated
    sb, sa = before.selection, after.selection
    open_lines = all_gated = 0
    skipped = 0
    for i, (db, da) in enumerate(zip(sb.decisions, sa.decisions)):
        assert (da.chosen, da.kept_incumbent, da.gated) == (db.chosen, db.kept_incumbent, db.gated)
        assert sa.gates[i] == sb.gates[i]
        k = len(sb.segments[i].candidates)
        may_win = [c for c in range(k) if not sb.gates[i][c]]  # the incumbent and every ungated challenger
        for name in sb.scores:
            for c in range(k):
                a, b = sa.scores[name][i][c], sb.scores[name][i][c]
                if "not computed" in a.reason:
                    assert sb.gates[i][c] and name.startswith("roundtrip")
                    skipped += 1
                else:
                    assert a == b, (i, c, name)
        if len(may_win) > 1:
            open_lines += 1
            xa, xb = da.to_dict(), db.to_dict()
            ta, tb = xa.pop("total"), xb.pop("total")
            assert xa == xb, i
            assert [ta[c] for c in may_win] == [tb[c] for c in may_win]
        else:
            all_gated += 1
            assert da.reason.split("; closest")[0] == db.reason.split("; closest")[0]
    assert open_lines > N / 2 and all_gated >= 1 and skipped > 0
    assert before.lines == after.lines
