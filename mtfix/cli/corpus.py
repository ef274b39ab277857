"""`mtfix corpus`: build a clean parallel corpus (filter a bitext, or repair articles).

A thin shell over :mod:`mtfix.corpus`: parse options, check every output
path before any work, run :class:`~mtfix.corpus.CorpusRun` with a progress
bar, print the summary on stderr (:mod:`mtfix.cli.corpus_run`, without typer: a plain
``corpus filter`` command line runs it from :mod:`mtfix.cli.fastcli`, whose table of this
command's options a test holds equal to the typer options declared here).
"""

from __future__ import annotations

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
)
from mtfix.cli.corpus_run import filter_bitext, plan_outputs, run_to_end
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
                                         help="Processes scoring the filters (default: one per "
                                                                 "usable core, but at most one per 16,000 pairs of "
                                                                 "an input whose size is known: a smaller one does "
                                                                 "not pay for their start-up); outputs are the same "
                                                                 "bytes for any number.")


def register(app: typer.Typer) -> None:
    app.add_typer(corpus_app, name="corpus")


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
    filter_bitext(inputs, out, dropped=dropped, rejects=rejects, summary=summary, pipeline=pipeline,
                  skip_bad=skip_bad, input_format=input_format, order=order, fields=fields, split=split,
                  back_model=back_model, beam_size=beam_size, chunk_size=chunk_size, work_dir=work_dir,
                  restart=restart, quiet=quiet, workers=workers, ray=ray, shards=shards, engine=engine)


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
    from mtfix.corpus.articles import ArticleSource, find_articles, repair_description
    from mtfix.engine.back import back_translator
    from mtfix.repair.models import RepairDecoding, open_repair_models
    from mtfix.scoring.config import load_config

    pipe = load_pipeline_config(pipeline)
    if pipe.langs != ("en", "ar"):
        raise MtfixError(f"{pipe.source}: corpus build makes (en, ar) pairs; set src_lang = \"en\", tgt_lang = \"ar\"")
    specs, dropped_spec, rejects, summary = plan_outputs(out, dropped, rejects, summary, skip_bad,
                                                          [*articles, pipeline, config],
                                                          cache=engine.cache_file(), shards=shards, ray=ray,
                                                          work_dir=work_dir)
    scoring = load_config(config, preset="repair")  # build repairs articles: the repair loop's judge
    find_articles(articles)  # cheap checks before any model is looked up: a missing path, a folder without articles
    for a in articles:
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
    run_to_end(run, restart=restart, quiet=quiet, what="repairing and filtering")


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
