"""The repair report as one self-contained HTML page (no network assets).

Original and repair side by side, right-to-left, paragraph by paragraph;
changed sentences highlighted; the back-translation under each; score bars
for the original and the chosen candidate; every candidate in a fold-out; the
pipeline signature at the bottom.
"""

from __future__ import annotations

from html import escape

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d232b}
header,footer,main{max-width:1200px;margin:0 auto;padding:12px 20px}
h1{font-size:1.4em;margin:.4em 0}
.summary span{display:inline-block;margin-right:1.2em;max-width:100%;overflow-wrap:anywhere}
.legend{font-size:.85em;color:#555}
.paragraph{background:#fff;border:1px solid #dde1e6;border-radius:8px;margin:14px 0;padding:6px 10px}
.sentence{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:14px;padding:8px 4px;
  border-bottom:1px dashed #e3e6ea}
.cell,.reason,details{min-width:0;overflow-wrap:anywhere}
.sentence:last-child{border-bottom:0}
.sentence.changed{background:#fff7d6}
.cell .ar{font-size:1.15em;line-height:1.7;font-family:"Noto Naskh Arabic","Amiri","Geeza Pro",serif}
.cell .bt{font-size:.85em;color:#52606d;margin-top:4px}
.cell .label{font-size:.7em;text-transform:uppercase;letter-spacing:.05em;color:#8a94a0}
.bars{margin-top:6px;font-size:.75em;color:#52606d}
.bar{display:grid;grid-template-columns:minmax(0,9em) minmax(0,1fr) 3.2em;align-items:center;gap:6px;direction:ltr}
.bar span:first-child{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar .track{background:#e7eaee;border-radius:3px;height:8px;overflow:hidden}
.bar .fill{background:#3b82f6;height:8px}
.changed .repair .bar .fill{background:#16a34a}
details{grid-column:1 / span 2;font-size:.8em;direction:ltr}
details table{border-collapse:collapse;width:100%;table-layout:fixed}
details col.origin{width:18%}details col.total{width:4.5em}details col.scores{width:30%}
details td,details th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top;
  overflow-wrap:anywhere}
details ul{padding-inline-start:1.2em;margin:.4em 0}
details td.ar{direction:rtl;text-align:right;font-size:1.1em}
.reason{font-size:.8em;color:#374151;grid-column:1 / span 2;direction:ltr}
.chosen{font-weight:600}
footer code{display:block;white-space:pre-wrap;word-break:break-all;background:#fff;border:1px solid #dde1e6;
  padding:8px;border-radius:6px;font-size:.8em}
@media (max-width:720px){.sentence{grid-template-columns:minmax(0,1fr)}details,.reason{grid-column:1}}
"""


def _bars(scores: dict) -> str:
    rows = []
    for name, s in scores.items():
        value = max(0.0, min(1.0, float(s.get("value", 0.0))))
        rows.append(
            f'<div class="bar" title="{escape(str(s.get("reason", "")))}"><span>{escape(name)}</span>'
            f'<span class="track"><span class="fill" style="width:{value * 100:.1f}%;display:block"></span></span>'
            f"<span>{value:.2f}</span></div>"
        )
    return f'<div class="bars">{"".join(rows)}</div>'


def _cell(kind: str, label: str, text: str, back: str | None, scores: dict) -> str:
    bt = f'<div class="bt" dir="ltr" lang="en">↩ {escape(back)}</div>' if back else ""
    return (
        f'<div class="cell {kind}"><div class="label">{escape(label)}</div>'
        f'<div class="ar" dir="rtl" lang="ar">{escape(text)}</div>{bt}{_bars(scores)}</div>'
    )


def _candidates_table(sentence: dict) -> str:
    chosen = sentence["decision"]["chosen"]
    head = "<tr><th>origin</th><th>candidate</th><th>total</th><th>scores</th></tr>"
    rows = []
    for k, c in enumerate(sentence["candidates"]):
        scores = ", ".join(f"{n} {s['value']:.2f}" for n, s in c["scores"].items())
        cls = ' class="chosen"' if k == chosen else ""
        rows.append(
            f"<tr{cls}><td>{escape(c['origin'])}</td><td class=\"ar\" dir=\"rtl\" lang=\"ar\">{escape(c['text'])}</td>"
            f"<td>{c['total']:.3f}</td><td>{escape(scores)}</td></tr>"
        )
    pivots = "".join(f"<li>{escape(p['origin'])}: {escape(p['text'])}</li>" for p in sentence["pivots"])
    return (
        f"<details><summary>{len(sentence['candidates'])} candidates, {len(sentence['pivots'])} pivots</summary>"
        f'<ul dir="ltr" lang="en">{pivots}</ul><table>'
        f'<colgroup><col class="origin"><col><col class="total"><col class="scores"></colgroup>{head}{"".join(rows)}</table></details>'
    )


def render_repair_html(report: dict, *, title: str = "mtfix repair report", source_name: str = "") -> str:
    """The page for a report produced by :meth:`RepairResult.report`."""
    summary = report["summary"]
    paragraphs: dict[int, list[str]] = {}
    for s in report["sentences"]:
        decision = s["decision"]
        cands = s["candidates"]
        original, chosen = cands[decision.get("incumbent", 0)], cands[decision["chosen"]]
        changed = s["changed"]
        row = (
            f'<div class="sentence{" changed" if changed else ""}" id="s{s["index"]}" data-line="{s["line"]}">'
            + _cell("original", f"original · line {s['line']}", s["original"], original.get("back_translation")
                    or (s["pivots"][0]["text"] if s["pivots"] else None), original["scores"])
            + _cell("repair", "repair" if changed else "kept", chosen["text"], chosen.get("back_translation"),
                    chosen["scores"])
            + f'<div class="reason">{escape(decision["reason"])}</div>'
            + _candidates_table(s)
            + "</div>"
        )
        paragraphs.setdefault(s["paragraph"], []).append(row)
    body = "".join(f'<section class="paragraph" data-paragraph="{p}">{"".join(rows)}</section>'
                   for p, rows in sorted(paragraphs.items()))
    signature = report["signature"]
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body>
<header><h1>{escape(title)}</h1>
<div class="summary"><span>{escape(source_name)}</span><span>{summary['sentences']} sentences</span>
<span><b>{summary['changed']}</b> repaired</span><span>{summary['kept']} kept</span>
<span>{summary['candidates']} candidates scored</span></div>
<p class="legend">Left: the machine translation as given; right: what mtfix keeps. Highlighted rows were changed.
Under each sentence, ↩ its back-translation into English. Bars: each score of that sentence (0–1, higher is
better). A candidate replaces the original only when it beats it by the margin in the signature.</p></header>
<main>{body}</main>
<footer><h2>Signature</h2><code>{escape(signature.get('line', ''))}</code></footer>
</body></html>
"""
