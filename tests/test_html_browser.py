"""The HTML reports (repair, evaluate) rendered in a real headless browser.

At 1400 px and 800 px wide nothing sticks out of the window (no horizontal
scrolling, no element beyond either edge, fold-outs opened), and every element
whose own text is mostly Arabic is laid out right-to-left. Needs Debian's
``chromium`` (``.ci/run`` installs it); without it these tests are skipped and say so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import leftovers  # noqa: F401  (the shared helpers live there)

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on PATH: the HTML reports are checked in a real browser; "
           "install it with `apt-get install -y chromium` (.ci/run does)")

WIDTHS = (1400, 800)

# Runs after load: opens every fold-out, then measures. The result goes into the DOM,
# which --dump-dom prints.
PROBE = r"""
<script>
window.addEventListener("load", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  var root = document.documentElement, vw = root.clientWidth, over = [], ltr = [], rtl = 0;
  var arabic = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/g, latin = /[A-Za-z]/g;
  document.body.querySelectorAll("*").forEach(function (el) {
    if (el.id === "mtfix-probe") return;
    var r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > vw + 1 || r.left < -1)) {
      over.push(el.tagName.toLowerCase() + "." + el.className + " [" + Math.round(r.left) + ", " +
                Math.round(r.right) + "] " + (el.textContent || "").slice(0, 40));
    }
    var own = "";
    el.childNodes.forEach(function (n) { if (n.nodeType === 3) own += n.textContent; });
    var a = (own.match(arabic) || []).length, l = (own.match(latin) || []).length;
    if (a > 3 && a > l) {
      if (getComputedStyle(el).direction === "rtl") rtl += 1;
      else ltr.push(el.tagName.toLowerCase() + "." + el.className + " " + own.slice(0, 40));
    }
  });
  var pre = document.createElement("pre");
  pre.id = "mtfix-probe";
  pre.textContent = JSON.stringify({viewport: vw, scrollWidth: root.scrollWidth, over: over.slice(0, 20),
                                    overCount: over.length, ltrArabic: ltr.slice(0, 20), rtlArabic: rtl});
  document.body.appendChild(pre);
});
</script>
"""


def measure(html: str, width: int, tmp: Path) -> dict:
    """Render ``html`` in headless Chromium ``width`` px wide; the probe's findings."""
    page = tmp / f"page-{width}.html"
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    profile = tmp / f"profile-{width}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size={width},1000",
           "--virtual-time-budget=5000", "--dump-dom", page.as_uri()]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="mtfix-probe">(.*?)</pre>', p.stdout, re.S)
    assert m, f"chromium gave no result (exit {p.returncode}): {p.stderr[-2000:]}"
    import html as html_lib

    return json.loads(html_lib.unescape(m.group(1)))


def check_layout(html: str, tmp: Path) -> None:
    for width in WIDTHS:
        got = measure(html, width, tmp)
        assert got["viewport"] <= width and got["viewport"] > width - 40, got
        assert got["scrollWidth"] <= got["viewport"], f"{width}px: the page scrolls sideways: {got}"
        assert got["overCount"] == 0, f"{width}px: elements stick out of the window: {got['over']}"
        assert got["ltrArabic"] == [], f"{width}px: Arabic laid out left-to-right: {got['ltrArabic']}"
        assert got["rtlArabic"] > 0, got


@pytest.fixture(scope="module")
def repair_html() -> str:
    """A real repair report with changed sentences, long model names, long unbreakable
    tokens on both sides and a loop, made with translators the test controls."""
    from test_repair import ARTICLE, ENGLISH, FIXED, TO_ARABIC, Fake, cached

    from mtfix.repair import RepairDecoding, repair_text
    from mtfix.report.html import render_repair_html

    loop = "ههظاهره" * 40
    article = ARTICLE + "\n" + f"قال المتحدث {loop} إن الوضع صعب جدا في المدينة.\n"

    def back(text, rank):
        for ar, en in ENGLISH.items():
            if text in (ar, FIXED[ar]):
                return en if rank == 0 else en.replace(".", " .")
        return "The spokesman said " + "Supercalifragilistic" * 12 + " was hard."

    def forward(en, k):
        return TO_ARABIC.get(en.replace(" .", "."), "قال المتحدث " + "الديمقراطية" * 25 + " صعب.")

    result = repair_text(article, back=[("opus-mt-tc-big-ar-en-finetuned-news-2024-checkpoint-best", cached(Fake(back)))],
                         forward=[("opus-mt-tc-big-en-ar-finetuned-news-2024-checkpoint-best", cached(Fake(forward)))],
                         decoding=RepairDecoding.make(beam_size=2))
    assert result.changed, "no changed sentence: the test would not show the repair column's layout"
    return render_repair_html(result.report(), source_name="/a/rather/long/path/to/the/article/" + "x" * 120 + ".txt")


def test_repair_report_fits_the_window_and_arabic_is_right_to_left(repair_html, tmp_path):
    check_layout(repair_html, tmp_path)


def test_evaluate_report_fits_the_window_and_arabic_is_right_to_left(cli, flores_subset, tmp_path):
    sys1, sys2 = flores_subset["systems"].values()
    out = tmp_path / "r.html"
    r = cli("evaluate", "--ref", flores_subset["en"], "--src", flores_subset["ar"],
            "--sys", f"a-system-with-a-very-long-name-{'x' * 60}={sys1}", "--sys", f"b={sys2}",
            "--bs-n", "50", "--ar-n", "50", "--html", out, "-q")
    assert r.exit_code == 0, r.output
    check_layout(out.read_text(encoding="utf-8"), tmp_path)


def test_the_probe_sees_overflow_and_left_to_right_arabic(tmp_path):
    """The browser check itself can fail: a too-wide box and Arabic without dir=rtl are found."""
    bad = ('<!DOCTYPE html><html><body><div style="width:2000px">wide</div>'
           "<p>قال المتحدث إن المعركة النهائية بدأت</p></body></html>")
    got = measure(bad, 800, tmp_path)
    assert got["scrollWidth"] > got["viewport"] and got["overCount"] >= 1 and len(got["ltrArabic"]) == 1
