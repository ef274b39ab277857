""":func:`select_lines`: choose one candidate per line among aligned lists, doing no harm.

The incumbent (the line kept unless another candidate is clearly better) is
either **named** (``incumbent="mine"``, ``mtfix select --incumbent mine``: keep
my current system unless another is clearly better) or, by default, the
candidate whose origin the corpus trusts most. Either way the gates and
fidelity checks of :mod:`mtfix.scoring` measure every challenger against the
incumbent, as repair measures candidates against the sentence it was given;
``Segment.original`` stays None (nothing is being repaired) and the sources
are the text that was translated (``sources_kind="source"``), which, unlike
repair's machine pivots, the gates may trust.
"""

from __future__ import annotations

from typing import Callable, Sequence

from mtfix.errors import MtfixError
from mtfix.scoring.base import Candidate, Scorer, Segment
from mtfix.scoring.config import ScoringConfig, load_config
from mtfix.scoring.select import Selector, build_scorers, signature
from mtfix.select.result import SelectionResult


def select_lines(
    candidates: Sequence[tuple[str, Sequence[str]]],
    sources: Sequence[str] | None = None,
    *,
    incumbent: str | None = None,
    config: ScoringConfig | None = None,
    config_path=None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    back_translate: Callable[[list[str]], list[str]] | None = None,
    back_model_name: str = "custom",
    scorers: Sequence[Scorer] | None = None,
    paths: Sequence[str | None] | None = None,
    source_path: str | None = None,
) -> SelectionResult:
    """Choose, per line, among ``candidates`` (``(name, lines)`` pairs, all the same length).

    ``sources``: the line-aligned text that was translated (numbers/length
    checks, round trip). ``incumbent``: the name of the do-no-harm candidate;
    None lets trust choose (with exactly two candidates, the first one).
    ``src_lang``/``tgt_lang`` (``ar``/``en``) go to the scorers and the signature.
    Raises :class:`MtfixError` for bad input.
    """
    names = [str(n) for n, _ in candidates]
    texts = [list(t) for _, t in candidates]
    if len(names) < 2:
        raise MtfixError("nothing to select: give at least two candidates")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise MtfixError(f"two candidates are both named {dup[0]!r}; name them with NAME=PATH")
    counts = {len(t) for t in texts}
    if len(counts) > 1:
        raise MtfixError(f"the candidates differ in line count ({', '.join(f'{n} has {len(t)}' for n, t in zip(names, texts))})")
    n_lines = len(texts[0])
    if sources is not None and len(sources) != n_lines:
        raise MtfixError(f"the source has {len(sources)} lines but the candidates have {n_lines}")
    if back_translate is not None and sources is None:
        raise MtfixError("round-trip scoring needs the source: the text to compare back-translations with")

    cfg = config or load_config(config_path)
    notes: list[str] = []
    if scorers is None:
        scorers, notes = build_scorers(cfg, tgt_lang=tgt_lang, has_sources=sources is not None,
                                       back_translate=back_translate, back_model_name=back_model_name)
    if incumbent is not None:
        if incumbent not in names:
            raise MtfixError(f"--incumbent {incumbent!r} is not one of the candidates ({', '.join(names)})")
        inc = names.index(incumbent)
    elif len(names) == 2:
        # Trust needs three systems (each pair's disagreement shared out by the other
        # pairs); with two it cannot tell them apart, so the first one given is the
        # incumbent, as the user ordered them, and the result says so.
        inc = 0
        notes.append(f"with two systems their reliability cannot be told apart without references: "
                     f"{names[0]} (the first --candidates) is the do-no-harm incumbent; give the one you trust "
                     f"first, or name it with --incumbent")
    else:
        inc = None
    segments = [
        Segment(i, [Candidate(t[i], n) for n, t in zip(names, texts)], [sources[i]] if sources is not None else [],
                incumbent=inc)
        for i in range(n_lines)
    ]
    selection = Selector(cfg, scorers, tgt_lang=tgt_lang).select(segments)
    sig = signature(cfg, scorers)
    if incumbent is not None:
        sig["incumbent"] = f"named: {incumbent} (--incumbent), on every line"
    sig["languages"] = {"source": src_lang, "target": tgt_lang}
    return SelectionResult(selection.chosen_texts(), names, list(paths) if paths else [None] * len(names),
                           source_path, selection, sig, notes, incumbent)
