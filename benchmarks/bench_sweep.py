"""Benchmark the sweep machinery: overhead, scaling, parent memory, and mesa.batch_run.

Prints medians and side-by-side ratios; nothing here is asserted. Each measurement that
involves peak memory runs in a fresh interpreter so earlier work does not inflate it.

    python benchmarks/bench_sweep.py            # full (about 10 minutes on 2 cores)
    python benchmarks/bench_sweep.py --quick    # smaller sizes (about 2 minutes)
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def experiment(runs: int, n_orgs: int, steps: int) -> dict:
    return {"name": "bench", "scenario": "baseline", "steps": steps, "replicates": runs // 2,
            "base_seed": 1, "record_every": min(12, steps), "fixed": {"n_orgs": n_orgs},
            "vary": {"governance": ["none", "six_principles"]}}


def child(kind: str, runs: int, n_orgs: int, steps: int, workers: int) -> dict:
    """Run one measurement in this process and return time and peak RSS of this process."""
    import resource

    from simulation.sweep import parse_experiment, run_sweep
    from simulation.sweep.designs import run_table
    exp = parse_experiment(experiment(runs, n_orgs, steps))
    t0 = time.perf_counter()
    if kind == "sweep":
        with tempfile.TemporaryDirectory() as d:
            run_sweep(exp, Path(d) / "o", workers=workers, progress=False)
    elif kind == "bare":   # the runs themselves, nothing stored
        from simulation.run import simulate
        for t in run_table(exp):
            simulate("baseline", seed=t["seed"], steps=steps, params={"n_orgs": n_orgs, **t["values"]})
    elif kind == "batch_run":
        import mesa

        from simulation.model import CollabModel
        mesa.batch_run(CollabModel, parameters={"n_orgs": n_orgs,
                                                "seed": list(range(1, runs // 2 + 1)),
                                                "governance": ["none", "six_principles"]},
                       iterations=1, max_steps=steps, number_processes=workers,
                       data_collection_period=12, display_progress=False)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb}


def measure(kind, runs, n_orgs, steps, workers, repeats) -> dict:
    out = []
    for _ in range(repeats):
        p = subprocess.run([sys.executable, __file__, "--child", kind, str(runs), str(n_orgs),
                            str(steps), str(workers)], capture_output=True, text=True, check=True)
        out.append(json.loads(p.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(o[k] for o in out) for k in ("seconds", "peak_mb")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *nums = a.child
        print(json.dumps(child(kind, *map(int, nums))))
        return
    rep = 1 if a.quick else 3
    n, orgs, steps = (20, 100, 60) if a.quick else (40, 150, 120)
    print(f"design: {n} runs, {orgs} organisations, {steps} months; median of {rep}")
    bare = measure("bare", n, orgs, steps, 1, rep)
    serial = measure("sweep", n, orgs, steps, 1, rep)
    print(f"overhead: bare runs {bare['seconds']:.2f} s, sweep (1 worker, stored) "
          f"{serial['seconds']:.2f} s -> overhead {serial['seconds'] / bare['seconds'] - 1:+.1%}")
    two = measure("sweep", n, orgs, steps, 2, rep)
    print(f"scaling: 1 worker {serial['seconds']:.2f} s, 2 workers {two['seconds']:.2f} s -> "
          f"speed-up {serial['seconds'] / two['seconds']:.2f}x")
    small = (12, 6)
    m100 = measure("sweep", 100, *small, 2, rep)
    m1000 = measure("sweep", 1000, *small, 2, rep)
    print(f"parent peak memory: 100 runs {m100['peak_mb']:.0f} MB, 1000 runs {m1000['peak_mb']:.0f} MB"
          f" -> ratio {m1000['peak_mb'] / m100['peak_mb']:.2f}")
    br = measure("batch_run", n, orgs, steps, 2, rep)
    print(f"vs mesa.batch_run (2 processes, same design): sweep {two['seconds']:.2f} s / "
          f"{two['peak_mb']:.0f} MB parent peak; batch_run {br['seconds']:.2f} s / "
          f"{br['peak_mb']:.0f} MB -> time ratio {two['seconds'] / br['seconds']:.2f}")
    b1000 = measure("batch_run", 1000, *small, 2, 1)
    print(f"1000 small runs: sweep parent peak {m1000['peak_mb']:.0f} MB ({m1000['seconds']:.1f} s); "
          f"batch_run {b1000['peak_mb']:.0f} MB ({b1000['seconds']:.1f} s)")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
