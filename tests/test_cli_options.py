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


def _leaves():
    return [(path, cmd) for path, cmd in _tree() if not getattr(cmd, "commands", None)]


def test_every_command_has_a_leaf_here():
    assert {path for path, _ in _leaves()} >= {"mtfix translate", "mtfix check", "mtfix corpus filter",
                                                "mtfix models pull", "mtfix select"}


def test_usage_errors_are_one_line_naming_the_commands_help_in_every_command(cli):
    """An unknown option, a missing argument or required option, and an option left without its
    value (click raises that one without a context): one line naming `mtfix ... --help`, exit 2."""
    for path, cmd in _leaves():
        words = path.split()[1:]
        hint = f"(see `{path} --help`)"
        line = assert_one_line_error(cli(*words, "--no-such-option"), "--no-such-option")
        assert line.endswith(hint), line
        required = [p for p in cmd.params if p.required]
        if required:
            line = assert_one_line_error(cli(*words))
            assert line.startswith("error: Missing ") and line.endswith(hint), line
        valued = [p for p in cmd.params if p.param_type_name == "option" and not p.is_flag
                  and not p.count and p.opts[-1].startswith("--")]
        for p in valued[:3]:
            line = assert_one_line_error(cli(*words, p.opts[-1]))
            assert line.endswith(hint) and p.opts[-1] in line, line


def test_a_group_given_an_unknown_subcommand_names_its_own_help(cli):
    for group in ("corpus", "models"):
        line = assert_one_line_error(cli(group, "no-such-command"), "no-such-command")
        assert line.endswith(f"(see `mtfix {group} --help`)"), line
