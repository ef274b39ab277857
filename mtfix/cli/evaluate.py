"""`mtfix evaluate`: Score MT systems with sacrebleu, with significance.

Parses options, calls :mod:`mtfix.evaluate`, prints rich tables and writes the
requested outputs. All the work is in the library.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from mtfix.cli.options import (
    EngineOptions,
    engine_command,
)
from mtfix.errors import MtfixError

_PAIRED = {"both": ("bs", "ar"), "bs": ("bs",), "ar": ("ar",), "none": ()}
#: at most this many resamples or trials: sacrebleu holds samples x segments numbers at once (10**23 was a
#: traceback from numpy), and sacrebleu's own defaults are 1000 and 10000
MAX_SAMPLES = 1_000_000


def _split_metrics(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None  # the registry's defaults
    return tuple(m for v in values for m in v.split(",") if m.strip())


def _check_outputs(outputs: dict[str, str | None], inputs: list, cache=None) -> None:
    from mtfix.outputs import plan_outputs

    plan_outputs(outputs, inputs, cache=cache)  # also: two of them both "-" (stdout)


def evaluate_command(
    ref: Optional[List[Path]] = typer.Option(None, "--ref", "-r", help="Reference file (repeat for several references)."),
    sys_: List[str] = typer.Option(..., "--sys", help="System output: NAME=FILE or FILE (repeat; the first is the baseline)."),
    src: Optional[Path] = typer.Option(None, "--src", help="Source file: line counts checked, shown with the worst segments; needed by --no-ref."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="System NAME to compare the others with (default: the first --sys)."),
    metric: Optional[List[str]] = typer.Option(None, "--metric", help="bleu, chrf, chrf++, ter or a registered metric (repeat or comma-separate; default: the four)."),
    tokenize: str = typer.Option("13a", "--tokenize", "-t", help="BLEU tokenizer (sacrebleu -tok): 13a, intl, char, none, ..."),
    lowercase: bool = typer.Option(False, "--lowercase", "-lc", help="Case-insensitive BLEU and chrF (TER is case-insensitive by sacrebleu's default)."),
    normalize: str = typer.Option("none", "--normalize", "-n", help="Normalisation profile applied to hypotheses and references alike (e.g. arabic, arabic-light, digits); recorded in the signatures."),
    paired: str = typer.Option("both", "--paired", help="Significance tests vs the baseline: both, bs (paired bootstrap), ar (approximate randomization), none."),
    bs_n: int = typer.Option(1000, "--bs-n", min=1, max=MAX_SAMPLES, help="Bootstrap resamples (sacrebleu --paired-bs-n)."),
    ar_n: int = typer.Option(10000, "--ar-n", min=1, max=MAX_SAMPLES, help="Approximate randomization trials (sacrebleu --paired-ar-n)."),
    seed: int = typer.Option(12345, "--seed", min=1, help="RNG seed, as sacrebleu's SACREBLEU_SEED (default 12345, sacrebleu's own)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=0, help="Worker processes for the paired tests (0: automatic)."),
    segments: Optional[str] = typer.Option(None, "--segments", help="Write per-segment sentence BLEU/chrF to this JSONL file."),
    worst: int = typer.Option(5, "--worst", min=0, help="List the N worst segments per system (0: none)."),
    worst_by: str = typer.Option("chrf", "--worst-by", help="Rank segments by sentence chrf or bleu (or a chosen metric with a per-segment column)."),
    json_out: Optional[str] = typer.Option(None, "--json", help="Write the full report as JSON to this file ('-': stdout)."),
    markdown: Optional[str] = typer.Option(None, "--markdown", "--md", help="Write paper-ready markdown tables to this file ('-': stdout)."),
    html_out: Optional[str] = typer.Option(None, "--html", help="Write a self-contained HTML report with a plot of per-segment scores."),
    no_ref: bool = typer.Option(False, "--no-ref", help="Reference-free ESTIMATE: round-trip chrF/BLEU through --back-model against --src."),
    back_model: Optional[str] = typer.Option(None, "--back-model", help="Back-translation model for --no-ref (target language -> source language)."),
    src_lang: Optional[str] = typer.Option(None, "--src-lang", help="Source language code for --no-ref (e.g. ar)."),
    tgt_lang: Optional[str] = typer.Option(None, "--tgt-lang", help="Language of the system outputs for --no-ref (e.g. en)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print the tables on the terminal."),
    *,
    engine: EngineOptions,
):
    """Score MT systems with sacrebleu (BLEU, chrF, chrF++, TER), with significance.

    Example: mtfix evaluate --ref ref.en --sys base=a.en --sys new=b.en --src src.ar --html report.html
    """
    from mtfix.cli.console import console as rich_console
    from mtfix.evaluate import core, render
    from mtfix.metrics.corpus import MetricOptions, segment_keys
    from mtfix.evaluate.segments import segments_jsonl
    from mtfix.outputs import write_all

    if paired not in _PAIRED:
        raise MtfixError(f"--paired must be one of {', '.join(_PAIRED)}, got {paired!r}")
    columns = sorted(segment_keys(MetricOptions(metrics=_split_metrics(metric))), key=lambda k: k != "chrf")
    if worst_by not in columns:
        raise MtfixError(f"--worst-by must be {' or '.join(columns)}, got {worst_by!r}")
    refs = list(ref or [])
    specs = [core.parse_system_spec(s) for s in sys_]
    core.check_baseline(baseline, [s.name for s in specs])  # before any file is read
    if no_ref:
        if refs:
            raise MtfixError("--no-ref and --ref exclude each other: drop --ref for a round-trip estimate, or drop --no-ref")
        if src is None:
            raise MtfixError("--no-ref needs --src: the round trip is scored against the source")
        if not back_model:
            raise MtfixError("--no-ref needs --back-model MODEL to translate the outputs back into the source language")
        if not src_lang or not tgt_lang:
            raise MtfixError("--no-ref needs --src-lang and --tgt-lang (e.g. --src-lang ar --tgt-lang en)")
    elif not refs:
        raise MtfixError("give at least one --ref FILE (or --no-ref with --back-model for a round-trip estimate)")

    inputs = [*refs, *(s.path for s in specs), *([src] if src else [])]
    _check_outputs({"--segments": segments, "--json": json_out, "--markdown": markdown, "--html": html_out}, inputs,
                   cache=engine.cache_file() if no_ref else None)
    if segments == "-":
        raise MtfixError("--segments needs a file path, not '-'")
    if html_out == "-":
        raise MtfixError("--html needs a file path, not '-'")
    to_stdout = "-" in (json_out, markdown)
    console = rich_console(stderr=to_stdout, soft_wrap=False)
    err = rich_console(stderr=True)

    def warn(msg: str) -> None:
        err.print(f"warning: {msg}", markup=False, highlight=False, soft_wrap=True)  # one line, whatever its length

    started = time.monotonic()
    status = None

    def progress(msg: str) -> None:
        """Each phase: the spinner's text on a terminal, a line on stderr otherwise (-q: nothing)."""
        line = f"[{time.monotonic() - started:5.1f} s] {msg}"
        if status is not None:
            status.update(line)
        elif not quiet:
            err.print(line, markup=False, highlight=False, soft_wrap=True)

    opts = MetricOptions(metrics=_split_metrics(metric), tokenize=tokenize, lowercase=lowercase)
    kwargs = dict(
        normalize=normalize, baseline=baseline, tests=_PAIRED[paired], bs_samples=bs_n, ar_samples=ar_n,
        seed=seed, n_jobs=jobs, segments=bool(segments or html_out or worst), n_worst=worst, worst_by=worst_by,
        progress=progress,
    )
    if normalize != "none":
        from mtfix.metrics import resolve_normalizer

        resolve_normalizer(normalize)  # unknown profile: fail before reading anything big

    if no_ref:
        from mtfix.engine import back_translator
        from mtfix.evaluate.roundtrip import ROUNDTRIP_METRICS, roundtrip_evaluate

        hyps, _, src_lines, warnings = core.load_inputs([], specs, src)  # check the files before loading a model
        for w in warnings:
            warn(w)
        # the outputs (tgt_lang) go back into the source language, through the translation cache
        back = back_translator(back_model, src=tgt_lang, tgt=src_lang, cache=engine.open_cache(),
                               **engine.translator_options())
        opts = MetricOptions(metrics=metric and _split_metrics(metric) or ROUNDTRIP_METRICS,
                             tokenize=tokenize, lowercase=lowercase)
        with err.status("back-translating and scoring (round-trip estimate)...") as status:
            status = status if err.is_terminal else None
            report = roundtrip_evaluate(hyps, src_lines, back, model_name=back_model, options=opts,
                                        paths={s.name: str(s.path) for s in specs}, source_name=str(src),
                                        warnings=warnings, **kwargs)
    else:
        with err.status(f"scoring {len(specs)} system{'s' if len(specs) != 1 else ''} with sacrebleu...") as status:
            status = status if err.is_terminal else None
            report = core.evaluate_files(refs, specs, src, options=opts, on_warning=warn, **kwargs)

    rendered: dict[str, str] = {}
    if segments:
        rendered[segments] = segments_jsonl({s.name: s.segments for s in report.systems})
    if json_out:
        rendered[json_out] = render.to_json(report)
    if markdown:
        rendered[markdown] = render.to_markdown(report, worst=worst > 0)
    if html_out:
        rendered[html_out] = render.to_html(report, worst=worst > 0)
    write_all({path: text for path, text in rendered.items() if path != "-"})  # all or nothing
    for path, text in rendered.items():
        if path == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
    if not quiet:
        for r in render.rich_renderables(report, worst=worst > 0):
            console.print(r)
            console.print()
        for path in rendered:
            if path != "-":
                console.print(f"wrote {path}", markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("evaluate", help=evaluate_command.__doc__)(engine_command(evaluate_command))
