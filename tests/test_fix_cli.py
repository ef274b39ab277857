"""`mtfix fix`: outputs (text, --diff, --json), exit codes 0/1/2, bad input writes nothing."""

import json

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app

from conftest import assert_one_line_error

runner = CliRunner()


def _run(*args, input=None):
    return runner.invoke(app, ["fix", *map(str, args)], input=input)


def test_seed_fixed_to_a_file_with_every_fix_listed(seed_path, tmp_path):
    out = tmp_path / "fixed.txt"
    r = _run(seed_path, "--out", out)
    assert r.exit_code == 1, r.output
    fixed = out.read_text(encoding="utf-8")
    assert "20,000" in fixed and "100٪" in fixed and "بين 14,000 و18,000" in fixed and "SDF" not in fixed
    assert "9:53  arabic-comma-thousands  “20 ، 000” → “20,000”" in r.stderr
    assert "41:76  lost-range  “14,000 18,000” → “14,000 و18,000”" in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"{seed_path}: 23 fixes (") and "3 findings left" in last
    assert r.stdout == ""
    # fixing the fixed text: nothing to fix, findings left (they need a model) -> still exit 1
    r2 = _run(out, "--json")
    d = json.loads(r2.stdout)
    assert r2.exit_code == 1 and d["fixed"] == 0 and len(d["remaining"]) == 3


def test_stdout_diff_and_json(seed_path):
    r = _run(seed_path)
    assert r.exit_code == 1 and "قوات سوريا الديمقراطية (قسد) المتحدث" in r.stdout
    r = _run(seed_path, "--diff")
    assert r.stdout.startswith(f"--- {seed_path}\n+++ {seed_path} (fixed)\n")
    assert "-SDF القائد الميداني" in r.stdout and "+قسد القائد الميداني" in r.stdout
    r = _run(seed_path, "--json")
    d = json.loads(r.stdout)
    assert d["fixed"] == 23 and d["counts"]["glossary-term"] == 4 and d["glossaries"] == ["news-ar"]
    first = d["fixes"][0]
    assert set(first) >= {"line", "column", "rule", "code", "before", "after", "reason"}
    assert sorted(f["code"] for f in d["remaining"]) == ["glossary-avoid", "glossary-avoid", "latin-in-arabic"]


def test_clean_text_exits_0_and_layout_bom_crlf_come_back_byte_for_byte(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_bytes("\ufeffقال المتحدث إن المعركة انتهت.\r\n\r\nوعاد السكان إلى منازلهم.\r\n".encode())
    out = tmp_path / "out.txt"
    r = _run(clean, "--out", out)
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == clean.read_bytes()
    src = tmp_path / "crlf.txt"
    src.write_bytes("\ufeffوصل 20 ، 000 لاجئ .\r\n\r\n> اقتباس\r\n".encode())
    r = _run(src, "--out", out)
    assert r.exit_code == 1
    assert out.read_bytes() == "\ufeffوصل 20,000 لاجئ.\r\n\r\n> اقتباس\r\n".encode()


def test_glossary_option_overrides_the_preset(seed_path, tmp_path):
    g = tmp_path / "mine.tsv"
    g.write_text("SDF\tقوات سوريا الديمقراطية\n", encoding="utf-8")
    r = _run(seed_path, "--glossary", g)
    assert "قوات سوريا الديمقراطية القائد الميداني" in r.stdout and "(قسد)" not in r.stdout
    r = _run(seed_path, "--no-default-glossary")
    assert "SDF" in r.stdout and "20,000" in r.stdout


BAD_INPUTS = [
    (b"", "is empty"),
    (b"  \n\n", "is empty"),
    (b"\x00\x01binary", "looks binary"),
    ("قال المتحدث".encode("cp1256"), "not UTF-8"),
    (b"The SDF said 20 , 000 people left.", "looks like English, not Arabic"),
    ("قال المتحدث إن 20 ، 000 غادروا.\n".encode() * 3000 + b"caf\xe9\n", "not UTF-8"),  # past the first pieces
]


@pytest.mark.parametrize("content, message", BAD_INPUTS)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, content, message):
    src = tmp_path / "in.txt"
    src.write_bytes(content)
    out = tmp_path / "out.txt"
    assert_one_line_error(_run(src, "--out", out), message, not_written=[out])


def test_malformed_glossary_names_file_and_line_and_nothing_is_written(seed_path, tmp_path):
    g = tmp_path / "bad.tsv"
    g.write_text("SDF\tقسد\nbroken line without a tab\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    r = _run(seed_path, "--glossary", g, "--out", out)
    assert r.exit_code == 2
    [line] = r.stderr.strip().splitlines()
    assert line.startswith(f"error: {g}:2: ")
    assert not out.exists()
    r = _run(seed_path, "--glossary", "no-such-preset", "--out", out)
    assert r.exit_code == 2 and "no such glossary" in r.stderr and not out.exists()


def test_output_over_the_input_is_refused(seed_path, tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(seed_path.read_bytes())
    r = _run(src, "--out", src)
    assert r.exit_code == 2 and "also an input" in r.stderr
    assert src.read_bytes() == seed_path.read_bytes()


# ------------------------------------------------------------------ streamed: piece by piece, the same output

def _expected(text: str, bom: str = ""):
    """What `mtfix fix` printed when it fixed the whole text at once: (stdout, stderr lines)."""
    from mtfix.cli.fix import open_glossary
    from mtfix.text.check import check_text
    from mtfix.text.fix import fix_text

    gloss = open_glossary([])
    result = fix_text(text, "ar", gloss)
    left = check_text(result.text, "ar", gloss).findings
    lines = [f"{f.line}:{f.column}  {f.code}  “{f.before}” → {f'“{f.after}”' if f.after else '(removed)'}  {f.reason}"
             for f in result.fixes]
    return bom + result.text, lines, result, left


def _big_article(seed_path, shared_data) -> str:
    """The seed, FLORES-200 Arabic (lines without a blank line between: cut inside a block) and the
    seed again (its first SDF is no longer a first mention): many pieces."""
    seed = seed_path.read_text(encoding="utf-8")
    flores = (shared_data / "flores200-devtest" / "arb_Arab.txt").read_text(encoding="utf-8")
    return seed + "\n" + flores + "\n" + seed.replace("20 ، 000", "30 ، 000")


def test_fix_pieces_equal_fix_text_on_a_long_text(seed_path, shared_data):
    from mtfix.cli.fix import open_glossary
    from mtfix.text.check import script_and_pieces
    from mtfix.text.fix import fix_pieces, fix_text

    text = _big_article(seed_path, shared_data)
    gloss = open_glossary([])
    found, pieces = script_and_pieces(lambda: iter(text.splitlines(keepends=True)))
    got = list(fix_pieces(pieces, "ar", gloss))
    whole = fix_text(text, "ar", gloss)
    assert found == "ar" and len(got) > 20
    assert "".join(t for t, _ in got) == whole.text
    assert [f for _, fixes in got for f in fixes] == whole.fixes
    assert sum(f.after.startswith("قوات سوريا الديمقراطية") for f in whole.fixes) == 1


@pytest.mark.parametrize("how", ["file", "stdin", "out"])
def test_streamed_fix_prints_what_the_whole_text_fix_printed(seed_path, shared_data, tmp_path, how):
    text = _big_article(seed_path, shared_data)
    src = tmp_path / "in.txt"
    src.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))  # a BOM and CRLF come back too
    stdout, fix_lines, result, left = _expected(text.replace("\n", "\r\n"), "\ufeff")
    name = "-" if how == "stdin" else str(src)
    args = ["-"] if how == "stdin" else [src] + (["--out", tmp_path / "o.txt"] if how == "out" else [])
    r = _run(*args, input=src.read_bytes() if how == "stdin" else None)
    assert r.exit_code == 1, r.output
    if how == "out":
        assert r.stdout == "" and (tmp_path / "o.txt").read_bytes() == stdout.encode("utf-8")
    else:
        assert r.stdout_bytes == stdout.encode("utf-8")  # (r.stdout turns CRLF into LF)
    err = r.stderr.splitlines()
    assert err[:-1] == fix_lines
    counts = ", ".join(f"{n} {c}" for c, n in result.counts.items())
    assert err[-1].startswith(f"{name}: {len(result.fixes)} fixes ({counts}); {len(left)} findings left")


def test_fix_holds_a_piece_not_the_text(seed_path, shared_data, monkeypatch):
    """Fixing and checking what is left segment a piece at a time, never the whole input."""
    import mtfix.text.check as check
    import mtfix.text.fix as fix

    text = _big_article(seed_path, shared_data)
    expected = _expected(text)[0]
    seen = []
    for module in (check, fix):
        real = module.segment
        monkeypatch.setattr(module, "segment", lambda t, *a, _real=real, **k: seen.append(len(t)) or _real(t, *a, **k))
    r = _run("-", input=text.encode("utf-8"))
    assert r.exit_code == 1 and r.stdout == expected
    assert len(text) > 100_000 and seen and max(seen) < 20_000, (len(text), max(seen))


@pytest.mark.parametrize("content, message", BAD_INPUTS)
def test_bad_stdin_is_one_line_and_nothing_is_printed(content, message):
    r = _run("-", input=content)
    assert_one_line_error(r, message)
    assert r.stdout == ""


def test_a_full_disk_half_way_is_one_line_without_the_fix_list(seed_path, shared_data, tmp_path, monkeypatch):
    """The fixes already made are not listed when their text was never written."""
    import errno
    import os

    import mtfix.text.fix as fix
    from conftest import leftovers

    real = fix.fix_pieces

    def fills_up(*args, **kwargs):
        for n, got in enumerate(real(*args, **kwargs)):
            if n == 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            yield got

    monkeypatch.setattr(fix, "fix_pieces", fills_up)
    src = tmp_path / "in.txt"
    src.write_text(_big_article(seed_path, shared_data), encoding="utf-8")
    out = tmp_path / "out" / "o.txt"
    out.parent.mkdir()
    assert_one_line_error(_run(src, "--out", out), "no space left", not_written=[out])
    assert leftovers(out.parent) == []
