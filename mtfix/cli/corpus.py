"""`mtfix corpus`: build a clean parallel corpus (filter a bitext, or repair articles).

A thin shell over :mod:`mtfix.corpus`: parse options, check every output
path before any work, run :class:`~mtfix.corpus.CorpusRun` with a progress
bar, print the summary on stderr.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer

from mtfix.cli.options import (
    BackModelsOpt,
    BackNBestOpt,
    BatchTokensOpt,
    BeamOpt,
    EngineOptions,
    ForwardModelsOpt,
    ForwardNBestOpt,
    MAX_WORKERS,
    MaxOutputRatioOpt,
    ScoringConfigOpt,
    engine_command,
    progress_bar,
)
from mtfix.errors import MtfixError

corpus_app = typer.Typer(
    name="corpus",
    help="Build a clean parallel corpus: filter a noisy bitext (filter) or repair garbled articles (build).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# The output options are text, not Path: a trailing "/" (``-o clean.parquet/``: a dataset folder; ``--summary s/``:
# refused, a file option) would be dropped by Path().
OutOpt = typer.Option(..., "--out", "-o", metavar="PATH",
                      help="Kept pairs: .jsonl, .tsv, .parquet, or a folder name (Hugging Face dataset, save_to_disk "
                      "layout; a name ending in / is always a folder). Repeat for several formats.")
DroppedOpt: Optional[str] = typer.Option(None, "--dropped", metavar="PATH",
                                         help="Also write the dropped pairs (any output format), with every filter's "
                                         "score and the reason.")
RejectsOpt: Optional[str] = typer.Option(None, "--rejects", metavar="PATH",
                                         help="Unreadable input rows (JSONL; with --skip-bad; default "
                                         "<out>.rejects.jsonl).")
SummaryOpt: Optional[str] = typer.Option(None, "--summary", metavar="PATH",
                                         help="Counts kept/dropped per filter and the signature (JSON; default "
                                         "<out>.summary.json).")
PipelineOpt: Optional[Path] = typer.Option(None, "--pipeline", help="Filter pipeline (TOML), laid over the default "
                                                                    "(see `mtfix corpus pipeline`).")
SkipBadOpt = typer.Option(False, "--skip-bad", help="Log unreadable rows to the rejects file and go on (default: "
                                                    "stop at the first with exit 2).")
ChunkOpt = typer.Option(1000, "--chunk-size", min=1, help="Pairs per chunk: the unit of memory and of resuming.")
WorkDirOpt: Optional[Path] = typer.Option(None, "--work-dir", help="Where an unfinished run keeps its state "
                                                                   "(default <first out>.partial; made, and removed "
                                                                   "at the end, in a folder that exists).")
RestartOpt = typer.Option(False, "--restart", help="Discard an unfinished run's state instead of continuing it.")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Print nothing on success.")
RayOpt: Optional[str] = typer.Option(None, "--ray", help="Run on a Ray cluster (input read as shards, filters, "
                                                          "dedup, round trip and outputs on the cluster; same "
                                                          "results): local (start one on this machine), auto (the "
                                                          "running cluster: RAY_ADDRESS or `ray start`), or an "
                                                          "address. Needs Ray: the optional extra named ray.")
ShardsOpt = typer.Option(False, "--shards", help="With --ray: write each --out/--dropped as a folder of parts, "
                                                 "one per shard (clean.parquet/part-00000.parquet ...), written "
                                                 "by the cluster; without it, one file as usual.")
WorkersOpt: Optional[int] = typer.Option(None, "--workers", max=MAX_WORKERS,
                                         help="Processes scoring the filters (default: every usable core); outputs "
                                         "are the same bytes for any number.")


def register(app: typer.Typer) -> None:
    app.add_typer(corpus_app, name="corpus")


def _default_beside(out: Path, suffix: str) -> Path:
    base = out.name.rstrip("/")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return out.with_name(stem + suffix)


def _plan_outputs(outs: List[str], dropped, rejects, summary, skip_bad: bool, inputs: list, cache=None,
                  shards: bool = False, ray: Optional[str] = None, work_dir: Optional[Path] = None):
    """Parse and check every output path (and the work dir against them) before any work."""
    from mtfix.corpus.writers import parse_output
    from mtfix.outputs import check_folder_above, is_stream, plan_outputs

    for option, paths in (("--out", outs), ("--dropped", [dropped]), ("--rejects", [rejects]),
                          ("--summary", [summary])):
        for p in paths:  # "-" made a dataset folder named "-"; /dev/stdout was "a file" refused as a dataset
            # `-o ""` (typer makes it Path(".")) was a traceback, deriving the summary's name from it
            if p is not None and Path(p).name in ("", ".."):
                raise MtfixError(f"{option} {p}: not a file or folder name; give a path such as kept.jsonl")
            if p is not None and (str(p) == "-" or (is_stream(p) and option in ("--out", "--dropped"))):
                raise MtfixError(f"{option} {p}: corpus outputs are files or dataset folders, not stdout or a "
                                 f"device; give a path such as kept.jsonl")
    specs = [parse_output(o) for o in outs]
    dropped_spec = parse_output(dropped) if dropped is not None else None
    if shards:
        if ray is None:
            raise MtfixError("--shards writes one part per shard of a Ray run: it needs --ray")
        for s in specs + ([dropped_spec] if dropped_spec else []):
            if s.format == "hf":
                raise MtfixError(f"--shards writes .jsonl, .tsv or .parquet parts; {s.path} is a dataset folder "
                                 f"(it has shards of its own): drop --shards or name a .parquet output")
    if skip_bad and rejects is None:
        rejects = _default_beside(specs[0].path, ".rejects.jsonl")
    if rejects is not None and not skip_bad:
        raise MtfixError("--rejects needs --skip-bad (without it the first unreadable row stops the run)")
    if rejects is not None and Path(rejects).suffix.lower() != ".jsonl":
        raise MtfixError(f"--rejects {rejects}: the rejects file is JSONL; name it *.jsonl")
    summary = summary if summary is not None else _default_beside(specs[0].path, ".summary.json")
    files = [("--out", s) for s in specs] + ([("--dropped", dropped_spec)] if dropped_spec else [])
    plan_outputs([*((opt, s.path, "folder" if s.format == "hf" or shards else "file") for opt, s in files),
                  ("--rejects", rejects), ("--summary", summary)], inputs, cache=cache)
    if work_dir is not None:  # the run makes it first: at an output's path, the outputs came out half written
        where = Path(os.path.realpath(work_dir))
        taken = [*((opt, s.path) for opt, s in files), ("--rejects", rejects), ("--summary", summary),
                 *(("an input", i) for i in inputs)]
        for opt, p in taken:  # inside an output folder (a dataset) too; inside an input's folder is fine
            if p is not None and (where == Path(os.path.realpath(p)) or (
                    opt != "an input" and Path(os.path.realpath(p)) in where.parents)):
                raise MtfixError(f"--work-dir {work_dir} is {'inside ' if where != Path(os.path.realpath(p)) else ''}"
                                 f"{opt if opt == 'an input' else opt + ' ' + str(p)}; give the work dir a folder "
                                 f"of its own")
        check_folder_above(work_dir, "--work-dir", "the work dir")
    return specs, dropped_spec, None if rejects is None else Path(rejects), Path(summary)


def _run(run, *, restart: bool, quiet: bool, what: str):
    from mtfix.startup import settle

    settle()  # what this process's start-up made stays out of the collector's walks (mtfix.startup)
    try:
        with progress_bar(what) as advance:
            result = run.run(progress=lambda k, total: advance(k, total), restart=restart)
    except KeyboardInterrupt:
        typer.echo(run.interrupted_message(), err=True)
        raise typer.Exit(130) from None
    if not quiet:
        _print_summary(result)
    return result


def _print_summary(result) -> None:
    s = result.summary
    resumed = f" (resumed after {result.resumed_at} rows)" if result.resumed_at else ""
    typer.echo(f"kept {s['kept']} of {s['pairs']} pairs, dropped {s['dropped']}"
               + (f", {s['bad_rows']} unreadable rows rejected" if s["bad_rows"] else "") + resumed, err=True)
    if s["filters"]:
        width = max(len(n) for n in s["filters"])
        typer.echo(f"  {'filter':<{width}}  rejected  first", err=True)
        for name, c in s["filters"].items():
            typer.echo(f"  {name:<{width}}  {c['rejected']:>8}  {c['first']:>5}", err=True)
    for note in result.signature.fields.get("notes", []):
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"signature: {result.signature}", err=True)
    written = [str(o.path) for o in result.outputs] + [str(p) for p in result.files.values()]
    typer.echo(f"wrote {', '.join(written)}", err=True)


def _order(value: str):
    if value == "auto":
        return "auto"
    parts = tuple(p.strip() for p in value.split(","))
    from mtfix.text.lang import script_lang

    langs = tuple(script_lang(p) for p in parts) if len(parts) == 2 else ()
    if sorted(langs) != ["ar", "en"]:
        raise MtfixError(f"--order {value}: give auto, en,ar or ar,en")
    return langs


def _fields(value: Optional[str]):
    if value is None:
        return None
    parts = tuple(p.strip() for p in value.split(","))
    if len(parts) != 2 or not all(parts):
        raise MtfixError(f"--fields {value}: give the English and the Arabic field, e.g. --fields source,target")
    return parts


@corpus_app.command("filter")
@engine_command
def filter_command(
    inputs: List[Path] = typer.Argument(..., help="The bitext: a .tsv, a .jsonl, a .parquet, a Hugging Face "
                                                  "dataset folder (several are read in turn), or two line-aligned "
                                                  "plain files."),
    out: List[str] = OutOpt,
    dropped: Optional[str] = DroppedOpt,
    rejects: Optional[str] = RejectsOpt,
    summary: Optional[str] = SummaryOpt,
    pipeline: Optional[Path] = PipelineOpt,
    skip_bad: bool = SkipBadOpt,
    input_format: str = typer.Option("auto", "--input-format", help="auto (from the suffix; a folder is a "
                                                                    "dataset), tsv, jsonl, parquet, plain or hf."),
    order: str = typer.Option("auto", "--order", help="Languages of the TSV columns / plain files: en,ar, ar,en, "
                                                      "or auto (a header, else the script of the first rows)."),
    fields: Optional[str] = typer.Option(None, "--fields", help="JSONL/Parquet/dataset field names of the English and "
                                                                "Arabic text (default: en,ar, or a translation dict)."),
    split: Optional[str] = typer.Option(None, "--split", help="Split of a dataset with several."),
    back_model: Optional[str] = typer.Option(None, "--back-model", "-b", help="ar->en model: enables the round-"
                                                                             "trip chrF filter."),
    beam_size: int = BeamOpt,
    chunk_size: int = ChunkOpt,
    work_dir: Optional[Path] = WorkDirOpt,
    restart: bool = RestartOpt,
    quiet: bool = QuietOpt,
    workers: Optional[int] = WorkersOpt,
    ray: Optional[str] = RayOpt,
    shards: bool = ShardsOpt,
    *,
    engine: EngineOptions,
):
    """Filter an existing bitext into a clean corpus (resumable: re-run the same command after a crash).

    Example: mtfix corpus filter noisy.tsv -o clean.parquet -o clean.jsonl --dropped dropped.jsonl
    """
    from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext

    config = load_pipeline_config(pipeline)
    specs, dropped_spec, rejects, summary = _plan_outputs(
        out, dropped, rejects, summary, skip_bad, [*inputs, pipeline],
        cache=engine.cache_file() if back_model is not None else None, shards=shards, ray=ray, work_dir=work_dir)
    source = open_bitext(inputs, langs=config.langs, input_format_=input_format, order=_order(order),
                         fields=_fields(fields), split=split, skip_bad=skip_bad)
    parts = getattr(source, "sources", [source])
    if split is not None and not any(p.format == "hf" for p in parts):  # it was ignored: a typo went unnoticed
        raise MtfixError(f"--split {split} picks a split of a dataset folder; the input is "
                         f"{', '.join(sorted({p.format for p in parts}))}: drop --split")
    back_translate, model_name = None, "custom"
    if back_model is not None:
        from mtfix.engine.back import back_translator
        from mtfix.engine.decode import DecodeOptions

        # a wrong model fails here, before any work
        back_translate = back_translator(back_model, src=config.tgt_lang, tgt=config.src_lang,
                                         options=DecodeOptions(beam_size=beam_size), cache=engine.open_cache(),
                                         **engine.translator_options())
        model_name = back_translate.name
    run = CorpusRun(source, config, specs, dropped=dropped_spec, rejects=rejects, summary=summary,
                    work_dir=work_dir, skip_bad=skip_bad, chunk_size=chunk_size, back_translate=back_translate,
                    back_model_name=model_name, workers=workers, ray=ray, shards=shards, device=engine.device)
    _run(run, restart=restart, quiet=quiet, what="filtering pairs")


@corpus_app.command("build")
@engine_command
def build_command(
    articles: List[Path] = typer.Argument(..., help="Garbled Arabic articles: files, or folders of .txt/.md files."),
    out: List[str] = OutOpt,
    dropped: Optional[str] = DroppedOpt,
    rejects: Optional[str] = RejectsOpt,
    summary: Optional[str] = SummaryOpt,
    pipeline: Optional[Path] = PipelineOpt,
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Log an unreadable article (not UTF-8, empty, not "
                                                            "Arabic) to the rejects file and go on."),
    back_models: Optional[List[str]] = BackModelsOpt,
    forward_models: Optional[List[str]] = ForwardModelsOpt,
    config: Optional[Path] = ScoringConfigOpt,
    beam_size: int = BeamOpt,
    back_n_best: int = BackNBestOpt,
    forward_n_best: int = ForwardNBestOpt,
    batch_tokens: int = BatchTokensOpt,
    max_output_ratio: float = MaxOutputRatioOpt,
    chunk_size: int = ChunkOpt,
    work_dir: Optional[Path] = WorkDirOpt,
    restart: bool = RestartOpt,
    quiet: bool = QuietOpt,
    workers: Optional[int] = WorkersOpt,
    ray: Optional[str] = RayOpt,
    shards: bool = ShardsOpt,
    *,
    engine: EngineOptions,
):
    """Repair garbled Arabic articles and keep (pivot English, repaired Arabic) pairs that pass the filters.

    Example: mtfix corpus build articles/ -o corpus.parquet --dropped dropped.jsonl
    """
    from mtfix.corpus import CorpusRun, load_pipeline_config
    from mtfix.corpus.articles import ArticleSource, repair_description
    from mtfix.engine.back import back_translator
    from mtfix.repair.models import RepairDecoding, open_repair_models
    from mtfix.scoring.config import load_config

    pipe = load_pipeline_config(pipeline)
    if pipe.langs != ("en", "ar"):
        raise MtfixError(f"{pipe.source}: corpus build makes (en, ar) pairs; set src_lang = \"en\", tgt_lang = \"ar\"")
    specs, dropped_spec, rejects, summary = _plan_outputs(out, dropped, rejects, summary, skip_bad,
                                                          [*articles, pipeline, config],
                                                          cache=engine.cache_file(), shards=shards, ray=ray,
                                                          work_dir=work_dir)
    scoring = load_config(config, preset="repair")  # build repairs articles: the repair loop's judge
    for a in articles:  # cheap checks before any model is looked up
        if not Path(a).exists():
            raise MtfixError(f"{a}: no such file or folder")
        if Path(a).is_file() and not skip_bad:  # an article named on the line: empty, binary, English...
            from mtfix.repair.pipeline import check_article
            from mtfix.text.read import read_text

            try:
                check_article(read_text(a), src="ar", name=str(a))
            except MtfixError as e:  # as the run says it of an article in a folder
                raise MtfixError(f"{e}; fix it, or pass --skip-bad to log bad rows to a rejects file and go on") \
                    from None
    decoding = RepairDecoding.make(beam_size=beam_size, back_n_best=back_n_best, forward_n_best=forward_n_best,
                                   max_batch_tokens=batch_tokens, max_output_ratio=max_output_ratio)
    models = open_repair_models(back_models, forward_models, decoding=decoding, cache=engine.open_cache(),
                                **engine.translator_options())
    back, forward = models.back, models.forward
    source = ArticleSource(articles, back=back, forward=forward, decoding=decoding, scoring=scoring)
    # Same options as the repair's pivots: the round trip of a kept sentence comes from the cache.
    back_translate = back_translator(back[0][1], src="ar", tgt="en", options=decoding.back, name=back[0][0],
                                     check=False)
    run = CorpusRun(source, pipe, specs, dropped=dropped_spec, rejects=rejects, summary=summary,
                    work_dir=work_dir, skip_bad=skip_bad, chunk_size=chunk_size, back_translate=back_translate,
                    back_model_name=back[0][0], mode="build",
                    repair=repair_description(back, forward, decoding, scoring), workers=workers, ray=ray,
                    shards=shards, device=engine.device)
    _run(run, restart=restart, quiet=quiet, what="repairing and filtering")


@corpus_app.command("pipeline")
def pipeline_command(
    pipeline: Optional[Path] = typer.Option(None, "--pipeline", help="A user pipeline to lay over the default."),
):
    """Show the filter pipeline (the default, or with --pipeline laid over it) and what each filter checks."""
    from mtfix.corpus import FILTERS, load_pipeline_config

    cfg = load_pipeline_config(pipeline)
    typer.echo(f"# pipeline: {cfg.source}; columns {cfg.src_lang}, {cfg.tgt_lang}")
    for spec in cfg.filters:
        cls = FILTERS[spec.type]
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        typer.echo(f"\n[filters.{spec.name}]" + (f"  # type {spec.type}" if spec.name != spec.type else ""))
        typer.echo(f"# {doc}")
        for key, value in spec.params.items():
            shown = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else value
            typer.echo(f"{key} = {shown}  # {cls.PARAMS[key][2]}")
