"""Responsiveness of the browser app as a class sees it: in headless Chromium.

`bench_viz.py` times the server's share (a step plus redrawing the figures). This benchmark
times what the page shows, end to end: a real `collabsim viz` server and a real browser,
from the click to the moment every figure on the page has been replaced by the new
month's image (server step and drawing, the websocket, the browser decoding and laying out
the images). Three measures, each on a fresh page:

* **Explore, Step**: click Step on the default scenario; time until the network, live plots
  and heatmaps all show new images and the table shows the new month. Target: median under
  150 ms.
* **Compare, Step**: the same on the Compare page (two models, five figures). Target: median
  under 250 ms.
* **Play**: months the Explore page shows per second while playing at the default speed.
  Target: at least 5.

The clicks and the timing run inside the page (``performance.now()`` before the click and
on the first animation frame at which every image is new), so the test driver's own
latency is not counted. Each measure starts after a few warm-up months, so the first
drawing of a figure's fixed parts is not timed.

    python benchmarks/bench_viz_browser.py [--repeats 20] [--play-seconds 15] [--json FILE]

Needs Chromium (Debian's ``chromium``; or set ``CHROMIUM``) and Playwright, which the
test extra installs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from simulation import __version__

TARGETS = {"explore_step_ms": 150.0, "compare_step_ms": 250.0, "play_months_per_s": 5.0}
WARMUP_STEPS = 3
READY_TIMEOUT_MS = 300_000
COLLABSIM = [sys.executable, "-c", "import sys; from simulation.cli import main; sys.exit(main())"]

#: One timed click, inside the page: resolves with the milliseconds from the click until
#: every image in ``sels`` has a new ``src`` and the month in ``monthSel`` has moved on.
_TIMED_CLICK = """
async ([buttonText, sels, monthSel]) => {
  const month = () => {
    const r = /month\\s+(\\d+)/.exec(document.querySelector(monthSel)?.innerText || '');
    return r ? Number(r[1]) : -1;
  };
  const srcs = () => sels.map(s => document.querySelector(s + ' img')?.getAttribute('src'));
  const before = srcs(), m0 = month();
  const button = [...document.querySelectorAll('button')]
    .find(b => b.textContent.trim() === buttonText && !b.disabled);
  if (!button) throw new Error('no enabled button ' + buttonText);
  const t0 = performance.now();
  button.click();
  return await new Promise((resolve, reject) => {
    const limit = t0 + 60000;
    const check = () => {
      const now = srcs();
      if (month() > m0 && now.every((s, k) => s && s !== before[k])) {
        resolve(performance.now() - t0);
      } else if (performance.now() > limit) {
        reject(new Error('figures not replaced within 60 s'));
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  });
}
"""

EXPLORE = ([".cs-network", ".cs-series", ".cs-heatmaps"], ".cs-headline")
COMPARE = (
    [".cs-network-0", ".cs-network-1", ".cs-series", ".cs-heatmaps-0", ".cs-heatmaps-1"],
    ".cs-compare-table",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        raise SystemExit("bench_viz_browser: headless Chromium not found (set CHROMIUM)")
    return path


def _start_server(log_dir: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log = open(os.path.join(log_dir, "server.log"), "w")
    proc = subprocess.Popen(
        [*COLLABSIM, "viz", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("bench_viz_browser: the server did not start within 180 s")


def _open(browser, url: str, sels: list[str], month_sel: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(url)
    for sel in [*(s + " img" for s in sels), month_sel]:
        page.wait_for_selector(sel, timeout=READY_TIMEOUT_MS)
    return context, page


def _timed_steps(browser, url: str, sels: list[str], month_sel: str, repeats: int) -> list[float]:
    context, page = _open(browser, url, sels, month_sel)
    try:
        for _ in range(WARMUP_STEPS):
            page.evaluate(_TIMED_CLICK, ["Step", sels, month_sel])
        out = []
        for _ in range(repeats):
            out.append(float(page.evaluate(_TIMED_CLICK, ["Step", sels, month_sel])))
            page.wait_for_timeout(100)  # let the Step button come back before the next click
        return out
    finally:
        context.close()


def _play_rate(browser, url: str, seconds: float) -> float:
    sels, month_sel = EXPLORE
    context, page = _open(browser, url, sels, month_sel)
    month = (
        "() => Number((/month\\s+(\\d+)/.exec(document.querySelector('.cs-headline').innerText)"
        " || [0, -1])[1])"
    )
    try:
        for _ in range(WARMUP_STEPS):
            page.evaluate(_TIMED_CLICK, ["Step", sels, month_sel])
        page.get_by_role("button", name="▶", exact=True).click()
        page.wait_for_timeout(2000)  # the loop is under way
        m0, t0 = page.evaluate(month), time.monotonic()
        page.wait_for_timeout(seconds * 1000)
        m1, t1 = page.evaluate(month), time.monotonic()
        page.get_by_role("button", name="❚❚", exact=True).click()
        return (m1 - m0) / (t1 - t0)
    finally:
        context.close()


def measure(repeats: int, play_seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        proc, url = _start_server(tmp)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"]
                )
                explore = _timed_steps(browser, url, *EXPLORE, repeats)
                compare = _timed_steps(browser, url + "compare", *COMPARE, repeats)
                play = _play_rate(browser, url, play_seconds)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {
        "explore_step_ms": statistics.median(explore),
        "compare_step_ms": statistics.median(compare),
        "play_months_per_s": play,
        "explore_step_ms_all": explore,
        "compare_step_ms_all": compare,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=20, help="timed clicks per page (default 20)")
    ap.add_argument("--play-seconds", type=float, default=15.0, help="seconds of Play timed")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    a = ap.parse_args(argv)
    res = measure(a.repeats, a.play_seconds)
    print(f"collabsim {__version__}, Python {platform.python_version()}, {os.cpu_count()} cores")
    print(f"{'measure':28s} {'median':>9s} {'target':>9s}  result")
    for key, target in TARGETS.items():
        v = res[key]
        ok = v >= target if key.endswith("per_s") else v <= target
        unit = "months/s" if key.endswith("per_s") else "ms"
        print(f"{key:28s} {v:9.1f} {target:9.1f}  {'met' if ok else 'MISSED'} ({unit})")
    for key in ("explore_step_ms_all", "compare_step_ms_all"):
        vals = res[key]
        print(f"{key[:-4]:28s} range {min(vals):.0f}-{max(vals):.0f} ms over {len(vals)} clicks")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"version": __version__, "targets": TARGETS, **res}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
