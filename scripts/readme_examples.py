"""The README's examples, made from real runs.

Each example sits between ``<!-- example:NAME -->`` and ``<!-- /example -->`` in
README.md or a file of docs/ (:data:`PAGES`). ``tests/test_readme.py`` runs the
commands and fails when a block differs from what they print now;
``python scripts/readme_examples.py`` (from the checkout, with the venv's Python)
rewrites the blocks from fresh runs, in whichever page holds each.

Examples: ``repair-report`` (docs/judge.md: the abridged JSON report of ``mtfix
repair`` on the seed with the tiny random-weight models), ``check`` (``mtfix check`` on the
seed), ``models`` (the first four columns of ``mtfix models list``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]  # where the examples may sit
SEED = "seeds/000_66fd05bfb1d0cc1a.txt"
REPORT_SENTENCE = 4  # the sentence with "20 ، 000" and "SDF": every scorer has something to say
WIDTH = 118

_BLOCK = re.compile(r"(<!-- example:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /example -->)", re.S)


# ------------------------------------------------------------------ formatting

def compact_json(obj, indent: int = 0) -> str:
    """JSON with every value that fits on one line kept on one line (README-sized)."""
    flat = json.dumps(obj, ensure_ascii=False)
    if len(flat) + indent <= WIDTH or not isinstance(obj, (dict, list)) or not obj:
        return flat
    pad = " " * (indent + 2)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {compact_json(v, indent + 2)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + compact_json(v, indent + 2) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n].rstrip() + " …"


def _some(d: dict, keys) -> dict:
    out = {k: d[k] for k in keys if k in d}
    if len(out) < len(d):
        out["..."] = "..."
    return out


def abridged_report(report: dict) -> str:
    """The README's view of a repair report: the signature, the summary, one sentence
    with its decision, the original and the best challenger."""
    sig = report["signature"]
    back = dict(sig["back_models"][0])
    back["model"] = {**back["model"], "path": "..."}
    back.pop("cache_key", None)
    scoring = sig["scoring"]
    s = next(x for x in report["sentences"] if x["index"] == REPORT_SENTENCE)
    d = s["decision"]
    cands = s["candidates"]
    original, challenger = cands[d.get("incumbent", 0)], cands[d["challenger"]] if d.get("challenger") is not None \
        else cands[1]
    keep = ("consensus", "roundtrip_chrf", "numbers", "script", "repetition")
    view = {
        "signature": {
            "line": sig["line"],
            "back_models": [back],
            "decoding": _some(sig["decoding"], ("beam_size", "back_n_best", "forward_n_best")),
            "scoring": {"weights": _some(scoring["weights"], ("consensus", "roundtrip_chrf")),
                        "margin": scoring["margin"], "z": scoring["z"], "normalize": scoring["normalize"],
                        "metrics": _some(scoring["metrics"], ("chrf",)),
                        **({"gates": scoring["gates"]} if "gates" in scoring else {})},
        },
        "summary": report["summary"],
        "sentences": [{
            "index": s["index"], "line": s["line"], "paragraph": s["paragraph"], "changed": s["changed"],
            **({"changed_by": s["changed_by"]} if "changed_by" in s else {}),
            **({"input": _cut(s["input"], 90)} if "input" in s else {}),
            **({"rule_fixes": s["rule_fixes"][:1] + ["..."] * (len(s["rule_fixes"]) > 1)}
               if s.get("rule_fixes") else {}),
            "original": _cut(s["original"], 90),
            "pivots": [{**s["pivots"][0], "text": _cut(s["pivots"][0]["text"], 24)}, "..."],
            "decision": {"chosen": d["chosen"], "kept_incumbent": d["kept_incumbent"], "reason": d["reason"]},
            "candidates": [
                {"origin": original["origin"], "total": original["total"], "back_translation": "...",
                 "scores": _some(original["scores"], keep)},
                {"origin": challenger["origin"], "text": _cut(challenger["text"], 30), "total": challenger["total"],
                 "scores": _some(challenger["scores"], keep)},
            ],
        }],
    }
    return "```json\n" + compact_json(view) + "\n```\n"


def models_table(rows: list[dict]) -> str:
    """The first four columns of `mtfix models list`, in its order, from its --json rows."""
    lines = ["| preset | hub id | family | directions |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['name']}`{' *' if r['default_for'] else ''} | {r['hub_id']} | {r['family']} | "
                     f"{' '.join(r['directions'])} |")
    defaults = ", ".join(f"{d} ({r['name']})" for r in rows for d in r["default_for"])
    return "\n".join(lines) + f"\n\n\\* default for {defaults}\n"


def check_block(command: str, output: str) -> str:
    lines = [line.rstrip() for line in output.rstrip().splitlines()]
    return "```\n$ " + command + "\n" + "\n".join(lines) + "\n```\n"


# ------------------------------------------------------------------ runs

def run_cli(*args: str) -> tuple[int, str]:
    """``mtfix ARGS`` in-process, 160 columns wide (tables as on a wide terminal)."""
    from typer.testing import CliRunner

    from mtfix.cli.app import app

    r = CliRunner(env={"COLUMNS": "160"}).invoke(app, [str(a) for a in args])
    return r.exit_code, r.stdout


def repair_report(tiny: dict, work: Path) -> dict:
    code, _ = run_cli("repair", REPO / SEED, "-b", tiny["marian-ar-en"], "-f", tiny["marian-en-ar"],
                      "--report", work / "report.json", "--out", work / "repaired.txt", "--no-cache")
    assert code == 0, "mtfix repair failed"
    return json.loads((work / "report.json").read_text(encoding="utf-8"))


def check_output() -> str:
    import os

    here = os.getcwd()
    os.chdir(REPO)
    try:
        _, out = run_cli("check", SEED)
    finally:
        os.chdir(here)
    return check_block(f"mtfix check {SEED}", out)


def models_output() -> str:
    code, out = run_cli("models", "list", "--json")
    assert code == 0, out
    return models_table(json.loads(out))


# ------------------------------------------------------------------ README blocks

def blocks(text: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in _BLOCK.finditer(text)}


def replace_blocks(text: str, new: dict[str, str]) -> str:
    return _BLOCK.sub(lambda m: m.group(1) + new.get(m["name"], m["body"]) + m.group(4), text)


def main() -> None:  # pragma: no cover - a maintenance tool
    import importlib.util
    import tempfile

    spec = importlib.util.spec_from_file_location("make_tiny_models", REPO / "scripts" / "make_tiny_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory(prefix="mtfix-readme-") as tmp:
        tiny = module.build_all(Path(tmp) / "tiny")
        new = {"repair-report": abridged_report(repair_report(tiny, Path(tmp))), "check": check_output(),
               "models": models_output()}
    old = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        old.update(blocks(text))
        updated = replace_blocks(text, new)
        if updated != text:
            page.write_text(updated, encoding="utf-8")
    print("README examples:", ", ".join(f"{k} {'updated' if old.get(k) != v else 'unchanged'}"
                                         for k, v in new.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
