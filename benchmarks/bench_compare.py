"""Side-by-side timing of this checkout against another one (e.g. before a refactor).

    .venv/bin/python benchmarks/bench_compare.py OTHER_CHECKOUT [--rounds 5] [--large-rounds 2]

Each round times, in fresh single-threaded processes and in alternating order, the default
scenario (150 organisations x 120 months) for both checkouts, and every ``--large-rounds``
round a 10,000-organisation x 120-month run for both. Alternation spreads the machine's slow
spells over both sides; the ratio is read per round. Both sides must give the same run
(relationships and partnerships formed are compared), unless ``--different-models``: then
the two checkouts hold different models (before and after a deliberate model change) and
each is timed on 120 months from the same stylised start (a burn-in, where the model has one,
is set to 0 so that both sides simulate the same number of months).

Before its timed run each process steps a 20-organisation model once, untimed: what a
checkout loads once per process (this one's compiled kernels, from numba's cache) is paid
there, as a sweep's worker pays it once for all its runs. Its median is printed apart.
Wall time and the process's CPU time are both reported; on a loaded machine the CPU time
moves less.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CODE = """
import json, sys, time
from simulation.model import CollabModel
from simulation.scenarios import resolve
n, steps, seed = (int(x) for x in sys.argv[1:4])
from simulation.params import PARAMS
params = resolve("baseline", {"n_orgs": n, **({"burn_in": 0} if "burn_in" in PARAMS else {})})
# One month of a small model first, untimed, on both sides: it loads whatever a checkout
# loads once per process (compiled kernels, where it has them), as a sweep's worker does
# once for all its runs. The load itself is reported as "warm_up".
t0 = time.perf_counter()
small = resolve("baseline", {"n_orgs": 20, **({"burn_in": 0} if "burn_in" in PARAMS else {})})
CollabModel(seed=seed, **small).step()
warm_up = time.perf_counter() - t0
t0, c0 = time.perf_counter(), time.process_time()
m = CollabModel(seed=seed, **params)
for _ in range(steps):
    m.step()
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
state = getattr(m, "state", m)
totals = state.totals
print(json.dumps({"seconds": wall, "cpu": cpu, "warm_up": warm_up,
                  "relationships": int(state.relations.size), "formed": int(totals["formed"])}))
"""


def timed(tree: Path, n: int, steps: int, seed: int) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", CODE, str(n), str(steps), str(seed)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other", type=Path, help="the other checkout (its root folder)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--large-rounds", type=int, default=2)
    ap.add_argument(
        "--different-models", action="store_true", help="the two sides need not give the same run"
    )
    a = ap.parse_args()
    sides = {"other": a.other.resolve(), "this": HERE}
    results: dict[str, dict[str, list[float]]] = {k: {"default": [], "10k": []} for k in sides}
    cpu: dict[str, dict[str, list[float]]] = {k: {"default": [], "10k": []} for k in sides}
    warm: dict[str, list[float]] = {k: [] for k in sides}
    for r in range(a.rounds):
        order = list(sides) if r % 2 == 0 else list(sides)[::-1]
        runs = [("default", 150, 5)] + ([("10k", 10_000, 1)] if r < a.large_rounds else [])
        for label, n, repeats in runs:
            seen = {}
            for side in order:
                times, cpus = [], []
                for k in range(repeats):
                    res = timed(sides[side], n, 120, 1 + k)
                    times.append(res["seconds"])
                    cpus.append(res["cpu"])
                    warm[side].append(res["warm_up"])
                    seen.setdefault(k, set()).add((res["relationships"], res["formed"]))
                results[side][label].append(statistics.median(times))
                cpu[side][label].append(statistics.median(cpus))
            if not a.different_models:
                assert all(len(v) == 1 for v in seen.values()), f"the two sides differ: {seen}"
            print(
                f"round {r + 1} {label:>7}: "
                + ", ".join(f"{s} {results[s][label][-1]:.3f} s" for s in sides),
                flush=True,
            )
    print(
        "\n| run | other (median) | this (median) | this / other, per round "
        "| CPU time: other, this, ratio |\n|---|---|---|---|---|"
    )
    for label in ("default", "10k"):
        o, t = results["other"][label], results["this"][label]
        if not o:
            continue
        ratios = ", ".join(f"{b / x:.2f}" for x, b in zip(o, t, strict=True))
        co, ct = statistics.median(cpu["other"][label]), statistics.median(cpu["this"][label])
        print(
            f"| {label} | {statistics.median(o):.3f} s | {statistics.median(t):.3f} s | {ratios} "
            f"| {co:.3f} s, {ct:.3f} s, {ct / co:.2f} |"
        )
    print(
        "\nonce per process, untimed above (one month of a 20-organisation model): "
        + ", ".join(f"{k} {statistics.median(v):.3f} s" for k, v in warm.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
