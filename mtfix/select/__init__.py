"""File selection: line-aligned candidate translations in, one choice per line out.

    from mtfix.select import select_files, select_lines
    result = select_files(["a.ar", "b.ar", "c.ar"], "src.en")            # most trusted system as incumbent
    result = select_files(["mine=a.ar", "b.ar", "c.ar"], "src.en", incumbent="mine")
    result.lines, result.report()

:func:`select_lines` does the choosing on lists already in memory (the stress
benchmark uses it); :func:`select_files` reads and checks files first. Both run
the scorers and the :class:`mtfix.scoring.Selector` that ``mtfix repair`` uses.
"""

from mtfix.select.files import detect_language, parse_candidate_spec, resolve_incumbent, select_files
from mtfix.select.lines import select_lines
from mtfix.select.result import SelectionResult

__all__ = [
    "SelectionResult", "detect_language", "parse_candidate_spec", "resolve_incumbent", "select_files", "select_lines",
]
