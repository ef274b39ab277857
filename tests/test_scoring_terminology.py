"""The terminology scorer and gate: glossary terms of the source/original kept, no known mistranslation."""

import pytest

from mtfix.scoring.base import Candidate, Segment
from mtfix.scoring.config import load_config
from mtfix.scoring.gates import GateContext, build_gates
from mtfix.scoring.registry import GATES, SCORERS
from mtfix.scoring.select import Selector, build_scorers
from mtfix.scoring.terminology import TerminologyGate, TerminologyScorer, with_glossaries

ORIGINAL = "وقالت قوات سوريا الديمقراطية (قسد) إنها تقدمت."


def _seg(*texts, sources=(), original=ORIGINAL, incumbent=0):
    return Segment(0, [Candidate(t, "original" if i == 0 else f"m#{i}") for i, t in enumerate(texts)],
                   sources=list(sources), incumbent=incumbent, original=original)


def test_registered_and_in_the_default_preset():
    assert "terminology" in SCORERS and "terminology" in GATES
    config = load_config()
    assert config.weight("terminology") > 0
    scorers, _ = build_scorers(config, tgt_lang="ar")
    assert "terminology" in [s.name for s in scorers]
    assert "terminology" in [g.name for g in build_gates(config)]


def test_scorer_rewards_kept_terms_and_penalises_dropped_or_mistranslated():
    seg = _seg(ORIGINAL, "وقالت قسد إنها تقدمت.", "وقالت القوات إنها تقدمت.", "وقالت قوات الدفاع الذاتي إنها تقدمت.",
               sources=["The SDF said it advanced, the UN said."])
    [row] = TerminologyScorer().score([seg])
    # expected: SDF (source and original) and UN (source only)
    assert [round(s.value, 2) for s in row] == [0.5, 0.5, 0.0, 0.0]
    assert "drops الأمم المتحدة (UN)" in row[0].reason
    assert "drops قسد (SDF)" in row[2].reason
    assert "mistranslates 'قوات الدفاع الذاتي' for SDF" in row[3].reason
    [row] = TerminologyScorer().score([_seg("لا شيء هنا.", "ولا هنا.", original="لا شيء هنا.")])
    assert [s.value for s in row] == [1.0, 1.0] and row[0].reason == "no glossary term expected"


def test_gate_stops_a_challenger_that_drops_or_mistranslates_a_term():
    gate = TerminologyGate()
    ctx = GateContext(tgt_lang="ar")
    seg = _seg(ORIGINAL, "وقالت القوات الكردية إنها تقدمت.", "وقالت قوات الدفاع الذاتى إنها تقدمت.",
               "قالت قوات سوريا الديمقراطيه إنها تقدمت.")
    assert gate.check(seg, 1, ctx) == "glossary term قسد (SDF) dropped"
    assert gate.check(seg, 2, ctx).startswith("glossary: 'قوات الدفاع الذاتى' for SDF")
    assert gate.check(seg, 3, ctx) is None  # ة typed as ه: the same rendering
    assert gate.check(seg, 1, GateContext(tgt_lang="en")) is None


def test_selector_keeps_the_incumbent_over_a_candidate_that_loses_the_term():
    config = load_config()
    scorers, _ = build_scorers(config, tgt_lang="ar", has_sources=True)
    better_but_wrong = "وقالت القوات إنها تقدمت."
    seg = _seg(ORIGINAL, better_but_wrong, better_but_wrong, better_but_wrong, sources=["The SDF said it advanced."])
    d = Selector(config, scorers, tgt_lang="ar").select([seg]).decisions[0]
    assert d.chosen == 0 and d.kept_incumbent


def test_with_glossaries_adds_user_files(tmp_path):
    g = tmp_path / "mine.tsv"
    g.write_text("Widget Corp\tشركة ويدجت\n", encoding="utf-8")
    config = with_glossaries(load_config(), [str(g)])
    assert config.scorer_params("terminology")["glossaries"] == ["news-ar", str(g)]
    assert config.gate_params("terminology")["glossaries"] == ["news-ar", str(g)]
    scorer = TerminologyScorer(**config.scorer_params("terminology"))
    [row] = scorer.score([_seg("قالت شركة ويدجت.", "قالت الشركة.", original="قالت شركة ويدجت.")])
    assert [s.value for s in row] == [1.0, 0.0]
    assert with_glossaries(load_config(), None) == load_config()


def test_renderings_are_found_with_proclitics_and_spelling_variants():
    from mtfix.text.glossary import load_glossaries

    g = load_glossaries()
    for text, source in (("وقال للأمم المتحدة", "UN"), ("والامم المتحده قالت", "UN"),
                         ("وللاتحاد الأوروبي", "EU"), ("بقوات سوريا الديمقراطية", "SDF")):
        assert [m.term.source for m in g.find_renderings(text)] == [source], text
    # a rendering inside a longer word is not one: "the two Americas" is not the US ...
    assert g.find_renderings("الأمريكيتين") == []
    # ... but the relational adjective is ("قوات حفظ السلام الأممية", "وزارة الدفاع الأمريكية")
    assert [m.term.source for m in g.find_renderings("قوات حفظ السلام الأممية")] == ["UN"]
    assert [m.term.source for m in g.find_renderings("وزارة الدفاع الأمريكية")] == ["US"]


def test_select_cli_glossary_feeds_the_terminology_scorer_and_gate(tmp_path):
    import json

    from typer.testing import CliRunner

    from mtfix.cli.app import app

    g = tmp_path / "terms.tsv"
    g.write_text("Widget Corp\tشركة ويدجت\n", encoding="utf-8")
    src = tmp_path / "src.en"
    src.write_text("Widget Corp said on Monday that sales rose.\nThe weather was fine.\n", encoding="utf-8")
    keep = "قالت شركة ويدجت يوم الاثنين إن المبيعات ارتفعت.\nكان الطقس جيدا.\n"
    drop = "قالت الشركة يوم الاثنين إن المبيعات ارتفعت.\nكان الطقس جيدا.\n"
    files = []
    for name, text in (("a", keep), ("b", keep.replace("جيدا", "جميلا")), ("c", drop)):
        p = tmp_path / f"{name}.ar"
        p.write_text(text, encoding="utf-8")
        files.append(f"{name}={p}")
    out, rep = tmp_path / "out.ar", tmp_path / "rep.json"
    r = CliRunner().invoke(app, ["select", "--candidates", *files, "--source", str(src), "--out", str(out),
                                 "--report", str(rep), "--glossary", str(g)])
    assert r.exit_code == 0, r.output
    d = json.loads(rep.read_text(encoding="utf-8"))
    seg = d["segments"][0]
    by_origin = {c["origin"]: c for c in seg["candidates"]}
    assert {o: c["scores"]["terminology"]["value"] for o, c in by_origin.items()} == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert "drops شركة ويدجت (Widget Corp)" in by_origin["c"]["scores"]["terminology"]["reason"]
    assert any(x["gate"] == "terminology" for x in by_origin["c"].get("gated") or [])
    assert out.read_text(encoding="utf-8").splitlines()[0] == keep.splitlines()[0]
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one column\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["select", "--candidates", *files, "--out", str(tmp_path / "o2"),
                                 "--glossary", str(bad)])
    assert r.exit_code == 2 and f"{bad}:1:" in r.output and not (tmp_path / "o2").exists()


def test_words_the_rendering_patterns_require_are_found_where_they_end_a_word():
    """Glossary._present (one search over the text reversed) gives exactly the required words that
    occur followed by no word character (the definition; a required word with other characters
    than word characters: anywhere): the shipped preset, 20,000 random strings of its required
    words, their letters, clitics, digits, "_", Latin and punctuation."""
    import random
    import re

    from mtfix.text.glossary import fold_arabic, load_glossaries

    g = load_glossaries()
    _, _, tgt, bad = g._compiled()
    words = sorted({p[2] for p in tgt + bad if p[2]})
    letters = sorted({c for w in words for c in w})
    ending = [(w, re.compile(re.escape(w) + (r"(?!\w)" if re.fullmatch(r"\w+", w) else ""))) for w in words]
    rng = random.Random(16)
    pieces = words + letters + ["و", "ال", " ", "  ", ".", "،", "\n", "_", "1", "x", "ـ", "أ"]
    for _ in range(20_000):
        text = fold_arabic("".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))))
        defined = {w for w, rx in ending if rx.search(text)}
        assert g._present(text) == defined, text


@pytest.mark.parametrize("n", [2_000, pytest.param(20_000, marks=pytest.mark.slow)])
def test_first_renderings_of_the_terms_not_yet_mentioned_equal_those_of_every_rendering(n):
    """Glossary.first_renderings (which searches the mentioned terms' patterns only when another
    term's pattern matches) gives, for each term not mentioned, where find_renderings finds its
    first rendering: random strings (2,000; 20,000 in the slow run) of the preset's renderings (overlapping ones included),
    their words and other text, with random sets of terms already mentioned."""
    import random

    from mtfix.text.glossary import load_glossaries

    g = load_glossaries()
    renderings = sorted({r for t in g.terms for r in t.renderings})
    words = sorted({w for r in renderings for w in r.split()})
    sources = sorted({t.source for t in g.terms})
    rng = random.Random(16)
    pieces = renderings + words + ["و", "ال", " ", ". ", "\n", "x", "1"]
    found = 0
    for _ in range(n):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        known = set(rng.sample(sources, rng.randint(0, len(sources))))
        every: dict = {}
        for m in g.find_renderings(text):
            every.setdefault(m.term.source, m.start)
        want = {k: v for k, v in every.items() if k not in known}
        assert g.first_renderings(text, None, known) == want, (text, known)
        found += bool(want)
    assert found > n // 4
