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
.summary span{display:inline-block;margin-right:1.2em}
.legend{font-size:.85em;color:#555}
.paragraph{background:#fff;border:1px solid #dde1e6;border-radius:8px;margin:14px 0;padding:6px 10px}
.sentence{display:grid;grid-template-columns:1fr 1fr;gap:14px;padding:8px 4px;border-bottom:1px dashed #e3e6ea}
.sentence:last-child{border-bottom:0}
.sentence.changed{background:#fff7d6}
.cell .ar{font-size:1.15em;line-height:1.7;font-family:"Noto Naskh Arabic","Amiri","Geeza Pro",serif}
.cell .bt{font-size:.85em;color:#52606d;margin-top:4px}
.cell .label{font-size:.7em;text-transform:uppercase;letter-spacing:.05em;color:#8a94a0}
.bars{margin-top:6px;font-size:.75em;color:#52606d}
.bar{display:grid;grid-template-columns:9em 1fr 3.2em;align-items:center;gap:6px;direction:ltr}
.bar .track{background:#e7eaee;border-radius:3px;height:8px;overflow:hidden}
.bar .fill{background:#3b82f6;height:8px}
.changed .repair .bar .fill{background:#16a34a}
details{grid-column:1 / span 2;font-size:.8em;direction:ltr}
details table{border-collapse:collapse;width:100%}
details td,details th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
details td.ar{direction:rtl;text-align:right;font-size:1.1em}
.reason{font-size:.8em;color:#374151;grid-column:1 / span 2;direction:ltr}
.chosen{font-weight:600}
.fixes{font-size:.8em;color:#7c2d12;margin-top:4px;direction:ltr}
.fixes li{margin:1px 0}
.fixes .ar{font-size:1em}
.by{font-size:.7em;background:#e0e7ff;border-radius:3px;padding:0 4px;margin-left:4px}
tr.gated td{color:#8a94a0}
.gate{display:inline-block;background:#fee2e2;color:#991b1b;border-radius:3px;padding:0 4px;margin:1px 2px 1px 0}
.evidence{color:#166534}
footer code{display:block;white-space:pre-wrap;word-break:break-all;background:#fff;border:1px solid #dde1e6;
  padding:8px;border-radius:6px;font-size:.8em}
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


def _cell(kind: str, label: str, text: str, back: str | None, scores: dict, extra: str = "", tags: str = "") -> str:
    bt = f'<div class="bt" dir="ltr" lang="en">↩ {escape(back)}</div>' if back else ""
    return (
        f'<div class="cell {kind}"><div class="label">{escape(label)}{tags}</div>'
        f'<div class="ar" dir="rtl" lang="ar">{escape(text)}</div>{bt}{extra}{_bars(scores)}</div>'
    )


def _rule_fixes(sentence: dict) -> str:
    fixes = sentence.get("rule_fixes") or []
    if not fixes:
        return ""
    items = "".join(
        f'<li>{f["line"]}:{f["column"]} {escape(f["code"])}: <span class="ar" dir="rtl">“{escape(f["before"])}”</span>'
        f' → <span class="ar" dir="rtl">“{escape(f["after"])}”</span> — {escape(f["reason"])}</li>' for f in fixes)
    return f'<ul class="fixes" title="stage 0: rule fixes">{items}</ul>'


def _candidates_table(sentence: dict) -> str:
    chosen = sentence["decision"]["chosen"]
    head = "<tr><th>origin</th><th>candidate</th><th>total</th><th>gates</th><th>scores</th></tr>"
    rows = []
    for k, c in enumerate(sentence["candidates"]):
        scores = ", ".join(f"{n} {s['value']:.2f}" for n, s in c["scores"].items())
        gated = c.get("gated") or []
        cls = ["chosen"] * (k == chosen) + ["gated"] * bool(gated)
        cls_attr = f' class="{" ".join(cls)}"' if cls else ""
        gates = "".join(f'<span class="gate" title="{escape(g["gate"])}">gated: {escape(g["reason"])}</span>'
                        for g in gated) or ("incumbent" if k == sentence["decision"].get("incumbent", 0) else "passed")
        rows.append(
            f"<tr{cls_attr}><td>{escape(c['origin'])}</td><td class=\"ar\" dir=\"rtl\" lang=\"ar\">{escape(c['text'])}</td>"
            f"<td>{c['total']:.3f}</td><td>{gates}</td><td>{escape(scores)}</td></tr>"
        )
    pivots = "".join(f"<li>{escape(p['origin'])}: {escape(p['text'])}</li>" for p in sentence["pivots"])
    n_gated = sum(1 for c in sentence["candidates"] if c.get("gated"))
    return (
        f"<details><summary>{len(sentence['candidates'])} candidates ({n_gated} gated), "
        f"{len(sentence['pivots'])} pivots</summary>"
        f'<ul dir="ltr" lang="en">{pivots}</ul><table>{head}{"".join(rows)}</table></details>'
    )


def _reason(decision: dict) -> str:
    """The decision's one-line reason, with the gates that stopped challengers and the evidence that let
    the chosen one through shown apart."""
    gated = decision.get("gated") or {}
    tally = "".join(f'<span class="gate">gated by {escape(g)}: {n}</span>' for g, n in gated.items())
    evidence = decision.get("evidence") or []
    ev = f'<span class="evidence">evidence: {escape("; ".join(evidence))}</span> ' if evidence else ""
    return f'<div class="reason">{escape(decision["reason"])}<br>{ev}{tally}</div>'


def render_repair_html(report: dict, *, title: str = "mtfix repair report", source_name: str = "") -> str:
    """The page for a report produced by :meth:`RepairResult.report`."""
    summary = report["summary"]
    paragraphs: dict[int, list[str]] = {}
    for s in report["sentences"]:
        decision = s["decision"]
        cands = s["candidates"]
        original, chosen = cands[decision.get("incumbent", 0)], cands[decision["chosen"]]
        changed = s["changed"]
        by = "".join(f'<span class="by">by {escape(b)}</span>' for b in s.get("changed_by", []))
        row = (
            f'<div class="sentence{" changed" if changed else ""}" id="s{s["index"]}" data-line="{s["line"]}">'
            + _cell("original", f"original · line {s['line']}", s.get("input", s["original"]),
                    original.get("back_translation") or (s["pivots"][0]["text"] if s["pivots"] else None),
                    original["scores"], extra=_rule_fixes(s))
            + _cell("repair", "repair" if changed else "kept", chosen["text"], chosen.get("back_translation"),
                    chosen["scores"], tags=by)
            + _reason(decision)
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
<p class="legend">Left: the machine translation as given, with the rule fixes of stage 0 (number formats,
punctuation, invisible marks, glossary terms) listed under it; right: what mtfix keeps, marked “by rule” and/or
“by model”. Highlighted rows were changed.
Under each sentence, ↩ its back-translation into English. Bars: each score of that sentence (0–1, higher is
better). A candidate replaces the original only when it passes every gate (no loop, no leaked token, the
right script, a sane length, the original's numbers and names, no copy of the pivot, close enough to the
original) and beats it by the margin in the signature; a red label names the gate that stopped a candidate.</p></header>
<main>{body}</main>
<footer><h2>Signature</h2><code>{escape(signature.get('line', ''))}</code></footer>
</body></html>
"""
