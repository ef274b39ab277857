"""The markup corpus filter: what it drops, what it calls repairable, and its setting."""

from __future__ import annotations

import pytest

from mtfix.corpus import Pair, build_filters, load_pipeline_config
from mtfix.corpus.filters_markup import MarkupFilter
from mtfix.errors import MtfixError

EN = "The committee approved the budget on Tuesday."
AR = "وافقت اللجنة على الميزانية يوم الثلاثاء."


def test_drop_kinds_always_count_repair_kinds_by_default():
    pairs = [Pair(EN, AR), Pair(f"<p>{EN}</p>", f"<p>{AR}</p>"), Pair(EN.replace(" ", "&nbsp;", 1), AR),
             Pair(EN, AR.replace("ا", "\ufffd", 1)), Pair(EN, AR.encode().decode("latin-1")),
             Pair(EN + " ■■■", AR)]
    f = MarkupFilter()
    got = [(f.accept(s), s.value, s.reason) for s in f.score(pairs)]
    assert [g[:2] for g in got] == [(True, 0), (False, 4), (False, 1), (False, 1), (False, 1), (False, 1)]
    assert got[0][2] == "no markup or encoding damage"
    assert got[1][2] == "en side HTML/XML tag '<p>' (drop); HTML/XML tag '</p>' (drop), ar side HTML/XML tag '<p>' " \
                        "(drop); HTML/XML tag '</p>' (drop)"
    assert "(repair)" in got[2][2] and "(drop)" in got[3][2] and "mojibake" in got[4][2]
    keep = MarkupFilter(repairable="keep")
    assert [keep.accept(s) for s in keep.score(pairs)] == [True, False, True, False, True, False]


def test_settings_are_checked(tmp_path):
    with pytest.raises(ValueError, match="repairable: must be one of 'drop', 'keep', not 'fix'"):
        MarkupFilter(repairable="fix")
    p = tmp_path / "p.toml"
    p.write_text('[filters.markup]\nrepairable = "maybe"\n', encoding="utf-8")
    with pytest.raises(MtfixError, match=r"p.toml: \[filters.markup\] repairable: must be one of 'drop', 'keep', not 'maybe'"):
        build_filters(load_pipeline_config(p))
    p.write_text('[filters.markup]\nmax_damage = 2\n', encoding="utf-8")
    (f,) = [f for f in build_filters(load_pipeline_config(p))[0] if f.name == "markup"]
    assert f.accept(f.score([Pair(f"<b>{EN}</b>", AR)])[0])
