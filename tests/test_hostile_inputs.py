"""A demanding user's inputs, command by command: a pipe where a file is expected (``<(...)``, a FIFO),
Ctrl-C in the middle of writing, an output that already exists."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, assert_one_line_error, leftovers

AR = "هو لا يزال يشكل تهديدا للسكان.\nتحليل بي بي سي العربية للأحداث.\n"


def _fifo(tmp_path: Path, data: bytes, name: str = "in.fifo") -> Path:
    """A named pipe that a thread fills with ``data`` once a reader opens it (as a shell's ``<(...)``)."""
    p = tmp_path / name
    os.mkfifo(p)

    def feed():
        with open(p, "wb") as f:
            f.write(data)

    threading.Thread(target=feed, daemon=True).start()
    return p


@pytest.mark.parametrize("args", [["check"], ["check", "--json"], ["fix"], ["fix", "--diff"], ["fix", "-o", "OUT"]])
def test_a_pipe_is_read_like_stdin(cli, seed_path, tmp_path, args):
    """check and fix read their input twice; a pipe read twice was empty the second time: `check <(cat a.txt)`
    said "is empty", `fix <(cat a.txt)` wrote nothing at all. A pipe is now copied once, as stdin is."""
    out = tmp_path / "o.txt"
    want = cli(*[a if a != "OUT" else out for a in args], seed_path)
    expected = out.read_bytes() if out.exists() else None
    if out.exists():
        out.unlink()
    got = cli(*[a if a != "OUT" else out for a in args], _fifo(tmp_path, seed_path.read_bytes()))
    assert got.exit_code == want.exit_code == 1, got.output
    assert got.stdout.replace(str(tmp_path / "in.fifo"), "F") == want.stdout.replace(str(seed_path), "F")
    if expected is not None:
        assert out.read_bytes() == expected


def test_a_bad_pipe_is_one_line_naming_it(cli, tmp_path):
    for data, words in ((b"", "is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "looks binary (a PNG image)"),
                        (b"caf\xe9\n", "not UTF-8")):
        for command in ("check", "fix"):
            p = _fifo(tmp_path, data, f"{command}-{len(data)}.fifo")
            assert_one_line_error(cli(command, p), p.name, words)


# ------------------------------------------------------------------ Ctrl-C while writing


def _interrupt_when(args: list[str], cwd: Path, ready, sig=signal.SIGINT) -> subprocess.CompletedProcess:
    """Run ``mtfix ARGS``, send ``sig`` (SIGINT) as soon as ``ready()`` (polled) is true, return the result."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    p = subprocess.Popen([sys.executable, "-m", "mtfix", *map(str, args)], cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not ready() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert p.poll() is None, f"the run ended before the moment to interrupt it: {p.returncode}"
    p.send_signal(sig)
    out, err = p.communicate(timeout=120)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def test_ctrl_c_while_fix_writes_its_output_leaves_nothing(seed_path, tmp_path):
    """The moment: fix's temporary output exists (it writes piece by piece). Exit 130, no traceback, no
    output, no temporary file."""
    big = tmp_path / "big.ar"
    big.write_text(seed_path.read_text(encoding="utf-8") * 600, encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    r = _interrupt_when(["fix", big, "-o", out_dir / "o.ar"], tmp_path, lambda: leftovers(out_dir) != [])
    assert r.returncode == 130, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 1, r.stderr
    assert list(out_dir.iterdir()) == []


def test_sigterm_while_fix_writes_its_output_leaves_nothing(seed_path, tmp_path):
    """`kill` or `timeout` (SIGTERM) ended the process at once, its .part file left beside the output;
    it now stops the run as Ctrl-C does, with exit code 143."""
    big = tmp_path / "big.ar"
    big.write_text(seed_path.read_text(encoding="utf-8") * 600, encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    r = _interrupt_when(["fix", big, "-o", out_dir / "o.ar"], tmp_path, lambda: leftovers(out_dir) != [],
                        signal.SIGTERM)
    assert r.returncode == 143, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 1, r.stderr
    assert list(out_dir.iterdir()) == []


def _flores_tsv(shared_data, tmp_path, *, times: int):
    """FLORES-200 devtest en/ar ``times`` over as one TSV, and an empty output folder beside it."""
    en = (shared_data / "flores200-devtest/eng_Latn.txt").read_text(encoding="utf-8").splitlines()
    ar = (shared_data / "flores200-devtest/arb_Arab.txt").read_text(encoding="utf-8").splitlines()
    tsv = tmp_path / "in.tsv"
    tsv.write_text("en\tar\n" + "".join(f"{e}\t{a}\n" for e, a in zip(en * times, ar * times)), encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    return tsv, out_dir


def test_sigterm_while_corpus_filter_works_keeps_its_resumable_work_and_no_worker_speaks(shared_data, tmp_path):
    """Worker processes keep SIGTERM's default (a pool's terminate() ends them with it): no traceback of
    theirs; the run says where its work is, as after Ctrl-C, and the rerun finishes."""
    tsv, out_dir = _flores_tsv(shared_data, tmp_path, times=10)
    args = ["corpus", "filter", tsv, "-o", out_dir / "o.jsonl", "-q", "--workers", "2", "--chunk-size", "200"]
    r = _interrupt_when(args, tmp_path, lambda: (out_dir / "o.jsonl.partial").exists(), signal.SIGTERM)
    assert r.returncode == 143 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) <= 1 and not (out_dir / "o.jsonl").exists(), r.stderr
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    again = subprocess.run([sys.executable, "-m", "mtfix", *map(str, args)], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and (out_dir / "o.jsonl").exists(), again.stderr


@pytest.mark.slow
def test_ctrl_c_while_corpus_filter_works_keeps_only_its_resumable_work(shared_data, tmp_path):
    """The moment: the work dir exists. Exit 130, one line naming it, no final output; the rerun finishes."""
    tsv, out_dir = _flores_tsv(shared_data, tmp_path, times=30)
    args = ["corpus", "filter", tsv, "-o", out_dir / "o.jsonl", "-q", "--workers", "1"]
    r = _interrupt_when(args, tmp_path, lambda: (out_dir / "o.jsonl.partial").exists())
    assert r.returncode == 130 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) <= 1 and not (out_dir / "o.jsonl").exists()
    assert [p.name for p in out_dir.iterdir()] in ([], ["o.jsonl.partial"])


# ------------------------------------------------------------------ an output that exists


@pytest.fixture()
def inputs(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.ar").write_text(AR, encoding="utf-8")
    (d / "bad.ar").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    cands = []
    for k, lines in enumerate(("a b c\nd e f\n", "a b c\nd e g\n", "a b x\nd e f\n")):
        cands.append(d / f"s{k}.txt")
        cands[-1].write_text(lines, encoding="utf-8")
    (d / "in.tsv").write_text("en\tar\nThe cat sleeps.\tالقط ينام.\n", encoding="utf-8")
    (d / "bad.tsv").write_bytes(b"")
    return {"ar": d / "a.ar", "bad": d / "bad.ar", "cands": cands, "tsv": d / "in.tsv", "bad_tsv": d / "bad.tsv"}


COMMANDS = {  # command -> (arguments, given good or bad input and the output)
    "fix": lambda i, good, o: ["fix", i["ar"] if good else i["bad"], "-o", o],
    "repair": lambda i, good, o: ["repair", i["ar"] if good else i["bad"], "-o", o],
    "select": lambda i, good, o: ["select", "--candidates", *i["cands"][:2], i["cands"][2] if good else i["bad"],
                                  "-o", o, "-q"],
    "corpus filter": lambda i, good, o: ["corpus", "filter", i["tsv"] if good else i["bad_tsv"], "-o", o, "-q"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_output_is_replaced_by_a_run_that_succeeds_and_kept_by_one_that_fails(cli, inputs, tmp_path,
                                                                                          command):
    """As the README says: an output that exists is replaced, whole, only when the run succeeds."""
    out = tmp_path / ("o.jsonl" if command.startswith("corpus") else "o.txt")
    out.write_bytes(b"an earlier run's output\n")
    assert_one_line_error(cli(*COMMANDS[command](inputs, False, out)), unchanged={out: b"an earlier run's output\n"})
    r = cli(*COMMANDS[command](inputs, True, out))
    assert r.exit_code in (0, 1), r.output
    assert out.read_bytes() != b"an earlier run's output\n" and out.read_bytes().strip()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_an_output_under_a_file_says_the_file_is_no_folder(cli, inputs, command):
    """``-o a.ar/x`` said "folder a.ar does not exist" of a file that exists."""
    parent = inputs["ar"]
    line = assert_one_line_error(cli(*COMMANDS[command](inputs, True, parent / "x")))
    assert line.endswith(f"{parent} is a file, not a folder"), line


def test_a_segment_long_enough_to_stall_ter_is_warned_about_on_one_line(cli, seed_path, tmp_path):
    """sacrebleu's TER took 26 s on one pair of unrelated 500-word lines (loaded machine) and never ended on a
    3 MB line: evaluate says so before it starts, on one line, and how to leave TER out."""
    words = seed_path.read_text(encoding="utf-8").split()[:300]
    ref, hyp = tmp_path / "ref.txt", tmp_path / "hyp.txt"
    ref.write_text(" ".join(words) + "\nshort line\n", encoding="utf-8")
    hyp.write_text(" ".join(words[:5] + ["X"] + words[6:]) + "\nshort line\n", encoding="utf-8")
    r = cli("evaluate", "--ref", ref, "--sys", hyp, "--paired", "none", "-q", "--json", tmp_path / "e.json")
    warned = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert r.exit_code == 0 and len(warned) == 1, r.output
    assert warned[0].startswith("warning: line 1 has 300 words: TER") and warned[0].endswith("leaves TER out")
    r = cli("evaluate", "--ref", ref, "--sys", hyp, "--paired", "none", "-q", "--metric", "bleu,chrf")
    assert r.exit_code == 0 and "warning" not in r.stderr


def test_evaluate_names_a_long_output_path_on_one_line(cli, flores_subset, tmp_path):
    """rich wrapped "wrote PATH" (and the progress lines) at 80 columns: a script grepping the path got half."""
    deep = tmp_path / ("a-rather-long-folder-name-" * 4)
    deep.mkdir()
    out = deep / "report-with-a-long-name.json"
    r = cli("evaluate", "--ref", flores_subset["en"], "--sys", next(iter(flores_subset["systems"].values())),
            "--paired", "none", "--json", out)
    assert r.exit_code == 0 and f"wrote {out}" in r.stdout.splitlines(), r.stdout


def test_an_empty_model_name_is_refused_not_taken_for_the_default(cli, tmp_path):
    """``translate -m ""`` (an unset shell variable) silently translated with the default model."""
    src = tmp_path / "in.ar"
    src.write_text(AR, encoding="utf-8")
    assert_one_line_error(cli("translate", src, "--src", "ar", "--tgt", "en", "-m", "", "-o", tmp_path / "o"),
                          "empty model name", not_written=[tmp_path / "o"])


@pytest.mark.parametrize("args", [["-o", "-"], ["-o", "k.jsonl", "--dropped", "-"], ["-o", "k.jsonl", "--summary", "-"],
                                  ["-o", "/dev/null"], ["-o", "k.jsonl", "--dropped", "/dev/null"]])
def test_a_corpus_output_of_dash_is_refused_not_made_a_folder_named_dash(cli, tmp_path, monkeypatch, args):
    """``corpus filter -o -`` wrote a Hugging Face dataset into a folder named ``-``, exit 0; ``-o /dev/stdout``
    (no suffix: a dataset folder) was refused as "a file"."""
    (tmp_path / "in.tsv").write_text("en\tar\nThe cat sleeps.\tالقط ينام.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(cli("corpus", "filter", "in.tsv", *args, "-q"), "not stdout")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tsv"]


DASH = {  # command -> (arguments writing OUT, given the inputs)
    "fix": lambda i, o: ["fix", i["ar"], "-o", o],
    "repair": lambda i, o: ["repair", i["ar"], "-o", o],
    "repair --report": lambda i, o: ["repair", i["ar"], "-o", i["ar"].parent / "r.txt", "--report", o],
    "select": lambda i, o: ["select", "--candidates", *i["cands"], "-o", o, "-q"],
    "select --report": lambda i, o: ["select", "--candidates", *i["cands"], "-o", i["ar"].parent / "s.txt",
                                     "--report", o, "-q"],
}


@pytest.mark.parametrize("args", [["-o", ""], ["-o", ".."], ["-o", "k.jsonl", "--summary", ""],
                                  ["-o", "k.jsonl", "--dropped", ""]])
@pytest.mark.parametrize("command", ["filter", "build"])
def test_a_corpus_output_without_a_name_is_one_line(cli, inputs, tmp_path, monkeypatch, command, args):
    """`corpus filter in.tsv -o ""` was a ValueError traceback (the summary's name is derived from the output's)."""
    monkeypatch.chdir(tmp_path)
    r = cli("corpus", command, inputs["tsv" if command == "filter" else "ar"], *args)
    assert_one_line_error(r, "not a file or folder name", not_written=[tmp_path / "k.jsonl"])


@pytest.mark.parametrize("command", DASH)
def test_an_output_of_dash_is_stdout_not_a_file_named_dash(cli, inputs, tmp_path, monkeypatch, command):
    """``-o -`` wrote a file named ``-`` in the current folder (fix, repair, select, translate, --report -)."""
    monkeypatch.chdir(tmp_path)
    to_file = cli(*DASH[command](inputs, tmp_path / "o.out"))
    to_stdout = cli(*DASH[command](inputs, "-"))
    assert to_stdout.exit_code == to_file.exit_code, to_stdout.output
    assert not (tmp_path / "-").exists()
    written = (tmp_path / "o.out").read_text(encoding="utf-8")
    if command.startswith("repair --report"):  # the report's timings differ from run to run
        assert to_stdout.stdout.startswith("{") and '"signature"' in to_stdout.stdout
    else:
        assert to_stdout.stdout.endswith(written) and written.strip()


@pytest.mark.parametrize("args", [
    ["select", "--candidates", "A", "B", "C", "-o", "-", "--report", "-"],
    ["repair", "A", "--report", "-"],  # the text goes to stdout without --out
    ["fix", "A", "-o", "-", "--json"],
    ["evaluate", "--ref", "A", "--sys", "B", "--json", "-", "--markdown", "-"],
])
def test_two_outputs_to_stdout_are_one_line(cli, inputs, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    files = {"A": inputs["cands"][0] if args[0] != "repair" and args[0] != "fix" else inputs["ar"],
             "B": inputs["cands"][1], "C": inputs["cands"][2]}
    assert_one_line_error(cli(*[files.get(a, a) for a in args]), "both write to stdout")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("layout", ["bom", "crlf", "bom+crlf"])
def test_repair_gives_the_article_its_layout_back_bom_and_crlf(cli, seed_path, tmp_path, layout):
    """repair dropped a BOM the article had (fix kept it): stage 0 of repair is fix, byte for byte."""
    data = seed_path.read_bytes()
    if "crlf" in layout:
        data = data.replace(b"\n", b"\r\n")
    if "bom" in layout:
        data = b"\xef\xbb\xbf" + data
    src = tmp_path / "a.ar"
    src.write_bytes(data)
    assert cli("fix", src, "-o", tmp_path / "fixed.ar").exit_code == 1
    assert cli("repair", src, "-o", tmp_path / "repaired.ar").exit_code == 0
    assert (tmp_path / "repaired.ar").read_bytes() == (tmp_path / "fixed.ar").read_bytes()


def _layout(lines: list[str], layout: str) -> bytes:
    """``lines`` in a layout: LF, CRLF, mixed (CRLF then LF, alternating), each with a BOM when asked."""
    ends = {"lf": ["\n"], "crlf": ["\r\n"], "mixed": ["\r\n", "\n"]}[layout.replace("bom+", "")]
    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    return ("\ufeff" if "bom" in layout else "").encode("utf-8") + text.encode("utf-8")


def _breaks(data: bytes) -> list[bytes]:
    return [b"\r\n" if line.endswith(b"\r") else b"\n" for line in data.split(b"\n")[:-1]]


@pytest.mark.parametrize("layout", ["lf", "crlf", "mixed", "bom+crlf"])
def test_select_keeps_the_line_breaks_and_bom_of_its_candidates(cli, tmp_path, layout):
    """select wrote LF for CRLF candidates (fix and repair keep CRLF): the chosen lines are now written as
    the first candidate's lines end, its BOM kept."""
    a = ["القط ينام على السرير الكبير.", "الكلب يركض بسرعة في الحديقة.", "ذهب الولد إلى المدرسة صباحا."]
    b = ["القط نائم على السرير.", "الكلب يجري بسرعة.", "ذهب الطفل إلى المدرسة."]
    (tmp_path / "a.ar").write_bytes(_layout(a, layout))
    (tmp_path / "b.ar").write_bytes(_layout(b, "lf"))
    r = cli("select", "--candidates", tmp_path / "a.ar", tmp_path / "b.ar", "--out", tmp_path / "o.ar")
    assert r.exit_code == 0, r.output
    out = (tmp_path / "o.ar").read_bytes()
    given = (tmp_path / "a.ar").read_bytes()
    assert _breaks(out) == _breaks(given) and out.startswith(b"\xef\xbb\xbf") == ("bom" in layout)
    assert out.decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n").splitlines() == a  # the text is unchanged


@pytest.mark.parametrize("layout", ["mixed", "bom+crlf"])
def test_translate_keeps_the_line_breaks_and_bom_of_its_input(cli, tiny_models, tmp_path, layout):
    """translate wrote LF for a CRLF input: each output line now ends as its input line did; --json
    stays JSON Lines (LF)."""
    src = tmp_path / "in.ar"
    src.write_bytes(_layout(["هو لا يزال يشكل تهديدا.", "تحليل بي بي سي العربية.", "القط ينام."], layout))
    args = ["translate", src, "--model", tiny_models["marian-ar-en"], "--src", "ar", "--tgt", "en",
            "--backend", "transformers", "--beam", "1", "--no-cache"]
    r = cli(*args, "--out", tmp_path / "o.en")
    assert r.exit_code == 0, r.output
    out = (tmp_path / "o.en").read_bytes()
    assert _breaks(out) == _breaks(src.read_bytes()) and out.startswith(b"\xef\xbb\xbf") == ("bom" in layout)
    r = cli(*args, "--json", "--out", tmp_path / "o.jsonl")
    assert r.exit_code == 0 and b"\r" not in (tmp_path / "o.jsonl").read_bytes(), r.output


def test_a_last_line_without_a_break_gets_the_files_own(tmp_path):
    from mtfix.text.read import read_text_lines

    src = tmp_path / "in.txt"
    src.write_bytes(b"a\r\nb\r\nc")
    layout = read_text_lines(src)
    assert layout.lines == ["a", "b", "c"] and layout.join(["x", "y", "z"]) == "x\r\ny\r\nz\r\n"
    src.write_bytes(b"a\rb\n")  # a lone CR is inside a line (as in sacrebleu), not a break
    assert read_text_lines(src).lines == ["a\rb"]


@pytest.mark.parametrize("command", ["select", "repair --report"])
def test_an_output_of_dash_on_a_full_device_is_one_line(inputs, tmp_path, command):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    args = DASH[command](inputs, "-")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "mtfix", *map(str, args)], stdout=full, stderr=subprocess.PIPE,
                           text=True, cwd=tmp_path, env=env)
    lines = [line for line in p.stderr.splitlines() if line.startswith("error:") or "Traceback" in line]
    assert p.returncode == 2 and lines == ["error: cannot write to stdout: no space left on the device"], p.stderr


@pytest.mark.parametrize("command", ["check", "fix"])
def test_an_empty_glossary_name_says_so(cli, inputs, command):
    """``-g ""`` said ": is a folder, expected a .toml or .tsv glossary" (the empty path is the current folder)."""
    assert_one_line_error(cli(command, inputs["ar"], "-g", ""), "an empty glossary name")


@pytest.mark.parametrize("value", ["inf", "nan", "1e309", "-1", "0"])
@pytest.mark.parametrize("command", ["translate", "repair"])
def test_a_ratio_that_is_not_a_finite_positive_number_is_a_usage_error(cli, inputs, command, value):
    """``--max-output-ratio inf`` loaded the model and failed in the decoder: "model failed (OverflowError ...)"."""
    args = ["translate", inputs["ar"], "--src", "ar", "--tgt", "en"] if command == "translate" else ["repair", inputs["ar"]]
    assert_one_line_error(cli(*args, "--max-output-ratio", value), "Invalid value for '--max-output-ratio'")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("command", ["check", "fix"])
def test_an_endless_binary_device_is_refused_at_once(command, device, tmp_path):
    """``mtfix check /dev/zero`` (or ``- < /dev/zero``) copied the stream on and on: the first megabyte names it."""
    if not Path(device).exists():
        pytest.skip(f"no {device} here")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    for args, source in (([command, device], os.devnull), ([command, "-"], device)):
        with open(source, "rb") as stdin:
            p = subprocess.run([sys.executable, "-m", "mtfix", *args], stdin=stdin, capture_output=True, text=True,
                               cwd=tmp_path, env=env, timeout=60)
        name = device if args[-1] != "-" else "<stdin>"
        assert p.returncode == 2 and p.stderr == f"error: {name}: looks binary (contains NUL bytes); expected UTF-8 text\n"


@pytest.mark.parametrize("args", [["select", "--candidates", "ZERO", "A", "B", "-o", "o.txt"], ["repair", "ZERO"],
                                  ["evaluate", "--ref", "A", "--sys", "ZERO"],
                                  ["translate", "ZERO", "--src", "ar", "--tgt", "en"]])
def test_an_endless_binary_device_is_refused_at_once_everywhere(args, inputs, tmp_path):
    """The whole-file reader read /dev/zero until memory ran out (here: capped at 2 GiB, so a regression fails)."""
    import resource

    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    files = {"ZERO": "/dev/zero", "A": str(inputs["cands"][0]), "B": str(inputs["cands"][1])}
    p = subprocess.run([sys.executable, "-m", "mtfix", *[files.get(a, a) for a in args]], capture_output=True,
                       text=True, cwd=tmp_path, env=env, timeout=120, preexec_fn=cap)
    assert p.returncode == 2 and p.stderr == "error: /dev/zero: looks binary (contains NUL bytes); expected UTF-8 text\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["in"]


@pytest.mark.parametrize("command", ["fix", "repair", "select"])
def test_a_long_output_name_that_the_file_system_takes_is_written(cli, inputs, tmp_path, command):
    """A 240-byte name (120 Arabic letters: an article's title) is a valid file name, but its temporary name
    (``.NAME.mtfix-PID-XXXX.part``) passed 255 bytes: "file name too long". Killed-run leftovers still go."""
    from mtfix.outputs import remove_leftovers, temp_name

    out = tmp_path / ("ق" * 120 + ".txt")
    stale = out.parent / temp_name(out).replace(f"-{os.getpid()}-", "-999999999-")  # a writer long gone
    stale.write_text("left by a killed run", encoding="utf-8")
    r = cli(*COMMANDS[command](inputs, True, out))
    assert r.exit_code in (0, 1), r.output
    assert out.read_text(encoding="utf-8").strip() and not stale.exists() and leftovers(tmp_path) == []
    assert remove_leftovers(out) == []


def test_a_jsonl_row_with_a_number_too_long_to_read_is_a_bad_row(cli, tmp_path):
    """json raises a plain ValueError (not JSONDecodeError) for a number of over 4300 digits: a traceback."""
    rows = tmp_path / "in.jsonl"
    rows.write_text('{"en": "The cat.", "ar": "القط."}\n{"en": "x", "ar": "y", "n": ' + "9" * 5000 + "}\n",
                    encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert_one_line_error(cli("corpus", "filter", rows, "-o", out, "-q"), "in.jsonl:2: not JSON", not_written=[out])
    r = cli("corpus", "filter", rows, "-o", out, "-q", "--skip-bad")
    assert r.exit_code == 0, r.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert len((tmp_path / "o.rejects.jsonl").read_text(encoding="utf-8").splitlines()) == 1


HUGE = "9" * 23  # past a C long


@pytest.mark.parametrize("args, option", [
    (["evaluate", "--ref", "C0", "--sys", "C1", "--sys", "C2", "--bs-n", HUGE], "--bs-n"),
    (["evaluate", "--ref", "C0", "--sys", "C1", "--sys", "C2", "--ar-n", HUGE], "--ar-n"),
    (["translate", "AR", "--src", "ar", "--tgt", "en", "--threads", HUGE], "--threads"),
    (["translate", "AR", "--src", "ar", "--tgt", "en", "--beam", HUGE], "--beam"),
    (["repair", "AR", "--beam", "1025"], "--beam"),
    (["corpus", "build", "AR", "-o", "OUT", "--threads", "4097"], "--threads"),
    (["corpus", "filter", "TSV", "-o", "OUT", "--workers", "100000"], "--workers"),
    (["corpus", "build", "AR", "-o", "OUT", "--workers", "1025"], "--workers"),
])
def test_a_number_no_library_takes_is_a_usage_error(cli, inputs, tmp_path, args, option):
    """--bs-n/--ar-n past a C long were numpy tracebacks, --threads one from torch, --beam a model
    failure, --workers 100000 started that many Python processes (from a run's second chunk on); now each has
    a bound, checked before any work."""
    files = {"AR": inputs["ar"], "TSV": inputs["tsv"], "OUT": tmp_path / "o.jsonl",
             **{f"C{k}": c for k, c in enumerate(inputs["cands"])}}
    r = cli(*[files.get(a, a) for a in args])
    assert_one_line_error(r, f"Invalid value for '{option}'", "less than or equal to", not_written=[files["OUT"]])


def test_more_jobs_than_comparisons_is_the_same_evaluation(cli, inputs):
    """--jobs 10**23 asked sacrebleu for a pool of that many processes: the run hung. A test has one
    task per system compared with the baseline, so more workers than that are never started."""
    c = inputs["cands"]
    args = ["evaluate", "--ref", c[0], "--sys", c[1], "--sys", c[2], "--paired", "bs", "--bs-n", "50", "--json", "-",
            "-q"]
    one, many = cli(*args, "--jobs", "1"), cli(*args, "--jobs", HUGE)
    assert one.exit_code == many.exit_code == 0, many.output
    assert many.stdout == one.stdout


def test_out_of_memory_is_one_line(cli, inputs, monkeypatch):
    """A run larger than the machine (sacrebleu holds samples x segments at once) is one line, not a
    MemoryError traceback."""
    import mtfix.evaluate.core

    def too_big(*a, **k):
        raise MemoryError()

    monkeypatch.setattr(mtfix.evaluate.core, "evaluate_files", too_big)
    c = inputs["cands"]
    assert_one_line_error(cli("evaluate", "--ref", c[0], "--sys", c[1]), "out of memory")


def _loop(tmp_path) -> Path:
    a, b = tmp_path / "loop-a", tmp_path / "loop-b"
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    return a


@pytest.mark.parametrize("command", [*COMMANDS, "evaluate --json", "select --report"])
def test_an_output_that_is_a_loop_of_symlinks_is_one_line(cli, inputs, tmp_path, command):
    """`-o loop` (a -> b -> a) was a RuntimeError traceback from Path.resolve(); the loop is left as it was."""
    loop = _loop(tmp_path)
    c = inputs["cands"]
    args = {"evaluate --json": ["evaluate", "--ref", c[0], "--sys", c[1], "--json", loop, "-q"],
            "select --report": ["select", "--candidates", *c, "-o", tmp_path / "o.txt", "--report", loop, "-q"]
            }.get(command) or COMMANDS[command](inputs, True, loop)
    assert_one_line_error(cli(*args), f"cannot write {loop}: too many levels of symbolic links",
                          not_written=[tmp_path / "o.txt"])
    assert os.readlink(loop) == "loop-b" and leftovers(tmp_path) == []


@pytest.mark.parametrize("args", [["check", "LOOP"], ["fix", "LOOP"], ["translate", "LOOP", "--src", "ar", "--tgt", "en"],
                                  ["select", "--candidates", "C0", "LOOP", "-o", "OUT"],
                                  ["evaluate", "--ref", "LOOP", "--sys", "C0"], ["corpus", "filter", "LOOP", "-o", "OUTJ"],
                                  ["select", "--candidates", "C0", "C1", "-o", "OUT", "--config", "LOOP"]])
def test_an_input_that_is_a_loop_or_a_dangling_symlink_says_so(cli, inputs, tmp_path, args):
    """A loop of symlinks given as an input was "no such file" (select: a traceback); `ls` shows the name."""
    loop = _loop(tmp_path)
    files = {"LOOP": loop, "OUT": tmp_path / "o.txt", "OUTJ": tmp_path / "o.jsonl", **{f"C{k}": c for k, c in enumerate(inputs["cands"])}}
    assert_one_line_error(cli(*[files.get(a, a) for a in args]), f"{loop}: is a symbolic link to nothing",
                          not_written=[files["OUT"], files["OUTJ"]])


@pytest.mark.parametrize("args", [["check", ""], ["fix", ""], ["select", "--candidates", "", "C0", "-o", "OUT"]])
def test_an_empty_file_name_says_so(cli, inputs, tmp_path, args):
    """`mtfix check ""` said ": is a folder, expected a text file" (Path("") is the current folder)."""
    files = {"OUT": tmp_path / "o.txt", "C0": inputs["cands"][0]}
    assert_one_line_error(cli(*[files.get(a, a) for a in args]), "an empty file name", not_written=[files["OUT"]])


# ------------------------------------------------------------------ an output named as a folder

FILE_OUTPUTS = {  # an option that writes one file -> the arguments that give it OUT
    "translate --out": lambda i, o: ["translate", i["ar"], "--src", "ar", "--tgt", "en", "-o", o],
    "fix --out": lambda i, o: ["fix", i["ar"], "-o", o],
    "repair --out": lambda i, o: ["repair", i["ar"], "-o", o],
    "repair --report": lambda i, o: ["repair", i["ar"], "-o", "r.txt", "--report", o],
    "repair --html": lambda i, o: ["repair", i["ar"], "--html", o],
    "select --out": lambda i, o: ["select", "--candidates", *i["cands"], "-o", o, "-q"],
    "select --report": lambda i, o: ["select", "--candidates", *i["cands"], "-o", "s.txt", "--report", o, "-q"],
    "evaluate --json": lambda i, o: ["evaluate", "--ref", i["cands"][0], "--sys", i["cands"][1], "--json", o, "-q"],
    "evaluate --segments": lambda i, o: ["evaluate", "--ref", i["cands"][0], "--sys", i["cands"][1], "--segments", o],
    "corpus filter --summary": lambda i, o: ["corpus", "filter", i["tsv"], "-o", "k.jsonl", "--summary", o, "-q"],
    "corpus filter --rejects": lambda i, o: ["corpus", "filter", i["tsv"], "-o", "k.jsonl", "--skip-bad",
                                             "--rejects", o, "-q"],
}


@pytest.mark.parametrize("ending", ["/", "/."])
@pytest.mark.parametrize("option", FILE_OUTPUTS)
def test_a_file_output_named_as_a_folder_is_refused_not_written_as_a_file(cli, inputs, tmp_path, monkeypatch, option,
                                                                          ending):
    """``fix in.txt -o newdir/`` wrote a *file* named ``newdir`` (typer's Path() drops the slash), exit 1. A name
    ending in ``/`` (or ``/.``) is a folder, as ``cp`` reads it, and these options write one file: refused before
    any work, nothing made; an existing folder so named is refused alike."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.jsonl").mkdir()
    for name in ("new.jsonl", "old.jsonl"):
        r = cli(*FILE_OUTPUTS[option](inputs, name + ending))
        assert_one_line_error(r, f"cannot write {name}{ending}: the name ends in", "so it is a folder",
                              option.split()[-1] + " writes a file")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "old.jsonl"]
        assert list((tmp_path / "old.jsonl").iterdir()) == []


def test_a_corpus_output_named_as_a_folder_is_a_dataset_folder(cli, inputs, tmp_path, monkeypatch):
    """``corpus filter -o kept.jsonl/`` wrote a JSONL file (the slash dropped); ``writers.parse_output`` reads a
    trailing ``/`` as a dataset folder whatever the suffix, and now it is given the name as typed."""
    monkeypatch.chdir(tmp_path)
    r = cli("corpus", "filter", inputs["tsv"], "-o", "kept.jsonl/", "--dropped", "dropped.tsv/.", "-q")
    assert r.exit_code == 0, r.output
    for name in ("kept.jsonl", "dropped.tsv"):
        assert (tmp_path / name / "state.json").is_file() and (tmp_path / name / "dataset_info.json").is_file()
    assert (tmp_path / "kept.summary.json").is_file()


def test_ctrl_c_between_the_renames_of_several_outputs_leaves_all_or_none(cli, inputs, tmp_path, monkeypatch):
    """``select -o O --report R``: Ctrl-C after O was renamed into place and before R was left O without its
    report (the README: several outputs appear together or not at all). The renames now hold Ctrl-C and
    SIGTERM until the last is done; the interrupt then ends the run as usual."""
    import signal

    import mtfix.outputs

    real = os.replace

    def replace_then_ctrl_c(a, b):
        real(a, b)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C right after the first output is in place

    monkeypatch.setattr(mtfix.outputs.os, "replace", replace_then_ctrl_c)
    out, report = tmp_path / "o.txt", tmp_path / "r.json"
    r = cli("select", "--candidates", *inputs["cands"], "-o", out, "--report", report, "-q")
    assert r.exit_code != 0 and "Traceback" not in r.output, r.output  # the interrupt still ends the run
    assert out.is_file() and report.is_file() and leftovers(tmp_path) == []


def test_a_file_name_that_is_not_utf8_is_written_escaped_never_a_traceback(cli, inputs, tmp_path, monkeypatch):
    """A file named with a byte that is not UTF-8 (``bad\\xff.txt``: Python reads it as ``bad\\udcff.txt``) was a
    UnicodeEncodeError traceback wherever it was written: as an output (its temporary name), in a report, in a
    corpus record. Outputs are UTF-8: such a name is written escaped, as JSON escapes it (``\\udcff``)."""
    import json

    monkeypatch.chdir(tmp_path)
    bad = os.fsdecode(b"bad\xff")
    (tmp_path / f"{bad}.ar").write_bytes(inputs["ar"].read_bytes())
    (tmp_path / f"{bad}.tsv").write_bytes(inputs["tsv"].read_bytes())
    cands = [str(c) for c in inputs["cands"]]
    for args in (["fix", f"{bad}.ar", "-o", f"{bad}-fixed.ar"],
                 ["repair", f"{bad}.ar", "-o", f"{bad}-o.ar", "--report", f"{bad}-r.json", "--html", f"{bad}.html"],
                 ["select", "--candidates", *cands[:2], f"{bad}={cands[2]}", "-o", f"{bad}-s.txt", "--report",
                  "s.json", "-q"],
                 ["evaluate", "--ref", cands[0], "--sys", f"{bad}={cands[1]}", "--json", f"{bad}-e.json", "-q"],
                 ["corpus", "filter", f"{bad}.tsv", "-o", "k.jsonl", "-o", "k.parquet", "-o", "k.tsv", "-q"]):
        r = cli(*args)
        assert r.exit_code in (0, 1) and "Traceback" not in r.output, (args, r.output, r.exception)
    assert (tmp_path / f"{bad}-fixed.ar").read_bytes() and (tmp_path / f"{bad}.html").read_bytes()
    assert json.loads((tmp_path / f"{bad}-r.json").read_text(encoding="utf-8"))["signature"]
    for report in ("s.json", f"{bad}-e.json"):  # valid UTF-8 JSON, whose escape reads back as the very name
        assert bad in json.dumps(json.loads((tmp_path / report).read_text(encoding="utf-8")), ensure_ascii=False)
    record = json.loads((tmp_path / "k.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert record["source"] == "bad\\udcff.tsv"  # the name's odd byte, as text that says which it was
    assert leftovers(tmp_path) == []


def test_a_split_given_for_an_input_without_splits_is_one_line(cli, inputs, tmp_path):
    """``corpus filter in.tsv --split tset`` ran and ignored the option (only a dataset folder has splits), so
    a run meant for a dataset's split went unnoticed on the wrong input."""
    r = cli("corpus", "filter", inputs["tsv"], "-o", tmp_path / "k.jsonl", "--split", "tset", "-q")
    assert_one_line_error(r, "--split tset picks a split of a dataset folder; the input is tsv",
                          not_written=[tmp_path / "k.jsonl"])


# ------------------------------------------------------------------ noticed last session, fixed in this one

@pytest.mark.parametrize("content", ["SDF\tقوات سوريا الديمقراطية\n",
                                     '# mine\n[[term]]\nsource = "SDF"\ntarget = "قوات سوريا الديمقراطية"\n'])
def test_a_glossary_from_a_pipe_is_read_by_its_content(cli, seed_path, tmp_path, content):
    """``-g <(cmd)`` (``/dev/fd/63``: a name without an extension) said "unknown glossary format": its
    format is told by its content, a ``[`` table (TOML) or a tab between columns (TSV)."""
    r = cli("fix", seed_path, "-g", _fifo(tmp_path, content.encode(), "63"))
    assert r.exit_code in (0, 1), r.output
    assert "قوات سوريا الديمقراطية القائد الميداني" in r.stdout and "(قسد)" not in r.stdout


def test_a_glossary_whose_name_and_content_say_no_format_says_what_is_needed(cli, seed_path, tmp_path):
    out = tmp_path / "o.txt"
    r = cli("fix", seed_path, "-g", _fifo(tmp_path, "SDF = قسد\n".encode(), "63"), "-o", out)
    assert_one_line_error(r, "63", "[[term]]", "source<TAB>target", not_written=[out])


def test_a_cache_inside_the_work_dir_is_refused_before_any_work(cli, inputs, tmp_path):
    """``--cache wd/c.sqlite --work-dir wd`` ran, and the next run refused the work dir: it "holds other
    files" (the cache). The cache is refused there at once, the work dir left as it was."""
    wd = tmp_path / "wd"
    wd.mkdir()
    out = tmp_path / "k.jsonl"
    for cache in (wd / "c.sqlite", tmp_path / "k.jsonl.partial" / "c.sqlite"):  # given, and the default
        cache.parent.mkdir(exist_ok=True)
        args = ["--work-dir", wd] if cache.parent == wd else []
        r = cli("corpus", "filter", inputs["tsv"], "-o", out, "--back-model", "no-such-model", "--cache", cache,
                *args, "-q")
        assert_one_line_error(r, f"--cache {cache} is inside the work dir", not_written=[out, cache])
        assert list(cache.parent.iterdir()) == []


def test_ray_with_a_file_name_that_is_not_utf8_names_it(inputs, tmp_path):
    """``--ray`` with ``bad\\xff.tsv`` said "cannot start or reach a Ray cluster ('utf-8' codec can't encode
    character '\\udcff' ...)": the cluster was fine; Ray sends the command line as UTF-8."""
    pytest.importorskip("ray")
    bad = os.fsdecode(b"bad\xff.tsv")
    (tmp_path / bad).write_bytes(inputs["tsv"].read_bytes())
    r = subprocess.run([sys.executable, "-m", "mtfix", "corpus", "filter", bad, "-o", "k.jsonl", "--ray", "local",
                        "-q"], cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                       timeout=120)
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "error: --ray local: the name bad\\xff.tsv is not UTF-8, and Ray passes the command line and folder to its "
        "cluster as UTF-8; rename it (or link it under a UTF-8 name), or run without --ray"], r.stderr
    assert not (tmp_path / "k.jsonl").exists() and leftovers(tmp_path) == []
