"""Script shares, Latin words left in Arabic, language by script."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtfix.errors import MtfixError
from mtfix.text.read import read_text
from mtfix.text.script import detect_script_language, latin_words_in_arabic, script_score, script_stats


def test_stats_count_letters_only():
    s = script_stats("قال SDF إن ٢٠ شخصاً ـ 20، وبعد.")
    assert (s.arabic, s.latin, s.other) == (13, 3, 0)
    assert s.arabic_share == pytest.approx(13 / 16) and s.latin_share == pytest.approx(3 / 16)
    assert script_stats("Привет мир").other == 9
    empty = script_stats("٢٠١٤ ، 7.7 !")
    assert empty.letters == 0 and empty.arabic_share == 0.0


def test_seed_sdf_and_my_flagged(seed_path):
    text = read_text(seed_path)
    words = latin_words_in_arabic(text)
    assert [w.word for w in words] == ["SDF"] * 4 + ["My"]
    assert all(text[w.start:w.end] == w.word for w in words)
    assert {w.kind for w in words if w.word == "SDF"} == {"acronym"}
    my = words[-1]
    assert my.kind == "word" and text[my.start - 1] == "’"  # the quote is not part of the word


def test_latin_words_spans_and_shapes():
    text = "معيار 802.11n وU.S. و’My ابنه e-mail"
    assert [(w.word, w.kind) for w in latin_words_in_arabic(text)] == [
        ("802.11n", "word"), ("U.S", "acronym"), ("My", "word"), ("e-mail", "word")]
    assert latin_words_in_arabic("لا شيء هنا ١٢٣") == []


@pytest.mark.parametrize("text, lang", [
    ("قال المتحدث SDF إن المعركة انتهت", "ar"),
    ("The SDF said the battle was over", "en"),
    ("٢٠١٤ - 7.7", None),
    ("", None),
    ("ab با", None),
])
def test_detect_script_language(text, lang):
    assert detect_script_language(text) == lang


def test_script_score():
    assert script_score("قال المتحدث إن المعركة انتهت", "ar") == 1.0
    assert script_score("The battle is over", "ar") == 0.0
    assert script_score("The battle is over", "eng_Latn") == 1.0
    assert 0.8 < script_score("قال المتحدث باسم SDF إن المعركة انتهت", "arb_Arab") < 1.0
    assert script_score("٢٠١٤", "ar") == 1.0
    with pytest.raises(MtfixError):
        script_score("x", "de")


def test_references_are_in_their_script(shared_data):
    for name, lang in (("flores200-devtest/arb_Arab.txt", "ar"), ("flores200-devtest/eng_Latn.txt", "en")):
        lines = (shared_data / name).read_text(encoding="utf-8").splitlines()
        wrong = [line for line in lines if detect_script_language(line) != lang]
        assert wrong == []


def _stats_by_character(text):
    """The definition, one character at a time (script_stats computes it in bulk)."""
    from mtfix.text.script import _ARABIC_BLOCKS

    arabic = latin = other = 0
    for c in text:
        if not c.isalpha() or c == "ـ":
            continue
        if c.isascii() or "\u00c0" <= c <= "\u024f" or "\u1e00" <= c <= "\u1eff":
            latin += 1
        elif any(a <= ord(c) <= b for a, b in _ARABIC_BLOCKS):
            arabic += 1
        else:
            other += 1
    return arabic, latin, other



@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=80))
def test_bulk_counts_equal_the_per_character_definition(text):
    s = script_stats(text)
    assert (s.arabic, s.latin, s.other) == _stats_by_character(text)


def test_bulk_counts_on_mixed_arabic_text():
    s = script_stats("تشغيل الوسائط غير معتمد’My ابنه كان هو مقاتلـــ 2014 ٪ Ünïcode ελληνικά")
    assert (s.arabic, s.latin, s.other) == _stats_by_character(
        "تشغيل الوسائط غير معتمد’My ابنه كان هو مقاتلـــ 2014 ٪ Ünïcode ελληνικά")
    assert s.other == 8 and s.latin == 9
