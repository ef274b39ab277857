"""The README's examples are the output of real runs (issue 13 item 13).

Each generated block in README.md or docs/*.md (``<!-- example:NAME -->``) is
compared with what the command prints now; ``python scripts/readme_examples.py``
rewrites them. Every relative link of those pages resolves (file and ``#anchor``),
and every docs page is linked from the README.
"""

from __future__ import annotations

import re

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
