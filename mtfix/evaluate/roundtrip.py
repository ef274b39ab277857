"""Reference-free estimate: round-trip chrF/BLEU through a back-translation model.

Each system's output is translated back into the source language by
``back_translate`` and scored against the source with sacrebleu. A high
round-trip score says the output kept the source's content in a form the
back-translation model can recover; it is an **estimate**, blind to fluency
and to errors the back-translation undoes, and every report made from it says
so (``report.mode == "roundtrip"``, ``report.estimate``, ``|roundtrip:<model>``
in the signatures).
"""

from __future__ import annotations

from typing import Sequence

from mtfix.engine.back import BackTranslate
from mtfix.errors import MtfixError
from mtfix.evaluate.core import evaluate
from mtfix.evaluate.metrics import MetricOptions
from mtfix.evaluate.report import EvaluationReport

#: Round-trip scores are chrF and BLEU only (the issue's "round-trip chrF/BLEU").
ROUNDTRIP_METRICS = ("bleu", "chrf")


def roundtrip_evaluate(
    systems: Sequence[tuple[str, Sequence[str]]],
    sources: Sequence[str],
    back_translate: BackTranslate,
    *,
    model_name: str = "custom",
    options: MetricOptions | None = None,
    **kwargs,
) -> EvaluationReport:
    """Back-translate each system's lines and score them against ``sources``.

    ``back_translate(segments) -> segments`` must return one line per input
    line (normally :func:`mtfix.engine.back_translator`, through the cache). Keyword arguments go to :func:`mtfix.evaluate.core.evaluate`
    (significance, segments, normalisation...); normalisation applies to the
    back-translations and the source alike.
    """
    opts = options or MetricOptions(metrics=ROUNDTRIP_METRICS)
    sources = list(sources)
    back = []
    for name, hyps in systems:
        hyps = list(hyps)
        if len(hyps) != len(sources):
            raise MtfixError(f"line counts differ: system {name} has {len(hyps)} lines, "
                             f"source has {len(sources)}; every file needs one segment per line, aligned")
        out = list(back_translate(hyps))
        if len(out) != len(hyps):
            raise MtfixError(f"back-translation of {name} returned {len(out)} lines for {len(hyps)}")
        back.append((name, out))
    source_name = kwargs.pop("source_name", None)
    report = evaluate(
        back, [sources], None, options=opts,
        reference_names=[f"source {source_name or ''} (round trip)".replace("  ", " ")],
        source_name=source_name,
        signature_extra={"roundtrip": model_name},
        **kwargs,
    )
    report.mode = "roundtrip"
    originals = {name: list(hyps) for name, hyps in systems}
    for rep in report.systems:
        for seg in rep.segments:
            # what was scored: back-translation vs source; what users want to read: the system's line
            seg.back_translation = seg.hypothesis
            seg.source = seg.references[0]
            seg.hypothesis = originals[rep.name][seg.index - 1]
            seg.references = []
    report.back_model = model_name
    return report
