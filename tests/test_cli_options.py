"""Issue 13 item 14: a short option means one thing in every command; flags take no value;
required options are marked required."""

from __future__ import annotations

import typer

from conftest import assert_one_line_error
from mtfix.cli.app import app


def _commands(cmd, path="mtfix"):
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}")


def _tree():
    return list(_commands(typer.main.get_command(app)))


def test_each_short_option_means_one_long_option_everywhere():
    meaning: dict[str, set[str]] = {}
    for _, cmd in _tree():
        for p in cmd.params:
            longs = [o for o in p.opts if o.startswith("--")]
            for short in (o for o in p.opts if not o.startswith("--")):
                meaning.setdefault(short, set()).update(longs)
    clashes = {s: sorted(longs) for s, longs in meaning.items() if len(longs) > 1}
    assert clashes == {}
    assert meaning["-o"] == {"--out"} and meaning["-q"] == {"--quiet"} and meaning["-b"] == {"--back-model"}


def test_flags_show_no_value_in_help(cli):
    r = cli("translate", "--help")
    assert r.exit_code == 0 and "--json" in r.output and "<bool>" not in r.output
    for path, _ in _tree():
        words = path.split()[1:]
        if words:
            assert "<bool>" not in cli(*words, "--help").output, path


def test_flags_given_a_value_and_a_missing_required_out_are_one_line(cli, tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("نص\n", encoding="utf-8")
    assert_one_line_error(cli("check", p, "--json", "true"), "true")
    select = next(cmd for path, cmd in _tree() if path == "mtfix select")
    assert next(p for p in select.params if p.name == "out").required
    assert_one_line_error(cli("select", "--candidates", p, p), "--out")
