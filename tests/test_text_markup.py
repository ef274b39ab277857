"""Markup and encoding damage: detection, repair vs drop, the check findings and the fix rule."""

from __future__ import annotations

import pytest

from mtfix.text.check import check_text
from mtfix.text.fix import fix_text
from mtfix.text.markup import ACTIONS, find_damage, repair_markup, safe_entity, unescape_entities


def kinds(text):
    return [(d.kind, d.surface) for d in find_damage(text)]


@pytest.mark.parametrize("text, expected", [
    ("<p>Hello <b>world</b></p>", [("tag", "<p>"), ("tag", "<b>"), ("tag", "</b>"), ("tag", "</p>")]),
    ('قال <span class="x">المتحدث</span> <br/>', [("tag", '<span class="x">'), ("tag", "</span>"),
                                                  ("tag", "<br/>")]),
    ("Hello&nbsp;world", [("entity", "&nbsp;")]),
    ("It&#39;s &quot;ok&quot; &#x2014; fine", [("entity", "&#39;"), ("entity", "&quot;"), ("entity", "&quot;"),
                                              ("entity", "&#x2014;")]),
    ("a &amp;nbsp; b &amp;amp;amp; c", [("entity", "&amp;nbsp;"), ("entity", "&amp;amp;amp;")]),
    # a tag written with entities, once or twice escaped, is a tag (drop), not an entity
    ("x &amp;lt;span&amp;gt;y&amp;lt;/span&amp;gt;", [("tag", "&amp;lt;span&amp;gt;"),
                                                      ("tag", "&amp;lt;/span&amp;gt;")]),
    ("x &lt;br/&gt; y", [("tag", "&lt;br/&gt;")]),
    ("lost \ufffd letter", [("replacement", "\ufffd")]),
    ("bell\x07 and \x1b escape", [("control", "\x07"), ("control", "\x1b")]),
    ("junk ■■■ and □ □ □ and \ue000\ue001\ue002", [("symbol-junk", "■■■"), ("symbol-junk", "□ □ □"),
                                                   ("symbol-junk", "\ue000\ue001\ue002")]),
    ("Caf\u00c3\u00a9", [("mojibake", "\u00c3\u00a9")]),
])
def test_damage_found(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text", [
    "x < 5 and y > 3, so 3<4", "AT&T and R&D; Q&A", "&foo; is not an entity", "emoji 😀😀😀 fine",
    "Café, naïve, “quotes” — and … «بالعربية»", "a ■ b ■ c", "The price is $5 + 10% = €6.",
    "قال: «انتهى الأمر» — ثم غادر…", "line\u2028separator",
])
def test_clean_text_has_no_damage(text):
    assert find_damage(text) == []


def test_mojibake_of_arabic_is_repaired_by_ftfy():
    ar = "اللغة العربية جميلة."
    for codec in ("cp1252", "latin-1"):
        bad = ar.encode("utf-8").decode(codec, errors="replace" if codec == "cp1252" else "strict")
        (d,) = find_damage(bad)
        assert d.kind == "mojibake" and d.action == "repair"
        fixed, done = repair_markup(bad)
        if codec == "latin-1":
            assert fixed == ar and done


def test_repair_vs_drop_is_recorded():
    assert ACTIONS == {"entity": "repair", "mojibake": "repair", "tag": "drop", "replacement": "drop",
                       "control": "drop", "symbol-junk": "drop"}
    text = "a&nbsp;b <b>c</b> \ufffd &lt;i&gt; &amp;amp; &#42;"
    fixed, done = repair_markup(text)
    assert fixed == "a\xa0b <b>c</b> \ufffd &lt;i&gt; & &#42;"  # tags, U+FFFD, &lt;i&gt; and * stay
    assert [d.surface for d in done] == ["&nbsp;", "&amp;amp;"]
    assert all(d.action == "repair" for d in done)
    assert "(drop)" in find_damage("\ufffd")[0].describe()


def test_unescape_and_safe_entities():
    assert unescape_entities("&amp;amp;lt;") == "<"
    assert unescape_entities("&amp;amp;amp;amp;lt;", rounds=2) == "&amp;amp;lt;"
    assert unescape_entities("&amp;amp;amp;amp;lt;") == "<"
    text = "AT&amp;T &amp;copy; x"
    d = find_damage(text)
    assert [x.surface for x in d] == ["&amp;", "&amp;copy;"]
    assert safe_entity(text, d[0]) and safe_entity(text, d[1])
    tricky = "&amp;lt;b"  # decoding &amp; alone would write a new entity &lt;
    (e,) = [x for x in find_damage("x &amp;amp;lt; y") if x.kind == "entity"]
    assert e.repaired == "<" and not safe_entity("x &amp;amp;lt; y", e)
    assert not find_damage(tricky[5:])


def test_check_reports_markup_and_not_its_letters():
    rep = check_text("قال المتحدث&nbsp;إن &lt;b&gt;الأمر\ufffd انتهى &amp;amp;amp;amp;.", "ar")
    assert [(f.kind, f.code) for f in rep.findings] == [
        ("markup", "entity"), ("markup", "tag"), ("markup", "replacement"), ("markup", "entity")]
    by_code = {f.code: f for f in rep.findings}
    assert by_code["tag"].details["action"] == "drop"
    assert by_code["entity"].details["action"] == "repair" and by_code["entity"].details.get("fixable")
    assert rep.findings[0].line == 1 and rep.findings[0].column == 12


def test_fix_decodes_safe_entities_only():
    text = "قال المتحدث&nbsp;إن الأمر &quot;انتهى&quot; &amp;lt;b&amp;gt; &#42;مهم&#42;.\n\n```\n&nbsp; in code\n```\n"
    res = fix_text(text, "ar")
    assert res.text == ("قال المتحدث\xa0إن الأمر \"انتهى\" &amp;lt;b&amp;gt; &#42;مهم&#42;.\n\n```\n&nbsp; in code\n```\n")
    assert [f.code for f in res.fixes] == ["entity"] * 3
    assert fix_text(res.text, "ar").text == res.text  # idempotent
