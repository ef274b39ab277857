"""Reading and checking the inputs, and running a whole evaluation.

:func:`evaluate` works on lines in memory; :func:`evaluate_files` reads the
files (UTF-8, one segment per line), checks them, and calls it. Lines are
right-stripped as sacrebleu's CLI does, so the scores equal ``sacrebleu``'s on
the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from mtfix.errors import MtfixError
from mtfix.evaluate.report import EvaluationReport, SystemReport
from mtfix.evaluate.segments import segment_scores, worst_segments
from mtfix.metrics.corpus import MetricOptions, build_metrics, corpus_scores, segment_keys, signature
from mtfix.metrics.normalizers import resolve_normalizer
from mtfix.evaluate.significance import DEFAULT_SAMPLES, DEFAULT_SEED, TESTS, paired_test
from mtfix.text.read import read_lines


@dataclass(frozen=True)
class SystemSpec:
    name: str
    path: Path


def check_baseline(baseline: str | None, names: Sequence[str]) -> None:
    """``--baseline NAME`` must name one of the systems ``names`` (the CLI asks before reading any file)."""
    if baseline is not None and baseline not in names:
        raise MtfixError(f"--baseline {baseline!r} is not one of the systems: {', '.join(names)}")


def parse_system_spec(spec: str) -> SystemSpec:
    """``NAME=FILE`` or just ``FILE`` (named after the file, without its extension)."""
    spec = spec.strip()
    if "=" in spec and not Path(spec).exists():
        name, _, path = spec.partition("=")
        name, path = name.strip(), path.strip()
        if not name or not path:
            raise MtfixError(f"bad --sys {spec!r}: expected NAME=FILE or FILE")
        return SystemSpec(name, Path(path))
    if not spec:
        raise MtfixError("empty --sys: expected NAME=FILE or FILE")
    return SystemSpec(Path(spec).stem, Path(spec))


def read_segments(path: str | os.PathLike) -> list[str]:
    """Lines of ``path``, right-stripped like sacrebleu's CLI; MtfixError if unusable."""
    return [line.rstrip() for line in read_lines(path)]


def check_line_counts(entries: Sequence[tuple[str, int]]) -> None:
    """``entries`` = (description, line count); raise one line naming them all if they differ."""
    counts = {n for _, n in entries}
    if len(counts) > 1:
        listed = ", ".join(f"{what} has {n} lines" for what, n in entries)
        raise MtfixError(f"line counts differ: {listed}; every file needs one segment per line, aligned line by line")


def evaluate(
    systems: Sequence[tuple[str, Sequence[str]]],
    references: Sequence[Sequence[str]],
    sources: Sequence[str] | None = None,
    *,
    options: MetricOptions | None = None,
    normalize=None,
    baseline: str | None = None,
    tests: Sequence[str] = TESTS,
    bs_samples: int = DEFAULT_SAMPLES["bs"],
    ar_samples: int = DEFAULT_SAMPLES["ar"],
    seed: int | None = DEFAULT_SEED,
    n_jobs: int = 1,
    segments: bool = True,
    n_worst: int = 5,
    worst_by: str = "chrf",
    paths: dict[str, str] | None = None,
    reference_names: Sequence[str] | None = None,
    source_name: str | None = None,
    warnings: Sequence[str] = (),
    signature_extra: dict | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvaluationReport:
    """Score every system against the references; compare the baseline with the others.

    ``systems``: (name, lines) pairs; the first, or ``baseline``, is the baseline
    of the paired tests (run when there are at least two systems; ``tests`` may
    hold ``"bs"``, ``"ar"``, both or neither). ``references``: one list of lines
    per reference. ``normalize``: a profile name from ``mtfix.text.normalize``
    or a profile object, applied to hypotheses and references alike and
    recorded in the signatures. Line counts are checked here too. ``progress`` is
    called with a short line as each phase starts (a system scored, a paired test).
    """
    systems = [(str(name), list(hyps)) for name, hyps in systems]
    references = [list(r) for r in references]
    if not systems:
        raise MtfixError("no system to evaluate; give at least one --sys NAME=FILE")
    if not references:
        raise MtfixError("no reference; give --ref FILE (or --no-ref for a round-trip estimate)")
    names = [n for n, _ in systems]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise MtfixError(f"two systems are named {dup!r}; name them apart with --sys NAME=FILE")
    paths = dict(paths or {})
    ref_names = list(reference_names or [f"reference {i + 1}" for i in range(len(references))])
    entries = [(f"reference {rn}", len(r)) for rn, r in zip(ref_names, references)]
    entries += [(f"system {n}" + (f" ({paths[n]})" if paths.get(n) else ""), len(h)) for n, h in systems]
    if sources is not None:
        entries.append((f"source {source_name or ''}".strip(), len(sources)))
    check_line_counts(entries)
    n_segments = len(references[0])
    if n_segments == 0:
        raise MtfixError("the inputs have no lines; give files with one segment per line")

    check_baseline(baseline, names)
    if baseline is not None:
        systems.sort(key=lambda s: s[0] != baseline)  # stable: baseline first, others in order
    tests = [t for t in TESTS if t in set(tests)]
    opts = options or MetricOptions()
    columns = segment_keys(opts)
    if worst_by not in columns:
        raise MtfixError(f"--worst-by must be one of {', '.join(columns)}, got {worst_by!r}")

    norm_name, norm = resolve_normalizer(normalize)
    if opts.normalize != norm_name:
        opts = opts.with_normalize(norm_name)
    raw_systems, raw_references = dict(systems), references
    if norm is not None:
        systems = [(n, [norm(x) for x in h]) for n, h in systems]
        references = [[norm(x) for x in r] for r in references]

    metrics = build_metrics(opts, references, sources)
    extra = dict(signature_extra or {})
    sigs = {m: signature(metric, opts, extra) for m, metric in metrics.items()}
    reports = []
    for k, (name, hyps) in enumerate(systems):
        if progress is not None:
            progress(f"scoring {name} ({k + 1} of {len(systems)} systems, {n_segments} segments)")
        scores = corpus_scores(hyps, metrics, opts)
        for m, s in scores.items():
            s.signature = sigs[m]
        rep = SystemReport(name=name, path=paths.get(name), scores=scores)
        if segments:
            rep.segments = segment_scores(name, hyps, references, opts, sources, metrics)
            if norm is not None:  # scored normalised; shown as written
                for seg in rep.segments:
                    seg.hypothesis = raw_systems[name][seg.index - 1]
                    seg.references = [r[seg.index - 1] for r in raw_references]
            rep.worst = worst_segments(rep.segments, n_worst, worst_by)
        reports.append(rep)

    significance = {}
    if len(systems) >= 2:
        for t in tests:
            n = bs_samples if t == "bs" else ar_samples
            if progress is not None:
                what = "paired bootstrap" if t == "bs" else "approximate randomization"
                progress(f"{what}: {len(systems) - 1} system(s) vs {systems[0][0]}, {n} "
                         f"{'resamples' if t == 'bs' else 'trials'}")
            significance[t] = paired_test(systems, metrics, test=t, n_samples=n, seed=seed, n_jobs=n_jobs,
                                          normalize=norm_name, signature_extra=extra)

    return EvaluationReport(
        systems=reports, metrics=list(metrics), signatures=sigs, n_segments=n_segments,
        references=ref_names, source=source_name, normalize=norm_name,
        baseline=systems[0][0] if len(systems) >= 2 and significance else None,
        significance=significance, warnings=list(warnings), worst_by=worst_by, segment_metrics=list(columns))


def load_inputs(
    references: Sequence[str | os.PathLike],
    systems: Sequence[SystemSpec | str],
    source: str | os.PathLike | None = None,
) -> tuple[list[tuple[str, list[str]]], list[list[str]], list[str] | None, list[str]]:
    """Read and check all files: (systems, references, sources, warnings).

    Raises MtfixError for a missing, empty, binary or non-UTF-8 file and for
    line counts that differ (naming every file and its count). Warns (returned
    messages) about a system identical to a reference or to another system.
    """
    specs = [s if isinstance(s, SystemSpec) else parse_system_spec(s) for s in systems]
    names = [s.name for s in specs]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise MtfixError(f"two systems are named {dup!r}; name them apart with --sys NAME=FILE")
    refs = [read_segments(p) for p in references]
    hyps = [(s.name, read_segments(s.path)) for s in specs]
    src = read_segments(source) if source is not None else None
    entries = [(f"reference {p}", len(r)) for p, r in zip(references, refs)]
    entries += [(f"system {s.name} ({s.path})", len(h)) for s, (_, h) in zip(specs, hyps)]
    if src is not None:
        entries.append((f"source {source}", len(src)))
    check_line_counts(entries)

    warnings = []
    for spec, (name, h) in zip(specs, hyps):
        for p, r in zip(references, refs):
            if h == r:
                warnings.append(f"system {name} ({spec.path}) is identical to reference {p}; "
                                f"its scores are meaningless (was the reference passed as a system?)")
        if src is not None and h == src:
            warnings.append(f"system {name} ({spec.path}) is identical to the source {source}; it is not a translation")
    seen: dict[tuple, str] = {}
    for name, h in hyps:
        key = tuple(h)
        if key in seen:
            warnings.append(f"systems {seen[key]} and {name} have identical outputs")
        else:
            seen[key] = name
    return hyps, refs, src, warnings


#: Words in a segment past which TER is slow: sacrebleu's TER searches word shifts at a cost that grows
#: faster than the square of the length (one pair of unrelated 500-word lines: 26 s, loaded machine).
TER_SLOW_WORDS = 250


def long_segments_warning(texts: Sequence[Sequence[str]]) -> list[str]:
    """A warning (a list of one, or none) when a segment of ``texts`` (files' lines) is long enough
    for TER to take minutes."""
    longest, where = 0, 0
    for lines in texts:
        for i, line in enumerate(lines, 1):
            if line.count(" ") >= TER_SLOW_WORDS and (n := len(line.split())) > longest:
                longest, where = n, i
    if longest <= TER_SLOW_WORDS:
        return []
    return [f"line {where} has {longest:,} words: TER (sacrebleu) takes seconds to hours on segments past "
            f"{TER_SLOW_WORDS} words (its shift search grows faster than the square of the length); "
            f"--metric bleu,chrf,chrf++ leaves TER out"]


def evaluate_files(
    references: Sequence[str | os.PathLike],
    systems: Sequence[SystemSpec | str],
    source: str | os.PathLike | None = None,
    *,
    on_warning: Callable[[str], None] | None = None,
    **kwargs,
) -> EvaluationReport:
    """:func:`load_inputs` then :func:`evaluate`; keyword arguments go to :func:`evaluate`.

    ``on_warning`` is called with each input warning as soon as the files are read
    (the warnings are also kept in the report).
    """
    specs = [s if isinstance(s, SystemSpec) else parse_system_spec(s) for s in systems]
    hyps, refs, src, warnings = load_inputs(references, specs, source)
    if "ter" in (kwargs.get("options") or MetricOptions()).metrics:
        warnings += long_segments_warning([*refs, *(h for _, h in hyps)])
    if on_warning is not None:
        for w in warnings:
            on_warning(w)
    return evaluate(
        hyps, refs, src,
        paths={s.name: str(s.path) for s in specs},
        reference_names=[str(p) for p in references],
        source_name=None if source is None else str(source),
        warnings=[*warnings, *kwargs.pop("warnings", ())],
        **kwargs,
    )
