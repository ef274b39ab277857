"""`mtfix check` on a file streams: the same findings as checking the whole text, in memory bounded
by the longest paragraph (tracemalloc, not a timed test)."""

from __future__ import annotations

import json
import random
import tracemalloc

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.errors import MtfixError
from mtfix.text.check import check_file, check_lines, check_text
from mtfix.text.read import iter_text_lines, read_text
from mtfix.text.segment import independent_blocks

PIECES = [
    "قال المتحدث إن المعركة انتهت.", "وعاد السكان إلى منازلهم في ٢٠١٩.", "بلغ عدد الزوار 14,000 18,000 شخص.",
    "ارتفعت الأسعار بنسبة 100 ٪ هذا العام.", "أعلنت شركة SDF عن نتائجها.", "The talks ended without a deal.",
    "the text wrapped by hand", "انتهت انتهت انتهت انتهت انتهت انتهت الحرب.", "# عنوان المقال", "- بند أول في القائمة",
    "> اقتباس من التقرير.", "```", "code ``` inside", "~~~~", "", " ", "\u200b", "\u200f", "---", "| a | b |",
    "Mr. Smith arrived at 7.7 p.m. yesterday.", "١٬٠٠٠ ريال", "3, 000 dollars", "مرحبا\u200b\u200bبالعالم",
    "قالت SDF إن القتال توقف.", "أعلنت قوات سوريا الديمقراطية (قسد) ذلك.", "وقال مسؤول في UN اليوم.",
    "انتقد الأمم المتحدة القرار.", "&nbsp;مرحبا &amp;amp; أهلا", "<b>نص</b> غامق",
]


def _random_text(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(1, 60)):
        line = " ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 3)))
        out.append(line + rng.choice(["\n", "\n", "\n", "\r\n", "\r", "\n\n", "\n \n"]))
    text = "".join(out)
    return text if rng.random() < 0.8 else text.rstrip("\r\n")


def _glossary():
    from mtfix.text.glossary import load_glossaries

    return load_glossaries()  # the shipped preset (news-ar), as `mtfix check` uses by default


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) if "\r" not in text else [x for x in text.replace("\n", "\n\0").split("\0") if x]


@pytest.mark.parametrize("seed", range(60))
def test_streamed_check_equals_whole_text_check(seed, tmp_path):
    rng = random.Random(seed)
    text = _random_text(rng)
    if not text.strip():
        text += "نص."
    blocks = list(independent_blocks(_lines(text)))
    assert "".join(blocks) == text
    path = tmp_path / "t.txt"
    path.write_bytes(((b"\xef\xbb\xbf" if seed % 7 == 0 else b"") + text.encode("utf-8")))
    assert "".join(iter_text_lines(path)) == read_text(path)
    gloss = _glossary()
    for lang, g in ((None, None), ("ar", None), ("en", None), (None, gloss), ("ar", gloss)):
        whole = check_text(read_text(path), lang, g)
        streamed = check_file(path, lang, g)
        assert streamed.to_dict() == whole.to_dict()
        assert len(streamed.document.paragraphs) == len(whole.document.paragraphs)
        assert [(s and s.text, [f.to_dict() for f in fs]) for s, fs in streamed.by_sentence()] == \
               [(s and s.text, [f.to_dict() for f in fs]) for s, fs in whole.by_sentence()]


def test_streamed_check_on_real_text(seed_path, shared_data):
    for path in (seed_path, shared_data / "flores200-devtest" / "arb_Arab.txt"):
        assert check_file(path).to_dict() == check_text(read_text(path)).to_dict()
        gloss = _glossary()
        assert check_file(path, None, gloss).to_dict() == check_text(read_text(path), None, gloss).to_dict()


def test_memory_is_bounded_by_the_paragraph_not_the_file(tmp_path):
    """The peak does not grow with the file: 4x the paragraphs, about the same peak (bounded caches aside)."""
    para = "وعاد السكان إلى منازلهم بعد انتهاء المعركة في المدينة القديمة. " * 3

    def peak(n: int) -> tuple[int, int]:
        path = tmp_path / f"big{n}.txt"
        path.write_text((para + "\n\n") * n, encoding="utf-8")  # no findings
        tracemalloc.start()
        try:
            report = check_file(path, "ar")
            _, top = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert not report.has_issues and len(report.document.paragraphs) == n
        return top, path.stat().st_size

    peak(500)  # one-time costs (first imports, compiled patterns, presets) are not per file
    small, _ = peak(1000)
    big, size = peak(4000)  # ~1.4 MB
    assert big < 1.5 * small + 64_000, f"peak {big} bytes for 4000 paragraphs vs {small} for 1000"
    assert big < size / 5


def test_errors_are_the_whole_file_errors(tmp_path):
    empty = tmp_path / "e.txt"
    empty.write_text(" \n\n", encoding="utf-8")
    with pytest.raises(MtfixError, match="is empty; nothing to check"):
        check_file(empty)
    bad = tmp_path / "b.txt"
    bad.write_bytes("سطر أول\n".encode() + b"ok \xff here\n")
    with pytest.raises(MtfixError) as e:
        check_file(bad)
    with pytest.raises(MtfixError) as whole:
        read_text(bad)
    assert str(e.value) == str(whole.value)
    r = CliRunner().invoke(app, ["check", str(bad)])
    assert r.exit_code == 2 and r.output.startswith("error: ") and "offset 17" in r.output


def test_cli_check_json_same_from_file_and_stdin(seed_path):
    runner = CliRunner()
    a = runner.invoke(app, ["check", str(seed_path), "--json"])
    b = runner.invoke(app, ["check", "-", "--json"], input=seed_path.read_bytes())
    assert a.exit_code == b.exit_code == 1
    da, db = json.loads(a.output), json.loads(b.output)
    da.pop("file"), db.pop("file")
    assert da == db and da["issues"] > 0


def test_check_lines_reads_lines_lazily():
    """Nothing is read ahead of the piece being checked (a generator, consumed once per pass: a
    first pass finds where ftfy may see mojibake, as it judges a block as a whole)."""
    seen = []

    def lines():
        for i in range(5):
            seen.append(i)
            yield f"جملة رقم {i} في النص.\n\n"

    report = check_lines(lines, "ar")
    assert seen == [0, 1, 2, 3, 4] and len(report.document.sentences) == 5


def test_one_pass_says_which_pieces_hold_a_mojibake_character():
    """The single pass flags each piece that holds a character of ftfy's heuristic (found line by
    line, the lines read one ahead by block_chunks): the flag is a scan of the piece itself, so
    the markup check may skip that scan where it is false. 2,000 random texts, with and without
    such characters (dashes, curly quotes, Latin-1 letters that alone are no mojibake)."""
    from mtfix.text import check
    from mtfix.text.markup import MOJIBAKE_CHAR
    from mtfix.text.segment import line_chunks

    rng = random.Random(7)
    flagged = clean = abandoned = 0
    for _ in range(2000):
        text = _random_text(rng)
        if rng.random() < 0.5:  # a few characters of the heuristic, where a line may start or end
            at = sorted(rng.sample(range(len(text) + 1), min(3, len(text) + 1)))
            text = "".join(text[a:b] + rng.choice(["–", "“", "é", ""]) for a, b in zip([0] + at, at + [None]))
        size = rng.choice([5, 40, check.PIECE_CHARS])
        try:
            pieces = list(check._pieces_in_one_pass(line_chunks(iter(text.splitlines(keepends=True)), size), None))
        except check._Abandon:  # ftfy may see mojibake: the two passes check such a text
            abandoned += 1
            continue
        assert "".join(p for p, _ in pieces) == text
        for piece, mojibake in pieces:
            assert mojibake == (MOJIBAKE_CHAR.search(piece) is not None), piece
            flagged, clean = flagged + mojibake, clean + (not mojibake)
    assert flagged > 50 and clean > 1000, (flagged, clean, abandoned)
