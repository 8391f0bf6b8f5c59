"""Responsiveness of the browser app on the server: one step plus redraw.

What the server does after the Step button (or each tick of Play) on the Explore page:
advance the model one month, then render the page's three figures (network, live time
series, trust/myth heatmaps) to image bytes, which Solara sends to the browser. Target:
median under 100 ms for the default scenario.

For comparison it also times the naive way, building and drawing fresh figures at each
step (what a plain matplotlib component does), and prints the ratio.

    python benchmarks/bench_viz.py [--repeats 50] [--warmup 24] [--seed 42]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

from simulation import __version__
from simulation.scenarios import resolve
from simulation.viz.controls import VizModel
from simulation.viz.figures import PageFigures, figures_for

TARGET_MS = 100.0


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0


def measure(repeats: int, warmup: int, seed: int, naive_repeats: int) -> dict:
    model = VizModel(seed=seed, **resolve("baseline"))
    for _ in range(warmup):  # a model with partnerships running, not an empty month 0
        model.step()
    figs = figures_for(model)
    figs.render(model.frame)  # first draw of the static parts happens once per session
    rows = {"step": [], "network": [], "series": [], "heatmaps": [], "total": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.step()
        rows["step"].append(_ms(t0))
        for name, fig, arg in (
            ("network", figs.network, model.frame),
            ("series", figs.series, [model.frame]),
            ("heatmaps", figs.heatmaps, model.frame),
        ):
            t1 = time.perf_counter()
            fig.image(arg)
            rows[name].append(_ms(t1))
        rows["total"].append(_ms(t0))
    naive = []
    for _ in range(naive_repeats):
        t0 = time.perf_counter()
        model.step()
        PageFigures(model.frame).render(model.frame)
        naive.append(_ms(t0))
    med = {k: statistics.median(v) for k, v in rows.items()}
    med["naive_total"] = statistics.median(naive) if naive else float("nan")
    return {
        "median_ms": med,
        "repeats": repeats,
        "naive_repeats": naive_repeats,
        "warmup_months": warmup,
        "seed": seed,
        "n_orgs": model.n,
        "collabsim": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=24, help="months run before timing")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--naive-repeats",
        type=int,
        default=10,
        help="repeats of the fresh-figure comparison (slow)",
    )
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    a = ap.parse_args(argv)
    res = measure(a.repeats, a.warmup, a.seed, a.naive_repeats)
    if a.json:
        print(json.dumps(res, indent=2))
        return 0
    med = res["median_ms"]
    print(
        f"collabsim {res['collabsim']}, default scenario ({res['n_orgs']} organisations), "
        f"seed {res['seed']}, timed from month {res['warmup_months']}, "
        f"{res['repeats']} repeats (medians)"
    )
    for k in ("step", "network", "series", "heatmaps"):
        print(f"  {k:<10} {med[k]:7.1f} ms")
    verdict = "under" if med["total"] < TARGET_MS else "OVER"
    print(f"  {'total':<10} {med['total']:7.1f} ms  ({verdict} the {TARGET_MS:.0f} ms target)")
    if res["naive_repeats"]:
        print(
            f"  fresh figures each step: {med['naive_total']:.1f} ms "
            f"({med['naive_total'] / med['total']:.1f}x the incremental redraw)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
