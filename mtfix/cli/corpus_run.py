"""What ``mtfix corpus filter`` and ``corpus build`` do once their options are read (no typer: the
typer commands, :mod:`mtfix.cli.corpus`, and the ``corpus filter`` fast path, :mod:`mtfix.cli.fastcli`,
both run it): check every output path before any work, run :class:`~mtfix.corpus.CorpusRun` with a
progress bar, print the summary on stderr."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

from mtfix.cli.engine_options import EngineOptions
from mtfix.cli.failures import echo_err
from mtfix.cli.progress import progress_bar
from mtfix.errors import MtfixError

__all__ = ["default_beside", "filter_bitext", "parse_fields", "parse_order", "plan_outputs", "print_summary",
           "run_to_end"]


def filter_bitext(inputs: List[Path], out: List[str], *, dropped: Optional[str], rejects: Optional[str],
                  summary: Optional[str], pipeline: Optional[Path], skip_bad: bool, input_format: str, order: str,
                  fields: Optional[str], split: Optional[str], back_model: Optional[str], beam_size: int,
                  chunk_size: int, work_dir: Optional[Path], restart: bool, quiet: bool, workers: Optional[int],
                  ray: Optional[str], shards: bool, engine: EngineOptions) -> None:
    """``mtfix corpus filter``, its options read (see its help)."""
    from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext

    config = load_pipeline_config(pipeline)
    specs, dropped_spec, rejects, summary = plan_outputs(
        out, dropped, rejects, summary, skip_bad, [*inputs, pipeline],
        cache=engine.cache_file() if back_model is not None else None, shards=shards, ray=ray, work_dir=work_dir)
    source = open_bitext(inputs, langs=config.langs, input_format_=input_format, order=parse_order(order),
                         fields=parse_fields(fields), split=split, skip_bad=skip_bad)
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
    run_to_end(run, restart=restart, quiet=quiet, what="filtering pairs")


def default_beside(out: Path, suffix: str) -> Path:
    base = out.name.rstrip("/")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return out.with_name(stem + suffix)


def plan_outputs(outs: List[str], dropped, rejects, summary, skip_bad: bool, inputs: list, cache=None,
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
        rejects = default_beside(specs[0].path, ".rejects.jsonl")
    if rejects is not None and not skip_bad:
        raise MtfixError("--rejects needs --skip-bad (without it the first unreadable row stops the run)")
    if rejects is not None and Path(rejects).suffix.lower() != ".jsonl":
        raise MtfixError(f"--rejects {rejects}: the rejects file is JSONL; name it *.jsonl")
    summary = summary if summary is not None else default_beside(specs[0].path, ".summary.json")
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
    if cache is not None:  # the next run would find a file the run did not make there, and refuse the work dir
        from mtfix.corpus.runner import work_dir_for

        where = Path(os.path.realpath(work_dir if work_dir is not None else work_dir_for(specs[0].path)))
        if where in Path(os.path.realpath(cache)).parents:
            raise MtfixError(f"--cache {cache} is inside the work dir {work_dir or where}, which holds only what the "
                             f"run makes there; keep the cache outside it")
    return specs, dropped_spec, None if rejects is None else Path(rejects), Path(summary)


def run_to_end(run, *, restart: bool, quiet: bool, what: str):
    """``run`` to its end with a progress bar, its summary on stderr (unless ``quiet``); Ctrl-C: what
    its work dir keeps, exit code 130."""
    from mtfix.startup import settle

    settle()  # what this process's start-up made stays out of the collector's walks (mtfix.startup)
    try:
        with progress_bar(what) as advance:
            result = run.run(progress=lambda k, total: advance(k, total), restart=restart)
    except KeyboardInterrupt:
        echo_err(run.interrupted_message())
        raise SystemExit(130) from None
    if not quiet:
        print_summary(result)
    return result


def print_summary(result) -> None:
    """A run's counts, per filter, its notes, signature and files, on stderr."""
    s = result.summary
    resumed = f" (resumed after {result.resumed_at} rows)" if result.resumed_at else ""
    echo_err(f"kept {s['kept']} of {s['pairs']} pairs, dropped {s['dropped']}"
             + (f", {s['bad_rows']} unreadable rows rejected" if s["bad_rows"] else "") + resumed)
    if s["filters"]:
        width = max(len(n) for n in s["filters"])
        echo_err(f"  {'filter':<{width}}  rejected  first")
        for name, c in s["filters"].items():
            echo_err(f"  {name:<{width}}  {c['rejected']:>8}  {c['first']:>5}")
    for note in result.signature.fields.get("notes", []):
        echo_err(f"note: {note}")
    echo_err(f"signature: {result.signature}")
    written = [str(o.path) for o in result.outputs] + [str(p) for p in result.files.values()]
    echo_err(f"wrote {', '.join(written)}")


def parse_order(value: str):
    """``--order``: auto, or the languages of the TSV columns / plain files in order."""
    if value == "auto":
        return "auto"
    parts = tuple(p.strip() for p in value.split(","))
    from mtfix.text.lang import script_lang

    langs = tuple(script_lang(p) for p in parts) if len(parts) == 2 else ()
    if sorted(langs) != ["ar", "en"]:
        raise MtfixError(f"--order {value}: give auto, en,ar or ar,en")
    return langs


def parse_fields(value: Optional[str]):
    """``--fields``: the English and the Arabic field names, or None."""
    if value is None:
        return None
    parts = tuple(p.strip() for p in value.split(","))
    if len(parts) != 2 or not all(parts):
        raise MtfixError(f"--fields {value}: give the English and the Arabic field, e.g. --fields source,target")
    return parts
