"""The README's examples are the output of real runs (issue 13 item 13).

Each generated block in README.md or docs/*.md (``<!-- example:NAME -->``) is
compared with what the command prints now; ``python scripts/readme_examples.py``
rewrites them. Every relative link of those pages resolves (file and ``#anchor``),
and every docs page is linked from the README.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO, load_script

examples = load_script("readme_examples")

README = (REPO / "README.md").read_text(encoding="utf-8")
PAGES = {p: p.read_text(encoding="utf-8") for p in examples.PAGES}
BLOCKS = {k: v for text in PAGES.values() for k, v in examples.blocks(text).items()}
STALE = "README example {} is stale: run `python scripts/readme_examples.py` and review the diff"


def test_the_generated_examples_are_all_there():
    assert set(BLOCKS) == {"repair-report", "check", "models"}
    assert sum(len(examples.blocks(text)) for text in PAGES.values()) == len(BLOCKS), "an example is shown twice"
    assert set(examples.blocks(README)) == {"check", "models"}


def test_repair_report_example_is_the_real_report(tiny_models, tmp_path):
    report = examples.repair_report(tiny_models, tmp_path)
    assert BLOCKS["repair-report"] == examples.abridged_report(report), STALE.format("repair-report")


def test_check_example_is_the_real_output():
    assert BLOCKS["check"] == examples.check_output(), STALE.format("check")


def test_models_table_is_the_real_listing():
    assert BLOCKS["models"] == examples.models_output(), STALE.format("models")


def test_blocks_are_replaced_in_place():
    text = "a\n<!-- example:x -->\nold\n<!-- /example -->\nb\n"
    assert examples.replace_blocks(text, {"x": "new\n"}) == "a\n<!-- example:x -->\nnew\n<!-- /example -->\nb\n"


def test_every_mtfix_command_in_the_readme_parses(cli):
    """Every `mtfix ...` line in a sh block of the README or docs/ names a real command (nothing renamed
    under them), and every option the README gives `mtfix evaluate` is one."""
    for block in re.findall(r"```sh\n(.*?)```", "\n".join(PAGES.values()), re.S):
        for cmd in re.findall(r"^mtfix (\S+(?: (?:filter|build|pipeline|list|pull|convert))?)", block, re.M):
            r = cli(*cmd.split(), "--help")
            assert r.exit_code == 0, f"`mtfix {cmd}` in the README: {r.output}"
    for opt in sorted(set(re.findall(r"mtfix evaluate[^`]*?(--[a-z-]+)", README))):
        assert opt in cli("evaluate", "--help").output, opt


@pytest.mark.parametrize("word", ["source .venv/bin/activate", ".venv/bin/mtfix"])
def test_readme_says_how_mtfix_gets_on_path(word):
    assert word in README


def test_the_two_commands_are_what_the_makefile_and_ci_do():
    """The set-up the README promises is the Makefile's: two targets, the torch pin first, the extras
    installed into .venv (whose bin/mtfix is the console script), and CI running `make test`."""
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^## Two commands\n.*?```sh\n(.*?)```", README, re.S | re.M).group(1)
    assert [line.split()[:2] for line in block.splitlines()] == [["make", "repair"], ["make", "test"]]
    assert re.search(r"^repair: \$\(STAMP\)", make, re.M) and re.search(r"^test: \$\(STAMP\)", make, re.M)
    installs = re.findall(r"pip install -q (\S+)", make)
    assert installs[1:] == ["torch==2.13.0", "-e"] and "torch==2.13.0 first" in block, installs
    assert "-e '.[test,ray]'" in make and "with its `test` and `ray` extras" in " ".join(README.split())
    assert "VENV   := .venv" in make and "$(BIN)/mtfix repair" in make
    assert 'mtfix = "mtfix.cli.main:main"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^make test ", (REPO / ".ci" / "run").read_text(encoding="utf-8"), re.M)
    conftest = (REPO / "tests" / "conftest.py").read_text(encoding="utf-8")
    assert 'SHARED = REPO.parent / "shared"' in conftest and 'data = SHARED / "data"' in conftest
    assert "`../shared/data/`, a folder beside the checkout" in " ".join(README[:README.index("## Commands")].split())


# ------------------------------------------------------------------ links

_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _anchors(text: str) -> set[str]:
    """GitHub's heading ids: lower case, punctuation but `-` and `_` dropped, spaces as `-`; repeats get -1, -2."""
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", _FENCE.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def _links(text: str) -> list[str]:
    prose = re.sub(r"`[^`\n]*`", "", _FENCE.sub("", text))
    return [t for t in _LINK.findall(prose) if not re.match(r"[a-z]+:", t)]


def test_anchors_are_githubs():
    assert _anchors("# `mtfix fix`: safe rule fixes\n## Où, 2 × 2?\n## A\n## A\n```\n# not a heading\n```\n") == {
        "mtfix-fix-safe-rule-fixes", "où-2--2", "a", "a-1"}


def test_links_are_relative_targets_outside_code():
    assert _links("[a](docs/x.md#y) `[b](c.md)` [w](https://e.org) ![i](p.png)\n```\n[d](e.md)\n```\n") == [
        "docs/x.md#y"]


@pytest.mark.parametrize("page", sorted(PAGES), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(page):
    bad = []
    for target in _links(PAGES[page]):
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            bad.append(f"{target}: no {dest.relative_to(REPO) if dest.is_relative_to(REPO) else dest}")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest.read_text(encoding="utf-8")):
            bad.append(f"{target}: no heading #{anchor}")
    assert not bad, bad


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(REPO / t.partition("#")[0]).resolve() for t in _links(README)}
    assert (REPO / "docs").is_dir()
    assert sorted(p.name for p in (REPO / "docs").glob("*.md") if p.resolve() not in linked) == []


def test_the_at_scale_table_is_the_recorded_idle_run():
    """Every figure of the README's At scale table is one of the idle run's, as docs/scale.md records them."""
    table = README[README.index("## At scale"):README.index("## Models")].split("**Measured**", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("| 1")]
    recorded = next(par for par in (REPO / "docs" / "scale.md").read_text(encoding="utf-8").split("\n\n")
                    if par.startswith("Idle, after the merge"))
    assert len(rows) == 6
    for row in rows:
        for figure in re.findall(r"\b\d{1,2},\d{3}\b(?! pairs)|\d+ MiB", row.split("|", 3)[3]):
            assert figure in recorded, (figure, row)
    for ratio in re.findall(r"x\d\.\d\d", table.split("The whole run as measured")[0]):
        assert ratio in recorded, ratio


def _tables(text: str) -> list[list[list[str]]]:
    """The markdown tables of ``text``, each a list of rows of stripped cells (the rule row left out)."""
    out, rows = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            if not re.fullmatch(r"\|[\s:|-]+\|", line.strip()):
                rows.append([c.strip() for c in line.strip("|").split("|")])
        elif rows:
            out.append(rows)
            rows = []
    return out


def test_the_speed_tables_are_the_published_bench_run():
    """The README's `make bench` tables are bench/bench.md's (the measure names may be shorter)."""
    section = README[README.index("## Speed on CPU"):README.index("### Where a user waits")]
    published = (REPO / "bench" / "bench.md").read_text(encoding="utf-8")
    shown, recorded = _tables(section), _tables(published)[:2]
    assert len(shown) == 2 and [len(t) for t in shown] == [len(t) for t in recorded]
    for ours, theirs in zip(shown, recorded):
        assert [row[1:] for row in ours] == [row[1:] for row in theirs]
        assert [row[0].split(" (")[0] for row in ours] == [row[0].split(" (")[0] for row in theirs]
    load = re.search(r"load average [\d.]+ at the start, [\d.]+ at the end", published).group(0)
    assert load in " ".join(section.split())


@pytest.mark.slow
@pytest.mark.parametrize("direction,row", [("ara-eng", "ar→en"), ("eng-ara", "en→ar")])
def test_the_select_table_is_what_select_flores_measures(shared_data, direction, row):
    """The README's `mtfix select` table, row by row, is `scripts/select_flores.py`'s run (its default seed)."""
    flores = load_script("select_flores")
    m = flores.measure(shared_data, direction, None, 1)
    section = README[README.index("## `mtfix select`"):README.index("## Stress test")]
    [cells] = [r for r in _tables(section)[0] if r[0].startswith(row)]
    assert [float(c.strip("*")) for c in cells[1:]] == [
        m["selected"]["chrf"], m["best"]["chrf"], m["median"]["chrf"], m["uniform_mbr"]["chrf"], m["oracle"]["chrf"],
        m["selected"]["bleu"], m["best"]["bleu"], m["median"]["bleu"]]
    assert cells[0] == f"{row}, {len(m['systems'])} systems"
    switched = re.search(r"\((\d+) and (\d+) of 1012 lines change", " ".join(section.split())).groups()
    assert int(switched[list(flores.SETS).index(direction)]) == m["selected"]["switched"]
    assert m["estimated_best"] == m["best"]["name"] and "Tatoeba" in m["best"]["name"]  # "finds the real best"


@pytest.mark.slow
def test_the_evaluate_table_is_what_the_example_prints(shared_data, tmp_path):
    """The README's `mtfix evaluate` example, run as written (its `out/` in a temporary folder), prints the
    table the README shows, the p-values it quotes and the worst segment it names."""
    section = README[README.index("## `mtfix evaluate`"):README.index("## `mtfix corpus`")]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    env_line, command = block.split("\n", 1)
    assert env_line == "D=../shared/data; S=$D/systems/flores200-devtest.ara-eng"
    words = re.sub(r"#.*", "", command).replace("\\\n", " ").split()
    S = shared_data / "systems" / "flores200-devtest.ara-eng"
    args = [w.replace("$S", str(S)).replace("$D", str(shared_data)).replace("out/", f"{tmp_path}/")
            for w in words[1:]]
    assert words[0] == "mtfix"
    r = subprocess.run([sys.executable, "-m", "mtfix", *args, "-q"], cwd=REPO, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "results.md").read_text(encoding="utf-8")
    shown = _tables(section)[0]
    assert shown == _tables(md)[0]
    pvalues = _tables(md)[1]
    assert all(cell.endswith("*") for row in pvalues[1:] for cell in " / ".join(row[1:]).split(" / "))
    assert pvalues[1][:2] == ["nllb-3.3B", "0.0230* / 0.0124*"]  # "nllb-3.3B BLEU p = 0.023 bs / 0.012 ar"
    assert "nllb-3.3B BLEU p = 0.023 bs / 0.012 ar" in section
    nllb = md[md.index("**nllb-3.3B**"):md.index("**nllb-600M**")]  # its worst segments
    assert re.search(r"^\| 812 \| [\d.]+ \| 8\.4 \| A safari \(also called a bushwalk, bushwalk", nllb, re.M)
    assert "\"bushwalk, bushwalk, …\" line 812 (chrF 8.4)" in section
