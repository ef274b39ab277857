"""The fast `mtfix check` and `mtfix fix` give exactly what they gave before the speed work (issue 16).

The definition is the frozen copy in tests/reference_check.py (the code at commit 204bcbd). The
full findings (JSON) of `check` (streamed from a file, and on the whole text) and the output and
fix list of `fix` are compared on the seed, on FLORES-200 and NTREX-128 Arabic and English, on a
system's Arabic output, and on noisy inputs built from them (markup across lines, mojibake,
invisible marks, broken numbers, loops, Markdown, every kind of line ending). The exhaustive
variants are marked ``slow``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from mtfix.text.check import check_file, check_lines, check_text
from mtfix.text.fix import fix_text
from mtfix.text.glossary import load_glossaries
from mtfix.text.invisibles import INVISIBLES
from mtfix.text.read import read_text

sys.path.insert(0, str(Path(__file__).parent))
import reference_check as ref  # noqa: E402

REAL = ["flores200-devtest/arb_Arab.txt", "flores200-devtest/eng_Latn.txt", "ntrex128/arb.txt", "ntrex128/eng.txt"]


@pytest.fixture(scope="module")
def glossary():
    return load_glossaries()  # the shipped news-ar preset, as `mtfix check` and `mtfix fix` use by default


def _same_check(path: Path, lang, gloss) -> None:
    new = check_file(path, lang, gloss)
    old = ref.check_file(path, lang, gloss)
    assert json.dumps(new.to_dict(), ensure_ascii=False) == json.dumps(old.to_dict(), ensure_ascii=False)
    assert len(new.document.paragraphs) == len(old.document.paragraphs)
    text = read_text(path)
    whole, old_whole = check_text(text, lang, gloss), ref.check_text(text, lang, gloss)
    assert json.dumps(whole.to_dict(), ensure_ascii=False) == json.dumps(old_whole.to_dict(), ensure_ascii=False)


def _same_fix(text: str, lang, gloss) -> None:
    new, old = fix_text(text, lang, gloss), ref.fix_text(text, lang, gloss)
    assert new.text == old.text
    assert [f.to_dict() for f in new.fixes] == [f.to_dict() for f in old.fixes]
    assert (new.lang, new.glossary) == (old.lang, old.glossary)


def test_same_findings_and_fixes_on_the_seed(seed_path, glossary):
    for lang, g in ((None, glossary), (None, None), ("en", glossary)):
        _same_check(seed_path, lang, g)
        _same_fix(read_text(seed_path), lang, g)


@pytest.mark.parametrize("name", REAL + ["system"])
def test_same_findings_and_fixes_on_real_text(name, shared_data, glossary):
    if name == "system":  # an MT system's Arabic output: what `mtfix check` is for
        path = sorted((shared_data / "systems" / "flores200-devtest.eng-ara").glob("*.txt"))[0]
    else:
        path = shared_data / name
    _same_check(path, None, glossary)
    _same_fix(read_text(path), None, glossary)


# ---------------------------------------------------------------- noisy inputs

_NOISE = [
    "20 ، 000", "3 , 000", "100 ٪", "٪50", "بين 14,000 18,000", "١٢ ٬ ٥٠٠", "5 2019", "0800 1234",
    "SDF", "لSDF", "(SDF)", "UN", "قوات الدفاع الذاتى", "الأمم المتحدة", "Syrian Democratic Forces", "My",
    "&nbsp;", "&amp;amp;", "&lt;b&gt;", "&#42;", "&quot;", "<b>", "</p>", "<span\nclass=\"x\">", "<!-- a\n\nb -->",
    "&lt;span\n  class=x&gt;", "\ufffd", "\x07", "■■■", "□ □ □", "é", "’", "“", "—", "Ã ", "Ø§Ù„", "cafÃ©",
    "انتهت انتهت انتهت", "لةلةلةلةلة", "ههههههه", "the the the", "a b c d a b c d a b c d",
    " ،", ",,", "..", "؟؟", " ?", "؛ ;", " .", "1441", "م.", "هـ.", "ق.م.",
]
_PREFIX = ["", "", "", "# ", "- ", "> ", "1. ", "   ", "\u200f", "Ã ", "هـ. ", "م. وكانت "]
_ENDS = ["\n", "\n", "\n", "\r\n", "\r", "\n\n", "\n \n", "\n\u200b\n"]
_EXTRA_LINES = ["```", "~~~", "---", "| a | b |", "|---|---|", "the text wrapped by hand", "and more of it",
                "", "<!--", "-->", "&lt;div", "gt; &gt;", "<", ">"]


def _mojibake(s: str) -> str:
    return s.encode("utf-8").decode("cp1252", errors="replace")


def noisy_text(rng: random.Random, lines: list[str]) -> str:
    """Lines of real text, with MT damage, markup and layout mixed in."""
    out = []
    for _ in range(rng.randint(1, 80)):
        r = rng.random()
        if r < 0.1:
            line = rng.choice(_EXTRA_LINES)
        else:
            words = rng.choice(lines).split(" ")
            for _ in range(rng.choice((0, 0, 1, 2, 4))):
                words.insert(rng.randint(0, len(words)), rng.choice(_NOISE))
            if rng.random() < 0.1:
                i = rng.randint(0, len(words))
                words.insert(i, rng.choice(list(INVISIBLES)) * rng.randint(1, 2))
            line = " ".join(words)
            if rng.random() < 0.05:
                line = _mojibake(line)
            if rng.random() < 0.05:
                line = line.lower()
        out.append(rng.choice(_PREFIX) + line + rng.choice(_ENDS))
    text = "".join(out)
    return text if rng.random() < 0.8 else text.rstrip("\r\n")


@pytest.fixture(scope="module")
def real_lines(shared_data):
    lines = []
    for name in REAL:
        lines += (shared_data / name).read_text(encoding="utf-8").splitlines()[:300]
    return lines


def _same_on_noisy(seed: int, real_lines, glossary, tmp_path, configs) -> None:
    rng = random.Random(seed)
    text = noisy_text(rng, real_lines)
    if not text.strip():
        text += "نص."
    path = tmp_path / f"noisy{seed}.txt"
    path.write_bytes(text.encode("utf-8"))
    for lang, g in configs:
        _same_check(path, lang, g)
        _same_fix(text, lang, g)


@pytest.mark.parametrize("seed", range(40))
def test_same_findings_and_fixes_on_noisy_text(seed, real_lines, glossary, tmp_path):
    _same_on_noisy(seed, real_lines, glossary, tmp_path, [(None, glossary)] if seed % 2 else [("ar", glossary)])


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(40, 400))
def test_same_findings_and_fixes_on_noisy_text_exhaustive(seed, real_lines, glossary, tmp_path):
    _same_on_noisy(seed, real_lines, glossary, tmp_path,
                   [(None, glossary), ("ar", glossary), ("en", None), (None, None)])


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL)
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_same_findings_on_real_text_every_language(name, lang, shared_data, glossary):
    _same_check(shared_data / name, lang, glossary)
    _same_fix(read_text(shared_data / name), lang, glossary)


def test_same_findings_from_lines_with_bare_carriage_returns(glossary):
    """Lines as `check_lines` may get them from a caller: pieces that are not cut at ``\\n``."""
    text = "سطر أول SDF ،\rسطر ثان 20 ، 000\r\rSDF مرة أخرى\r\n<b\r>نص</b>\r1441\rهـ. وكانت\n"
    chunks = [text[:5], text[5:30], text[30:]]
    new = check_lines(lambda: iter(chunks), None, "x", glossary)
    old = ref.check_lines(lambda: iter(chunks), None, "x", glossary)
    assert new.to_dict() == old.to_dict()


def test_rewritten_punctuation_patterns_match_where_the_old_ones_did():
    """The doubled-punctuation patterns start with their characters now (scanned at C speed), the
    lookbehind moved after them: the same matches as the old patterns on random strings."""
    from mtfix.text import fix

    rng = random.Random(1)
    alphabet = list("،,؛;:.. a1_/\u00a0\tبت5")
    for _ in range(20000):
        t = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        for new, old in ((fix._DOUBLED, ref._DOUBLED), (fix._DOUBLED_PERIOD, ref._DOUBLED_PERIOD)):
            assert [(m.span(), m.groups()) for m in new.finditer(t)] == [(m.span(), m.groups()) for m in old.finditer(t)]
        by_mark = fix._by_mark(fix._DOUBLED_BY_MARK, t)  # the rule's search: one pattern per mark
        assert [(m.span(), m.groups()) for m in by_mark] == [(m.span(), m.groups()) for m in ref._DOUBLED.finditer(t)]


def test_latin_punctuation_found_from_the_mark_matches_the_old_patterns():
    """The Latin comma/semicolon/question mark rule scans for the mark and looks back over the
    spaces for an Arabic letter: the same spans as the old look-behind patterns' matches."""
    from mtfix.text import fix

    rng = random.Random(2)
    alphabet = list(",;?,; \u00a0\t\u202fبتa1\"”»)\n") + ["ب ,", "ب ?", "ت ;"]
    for _ in range(20000):
        t = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        old = [(m.span(), m.group(1)) for m in fix._LATIN_COMMA.finditer(t)]
        new = [((fix._after_arabic_letter(t, m.start()), m.end()), m.group(1))
               for m in fix._LATIN_COMMA_MARK.finditer(t) if fix._after_arabic_letter(t, m.start()) >= 0]
        assert new == old, t
        old = [m.span() for m in fix._LATIN_QUESTION.finditer(t)]
        new = [(fix._after_arabic_letter(t, m.start()), m.end())
               for m in fix._LATIN_QUESTION_MARK.finditer(t) if fix._after_arabic_letter(t, m.start()) >= 0]
        assert new == old, t


def test_spaced_marks_found_from_the_mark_match_the_old_pattern():
    """Space before punctuation: a scan for the mark, the spaces before it walked back, gives the
    old pattern's matches (which start with the spaces)."""
    from mtfix.text import fix

    rng = random.Random(4)
    alphabet = list("،؛؟!:. \u00a0\t\u202fبa1\"“«(\n.") + ["ب .", "ب  ،", " ..", "5 ، 000"]
    for _ in range(20000):
        t = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        old = [(m.span(), m.group(1)) for m in fix._SPACED_MARK.finditer(t)]
        new = [((fix._spaces_before(t, m.start()), m.end()), m.group(1)) for m in fix._SPACED_MARK_AT.finditer(t)]
        assert new == old, t
        new = [((fix._spaces_before(t, m.start()), m.end()), m.group(1))
               for m in fix._by_mark(fix._SPACED_MARK_BY_MARK, t)]  # the rule's search: one pattern per mark
        assert new == old, t


# ---------------------------------------------------------------- adversarial inputs


def _adversarial(kind: str, lines: list[str]) -> str:
    """Texts that stress what the fast check does differently: whole-text passes, one pass over
    the file, long pieces, repeats found through word ids."""
    rng = random.Random(kind)
    ar = [x for x in lines if any("\u0621" <= c <= "\u064a" for c in x)]
    if kind == "loops":  # long loops inside and across words, in long and short sentences
        return "".join(f"{rng.choice(ar)} {' '.join([rng.choice(['قبل', 'التي', 'the'])] * rng.randint(3, 400))} "
                       f"{'ه' * rng.randint(3, 60)} {rng.choice(ar)}\n" for _ in range(25))
    if kind == "mixed":  # Arabic, Latin, other scripts, digits of three systems, in one line or by line
        pool = ar + [x for x in lines if x not in ar] + ["Привет мир, это тест.", "这是一个测试。", "١٢ ٬ ٥٠٠ و۳۴ 5 , 000"]
        return "".join(rng.choice(pool) + rng.choice([" ", "\n", " SDF ، ", " (UN) ? "]) for _ in range(300))
    if kind == "no-newline":  # one paragraph of many sentences, no line break at all
        return " ".join(rng.choice(ar) for _ in range(350))
    if kind == "crlf":
        return "".join(rng.choice(ar) + rng.choice(["\r\n", "\r\n\r\n", "\r", " ,\r\n", " .\r\n"]) for _ in range(400))
    if kind == "huge-paragraph":  # one paragraph wrapped by hand over many lines, then ordinary lines
        en = [x for x in lines if x not in ar]  # continued lines start with a lower-case Latin letter
        words = " ".join(rng.choice(en) + " " + rng.choice(ar) for _ in range(150)).lower().split()
        words = ["and" if i % 9 == 0 else "the" if i % 9 == 8 else w for i, w in enumerate(words)]
        wrapped = "".join(w + ("\n" if i % 9 == 8 else " ") for i, w in enumerate(words))
        return "Start of a wrapped paragraph and " + wrapped + "\n\n" + "\n".join(rng.sample(ar, 100)) + "\n"
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["loops", "mixed", "no-newline", "crlf", "huge-paragraph"])
def test_same_findings_on_adversarial_text(kind, real_lines, glossary, tmp_path):
    """Long loops, mixed scripts, no line break, CRLF, a huge paragraph: the same findings as
    before, streamed and whole, and the same `--json` from the command line."""
    from typer.testing import CliRunner

    from mtfix.cli.app import app

    text = _adversarial(kind, real_lines)
    path = tmp_path / f"{kind}.txt"
    path.write_bytes(text.encode("utf-8"))
    for lang, g in ((None, glossary), ("en", None)):
        _same_check(path, lang, g)
    r = CliRunner().invoke(app, ["check", str(path), "--json"])
    assert r.exit_code == 1
    got = json.loads(r.output)
    assert got.pop("file") == str(path)
    assert got == json.loads(json.dumps(ref.check_file(path, None, glossary).to_dict(), ensure_ascii=False))
