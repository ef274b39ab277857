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

from mtfix.corpus.config import PipelineConfig, build_filters, load_pipeline_config
from mtfix.corpus.filters import FILTERS, Filter
from mtfix.corpus.pipeline import Pipeline
from mtfix.corpus.readers import open_bitext
from mtfix.corpus.records import BadRow, FilterScore, Pair, Record
from mtfix.corpus.runner import CorpusResult, CorpusRun, work_dir_for
from mtfix.corpus.signature import CorpusSignature
from mtfix.corpus.writers import OutputSpec, parse_output

__all__ = [
    "BadRow", "CorpusResult", "CorpusRun", "CorpusSignature", "FILTERS", "Filter", "FilterScore", "OutputSpec",
    "Pair", "Pipeline", "PipelineConfig", "Record", "build_filters",
    "load_pipeline_config", "open_bitext", "parse_output", "work_dir_for",
]
