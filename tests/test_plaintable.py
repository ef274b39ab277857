"""`mtfix check`'s table written without rich's console is what rich prints, character for
character: random findings (Arabic, Latin, long words, markup-like brackets, backslashes, wide and
zero-width characters, harakat, no-break spaces) at many console widths; and a real report."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from mtfix.cli import check as cli_check
from mtfix.cli import plaintable
from mtfix.text.check import check_file

REPO = Path(__file__).resolve().parents[1]
WORDS = ["قوات", "سوريا", "الديمقراطية", "(قسد)", "SDF", "→", "،", " ،", "20 ، 000", "left", "in", "Latin;",
         "glossary", "news-ar,", "first", "mention:", "long", "form", "punctuation", "sticks", "to", "the",
         "word", "before", "it", "[bold]x[/bold]", "[b]", "supercalifragilisticexpialidocious",
         "مُحَمَّدٌ", "北京市", "e\u0301", "x\u200by", "a\u00a0b", "٪100", "100 ٪", "…", "'quoted'", '"q"', "—", "[/]",
         "ﷺ", "🙂", "[link=x]y[/link]", "-", "  ", "word-with-many-hyphens-and-more-of-them", "(1)", "a:b"]
ODD = ["a\\", "\\[x]", ":smile:", "x\ty", "a:b:c", "\x07"]  # rich changes these: rich renders the table
CODES = ["space-before-punctuation", "glossary-term", "latin-in-arabic", "lost-range", "bidi", "x"]


def _phrase(rng: random.Random, most: int) -> str:
    out = "".join(rng.choice([" ", " ", "  ", "\u00a0"]) + rng.choice(ODD if rng.random() < 0.002 else WORDS)
                  for _ in range(rng.randint(1, most)))
    out = out if rng.random() < 0.5 else out.strip()
    return out if out.strip() else "x"


def _report(rng: random.Random):
    findings = [SimpleNamespace(line=rng.randint(1, 10 ** rng.randint(1, 5)), column=rng.randint(1, 999),
                                code=rng.choice(CODES), surface=_phrase(rng, 6), message=_phrase(rng, 25),
                                sentence=i) for i in range(rng.randint(1, 12))]
    return SimpleNamespace(findings=findings, has_issues=True, counts={"x": len(findings)}, lang="ar",
                           document=SimpleNamespace(paragraphs=[1], sentences=[1] * len(findings)),
                           flagged_count=lambda: len(findings))


def _both(report, width: int, monkeypatch) -> tuple[str, str, bool]:
    monkeypatch.setenv("COLUMNS", str(width))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    cli_check._print_rich("f.txt", report)
    rich_text = out.getvalue()
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    rows = list(cli_check._rows(report))
    plain = plaintable.write_table([plaintable.Column(n, **kw) for n, kw in cli_check._COLUMNS], lambda: iter(rows),
                                   width, out.write, before="HEAD\n")
    return rich_text, out.getvalue(), plain


@pytest.mark.parametrize("seed", range(40))
def test_plain_table_is_what_rich_prints(seed, monkeypatch):
    rng = random.Random(seed)
    report = _report(rng)
    for width in (rng.randint(20, 70), rng.randint(70, 130), rng.choice([80, 100, 200])):
        rich_text, plain, ok = _both(report, width, monkeypatch)
        if ok:
            rich_table = rich_text.split("\n", 1)[1].rsplit("\n", 2)[0] + "\n"  # without the head and summary
            assert plain == "HEAD\n" + rich_table, width
        else:
            assert plain == ""  # nothing written when rich has to render it


def test_most_random_tables_are_written_plain(monkeypatch):
    ok = sum(_both(_report(random.Random(s)), 100, monkeypatch)[2] for s in range(40))
    assert ok >= 30  # the odd characters (tabs, emoji codes, backslashes) send some to rich, not most


def test_cli_output_without_rich_is_rich_output(seed_path, tmp_path):
    """The whole `mtfix check` output through a pipe, plain vs forced rich, at several widths; the
    plain run never imports rich's console."""
    probe = ("import sys, json; how = sys.argv[2]; sys.argv = ['mtfix', 'check', sys.argv[1]]\n"
             "if how == 'rich':\n"
             "    import mtfix.cli.plaintable as p; p.plain_width = lambda *a: None\n"
             "from mtfix.cli.app import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(json.dumps('rich.console' in sys.modules), file=sys.stderr)\n")
    noisy = tmp_path / "noisy.txt"
    noisy.write_text(seed_path.read_text(encoding="utf-8") + "\nقال [b]SDF[/b] إن\u200f 20 ، 000 شخص 100 ٪ هنا.\n",
                     encoding="utf-8")
    for path in (seed_path, noisy):
        for width in ("40", "80", "133"):  # 40: too narrow for the columns, rich squeezes them
            env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "COLUMNS": width, "HF_HUB_OFFLINE": "1"}
            runs = [subprocess.run([sys.executable, "-c", probe, str(path), how], env=env, capture_output=True,
                                   text=True, timeout=120, stdin=subprocess.DEVNULL) for how in ("plain", "rich")]
            assert runs[0].stdout == runs[1].stdout and runs[0].stdout.count("\n") > 10
            assert runs[0].stderr.strip().splitlines()[-1] == ("true" if width == "40" else "false")
            assert runs[1].stderr.strip().endswith("true")


def test_plain_width_follows_rich(monkeypatch):
    class Pipe(io.StringIO):
        def isatty(self):
            return False

    class Tty(Pipe):
        def isatty(self):
            return True

    assert plaintable.plain_width(Tty(), {}) is None
    assert plaintable.plain_width(Pipe(), {"FORCE_COLOR": "1"}) is None
    assert plaintable.plain_width(Pipe(), {"TTY_COMPATIBLE": "1"}) is None
    assert plaintable.plain_width(Pipe(), {"COLUMNS": "123"}) == 123
    from rich.console import Console

    for env in ({"COLUMNS": "97"}, {}):
        assert plaintable.plain_width(Pipe(), env) == Console(file=Pipe(), _environ=env).width


def test_streamed_report_renders_the_same(seed_path, monkeypatch):
    report = check_file(seed_path)
    rich_text, plain, ok = _both(report, 100, monkeypatch)
    assert ok and plain == "HEAD\n" + rich_text.split("\n", 1)[1].rsplit("\n", 2)[0] + "\n"


@pytest.mark.parametrize("odd", ODD)
def test_what_rich_would_change_is_left_to_rich(odd, monkeypatch):
    report = _report(random.Random(1))
    report.findings[0].message += " " + odd
    rich_text, plain, ok = _both(report, 100, monkeypatch)
    assert not ok and plain == "" and rich_text.count("\n") > 3


def test_only_richs_public_api_is_used():
    """No private rich module (``rich._wrap``, ``rich._ratio``): a rich upgrade may change or drop those
    without notice; the public ``Text.wrap`` and ``rich.cells`` are what the table is computed with."""
    import ast

    tree = ast.parse((REPO / "mtfix" / "cli" / "plaintable.py").read_text(encoding="utf-8"))
    used = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
        {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    rich = sorted(m for m in used if m and m.split(".")[0] == "rich")
    assert rich == ["rich.cells", "rich.text"], rich
    assert not [m for m in rich if any(part.startswith("_") for part in m.split("."))]


def test_a_cell_that_wraps_is_what_rich_prints(monkeypatch):
    """Long words (cut with an ellipsis), runs of spaces at the break, right-justified cells: the
    lines ``Text.wrap`` gives, against rich's own table."""
    rng = random.Random(7)
    findings = [SimpleNamespace(line=i + 1, column=1, code="x", surface="w" * 30 + "  " + "y" * 5,
                                message=" ".join(rng.choice(WORDS) for _ in range(30)) + "   " + "z" * 50, sentence=i)
                for i in range(4)]
    report = SimpleNamespace(findings=findings, has_issues=True, counts={"x": 4}, lang="ar",
                             document=SimpleNamespace(paragraphs=[1], sentences=[1] * 4), flagged_count=lambda: 4)
    for width in (30, 41, 57, 80):
        rich_text, plain_text, plain = _both(report, width, monkeypatch)
        rich_table = rich_text.split("\n", 1)[1].rsplit("\n", 2)[0] + "\n"  # without the head and summary
        assert plain and plain_text == "HEAD\n" + rich_table and "…" in rich_table, width
