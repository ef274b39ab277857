"""The lint library: findings per sentence with line numbers."""

import json

from mtfix.text.check import check_text
from mtfix.text.read import read_text


def _codes(report):
    return [(f.line, f.code, f.surface) for f in report.findings]


RULE_ONLY = {"space-before-punctuation", "latin-punctuation"}  # what `mtfix fix` repairs by rule


def test_seed_findings(seed_path):
    full = check_text(read_text(seed_path))
    assert full.counts["space-before-punctuation"] == 15 and full.counts["latin-punctuation"] == 1
    assert all(f.details.get("fixable") for f in full.findings if f.code in RULE_ONLY)
    # the model-free findings that are not mere punctuation:
    report = type(full)(full.document, full.lang, [f for f in full.findings if f.code not in RULE_ONLY])
    assert report.lang == "ar" and report.has_issues
    assert _codes(report) == [
        (9, "arabic-comma-thousands", "20 ، 000"),
        (9, "latin-in-arabic", "SDF"),
        (11, "latin-in-arabic", "SDF"),
        (13, "latin-in-arabic", "SDF"),
        (17, "latin-in-arabic", "SDF"),
        (19, "latin-in-arabic", "My"),
        (25, "spaced-percent", "100 ٪"),
        (41, "lost-range", "14,000 18,000"),
    ]
    first = report.findings[0]
    assert first.details["value"] == 20000 and first.kind == "number"
    assert report.document.sentences[first.sentence].line == 9
    assert report.findings[1].column == 95
    d = report.to_dict()
    json.dumps(d)
    assert d["paragraphs"] == 23 and d["issues"] == 8 and d["counts"]["latin-in-arabic"] == 5
    assert [s["line"] for s in d["flagged_sentences"]] == [9, 11, 13, 17, 19, 25, 41]
    groups = report.by_sentence()
    assert len(groups) == 7 and groups[0][0].line == 9 and len(groups[0][1]) == 2


def test_clean_text():
    report = check_text("قال المتحدث إن المعركة انتهت.\n\nوعاد السكان إلى منازلهم في ٢٠١٩.\n")
    assert not report.has_issues and report.to_dict()["issues"] == 0


def test_wrong_language_replaces_latin_words():
    text = "قال المتحدث باسم قوات سوريا الديمقراطية إن المعركة انتهت.\nThe fighters left the town.\n"
    report = check_text(text)
    assert _codes(report) == [(2, "wrong-language", "The fighters left the town.")]
    assert report.findings[0].details["detected"] == "en"
    en = check_text("The battle ended.\nقال المتحدث إن المعركة انتهت.\n", lang="en")
    assert _codes(en) == [(2, "wrong-language", "قال المتحدث إن المعركة انتهت.")]
    # English text: Latin words are not findings
    assert not check_text("The SDF said so.", lang="eng_Latn").has_issues


def test_repetition_and_invisibles():
    text = "قال\u200f المتحدث.\u200f\u200f Bye.\n\nbushwalk, bushwalk, bushwalk, bushwalk are long walks. \u200b\u200b\n"
    report = check_text(text, lang="en")
    got = [(f.code, f.line, f.column, f.sentence) for f in report.findings]
    assert ("bidi", 1, 4, 0) in got and ("bidi", 1, 14, None) in got  # marks at sentence edges are layout
    assert report.document.sentences[1].text == "Bye."
    assert ("tandem", 3, 1, 2) in got
    zw = [f for f in report.findings if f.code == "zero-width"]
    assert len(zw) == 1 and zw[0].details["count"] == 2 and zw[0].sentence is None
    assert zw[0].details["name"] == "ZERO WIDTH SPACE"


def test_letters_that_surely_count_for_a_language():
    """The check's shortcut (a sentence more than half these letters is in that language) uses
    letters that script_stats counts for the language."""
    from mtfix.text import check
    from mtfix.text.script import script_stats

    for lang, rx in check._SURELY.items():
        chars = [chr(c) for c in range(0x10000) if rx.match(chr(c))]
        assert chars
        for c in chars:
            st = script_stats(c)
            assert (st.arabic if lang == "ar" else st.latin) == 1, (lang, c)
