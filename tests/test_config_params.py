"""Every declared parameter, fed what a user may get wrong: one line naming the key, exit 2, nothing written.

The walk is over what the code declares (:mod:`mtfix.params`): every table of a scoring config
(``[selection]``, ``[weights]``, each scorer's, each ``[gates.NAME]``) and of a corpus pipeline
(``[pipeline]``, each ``[filters.TYPE]``), every key of each, and the metrics of ``mtfix evaluate``.
The bad values are made from each key's declared type, range and choices: a new parameter is
tested by being declared.
"""

from __future__ import annotations

import math
import re

import pytest

from conftest import assert_one_line_error
from mtfix.corpus.config import declared_tables as pipeline_tables
from mtfix.corpus.config import load_pipeline_config
from mtfix.errors import ConfigError, MtfixError
from mtfix.metrics.registry import metric_keys
from mtfix.params import AT_LEAST_0, NUMBER, validate
from mtfix.scoring.config import declared_tables as scoring_tables
from mtfix.scoring.config import load_config
from mtfix.tomlcompat import tomllib

AR = "هو لا يزال يشكل تهديدا للسكان.\nتحليل بي بي سي العربية للأحداث.\n"


def _toml(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # nan, inf, -inf
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


def bad_values(owner, key) -> dict:
    """``{what: value}`` that ``owner`` must refuse for ``key``, made from its declaration."""
    want = owner.PARAMS[key][0]
    wants = want if isinstance(want, tuple) else (want,)
    out = {"a table": {"a": 1}}
    if float in wants or int in wants:
        out.update({"a string": "3", "a list": [1, 2], "true": True, "nan": math.nan, "inf": math.inf,
                    "-inf": -math.inf, "a huge negative whole number": -10 ** 400,
                    "a whole number past a float's range": 10 ** 400})
        limits = getattr(owner, "LIMITS", {}).get(key, AT_LEAST_0)
        if limits.lo is not None:
            out["below its range"] = limits.lo if limits.above else limits.lo - 1
        if limits.hi is not None:
            out["above its range"] = limits.hi + 1
        if float not in wants:
            out["a fraction"] = 0.5
    elif bool in wants:
        out.update({"a string": "yes", "a number": 1, "a list": [True]})
    elif str in wants:
        out.update({"a number": 1, "true": True, "a list": ["x"]})
        if key in getattr(owner, "CHOICES", {}):
            out["not a choice"] = "no-such-choice"
    else:  # a list of strings
        out.update({"a string": "x", "a list of numbers": [1], "a number": 1, "an empty name": [""]})
    return out


def _cases(tables, every_value: bool):
    """``(table, TOML body, needle)``: each key of each table with each of its bad values and an unknown
    key in each table (``every_value``), or else one key of each table with one bad value, in turn; and
    a table given as a value, and an unknown table."""
    k = 0
    for table, owner in tables.items():
        cases = [(key, what, value) for key in owner.PARAMS for what, value in bad_values(owner, key).items()]
        for key, what, value in cases if every_value else [cases[k % len(cases)]]:
            yield pytest.param(table, f"{key} = {_toml(value)}", f"[{table}] {key}: ", id=f"{table}.{key}={what}")
        k += 7
        if every_value:
            yield pytest.param(table, "no_such_key = 1", f"[{table}] no_such_key: unknown key", id=f"{table}.unknown")
    name = next(iter(tables))
    yield pytest.param(None, f"{name} = 1", f"[{name}]: must be a table", id="a table given as a value")
    yield pytest.param("no_such_table", "x = 1", "[no_such_table]: unknown table", id="an unknown table")


SCORING = scoring_tables()
PIPELINE = pipeline_tables()


def _write_config(tmp_path, table, body):
    p = tmp_path / "c.toml"
    p.write_text((f"[{table}]\n" if table else "") + body + "\n", encoding="utf-8")
    tomllib.loads(p.read_text(encoding="utf-8"))  # the test writes valid TOML: the error is the value's
    return p


@pytest.fixture()
def files(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    cands = []
    for k, lines in enumerate(("a b c\nd e f\n", "a b c\nd e g\n", "a b x\nd e f\n")):
        cands.append(d / f"s{k}.txt")
        cands[-1].write_text(lines, encoding="utf-8")
    (d / "a.ar").write_text(AR, encoding="utf-8")
    (d / "in.tsv").write_text("en\tar\nThe cat sleeps.\tالقط ينام.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    return {"cands": cands, "ar": d / "a.ar", "tsv": d / "in.tsv", "out": out}


SCORING_COMMANDS = {
    "select": lambda f, c: ["select", "--candidates", *f["cands"], "--out", f["out"] / "o.txt", "--report",
                            f["out"] / "r.json", "--config", c, "-q"],
    "repair": lambda f, c: ["repair", f["ar"], "--out", f["out"] / "o.txt", "--report", f["out"] / "r.json",
                            "--config", c],
    "corpus build": lambda f, c: ["corpus", "build", f["ar"], "-o", f["out"] / "o.jsonl", "--config", c, "-q"],
}
PIPELINE_COMMANDS = {
    "corpus filter": lambda f, c: ["corpus", "filter", f["tsv"], "-o", f["out"] / "o.jsonl", "--pipeline", c, "-q"],
    "corpus build": lambda f, c: ["corpus", "build", f["ar"], "-o", f["out"] / "o.jsonl", "--pipeline", c, "-q"],
}


def _run(cli, tmp_path, files, args, cfg, needle):
    line = assert_one_line_error(cli(*args), f"{cfg}: {needle}")
    assert line.startswith(f"error: {cfg}: "), line
    assert sorted(p.name for p in files["out"].iterdir()) == [], "something was written"
    return line


@pytest.mark.parametrize("table,body,needle", list(_cases(SCORING, every_value=True)))
def test_every_bad_value_of_every_scoring_parameter(tmp_path, table, body, needle):
    cfg = _write_config(tmp_path, table, body)
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert str(e.value).startswith(f"{cfg}: {needle}") and "\n" not in str(e.value), str(e.value)


@pytest.mark.parametrize("table,body,needle", [
    *_cases(PIPELINE, every_value=True),
    pytest.param("filters.numbers", "enabled = 1", "[filters.numbers] enabled: must be true or false", id="enabled"),
    pytest.param("filters.mine", 'type = ["numbers"]', "[filters.mine] type: unknown filter type", id="type=list"),
    pytest.param("filters.mine", 'type = "nope"', "[filters.mine] type: unknown filter type", id="type=unknown"),
    pytest.param("pipeline", 'tgt_lang = "en"', "[pipeline] tgt_lang: the same language", id="same languages"),
])
def test_every_bad_value_of_every_pipeline_parameter(tmp_path, table, body, needle):
    cfg = _write_config(tmp_path, table, body)
    with pytest.raises(ConfigError) as e:
        load_pipeline_config(cfg)
    assert str(e.value).startswith(f"{cfg}: {needle}") and "\n" not in str(e.value), str(e.value)


# Through each command: every table, with one of its keys and bad values in turn (all of them above).
@pytest.mark.parametrize("command", list(SCORING_COMMANDS))
@pytest.mark.parametrize("table,body,needle", list(_cases(SCORING, every_value=False)))
def test_every_scoring_parameter_in_every_command(cli, tmp_path, files, command, table, body, needle):
    cfg = _write_config(tmp_path, table, body)
    _run(cli, tmp_path, files, SCORING_COMMANDS[command](files, cfg), cfg, needle)


@pytest.mark.parametrize("command", list(PIPELINE_COMMANDS))
@pytest.mark.parametrize("table,body,needle", list(_cases(PIPELINE, every_value=False)))
def test_every_pipeline_parameter_in_every_command(cli, tmp_path, files, command, table, body, needle):
    cfg = _write_config(tmp_path, table, body)
    _run(cli, tmp_path, files, PIPELINE_COMMANDS[command](files, cfg), cfg, needle)


def test_the_walk_covers_every_table_and_key_of_the_shipped_presets():
    """The presets are made of declared tables and keys only (and each preset value passes the check)."""
    from importlib import resources

    for package, tables in (("mtfix.scoring", SCORING), ("mtfix.corpus", PIPELINE)):
        preset = tomllib.loads(resources.files(package).joinpath("presets/default.toml").read_text("utf-8"))
        for section, body in preset.items():
            for name, params in (body.items() if section in ("gates", "filters") else [(None, body)]):
                table = section if name is None else f"{section}.{name}"
                assert table in tables, table
                validate(tables[table], {k: v for k, v in params.items() if k not in ("enabled", "type")}, table)


def test_a_bad_value_is_a_value_error_when_a_class_is_built_directly():
    """The constructors run the same check (ConfigError is a ValueError), so code that builds a scorer,
    gate or filter itself gets the message a config file gets."""
    from mtfix.corpus.filters import DedupFilter
    from mtfix.scoring.consensus import ConsensusScorer
    from mtfix.scoring.gates import FidelityGate

    for build, needle in ((lambda: ConsensusScorer(shared_noise=math.nan), "[consensus] shared_noise: "),
                          (lambda: FidelityGate(min_chrf=101), "[gates.fidelity] min_chrf: "),
                          (lambda: DedupFilter(on="both"), "[filters.dedup] on: must be one of")):
        with pytest.raises(ValueError) as e:
            build()
        assert isinstance(e.value, ConfigError) and needle in str(e.value), str(e.value)


@pytest.mark.parametrize("key", metric_keys())
def test_every_metric_parameter(key):
    """evaluate takes no config file: its metrics' parameters come from options and the API, checked alike."""
    from mtfix.metrics.corpus import MetricOptions
    from mtfix.metrics.registry import get_metric

    cls = get_metric(key)
    for name in cls.PARAMS:
        for what, value in bad_values(cls, name).items():
            with pytest.raises(MtfixError) as e:
                MetricOptions(metrics=(key,), params={key: {name: value}})
            assert f"metric {key}: {name}: " in str(e.value) and "\n" not in str(e.value), (what, str(e.value))
    with pytest.raises(MtfixError, match=re.escape(f"metric {key}: no_such_key: unknown key")):
        MetricOptions(metrics=(key,), params={key: {"no_such_key": 1}})


def test_evaluate_options_that_set_metric_parameters(cli, flores_subset, tmp_path):
    out = tmp_path / "o.json"
    r = cli("evaluate", "--ref", flores_subset["en"], "--sys", next(iter(flores_subset["systems"].values())),
            "--tokenize", "no-such-tokenizer", "--json", out)
    assert_one_line_error(r, "no-such-tokenizer", not_written=[out])


def test_a_fluency_weight_without_a_model_names_the_file(cli, tmp_path, files):
    cfg = _write_config(tmp_path, "weights", "fluency = 0.5")
    _run(cli, tmp_path, files, SCORING_COMMANDS["select"](files, cfg), cfg, "[fluency] model: empty")


def test_number_types_accept_whole_numbers_for_fractions():
    class Owner:
        PARAMS = {"x": (NUMBER, 1.0, ""), "n": (int, 1, "")}

    assert validate(Owner, {"x": 2, "n": 0}, "[t]") == {"x": 2, "n": 0}
    with pytest.raises(ConfigError, match=r"\[t\] n: must be a whole number, not 2.0"):
        validate(Owner, {"n": 2.0}, "[t]")


def test_the_readme_example_is_what_mtfix_says(tmp_path):
    from conftest import REPO

    cfg = tmp_path / "my.toml"
    cfg.write_text("[gates.fidelity]\nmin_chrf = 130\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    said = f"`error: {e.value}`".replace(str(cfg), "my.toml")
    assert said in " ".join((REPO / "docs" / "cli.md").read_text(encoding="utf-8").split()), said


PRESET = 'name = "bad"\nhub_id = "x/y"\nfamily = "marian"\ndirections = ["ar-en"]\n'


@pytest.mark.parametrize("body,needle", [
    (PRESET + "limits = 5\n", "limits: must be a table, not 5"),
    (PRESET + "languages = 1\n", "languages: must be a table of strings, not 1"),
    (PRESET.replace('["ar-en"]', '"ar-en"'), "directions: must be a list of strings, not 'ar-en'"),
    (PRESET.replace('"marian"', '"bart"'), "family: must be one of 'marian', 'nllb', 'm2m100', not 'bart'"),
    (PRESET + "[limits]\nmax_source_tokens = 0\n", "[limits] max_source_tokens: must be a finite number >= 1, not 0"),
    (PRESET + "[limits]\nmax_target_tokens = nan\n", "[limits] max_target_tokens: must be a whole number, not nan"),
    (PRESET + "licence = 1\n", "licence: unknown key"),
])
def test_a_bad_model_preset_is_one_line_naming_the_key(cli, tmp_path, monkeypatch, models_dir, body, needle):
    """A preset dropped into the models dir (read by every command that looks a model up) used to be a
    traceback when a value had the wrong shape (``limits = 5``)."""
    import shutil

    d = tmp_path / "models"
    shutil.copytree(models_dir, d)
    (d / "bad.toml").write_text(body, encoding="utf-8")
    monkeypatch.setenv("MTFIX_MODELS_DIR", str(d))
    src = tmp_path / "in.ar"
    src.write_text(AR, encoding="utf-8")
    for args in (["models", "list"], ["translate", src, "--src", "ar", "--tgt", "en", "-m", "bad", "-o", tmp_path / "o"]):
        assert_one_line_error(cli(*args), f"preset {d / 'bad.toml'}: {needle}", not_written=[tmp_path / "o"])


@pytest.mark.parametrize("command", ["select", "corpus filter"])
def test_the_config_file_itself_missing_a_folder_binary_or_a_pipe(cli, tmp_path, files, command):
    """``--config <(cmd)`` was "no such config file" (a pipe is no regular file); a folder was "no such file";
    a PNG "config is not UTF-8" where every other input says binary."""
    import os
    import threading

    args = (lambda c: SCORING_COMMANDS["select"](files, c)) if command == "select" else \
        (lambda c: PIPELINE_COMMANDS["corpus filter"](files, c))
    what = "config" if command == "select" else "pipeline"
    folder = tmp_path / "folder"
    folder.mkdir()
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    for path, words in ((tmp_path / "nope.toml", f"no such {what} file"), (folder, f"is a folder, expected a {what}"),
                        (png, "looks binary (a PNG image)")):
        assert_one_line_error(cli(*args(path)), str(path), words)
        assert list(files["out"].iterdir()) == []
    pipe = tmp_path / "c.fifo"
    os.mkfifo(pipe)
    body = "[selection]\nz = -2\n" if command == "select" else "[filters.numbers]\nmax_changed = -2\n"

    def feed():
        with open(pipe, "w", encoding="utf-8") as f:
            f.write(body)

    threading.Thread(target=feed, daemon=True).start()
    assert_one_line_error(cli(*args(pipe)), f"{pipe}: [", "must be a finite number >= 0, not -2")


@pytest.mark.parametrize("huge", ["9" * 5000, "[" * 5000 + "]" * 5000], ids=["5000-digit number", "nested 5000 deep"])
def test_a_whole_number_too_long_to_read_is_invalid_toml_not_a_traceback(cli, tmp_path, files, models_dir,
                                                                         monkeypatch, huge):
    """tomllib raises a plain ValueError (not TOMLDecodeError) for a number of over 4300 digits, and a
    RecursionError (a traceback, before mtfix.tomlcompat.loads) for arrays or tables nested too deeply."""
    import shutil

    cfg = _write_config(tmp_path, "selection", "z = 1")
    cfg.write_text(f"[selection]\nz = {huge}\n", encoding="utf-8")
    _run(cli, tmp_path, files, SCORING_COMMANDS["select"](files, cfg), cfg, "not valid TOML")
    _run(cli, tmp_path, files, PIPELINE_COMMANDS["corpus filter"](files, cfg), cfg, "not valid TOML")
    gloss = tmp_path / "g.toml"
    gloss.write_text(f"[[term]]\nsource = 'SDF'\ntarget = 'قسد'\nx = {huge}\n", encoding="utf-8")
    assert_one_line_error(cli("check", files["ar"], "-g", gloss), "g.toml", "not valid TOML")
    d = tmp_path / "models"
    shutil.copytree(models_dir, d)
    (d / "bad.toml").write_text(PRESET + f"[limits]\nmax_source_tokens = {huge}\n", encoding="utf-8")
    monkeypatch.setenv("MTFIX_MODELS_DIR", str(d))
    assert_one_line_error(cli("models", "list"), "bad.toml", "cannot be read")
