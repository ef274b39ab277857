"""Corpus filters one by one (score, accept, reason), the pipeline, and the pipeline TOML."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.corpus import Pair, Pipeline, build_filters, load_pipeline_config
from mtfix.corpus.filters import (
    DedupFilter,
    EmptyFilter,
    LengthRatioFilter,
    MaxLengthFilter,
    NumbersFilter,
    RepetitionFilter,
    RoundTripChrfFilter,
    ScriptFilter,
)
from mtfix.errors import MtfixError

EN = "The committee approved the budget of 20,000 dollars on Tuesday."
AR = "وافقت اللجنة على ميزانية قدرها ٢٠٬٠٠٠ دولار يوم الثلاثاء."


def verdicts(f, pairs):
    return [(f.accept(s), s.value, s.reason) for s in f.score(pairs)]


def test_empty():
    f = EmptyFilter()
    got = verdicts(f, [Pair(EN, AR), Pair(EN, " ... "), Pair("", "")])
    assert [g[0] for g in got] == [True, False, False]
    assert got[1][2] == "ar side has 0 letters/digits"


def test_max_length():
    f = MaxLengthFilter(max_chars=50)
    (ok, value, reason), = verdicts(f, [Pair(EN, AR)])
    assert not ok and value == len(EN) and reason == f"en side {len(EN)} chars in 1 unit(s), longest {len(EN)} > 50"
    assert verdicts(MaxLengthFilter(), [Pair(EN, AR)])[0][:2] == (True, len(EN))


def test_max_length_judges_a_long_side_per_sentence():
    """Four English sentences and their one-sentence Arabic translation are no reason to drop a pair."""
    en = ("The council met on Monday evening. It approved the new budget. The mayor thanked the staff. "
          "Then everyone went home early.")
    ar = "اجتمع المجلس مساء الاثنين وأقر الميزانية الجديدة وشكر العمدة الموظفين ثم عاد الجميع إلى منازلهم مبكرا."
    f = MaxLengthFilter(max_chars=60)
    (ok, value, reason), = verdicts(f, [Pair(en, ar)])
    assert ok and value <= 60 and "in 4 unit(s)" in reason, reason
    # one unit that long on both sides still fails, and so does any side over max_side_chars
    assert not verdicts(f, [Pair(en.replace(".", ","), ar)])[0][0]
    (ok, value, reason), = verdicts(MaxLengthFilter(max_chars=60, max_side_chars=100), [Pair(en, ar)])
    assert not ok and reason == f"en side {len(en)} chars > 100"
    # Arabic clauses joined by ؛ count as units here (the shorter units of split_sentences(clauses=True))
    ar2 = "اجتمع المجلس مساء الاثنين وأقر الميزانية؛ وشكر العمدة الموظفين؛ ثم عاد الجميع إلى منازلهم مبكرا."
    assert verdicts(MaxLengthFilter(max_chars=45), [Pair("The council met. It approved it.", ar2)])[0][0]


def test_length_ratio_is_smoothed_for_short_pairs():
    f = LengthRatioFilter()
    assert f.accept(f.score([Pair("Yes.", "نعم، بالتأكيد.")])[0])  # x3.5 raw, x1.7 smoothed
    (ok, value, reason), = verdicts(f, [Pair(EN, "نعم.")])
    assert not ok and value > 2.5 and reason.startswith("en side x")


def test_script():
    f = ScriptFilter()
    got = verdicts(f, [Pair(EN, AR), Pair(AR, EN), Pair(EN, EN), Pair(EN, "قالت ناسا NASA إن SpaceX أطلقت")])
    assert [g[0] for g in got] == [True, False, False, True]
    assert got[2][2] == "ar side 0% Arabic script"


@pytest.mark.parametrize("en,ar,changed", [
    (EN, AR, 0),  # 20,000 = ٢٠٬٠٠٠
    (EN, AR.replace("٢٠٬٠٠٠", "٢١٬٠٠٠"), 1),
    ("It cost 2.8 billion dollars.", "كلف 2.8 مليار دولار.", 0),
    ("About 20,000 people came.", "جاء نحو 20.000 شخص.", 0),  # the other thousands separator
    ("Doors open at 1200.", "تفتح الأبواب الساعة 12:00.", 0),  # one number read as two
    ("The 1950-53 war.", "حرب 1950-1953.", 0),  # a year and its last two digits
    ("Three people came.", "جاء 3 أشخاص.", 0),  # only on one side: not a change
    ("In 2019, 14 people died.", "في عام 2018، توفي 14 شخصا.", 1),
])
def test_numbers(en, ar, changed):
    f = NumbersFilter()
    (score,) = f.score([Pair(en, ar)])
    assert score.value == changed and f.accept(score) == (changed == 0), score.reason
    if changed:
        assert "changed" in score.reason


def test_repetition():
    f = RepetitionFilter()
    loop = "وافقت اللجنة على الميزانية " + "على الميزانية " * 6
    got = verdicts(f, [Pair(EN, AR), Pair(EN, loop)])
    assert [g[0] for g in got] == [True, False]
    assert "ar side" in got[1][2] and "x7" in got[1][2]


def test_roundtrip_chrf_back_translates_each_chunk_once():
    calls = []

    def back(texts):
        calls.append(list(texts))
        return [EN if t == AR else "Something else entirely." for t in texts]

    f = RoundTripChrfFilter(back_translate=back, model_name="fake")
    got = verdicts(f, [Pair(EN, AR), Pair(EN, "جملة أخرى."), Pair(EN, AR), Pair(EN, "")])
    assert calls == [[AR, "جملة أخرى."]]
    assert [g[0] for g in got] == [True, False, True, False]
    assert got[0][1] == 100.0 and got[1][2].startswith("round-trip chrF ")
    assert f.signature()["model"] == "fake" and "nc:6|nw:0" in f.signature()["chrf"]


def test_dedup_exact_and_normalised_only_counts_kept_pairs():
    f = DedupFilter()
    a = Pair(EN, AR, id=0)
    exact = Pair(EN, AR, id=1)
    normalised = Pair(EN.upper().replace(" ", "  "), AR.replace("ال", "الـ").replace("٢٠", "20"), id=2)
    scores = f.score([a, exact, normalised])
    assert [s.value for s in scores] == [1, 0, 0]
    assert scores[1].reason == "exact duplicate of #0" and scores[2].reason == "normalised duplicate of #0"
    g = DedupFilter()
    # a pair dropped by another filter does not block its later duplicate
    assert [s.value for s in g.score([a, exact], register=[False, True])] == [1, 1]
    h = DedupFilter(on="src", normalize="none")
    assert [s.value for s in h.score([Pair(EN, AR, id=0), Pair(EN, "شيء آخر", id=1)])] == [1, 0]


def test_dedup_keys_of_a_chunk_are_each_pairs_own_keys():
    """keys_of hashes each side on its own (streamed into one digest) and the chunk's normalised
    texts at once: the same bytes as keys() of each pair, whatever the characters."""
    import random

    rng = random.Random(3)
    parts = ["", " ", "\t", "Word", "ß", "ﬁ", "ٱلـعربية", "٢٠", "😀", "𝔘", "İ", "\u200f", "a-b", "Σς", "x" * 40]
    pairs = [Pair("".join(rng.choices(parts, k=rng.randint(0, 6))), "".join(rng.choices(parts, k=rng.randint(0, 6))),
                  id=i) for i in range(300)]
    f = DedupFilter()
    assert f.keys_of(pairs) == [f.keys(p) for p in pairs]


def test_filter_and_filterfalse_split_a_stream():
    f = ScriptFilter()
    pairs = [Pair(EN, AR), Pair(EN, EN), Pair(EN, AR)]
    assert list(f.filter(pairs, batch_size=2)) == [pairs[0], pairs[2]]
    assert list(f.filterfalse(iter(pairs), batch_size=2)) == [pairs[1]]


def test_pipeline_records_every_score_and_every_failing_reason():
    filters, notes = build_filters(load_pipeline_config())
    assert notes == ["roundtrip_chrf: skipped, no back-translation model (--back-model)"]
    (r,) = Pipeline(filters).judge([Pair("It is 12 km.", "It is 13 km.")])
    assert not r.kept and r.failed == ["script", "numbers"]
    assert r.reason == "script: ar side 0% Arabic script; numbers: 1 changed: 12 -> 13"
    assert len(r.scores) == len(filters)


# ---------------------------------------------------------------- pipeline TOML


def test_default_pipeline():
    cfg = load_pipeline_config()
    assert cfg.langs == ("en", "ar") and cfg.source == "default"
    assert [f.name for f in cfg.filters] == ["empty", "max_length", "markup", "length_ratio", "script", "numbers",
                                             "repetition", "align", "roundtrip_chrf", "dedup"]


def test_a_user_pipeline_is_laid_over_the_default(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text("""
[filters.length_ratio]
max_ratio = 3.0
[filters.repetition]
enabled = false
[filters.src_dedup]
type = "dedup"
on = "src"
""", encoding="utf-8")
    cfg = load_pipeline_config(p)
    by_name = {f.name: f for f in cfg.filters}
    assert by_name["length_ratio"].params == {"max_ratio": 3.0, "smoothing": 10}
    assert "repetition" not in by_name
    assert by_name["src_dedup"].type == "dedup" and by_name["src_dedup"].params["on"] == "src"
    filters, _ = build_filters(cfg)
    assert "src_dedup=dedup(normalize=arabic,on=src)" in [f.short() for f in filters]


def test_base_none_starts_from_an_empty_pipeline(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text('[pipeline]\nbase = "none"\n[filters.script]\nmin_share = 0.8\n', encoding="utf-8")
    assert [f.name for f in load_pipeline_config(p).filters] == ["script"]


@pytest.mark.parametrize("text,needle", [
    ("[filters.numbers]\nmax_change = 1\n", "[filters.numbers] max_change: unknown key; known: max_changed"),
    ("[filters.numbers]\nmax_changed = \"one\"\n", "[filters.numbers] max_changed: must be a whole number, not 'one'"),
    ("[filters.typo]\nx = 1\n", "[filters.typo] type: unknown filter type 'typo'"),
    ("[filterz]\n", "[filterz]: unknown table"),
    ("[filters.numbers\n", "not valid TOML"),
    ("[pipeline]\nsrc_lang = \"fr\"\n", "[pipeline] src_lang: unknown language 'fr'"),
    ("[pipeline]\ntgt_lang = \"en\"\n", "[pipeline] tgt_lang: the same language as src_lang (en)"),
    ("[filters.dedup]\nnormalize = \"nope\"\n", "[filters.dedup] normalize: must be one of 'none', 'digits'"),
])
def test_pipeline_errors_name_the_file(tmp_path, text, needle):
    p = tmp_path / "p.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(MtfixError) as e:
        build_filters(load_pipeline_config(p))
    assert needle in str(e.value)
    assert str(e.value).startswith(f"{p}: ")


def test_cli_pipeline_shows_the_effective_pipeline(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text("[filters.numbers]\nmax_changed = 2\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["corpus", "pipeline", "--pipeline", str(p)])
    assert r.exit_code == 0, r.output
    assert "[filters.numbers]" in r.output and "max_changed = 2" in r.output
    assert 'normalize = "arabic"' in r.output
