"""Markup and encoding damage: detection, repair vs drop, the check findings and the fix rule."""

from __future__ import annotations

import re
import sys

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


# ---------------------------------------------------------------- ftfy only where its heuristic can fire


def _badness_tree():
    from re import _constants as C, _parser as P  # the stdlib's own parser of the installed ftfy regex

    from ftfy.badness import BADNESS_RE

    return C, P.parse(BADNESS_RE.pattern, BADNESS_RE.flags), BADNESS_RE


def _charset(C, op, av):
    if op is C.LITERAL:
        return {chr(av)}
    if op is C.IN and not any(o is C.NEGATE for o, _ in av):
        out = set()
        for o, a in av:
            if o is C.LITERAL:
                out.add(chr(a))
            elif o is C.RANGE:
                out.update(map(chr, range(a[0], a[1] + 1)))
            else:
                return None
        return out
    return None


def test_mojibake_characters_are_those_of_ftfys_heuristic():
    """`_MOJIBAKE_CHAR` (markup.py) lists every non-ASCII character of ftfy's BADNESS_RE, each of
    its alternatives needs one of them, and no match is longer than MOJIBAKE_CONTEXT: so a text
    without them is never "bad", and windows around them find every match."""
    from mtfix.text import markup

    C, tree, rx = _badness_tree()
    assert not rx.flags & re.IGNORECASE
    (op, (_, branches)), = tree.data
    assert op is C.BRANCH
    listed = {chr(c) for c in range(0x80, 0x110000) if markup._MOJIBAKE_CHAR.match(chr(c))}
    used = set()

    def walk(items):
        for o, a in items:
            chars = _charset(C, o, a)
            if chars:
                used.update(c for c in chars if not c.isascii())
            if o is C.SUBPATTERN:
                walk(a[-1])
            elif o in (C.MAX_REPEAT, C.MIN_REPEAT):
                walk(a[2])

    for branch in branches:
        walk(branch)
        assert any((cs := _charset(C, o, a)) and not any(c.isascii() for c in cs) for o, a in branch), branch
    assert used <= listed
    assert tree.getwidth()[1] <= markup.MOJIBAKE_CONTEXT


def test_windowed_heuristic_equals_ftfys():
    import random

    from ftfy.badness import is_bad

    from mtfix.text import markup

    rng = random.Random(5)
    alphabet = list("ab Ø§Ù„ÃÂ©’–\n\xa0é€ВГРС") + ["قال", "20", "  "]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        assert markup._looks_bad(text) == is_bad(text), repr(text)
    assert not markup.may_hold_mojibake("قال المتحدث إن المعركة انتهت.\n" * 3)


def test_open_markup_tracks_what_can_run_over_a_line_break():
    from mtfix.text.markup import OpenMarkup

    for text, is_open in (("<b>bold</b>\n", False), ("<span\n", True), ("a < b\n", True), ("<!-- a\n", True),
                          ("<!-- a --> b\n", False), ("&lt;span\n", True), ("&lt;b&gt;\n", False), ("x > y\n", False)):
        m = OpenMarkup()
        m.feed(text)
        assert m.open is is_open, text
    m = OpenMarkup()
    for line in ("<!-- a\n", "b\n", "c -->\n"):
        m.feed(line)
    assert not m.open


def test_check_loads_ftfy_only_where_its_heuristic_fires(seed_path, tmp_path):
    """The seed has curly quotes and dashes (characters of ftfy's heuristic) but no mojibake: its
    check runs ftfy's heuristic without importing the ftfy package; mojibake imports it and is found."""
    import subprocess

    mojibake = tmp_path / "m.txt"
    mojibake.write_text("قال المتحدث " + "المعركة انتهت".encode("utf-8").decode("cp1252", "replace") + ".\n",
                        encoding="utf-8")
    code = ("import sys; from mtfix.text.check import check_file; r = check_file(sys.argv[1]); "
            "print('ftfy' in sys.modules, 'mojibake' in r.counts)")
    for path, expect in ((seed_path, "False False"), (mojibake, "True True")):
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
        assert out.stdout.split() == expect.split()


def test_the_junk_candidates_are_every_character_neither_word_space_nor_ascii():
    """markup's scan for junk candidates (the basic Arabic letters listed first, for speed) finds
    exactly the characters of [^\\w\\s\\x00-\\x7f], over every code point."""
    from mtfix.text import markup

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert markup._NOT_WORD_SPACE_ASCII.findall(every) == re.findall(r"[^\w\s\x00-\x7f]", every)
