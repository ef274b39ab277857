"""Clean parallel corpora: read a bitext (or repair articles), filter, write.

    from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parse_output
    source = open_bitext(["noisy.tsv"])                      # or two plain files, JSONL, a dataset dir
    run = CorpusRun(source, load_pipeline_config(), [parse_output("clean.parquet")],
                    dropped=parse_output("dropped.jsonl"), summary=Path("summary.json"))
    result = run.run()                                       # resumable; result.summary has the counts

Filters on their own (OpusFilter style, no files involved)::

    from mtfix.corpus import Pair, Pipeline, build_filters, load_pipeline_config
    filters, notes = build_filters(load_pipeline_config())
    records = Pipeline(filters).judge([Pair("It costs 20 dollars.", "يكلف 30 دولارا.")])
    records[0].kept, records[0].reason      # False, 'numbers: 1 changed: 20 -> 30'

Modules: ``records`` (Pair, Record), ``readers`` (TSV/JSONL/plain/HF sources
with resumable cursors), ``articles`` (repair loop as a source), ``filters``,
``config`` (pipeline TOML, ``presets/default.toml``), ``pipeline``,
``writers`` (JSONL/TSV/Parquet/dataset dir), ``state`` (work dir), ``runner``,
``signature``.
"""



def _numpy_with_one_blas_thread() -> None:
    """Load numpy with its OpenBLAS on one thread, then give the environment back as it was.

    A corpus run's numpy work is element-wise (tables, sums, searches), never a BLAS routine; yet
    OpenBLAS starts a thread per core when numpy is loaded, and their spinning costs about 0.1 s of
    CPU per process (0.13 s of a run of one pair here, 0.17 s of a run of 10,000: a sixth). The
    variable is set only while numpy loads (a user's own setting, or numpy already loaded, wins):
    a translation library loaded later (its own BLAS) and child processes see the environment
    unchanged."""
    import os
    import sys

    if "numpy" in sys.modules or "OPENBLAS_NUM_THREADS" in os.environ:
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    finally:
        os.environ.pop("OPENBLAS_NUM_THREADS", None)


_numpy_with_one_blas_thread()

from mtfix.corpus.config import PipelineConfig, build_filters, load_pipeline_config  # noqa: E402
from mtfix.corpus.filters import FILTERS, Filter  # noqa: E402
from mtfix.corpus.pipeline import Pipeline  # noqa: E402
from mtfix.corpus.readers import open_bitext  # noqa: E402
from mtfix.corpus.records import BadRow, FilterScore, Pair, Record  # noqa: E402
from mtfix.corpus.runner import CorpusResult, CorpusRun, work_dir_for  # noqa: E402
from mtfix.corpus.signature import CorpusSignature  # noqa: E402
from mtfix.corpus.writers import OutputSpec, parse_output  # noqa: E402

__all__ = [
    "BadRow", "CorpusResult", "CorpusRun", "CorpusSignature", "FILTERS", "Filter", "FilterScore", "OutputSpec",
    "Pair", "Pipeline", "PipelineConfig", "Record", "build_filters",
    "load_pipeline_config", "open_bitext", "parse_output", "work_dir_for",
]
