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


def test_the_survey_counts_letters_as_script_stats():
    """The survey's fast count (UTF-8 lead bytes and two small patterns) equals script_stats on
    every character of the Arabic, Latin and nearby blocks and on random mixes."""
    import random

    from mtfix.text import check
    from mtfix.text.script import script_stats

    every = "".join(chr(c) for c in range(0x20, 0x3000) if not 0xd800 <= c < 0xe000) + \
        "".join(chr(c) for c in range(0xfb00, 0xff00))
    for text in (every, *(every[i:i + 97] for i in range(0, len(every), 97))):
        st = script_stats(text)
        assert check._script_counts(text) == (st.arabic, st.latin)
    rng = random.Random(3)
    pool = every + "قوات سوريا الديمقراطية ـ ًٌٍَُِّْ SDF café ١٢٣ 北京"
    for _ in range(500):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 80)))
        st = script_stats(text)
        assert check._script_counts(text) == (st.arabic, st.latin), text


def test_foreign_letters_cover_what_script_stats_counts_as_another_script():
    """A piece without a match of the check's foreign-letter pattern has no letter that
    script_stats counts for a script other than the language's own (ar: other; en: Arabic, other)."""
    from mtfix.text import check
    from mtfix.text.script import script_stats

    for c in map(chr, range(0x20, 0x30000)):
        if 0xd800 <= ord(c) < 0xe000:
            continue
        st = script_stats(c)
        if st.other:
            assert check._FOREIGN_LETTER["ar"].match(c) and check._FOREIGN_LETTER["en"].match(c), hex(ord(c))
        if st.arabic:
            assert check._FOREIGN_LETTER["en"].match(c), hex(ord(c))
        for lang in ("ar", "en"):  # the cheap scan before it misses none of them
            assert not check._FOREIGN_LETTER[lang].match(c) or check._MAYBE_FOREIGN[lang].match(c), (lang, hex(ord(c)))


def test_rare_characters_hold_every_character_the_skipped_scans_look_for():
    """check._rare_chars (one scan per piece) takes every character that the scans it stands in for
    look for: a maybe-foreign letter for the language, an invisible mark, a markup trigger or junk
    (every code point of the first three planes); and find_damage and the invisible marks given
    the characters it found are those of the full scans (3,000 random texts)."""
    import random

    from mtfix.text import check
    from mtfix.text.fix import FixContext
    from mtfix.text.glossary import Glossary
    from mtfix.text.invisibles import INVISIBLE_RE, INVISIBLES
    from mtfix.text.markup import JUNK_CHAR, TRIGGER_CHAR, find_damage
    from mtfix.text.segment import segment

    for lang in ("ar", "en", None):
        rare = check._rare_chars(lang)
        for c in map(chr, range(0x30000)):
            if c in INVISIBLES or TRIGGER_CHAR.match(c) or JUNK_CHAR(c) \
                    or check._MAYBE_FOREIGN[lang or "ar"].match(c):
                assert rare.match(c), (lang, hex(ord(c)))
        assert not rare.match("a") and not rare.match(".") and not rare.match("—")
        assert bool(rare.match("ب")) == (lang == "en") and bool(rare.match("،")) == (lang == "en")
    rng = random.Random(19)
    pool = ["قال", "ب", "SDF", " ", "\n", "، ", ". ", "&amp;", "&nbsp;", "<b>", "</p>", "&lt;i&gt;", "\ufffd", "\x07",
            "\x85", "■", "■ ■", "□", "\ue000", "\u200f", "\u200b", "\u200e\u200e", "\u00ad", "北京", "½", "—", "“"]
    found = 0
    for _ in range(3_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        present = set(check._rare_chars("ar").findall(text))
        got = find_damage(text, present=present)
        assert got == find_damage(text), text
        ctx = FixContext(segment(text, "ar"), "ar", Glossary(), present=present)
        assert [m.span() for m in ctx.invisibles()] == [m.span() for m in INVISIBLE_RE.finditer(text)], text
        found += bool(got)
    assert found > 1_000


def test_loop_pattern_with_its_look_ahead_finds_what_the_plain_pattern_finds():
    """check._LOOP_RX (a look-ahead for the word recurring 1-9 places later, then the loop forms)
    gives the very matches of the plain pattern (the forms alone) on 20,000 random strings of a few
    word ids and the sentence separator: the same sentences are flagged."""
    import random
    import re

    from mtfix.text import check
    from mtfix.text.repetition import FREQUENT_N, MAX_N

    x = check._NOT_SEP
    plain = re.compile(f"({x})(?:" + "|".join(f"{x}{{{d - 1}}}\\1{x}{{{d - 1}}}\\1" for d in range(1, FREQUENT_N))
                       + f")|({x}{{{FREQUENT_N}}}){x}{{0,{MAX_N + 1 - FREQUENT_N}}}\\2")
    rng = random.Random(16)
    matched = 0
    for _ in range(20_000):
        ids = "".join(rng.choice("abcd" + check._SEP) for _ in range(rng.randint(0, 40)))
        got = [m.span() for m in check._LOOP_RX.finditer(ids)]
        assert got == [m.span() for m in plain.finditer(ids)], ids
        matched += bool(got)
    assert matched > 5_000


def test_may_repeat_flags_each_kind_of_repeat_and_spares_long_words_without_a_loop():
    """The repeat prefilter flags a sentence for each kind of repeat (a loop inside a word, a
    tandem, a loop of 4+ words) and not one whose long words only repeat letters (the word test
    is repetition.loops_inside, not its cheap precondition): most Arabic long words have 4+
    repeated letters."""
    from mtfix.text import check
    from mtfix.text.segment import segment

    texts = ["قال إن لةلةلةلة الأمر.", "ههههههه جدا.", "Bush bush BUSH said.", "a b c d e a b c d e a b c d e.",
             "والاستثمارات الاستراتيجية للمستشفيات.", "Mississippi bookkeeper committee.", "مرة أخرى."]
    sents = segment("\n".join(texts)).sentences
    assert [s.text for s in sents] == texts
    assert check._may_repeat(sents) == {0, 1, 2, 3}


def test_may_repeat_holds_every_sentence_repetition_report_flags(shared_data):
    """The prefilter (one regular expression over word ids) is a superset of the sentences where
    repetition_report finds a repeat: on real text and on planted loops of every distance."""
    import random

    from mtfix.text import check
    from mtfix.text.repetition import repetition_report
    from mtfix.text.segment import segment

    rng = random.Random(5)
    lines = (shared_data / "flores200-devtest" / "arb_Arab.txt").read_text(encoding="utf-8").splitlines()[:300]
    lines += (shared_data / "flores200-devtest" / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()[:300]
    planted = []
    for line in lines[::7]:
        words = line.split()
        for d in range(1, 10):
            k = rng.randrange(len(words))
            unit = words[k:k + d] or words[:1]
            planted.append(" ".join(words[:k] + unit * rng.choice([2, 3, 4]) + words[k:]))
        planted.append(line.replace(" ", " هههههه ", 1))
        planted.append(line.upper().replace(" ", " Bush bush BUSH ", 1))
    flagged = 0
    for i in range(0, len(lines + planted), 40):
        doc = segment("\n".join((lines + planted)[i:i + 40]))
        sents = doc.sentences
        found = check._may_repeat(sents)
        for s in sents:
            if repetition_report(s.text).repeats:
                assert s.index in found, s.text
                flagged += 1
    assert flagged > 300
    assert check._may_repeat(segment("a\x01b c c c.").sentences) == {0}  # the separator in the text: all
