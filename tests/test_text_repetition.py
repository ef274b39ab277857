"""Repetition loops: real NMT hallucinations score low, normal sentences score 1.0."""

import pytest

from mtfix.text.repetition import repetition_report

NLLB = "systems/flores200-devtest.ara-eng/facebook__nllb-200-3.3B.txt"
M2M = "systems/flores200-devtest.ara-eng/facebook__m2m100_418M.txt"


def _line(shared_data, name, n):
    return (shared_data / name).read_text(encoding="utf-8").splitlines()[n - 1]


def test_bushwalk_loop(shared_data):
    line = _line(shared_data, NLLB, 812)
    r = repetition_report(line)
    assert r.score < 0.2
    top = max(r.repeats, key=lambda x: x.count)
    assert (top.ngram, top.kind) == ("bushwalk", "tandem") and top.count > 50
    assert "bush" in {x.ngram for x in r.repeats}
    assert line[top.start:top.end].startswith("bushwalk, bushwalk")


def test_other_real_loops(shared_data):
    assert repetition_report(_line(shared_data, M2M, 233)).score < 0.2  # Shiva Shiva Shiva ...
    assert repetition_report(_line(shared_data, M2M, 766)).score < 0.9  # the bears, the bears, ...


@pytest.mark.parametrize("text", [
    "تحليل بي بي سي العربية محرر الشؤون",  # BBC = بي بي سي
    "New York, New York is a song.",
    "He said that that was very, very good.",
    "",
    "١٢٣ ... !!!",
])
def test_normal_text_scores_one(text):
    r = repetition_report(text)
    assert r.score == 1.0 and r.repeats == []


def test_tandem_and_loop_kinds():
    r = repetition_report("go to the shop and go to the shop and go to the shop and go to the shop")
    assert r.repeats and r.score < 0.5
    loop = repetition_report("the walk of the hills the walk of the sea the walk of the sky")
    assert [x.kind for x in loop.repeats] == ["frequent"] and loop.repeats[0].count == 3
    tandem = repetition_report("الحمية الحمية الحمية في المادة")
    assert [(x.ngram, x.count, x.kind) for x in tandem.repeats] == [("الحمية", 3, "tandem")]
    assert tandem.score == pytest.approx(1 - 2 / 5)
    # parallel phrasing with more than one word between copies is not a loop
    assert repetition_report("the walk of the hills or the walk of the sea or the walk of the sky").score == 1.0


def test_references_score_one(shared_data):
    names = ["flores200-devtest/arb_Arab.txt", "flores200-devtest/eng_Latn.txt", "ntrex128/arb.txt",
             "ntrex128/eng.txt"]
    flagged = []
    for name in names:
        for i, line in enumerate((shared_data / name).read_text(encoding="utf-8").splitlines(), 1):
            if repetition_report(line).score < 1.0:
                flagged.append((name, i))
    # the only ones: a real "No, no, no, no, no." quote and its translation, and an
    # expressive "NOOOOOOOOOOO" (لااااا) quote, which stays mild (one word of many)
    assert flagged == [("ntrex128/arb.txt", 1260), ("ntrex128/arb.txt", 1810),
                       ("ntrex128/eng.txt", 1260), ("ntrex128/eng.txt", 1810)]
    for name in ("ntrex128/arb.txt", "ntrex128/eng.txt"):
        line = (shared_data / name).read_text(encoding="utf-8").splitlines()[1809]
        assert repetition_report(line).score > 0.9


@pytest.mark.parametrize(
    "text,unit",
    [("لةلةلةلةلةلةلةلة", "لة"), ("ingingingingingingingingingingingin", "ing"), ("ههههههههه", "ه")],
)
def test_loops_inside_a_word_are_found(text, unit):
    rep = repetition_report(text)
    assert [(r.ngram, r.kind) for r in rep.repeats] == [(unit, "chars")]
    assert rep.score < 0.5


@pytest.mark.parametrize("text", ["The budget is 10000000 dollars.", "banana Mississippi", "hahaha", "سسس"])
def test_ordinary_words_and_numbers_are_not_loops(text):
    assert repetition_report(text).score == 1.0


def test_loops_inside_long_words_found_with_numpy_are_the_regular_expressions_matches():
    """A long text's words are searched for loops inside them with numpy (repetition.LONG_CHARS):
    the same (start, end, unit) as every match of the pattern, on random strings of few letters
    (units of 1-7 characters repeated, word separators, a case-folded non-word character)."""
    import random

    from mtfix.text import repetition

    rng = random.Random(1)
    texts = ["a" * 5000, "aaaab" * 2000, "ab" * 3000 + "\0" + "abc" * 10]
    for _ in range(3000):
        alphabet = rng.choice(["ab", "a", "abc", "ab\0", "aab\0", "a1\0", "لةب\0", "abcdef", "ab\u0307\0"])
        units = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))) for _ in range(3)]
        texts.append("".join(rng.choice(units) * rng.randint(1, 8) if rng.random() < 0.5 else rng.choice(alphabet)
                             for _ in range(rng.randint(0, 60))))
    found = 0
    for text in texts:
        want = [(m.start(), m.end(), m.group(1)) for m in repetition._CHAR_LOOP.finditer(text)]
        assert repetition._char_loops(text, "\u0307" not in text) == want, text
        assert repetition._char_loops(text, False) == want, text
        found += len(want)
    assert found > 2000
