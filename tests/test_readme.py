"""The README's examples are the output of real runs (issue 13 item 13).

Each generated block in README.md (``<!-- example:NAME -->``) is compared with
what the command prints now; ``python scripts/readme_examples.py`` rewrites them.
"""

from __future__ import annotations

import re

import pytest

from conftest import REPO, load_script

examples = load_script("readme_examples")

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = examples.blocks(README)
STALE = "README example {} is stale: run `python scripts/readme_examples.py` and review the diff"


def test_the_generated_examples_are_all_there():
    assert set(BLOCKS) == {"repair-report", "check", "models"}


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
    """Every `mtfix ...` line in a sh block names real options (nothing renamed under the README)."""
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for cmd in re.findall(r"^mtfix (\S+(?: (?:filter|build|pipeline|list|pull|convert))?)", block, re.M):
            r = cli(*cmd.split(), "--help")
            assert r.exit_code == 0, f"`mtfix {cmd}` in the README: {r.output}"
    for opt in sorted(set(re.findall(r"mtfix evaluate[^`]*?(--[a-z-]+)", README))):
        assert opt in cli("evaluate", "--help").output, opt


@pytest.mark.parametrize("word", ["source .venv/bin/activate", ".venv/bin/mtfix"])
def test_readme_says_how_mtfix_gets_on_path(word):
    assert word in README
