"""Turning an :class:`EvaluationReport` into JSON, markdown, HTML and rich tables.

The HTML page is self-contained: inline CSS, no scripts, and the plot of the
per-segment score distributions is a PNG rendered by matplotlib and embedded
as a ``data:image/png;base64`` URI.
"""

from __future__ import annotations

import base64
import html
import io
import json

from mtfix.evaluate.report import EvaluationReport
from mtfix.evaluate.segments import column_label
from mtfix.evaluate.significance import ALPHA, TEST_NAMES
from mtfix.metrics.corpus import lower_is_better

P_MARK = "*"


# ---------------------------------------------------------------- formatting

def fmt_score(x: float, width: int = 2) -> str:
    return f"{x:.{width}f}"


def score_cell(report: EvaluationReport, system: str, metric: str, width: int = 2) -> str:
    """``42.82`` or, with a bootstrap test, sacrebleu's ``42.82 (42.77 ± 1.17)`` (μ ± 95% CI)."""
    s = report.system(system).scores[metric].score
    bs = report.significance.get("bs")
    if bs is not None and metric in bs.results.get(system, {}):
        r = bs.results[system][metric]
        if r.mean is not None:
            return f"{fmt_score(s, width)} ({fmt_score(r.mean, width)} ± {fmt_score(r.ci, width)})"
    return fmt_score(s, width)


def p_cell(report: EvaluationReport, system: str, metric: str) -> str:
    """``0.0010* / 0.0001*`` (one p-value per test run, in the order bs, ar)."""
    parts = []
    for t, res in report.significance.items():
        p = res.results.get(system, {}).get(metric)
        if p is None or p.p_value is None:
            parts.append("–")
        else:
            parts.append(f"{p.p_value:.4f}" + (P_MARK if p.p_value < ALPHA else ""))
    return " / ".join(parts)


def metric_header(report: EvaluationReport, metric: str) -> str:
    arrow = "↓" if lower_is_better(metric) else "↑"
    return f"{metric} {arrow}"


def significance_note(report: EvaluationReport) -> str:
    if not report.significance:
        return ""
    tests = list(report.significance.values())
    first = tests[0]
    desc = " / ".join(f"{TEST_NAMES[t.test]} ({t.n_samples} {'resamples' if t.test == 'bs' else 'trials'})"
                      for t in tests)
    return (f"p-values against the baseline {first.baseline}: {desc}, seed {first.seed}; "
            f"{P_MARK} p < {ALPHA}. A small p-value says the difference is unlikely to be chance, "
            f"not which system is better.")


def _truncate(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _title(report: EvaluationReport) -> str:
    n_sys = len(report.systems)
    refs = len(report.references)
    t = (f"{n_sys} system{'s' if n_sys != 1 else ''}, {report.n_segments} segments, "
         f"{refs} reference{'s' if refs != 1 else ''}")
    if report.estimate:
        t = f"ROUND-TRIP ESTIMATE via {report.back_model}: " + t.replace(
            f", {refs} reference{'s' if refs != 1 else ''}", ", no reference")
    if report.normalize != "none":
        t += f", normalisation {report.normalize}"
    return t


# ---------------------------------------------------------------- JSON

def to_json(report: EvaluationReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- markdown

def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(report: EvaluationReport, worst: bool = True) -> str:
    """Paper-ready markdown: a score table, a p-value table, signatures, worst segments."""
    out = [f"## mtfix evaluate: {_title(report)}", ""]
    if report.estimate:
        out += [f"> **{report.label}.**", ""]
    heads = [metric_header(report, m) for m in report.metrics]
    out.append("| System | " + " | ".join(heads) + " |")
    out.append("|:--|" + "|".join("--:" for _ in heads) + "|")
    for s in report.systems:
        name = _md(s.name) + (" (baseline)" if s.name == report.baseline else "")
        out.append(f"| {name} | " + " | ".join(score_cell(report, s.name, m) for m in report.metrics) + " |")
    out.append("")
    if "bs" in report.significance:
        out += ["Scores as `score (μ ± 95% CI)`, μ and CI from paired bootstrap resampling.", ""]
    if report.significance:
        tests = " / ".join(report.significance)
        out.append(f"| vs {_md(report.baseline or '')} (p: {tests}) | " + " | ".join(report.metrics) + " |")
        out.append("|:--|" + "|".join("--:" for _ in report.metrics) + "|")
        for s in report.systems[1:]:
            out.append(f"| {_md(s.name)} | " + " | ".join(p_cell(report, s.name, m) for m in report.metrics) + " |")
        out += ["", significance_note(report), ""]
    out.append("Signatures (sacrebleu):")
    out.append("")
    for m, sig in report.signatures.items():
        out.append(f"- {m}: `{sig}`")
    for t, res in report.significance.items():
        for m, sig in res.signatures.items():
            out.append(f"- {m} ({t}): `{sig}`")
    out.append("")
    if worst and any(s.worst for s in report.systems):
        out += [f"### Worst segments (lowest sentence {report.worst_by})", ""]
        for s in report.systems:
            if not s.worst:
                continue
            cols = report.segment_metrics
            out += [f"**{_md(s.name)}**", "", "| line | " + "".join(f"{_md(column_label(k))} | " for k in cols) +
                    "hypothesis | " + ("back-translation |" if report.estimate else "reference |"),
                    "|--:|" + "--:|" * len(cols) + ":--|:--|"]
            for seg in s.worst:
                other = seg.back_translation if report.estimate else (seg.references[0] if seg.references else "")
                out.append(f"| {seg.index} | " + "".join(f"{seg.score(k):.1f} | " for k in cols) +
                           f"{_md(_truncate(seg.hypothesis))} | {_md(_truncate(other or ''))} |")
            out.append("")
    for w in report.warnings:
        out.append(f"> warning: {_md(w)}")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- plot

def distribution_png(report: EvaluationReport, dpi: int = 110) -> bytes:
    """Box plots of the sentence BLEU and chrF distributions, one row per system, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    systems = [s for s in report.systems if s.segments]
    if not systems:
        raise ValueError("no per-segment scores to plot (segments were not computed)")
    labels = [_truncate(s.name, 38) for s in systems]
    cols = report.segment_metrics
    fig = Figure(figsize=(5.5 * len(cols), 1.6 + 0.55 * len(systems)), dpi=dpi)
    axes = fig.subplots(1, len(cols), sharey=True, squeeze=False)[0]
    for ax, key in zip(axes, cols):
        title = f"sentence {column_label(key)}"
        data = [[seg.score(key) for seg in s.segments] for s in systems]
        ax.boxplot(data, orientation="horizontal", tick_labels=labels, showmeans=True, widths=0.6,
                   flierprops={"markersize": 2, "alpha": 0.4},
                   meanprops={"marker": "D", "markersize": 4, "markerfacecolor": "white"})
        ax.set_title(title + (" (round trip)" if report.estimate else ""))
        ax.set_xlim(-2, 102)
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()  # first system on top (the y axis is shared)
    fig.suptitle(f"Per-segment score distributions ({report.n_segments} segments; ◇ = mean)", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.8em 0;max-width:100%}
th,td{border:1px solid #ccc;padding:.3em .6em;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-size:.9em;background:#f6f6f6;padding:0 .2em;overflow-wrap:anywhere}
[dir=auto]:lang(ar),td[lang=ar]{text-align:start}
@media (max-width:1000px){td.num{white-space:normal}}
.estimate{background:#fff3cd;border:2px solid #e0a800;padding:.6em 1em;font-weight:bold}
.warn{color:#8a4b00}
img{max-width:100%;height:auto;border:1px solid #ddd}
small{color:#555}
"""


def to_html(report: EvaluationReport, worst: bool = True) -> str:
    """A self-contained HTML page (inline CSS, embedded PNG, no scripts, no remote assets)."""
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>mtfix evaluate: {e(_title(report))}</title>", f"<style>{_CSS}</style></head><body>",
             f"<h1>mtfix evaluate</h1><p>{e(_title(report))}</p>"]
    if report.estimate:
        parts.append(f'<p class="estimate">{e(report.label)}.</p>')
    for w in report.warnings:
        parts.append(f'<p class="warn">warning: {e(w)}</p>')

    parts.append("<h2>Corpus scores</h2><table><tr><th>System</th>" +
                 "".join(f"<th>{e(metric_header(report, m))}</th>" for m in report.metrics) + "</tr>")
    for s in report.systems:
        name = e(s.name) + (" <small>(baseline)</small>" if s.name == report.baseline else "")
        parts.append(f"<tr><td>{name}</td>" +
                     "".join(f'<td class="num">{e(score_cell(report, s.name, m))}</td>' for m in report.metrics) +
                     "</tr>")
    parts.append("</table>")
    if "bs" in report.significance:
        parts.append("<p><small>score (μ ± 95% CI), μ and CI from paired bootstrap resampling.</small></p>")
    if report.significance:
        tests = " / ".join(report.significance)
        parts.append(f"<h2>Significance</h2><table><tr><th>vs {e(report.baseline or '')} (p: {e(tests)})</th>" +
                     "".join(f"<th>{e(m)}</th>" for m in report.metrics) + "</tr>")
        for s in report.systems[1:]:
            parts.append(f"<tr><td>{e(s.name)}</td>" +
                         "".join(f'<td class="num">{e(p_cell(report, s.name, m))}</td>' for m in report.metrics) +
                         "</tr>")
        parts.append(f"</table><p><small>{e(significance_note(report))}</small></p>")

    parts.append("<h2>Signatures</h2><ul>")
    for m, sig in report.signatures.items():
        parts.append(f"<li>{e(m)}: <code>{e(sig)}</code></li>")
    for t, res in report.significance.items():
        for m, sig in res.signatures.items():
            parts.append(f"<li>{e(m)} ({e(t)}): <code>{e(sig)}</code></li>")
    parts.append("</ul>")

    if any(s.segments for s in report.systems):
        png = base64.b64encode(distribution_png(report)).decode("ascii")
        parts.append("<h2>Per-segment score distributions</h2>"
                     f'<img alt="Box plots of sentence {e(" and ".join(column_label(k) for k in report.segment_metrics))} per system" src="data:image/png;base64,{png}">')

    if worst and any(s.worst for s in report.systems):
        parts.append(f"<h2>Worst segments (lowest sentence {e(report.worst_by)})</h2>")
        other_head = "back-translation" if report.estimate else "reference"
        for s in report.systems:
            if not s.worst:
                continue
            cols = report.segment_metrics
            parts.append(f"<h3>{e(s.name)}</h3><table><tr><th>line</th>" +
                         "".join(f"<th>{e(column_label(k))}</th>" for k in cols) +
                         f"<th>hypothesis</th><th>{other_head}</th>" +
                         ("<th>source</th>" if any(x.source for x in s.worst) else "") + "</tr>")
            for seg in s.worst:
                other = seg.back_translation if report.estimate else (seg.references[0] if seg.references else "")
                src = f'<td dir="auto">{e(seg.source)}</td>' if seg.source is not None else ""
                parts.append(f'<tr><td class="num">{seg.index}</td>' +
                             "".join(f'<td class="num">{seg.score(k):.1f}</td>' for k in cols) +
                             f'<td dir="auto">{e(seg.hypothesis)}</td>'
                             f'<td dir="auto">{e(other or "")}</td>{src}</tr>')
            parts.append("</table>")
    parts.append(f"<p><small>{e(report.label)}; inputs: references {e(', '.join(report.references))}"
                 + (f"; source {e(report.source)}" if report.source else "") + "</small></p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- rich (terminal)

def rich_renderables(report: EvaluationReport, worst: bool = True) -> list:
    """Rich tables for the terminal: scores, p-values, signatures, worst segments."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    out: list = []
    if report.estimate:
        out.append(Panel(Text(report.label, style="bold yellow"), title="ESTIMATE", border_style="yellow"))
    t = Table(title=_title(report), title_justify="left")
    t.add_column("System", overflow="fold")
    for m in report.metrics:
        t.add_column(metric_header(report, m), justify="right")
    for s in report.systems:
        name = s.name + (" (baseline)" if s.name == report.baseline else "")
        # two lines per cell (score, then "(μ ± CI)") so four metrics fit an 80-column terminal
        t.add_row(name, *(score_cell(report, s.name, m).replace(" (", "\n(", 1).replace(" ± ", "±") for m in report.metrics))
    if "bs" in report.significance:
        t.caption = "score (μ ± 95% CI), μ and CI from paired bootstrap resampling"
    out.append(t)
    if report.significance:
        tests = " / ".join(report.significance)
        pt = Table(title=f"p-values vs {report.baseline} ({tests})", title_justify="left",
                   caption=significance_note(report))
        pt.add_column("System", overflow="fold")
        for m in report.metrics:
            pt.add_column(m, justify="right", no_wrap=True)
        for s in report.systems[1:]:
            pt.add_row(s.name, *(p_cell(report, s.name, m).replace(" / ", "\n") for m in report.metrics))
        out.append(pt)
    sig = Table(title="Signatures", title_justify="left", show_header=False, box=None)
    sig.add_column("metric", style="cyan", no_wrap=True)
    sig.add_column("signature", overflow="fold")
    for m, s in report.signatures.items():
        sig.add_row(m, s)
    for tname, res in report.significance.items():
        for m, s in res.signatures.items():
            sig.add_row(f"{m} ({tname})", s)
    out.append(sig)
    if worst:
        for s in report.systems:
            if not s.worst:
                continue
            wt = Table(title=f"Worst segments: {s.name} (lowest sentence {report.worst_by})", title_justify="left")
            wt.add_column("line", justify="right")
            for k in report.segment_metrics:
                wt.add_column(column_label(k), justify="right")
            wt.add_column("hypothesis", overflow="fold")
            wt.add_column("back-translation" if report.estimate else "reference", overflow="fold")
            for seg in s.worst:
                other = seg.back_translation if report.estimate else (seg.references[0] if seg.references else "")
                wt.add_row(str(seg.index), *(f"{seg.score(k):.1f}" for k in report.segment_metrics),
                           _truncate(seg.hypothesis, 100), _truncate(other or "", 100))
            out.append(wt)
    return out
