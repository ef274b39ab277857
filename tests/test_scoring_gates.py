"""Hard gates: a challenger that fails one never replaces the incumbent, whatever its scores.

Every gate is tested on what it must stop and on what it must let through
(a real repair of the same sentence), through the same Selector as repair.
"""

from __future__ import annotations

import re

import pytest

from mtfix.errors import MtfixError
from mtfix.scoring import Candidate, Score, Scorer, Segment, Selector, load_config
from mtfix.scoring.gates import GateContext, build_gates, run_gates, special_tokens

ORIG = "قال المتحدث باسم SDF إن 20 ، 000 مدني غادروا المنطقة يوم السبت بعد توقف القتال."
GOOD = "قال المتحدث باسم SDF إن 20,000 مدني غادروا المنطقة يوم السبت بعد توقف القتال."
PIVOT = "The SDF spokesman said 20,000 civilians left the area on Saturday after the fighting stopped."


class Loves(Scorer):
    """A scorer that adores one candidate (index ``fav``): its total beats everything by far."""

    name = "consensus"

    def __init__(self, fav=1):
        self.fav = fav

    def score(self, segments):
        return [[Score(1.0 if c == self.fav else 0.0, "loved" if c == self.fav else "-")
                 for c in range(len(s.candidates))] for s in segments]


def pick(challenger: str, *, original: str = ORIG, sources=(PIVOT,), kind="pivot", config=None):
    """Repair-style segment (original as incumbent, challenger adored by the scores); the decision."""
    seg = Segment(0, [Candidate(original, "original"), Candidate(challenger, "fwd#1<back#1")], list(sources),
                  incumbent=0, original=original, sources_kind=kind)
    sel = Selector(config or load_config(), [Loves()], tgt_lang="ar").select([seg])
    return sel.decisions[0], sel.gate_failures(0, 1)


def gates_of(failures):
    return {g for g, _ in failures}


def test_a_real_repair_passes_every_gate_and_wins():
    d, fails = pick(GOOD)
    assert fails == [] and not d.kept_incumbent
    assert re.search(r"passed \d+ gates", d.reason) and "fidelity chrF" in d.reason
    assert any(e.startswith("fidelity chrF") for e in d.evidence)


@pytest.mark.parametrize("bad, gate, shown", [
    ("1 " + " ".join(["قبل"] * 47), "loop", "loop 'قبل' x47"),
    (GOOD.replace("المنطقة", "المنطقة المنطقة المنطقة المنطقة"), "loop", "loop 'المنطقة' x4"),
    (GOOD.replace("المنطقة", "المنطقةةةةةةة"), "loop", "loop 'ة' x"),  # inside a word
    (GOOD.replace("المنطقة", "لةلةلةلةلة"), "loop", "loop 'لة' x5"),
    (GOOD + " __ar__", "tokens", "'__ar__'"),
    (">>ara<< " + GOOD, "tokens", "'>>ara<<'"),
    (GOOD.replace("قال", "arb_Arab قال"), "tokens", "'arb_Arab'"),
    (GOOD.replace("القتال", "<unk>"), "tokens", "'<unk>'"),
    (GOOD + "</s>", "tokens", "'</s>'"),
    (GOOD.replace(" ", "▁", 3), "tokens", "'▁'"),
    (PIVOT, "script", "wrong script"),
    ("گفت سخنگوی SDF که 20,000 غیرنظامی منطقه را روز شنبه پس از توقف جنگ ترک کردند.", "script", "Persian"),
    ("قال المتحدث.", "length", "length x0."),
    (GOOD + " وأضاف أن القوات الحكومية والمعارضة اتفقت على هدنة جديدة تستمر ثلاثة أسابيع في كل أنحاء البلاد.",
     "length", "length x2."),
    (GOOD.replace("20,000", "25,000"), "numbers", "number 20 ، 000 changed to 25,000"),
    (GOOD.replace("20,000 ", ""), "numbers", "lost"),
    (GOOD.replace("يوم السبت", "يوم 6 السبت"), "numbers", "number 6 added"),
    (GOOD.replace("SDF", "الجيش"), "entities", "name 'SDF' lost"),
    ("قال محمد إن الطقس كان جميلا جدا في الحديقة والأطفال لعبوا كثيرا هناك اليوم 20,000 SDF.", "fidelity", "too far from the original"),
])
def test_each_gate_stops_its_kind_whatever_the_scores(bad, gate, shown):
    d, fails = pick(bad)
    assert d.kept_incumbent and d.chosen == 0
    assert gate in gates_of(fails), fails
    assert shown in "; ".join(r for _, r in fails)
    assert "gated" in d.reason and shown in d.reason  # the decision names the gate that stopped it
    assert d.gated.get(gate) == 1


def test_numbers_across_digit_systems_and_garbled_forms_are_the_same_number():
    for same in (GOOD.replace("20,000", "٢٠٬٠٠٠"), GOOD.replace("20,000", "20000"), GOOD.replace("20,000", "20 ألف")):
        d, fails = pick(same)
        assert "numbers" not in gates_of(fails), (same, fails)


def test_copy_of_the_pivot_is_stopped_even_in_the_right_script():
    arabic_pivot = "قال المتحدث باسم SDF إن 20,000 مدني غادروا المنطقة يوم السبت."
    d, fails = pick(arabic_pivot + " بعد القتال", sources=(arabic_pivot,))
    assert "copy" in gates_of(fails) and d.kept_incumbent


def test_a_name_transliterated_passes_when_the_back_translation_carries_it():
    seg = Segment(0, [Candidate(ORIG, "original"), Candidate(GOOD.replace("SDF", "قسد"), "f#1<b#1")], [PIVOT],
                  incumbent=0, original=ORIG, sources_kind="pivot")
    gates = build_gates(load_config())
    assert "entities" in gates_of(run_gates(gates, [seg], GateContext("ar"))[0][1])
    ctx = GateContext("ar", {GOOD.replace("SDF", "قسد"): PIVOT})
    assert "entities" not in gates_of(run_gates(gates, [seg], ctx)[0][1])


def test_a_source_vouches_for_numbers_and_length_but_a_pivot_never_does():
    # select: the incumbent lost a number that the source has; the challenger that has it is not gated
    inc = "غادر مدني المنطقة يوم السبت بعد توقف القتال في المدينة."
    ch = "غادر 20,000 مدني المنطقة يوم السبت بعد توقف القتال في المدينة."
    src = "20,000 civilians left the area on Saturday after the fighting stopped in the city."
    seg = Segment(0, [Candidate(inc, "a"), Candidate(ch, "b")], [src], incumbent=0)
    assert run_gates(build_gates(load_config()), [seg], GateContext("ar"))[0][1] == []
    seg = Segment(0, [Candidate(inc, "original"), Candidate(ch, "f#1<b#1")], [src], incumbent=0, original=inc,
                  sources_kind="pivot")
    assert "numbers" in gates_of(run_gates(build_gates(load_config()), [seg], GateContext("ar"))[0][1])


def test_the_incumbent_is_never_gated():
    loop = " ".join(["قبل"] * 20)
    seg = Segment(0, [Candidate(loop, "original"), Candidate(GOOD, "f#1<b#1")], [], incumbent=0, original=loop)
    assert run_gates(build_gates(load_config()), [seg], GateContext("ar"))[0][0] == []


def test_special_token_patterns():
    text = "x __en__ >>fra<< eng_Latn <pad> <|endoftext|> [SEP] <extra_id_3> <0x0A> \ufffd ▁y"
    assert special_tokens(text) == ["__en__", ">>fra<<", "eng_Latn", "<pad>", "<|endoftext|>", "[SEP]",
                                    "<extra_id_3>", "<0x0A>", "\ufffd", "▁"]
    assert special_tokens("New_York snake_case 3<4 a>b") == []


def test_gates_are_data_switch_off_and_thresholds(tmp_path):
    bad = "1 " + " ".join(["قبل"] * 47)
    cfg = tmp_path / "g.toml"
    off = "".join(f"[gates.{g}]\nenabled = false\n" for g in
                  ("loop", "tokens", "script", "length", "numbers", "entities", "copy", "fidelity"))
    cfg.write_text(off, encoding="utf-8")
    d, fails = pick(bad, config=load_config(cfg))
    assert fails == [] and not d.kept_incumbent  # only the gates stood in its way
    cfg.write_text("[gates.fidelity]\nmin_chrf = 10.0\n[gates.length]\nmin_ratio = 0.1\n", encoding="utf-8")
    d, fails = pick("قال المتحدث باسم SDF إن 20,000 غادروا.", config=load_config(cfg))
    assert fails == [] and not d.kept_incumbent
    d, fails = pick("قال المتحدث باسم SDF إن 20,000 غادروا.")
    assert "length" in gates_of(fails) and d.kept_incumbent
    cfg.write_text("[gates.length]\nmin_ratio = 1.5\n", encoding="utf-8")
    with pytest.raises(MtfixError, match=r"\[gates.length\] min_ratio: must be a finite number between 0 and 1, not 1.5"):
        load_config(cfg)
    cfg.write_text("[gates.tokens]\nextra_pattern = \"(\"\n", encoding="utf-8")
    with pytest.raises(MtfixError, match="not a regular expression"):
        load_config(cfg)
    cfg.write_text("[gates.tokens]\nextra_pattern = \"<<[A-Z]+>>\"\n", encoding="utf-8")
    d, fails = pick(GOOD + " <<FOO>>", config=load_config(cfg))
    assert "tokens" in gates_of(fails)


def test_config_weights_change_decisions(tmp_path):
    """Weights matter once the gates have passed a candidate: a challenger a little ahead on consensus
    but too long for the corpus (within the length gate's band) wins with the default length weight
    and loses with ``length = 0.5``; with the loop gate off, ``repetition = 1.0`` vetoes a loopy one."""
    from mtfix.scoring.length import LengthScorer
    from mtfix.scoring.repetition import RepetitionScorer

    inc = "وقال المسؤول إن الحكومة ستعلن خطة جديدة للنقل العام في المدينة خلال الأسبوع المقبل."
    longer = inc[:-1] + " بعد اجتماع طويل مع ممثلي البلديات."
    loopy = inc[:-1] + " جدا جدا جدا جدا."
    src = "The official said the government would announce a new public transport plan for the city next week."
    texts = [inc, "قال المسؤول إن الحكومة ستعلن خطة جديدة للنقل العام في المدينة الأسبوع المقبل.",
             "وقال مسؤول إن الحكومة ستكشف خطة جديدة للنقل العام في المدينة خلال الأسبوع القادم."]

    def run(config, challenger):
        segs = [Segment(i, [Candidate(t, n) for t, n in zip(texts, "acd")] + [Candidate(challenger, "b")], [src],
                        incumbent=0) for i in range(6)]
        consensus = Loves(fav=3)  # b ahead on consensus by 1.0 x its weight
        return Selector(config, [consensus, LengthScorer(tolerance=config.length_tolerance), RepetitionScorer()],
                        tgt_lang="ar").select(segs).decisions

    def cfg(text, consensus=0.2):
        p = tmp_path / "w.toml"
        p.write_text(f"[weights]\nconsensus = {consensus}\n" + text, encoding="utf-8")
        return load_config(p)

    assert all(not d.kept_incumbent for d in run(cfg(""), longer))
    heavy = run(cfg("length = 0.5\n"), longer)
    assert all(d.kept_incumbent and d.total[3] < d.total[0] for d in heavy)
    no_loop_gate = "[gates.loop]\nenabled = false\n"
    assert all(not d.kept_incumbent for d in run(cfg(no_loop_gate, 0.1), loopy))
    heavy = run(cfg("repetition = 1.0\n" + no_loop_gate, 0.1), loopy)
    assert all(d.kept_incumbent and d.total[3] < d.total[0] for d in heavy)
    # with the loop gate on, the loop never wins, whatever the weights
    assert all(d.kept_incumbent and d.gated == {"loop": 1} for d in run(cfg(""), loopy))


def test_repair_report_and_html_name_the_gates():
    """Through the whole repair loop: the pool's loops and leaked tokens are gated, the JSON report
    lists each candidate's gate failures, and the HTML page shows them."""
    from mtfix.engine.base import DecodeOptions, Hypothesis
    from mtfix.engine.cache import CachedTranslator
    from mtfix.repair import RepairDecoding, repair_text
    from mtfix.report.html import render_repair_html

    class Fake:
        name = "fake"

        def __init__(self, fn):
            self.fn = fn

        def pair(self, src, tgt):
            return None

        def signature(self):
            return {}

        def translate_batch(self, segments, *, src, tgt, options=None, on_progress=None, **overrides):
            n_best = DecodeOptions.of(options, **overrides).n_best
            return [[Hypothesis(self.fn(s, k), -0.5 - k / 10, 10) for k in range(n_best)] for s in segments]

    def forward(en, k):
        return " ".join(["قبل"] * 47) if k == 0 else "__ar__ " + ORIG

    result = repair_text(ORIG + "\n", back=[("b", CachedTranslator(key="b", load=lambda: Fake(lambda t, k: PIVOT)))],
                         forward=[("f", CachedTranslator(key="f", load=lambda: Fake(forward)))],
                         decoding=RepairDecoding.make(beam_size=2))
    assert result.changed == []
    report = result.report()
    s = report["sentences"][0]
    by_origin = {c["origin"]: c for c in s["candidates"]}
    assert by_origin["original"]["gated"] == []
    loop = next(c for c in s["candidates"] if c["text"].startswith("قبل"))
    assert {"gate": "loop", "reason": "loop 'قبل' x47"} in loop["gated"]
    leak = next(c for c in s["candidates"] if c["text"].startswith("__ar__"))
    assert {"gate": "tokens", "reason": "leaked token '__ar__'"} in leak["gated"]
    assert s["decision"]["gated"]["loop"] == 1 and s["decision"]["gated"]["tokens"] == 1
    assert "all 2 challengers gated" in s["decision"]["reason"]
    html = render_repair_html(report)
    assert "gated: loop &#x27;قبل&#x27; x47" in html and "gated: leaked token &#x27;__ar__&#x27;" in html
    assert "gated by loop: 1" in html


def test_select_names_copied_from_the_source_are_not_the_wrong_script_but_untranslated_text_is():
    src = "Mustafa Bali of the SDF said the Baghouz battle began on Saturday."
    inc = "قال مصطفى بالي من قوات سوريا الديمقراطية إن معركة الباغوز بدأت يوم السبت."
    keeps_names = "قال Mustafa Bali من SDF إن معركة Baghouz بدأت يوم السبت."
    half_english = "قال مصطفى بالي of the SDF said the battle began on Saturday."
    seg = Segment(0, [Candidate(inc, "a"), Candidate(keeps_names, "b"), Candidate(half_english, "c")], [src],
                  incumbent=0)
    fails = run_gates(build_gates(load_config()), [seg], GateContext("ar"))[0]
    assert "script" not in gates_of(fails[1])
    assert "script" in gates_of(fails[2])
