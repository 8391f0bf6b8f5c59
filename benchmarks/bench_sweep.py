"""Benchmark the sweep machinery: overhead, scaling, parent memory, and mesa.batch_run.

Prints medians and side-by-side ratios; nothing here is asserted. Each measurement that
involves peak memory runs in a fresh interpreter so earlier work does not inflate it.

    python benchmarks/bench_sweep.py            # full (about 10 minutes on 2 cores)
    python benchmarks/bench_sweep.py --quick    # smaller sizes (about 2 minutes)
    python benchmarks/bench_sweep.py --pairs 8  # 1 vs 2 workers and the ceiling, 8 rounds
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def experiment(runs: int, n_orgs: int, steps: int) -> dict:
    return {
        "name": "bench",
        "scenario": "baseline",
        "steps": steps,
        "replicates": runs // 2,
        "base_seed": 1,
        "record_every": min(12, steps),
        "fixed": {"n_orgs": n_orgs},
        "vary": {"governance": ["none", "six_principles"]},
    }


def child(kind: str, runs: int, n_orgs: int, steps: int, workers: int) -> dict:
    """Run one measurement in this process and return time and peak RSS of this process."""
    import resource

    import mesa
    import pandas as pd

    from simulation.model import CollabModel
    from simulation.run import simulate
    from simulation.sweep.designs import run_table
    from simulation.sweep.experiment import parse_experiment
    from simulation.sweep.runner import run_sweep

    # Everything is imported before the clock starts: the package loads modules on first use.
    exp = parse_experiment(experiment(runs, n_orgs, steps))
    t0 = time.perf_counter()
    run_seconds = None
    if kind == "sweep":
        with tempfile.TemporaryDirectory() as d:
            run_sweep(exp, Path(d) / "o", workers=workers, progress=False)
            # Time the runs themselves took, as each worker clocked them.
            run_seconds = float(pd.read_parquet(Path(d) / "o" / "runs")["duration_s"].sum())
    elif kind == "bare":  # the runs themselves, nothing stored
        for t in run_table(exp):
            simulate(
                "baseline", seed=t["seed"], steps=steps, params={"n_orgs": n_orgs, **t["values"]}
            )
    elif kind == "batch_run":
        mesa.batch_run(
            CollabModel,
            parameters={
                "n_orgs": n_orgs,
                "seed": list(range(1, runs // 2 + 1)),
                "governance": ["none", "six_principles"],
            },
            iterations=1,
            max_steps=steps,
            number_processes=workers,
            data_collection_period=12,
            display_progress=False,
        )
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "run_seconds": run_seconds}


def child_cmd(kind, runs, n_orgs, steps, workers) -> list[str]:
    return [
        sys.executable,
        __file__,
        "--child",
        kind,
        str(runs),
        str(n_orgs),
        str(steps),
        str(workers),
    ]


def toml_text(exp: dict) -> str:
    """The benchmark's experiment as a TOML file (flat values, one [fixed] and one [vary])."""

    def value(v):
        return (
            "[" + ", ".join(value(x) for x in v) + "]"
            if isinstance(v, list)
            else (f'"{v}"' if isinstance(v, str) else str(v))
        )

    lines = [f"{k} = {value(v)}" for k, v in exp.items() if not isinstance(v, dict)]
    for table in ("fixed", "vary"):
        lines += [f"[{table}]"] + [f"{k} = {value(v)}" for k, v in exp[table].items()]
    return "\n".join(lines) + "\n"


def command_once(runs, n_orgs, steps, workers) -> dict:
    """`collabsim sweep` end to end, as a user types it: interpreter start, imports, runs, files."""
    with tempfile.TemporaryDirectory() as d:
        toml = Path(d) / "bench.toml"
        toml.write_text(toml_text(experiment(runs, n_orgs, steps)))
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "simulation.cli",
                "sweep",
                str(toml),
                "--out",
                str(Path(d) / "o"),
                "--workers",
                str(workers),
                "--quiet",
            ],
            cwd=HERE.parent,
            check=True,
            capture_output=True,
        )
        return {"seconds": time.perf_counter() - t0, "peak_mb": float("nan"), "run_seconds": None}


def measure_once(kind, runs, n_orgs, steps, workers) -> dict:
    if kind == "ceiling":
        return ceiling_once(runs, n_orgs, steps)
    if kind == "command":
        return command_once(runs, n_orgs, steps, workers)
    p = subprocess.run(
        child_cmd(kind, runs, n_orgs, steps, workers), capture_output=True, text=True, check=True
    )
    return json.loads(p.stdout.strip().splitlines()[-1])


def ceiling_once(runs, n_orgs, steps) -> dict:
    """What two cores give two independent processes, with no sweep machinery at all.

    Two processes each do half of the bare runs at the same time; ``seconds`` is the longer
    of their two run times (each clocked from after its imports, like every child's).
    Set against one process doing one half alone, it bounds the speed-up any two-worker
    pool can reach on this machine (shared caches, memory bandwidth and clock boost make
    it less than 2).
    """
    procs = [
        subprocess.Popen(
            child_cmd("bare", runs // 2, n_orgs, steps, 1), stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outs = [proc.communicate()[0] for proc in procs]
    if any(proc.returncode for proc in procs):
        raise SystemExit("a benchmark child process failed")
    seconds = max(json.loads(o.strip().splitlines()[-1])["seconds"] for o in outs)
    return {"seconds": seconds, "peak_mb": float("nan"), "run_seconds": None}


def measure(specs: dict[str, tuple], repeats: int) -> dict[str, dict]:
    """Medians of time and parent peak memory for each named spec.

    The specs take turns within each repeat, so that a slow spell of a shared machine
    falls on all of them rather than on whichever happened to run then.
    """
    out: dict[str, list[dict]] = {name: [] for name in specs}
    for _ in range(repeats):
        for name, spec in specs.items():
            out[name].append(measure_once(*spec))
    return {
        name: {
            "seconds": statistics.median(o["seconds"] for o in runs),
            "peak_mb": statistics.median(o["peak_mb"] for o in runs),
            "wall": [o["seconds"] for o in runs],
            "run_seconds": [o["run_seconds"] for o in runs],
        }
        for name, runs in out.items()
    }


def scaling_pairs(pairs: int, n: int, orgs: int, steps: int) -> None:
    """The 1-vs-2-worker speed-up, and the machine's ceiling, as ratios within each round.

    A shared machine's speed drifts by more than the effect measured here within minutes;
    ratios of measurements taken back to back (in an order that rotates from round to round)
    cancel most of that drift, and the spread over rounds shows what is left.
    """
    specs = {
        "1 worker": ("sweep", n, orgs, steps, 1),
        "2 workers": ("sweep", n, orgs, steps, 2),
        "half alone": ("bare", n // 2, orgs, steps, 1),
        "halves at once": ("ceiling", n, orgs, steps, 2),
    }
    names = list(specs)
    pool, ceiling = [], []
    for k in range(pairs):
        order = names[k % 4 :] + names[: k % 4]
        t = {name: measure_once(*specs[name])["seconds"] for name in order}
        pool.append(t["1 worker"] / t["2 workers"])
        ceiling.append(2 * t["half alone"] / t["halves at once"])
        print(
            f"  round {k + 1}: "
            + ", ".join(f"{name} {t[name]:.2f} s" for name in names)
            + f" -> pool {pool[-1]:.2f}x, ceiling {ceiling[-1]:.2f}x",
            flush=True,
        )
    share = [p / c for p, c in zip(pool, ceiling, strict=True)]
    print(
        f"scaling over {pairs} rounds: pool median {statistics.median(pool):.2f}x (range "
        f"{min(pool):.2f}-{max(pool):.2f}x, {sum(r >= 1.8 for r in pool)} of {pairs} at or "
        f"above 1.8x); machine ceiling median {statistics.median(ceiling):.2f}x (range "
        f"{min(ceiling):.2f}-{max(ceiling):.2f}x, {sum(r >= 1.8 for r in ceiling)} of {pairs} "
        f"at or above 1.8x); pool / ceiling median {statistics.median(share):.0%}"
    )
    if pairs >= 3:
        # Speed-ups multiply, so the interval is a t-interval on their logarithms.
        from scipy import stats

        logs = [math.log(r) for r in pool]
        mean, sem = statistics.fmean(logs), statistics.stdev(logs) / math.sqrt(pairs)
        half = stats.t.ppf(0.975, pairs - 1) * sem
        print(
            f"  pool speed-up, geometric mean {math.exp(mean):.2f}x, 95% CI "
            f"{math.exp(mean - half):.2f}-{math.exp(mean + half):.2f}x (t on logs, "
            f"{pairs} rounds)"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--pairs",
        type=int,
        default=0,
        help="only 1 vs 2 workers and the machine ceiling, in this many rounds",
    )
    ap.add_argument(
        "--runs", type=int, default=0, help="runs in the design (default 40; 20 with --quick)"
    )
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *nums = a.child
        print(json.dumps(child(kind, *map(int, nums))))
        return
    rep = 1 if a.quick else 3
    n, orgs, steps = (20, 100, 60) if a.quick else (40, 150, 120)
    n = a.runs or n
    if a.pairs:
        print(f"design: {n} runs, {orgs} organisations, {steps} months; {a.pairs} rounds")
        scaling_pairs(a.pairs, n, orgs, steps)
        return
    print(f"design: {n} runs, {orgs} organisations, {steps} months; median of {rep}")
    m = measure(
        {
            "bare": ("bare", n, orgs, steps, 1),
            "serial": ("sweep", n, orgs, steps, 1),
            "two": ("sweep", n, orgs, steps, 2),
            "batch_run": ("batch_run", n, orgs, steps, 2),
            "half": ("bare", n // 2, orgs, steps, 1),
            "ceiling": ("ceiling", n, orgs, steps, 2),
            "command_1": ("command", n, orgs, steps, 1),
            "command_2": ("command", n, orgs, steps, 2),
        },
        rep,
    )
    bare, serial, two, br = m["bare"], m["serial"], m["two"], m["batch_run"]
    print(
        f"overhead: bare runs {bare['seconds']:.2f} s, sweep (1 worker, stored) "
        f"{serial['seconds']:.2f} s -> overhead {serial['seconds'] / bare['seconds'] - 1:+.1%}"
        " (target < 5%)"
    )
    # The same sweep's wall time against the sum of its own runs' clocked times: no second
    # process, so no between-process noise. Per repeat, then the median.
    inside = [w / r - 1 for w, r in zip(serial["wall"], serial["run_seconds"], strict=True)]
    print(
        f"  within the sweep (1 worker): wall time vs the runs' own clocked time: "
        f"{statistics.median(inside):+.1%} (repeats: "
        + ", ".join(f"{x:+.1%}" for x in inside)
        + ")"
    )
    print(
        f"scaling: 1 worker {serial['seconds']:.2f} s, 2 workers {two['seconds']:.2f} s -> "
        f"speed-up {serial['seconds'] / two['seconds']:.2f}x (target >= 1.8x)"
    )
    # What the pool adds on top of its own runs (worker start-up, the parent's share of the
    # cores, the last run's tail): wall time minus half the runs' clocked time, per repeat.
    extra = [w - r / 2 for w, r in zip(two["wall"], two["run_seconds"], strict=True)]
    print(
        f"  within the sweep (2 workers): wall time minus half the runs' own clocked time: "
        f"{statistics.median(extra):.2f} s (repeats: "
        + ", ".join(f"{x:.2f}" for x in extra)
        + " s)"
    )
    ceiling = 2 * m["half"]["seconds"] / m["ceiling"]["seconds"]
    print(
        f"  machine ceiling: half the bare runs alone {m['half']['seconds']:.2f} s, two "
        f"processes doing a half each at once {m['ceiling']['seconds']:.2f} s -> at most "
        f"{ceiling:.2f}x; the pool reaches {serial['seconds'] / two['seconds'] / ceiling:.0%} "
        "of it"
    )
    c1, c2 = m["command_1"]["seconds"], m["command_2"]["seconds"]
    print(
        f"  end to end, `collabsim sweep` as typed (interpreter start, imports, runs, files): "
        f"--workers 1 {c1:.2f} s, --workers 2 {c2:.2f} s -> {c1 / c2:.2f}x"
    )
    print(
        f"vs mesa.batch_run (2 processes, same design): sweep {two['seconds']:.2f} s / "
        f"{two['peak_mb']:.0f} MB parent peak; batch_run {br['seconds']:.2f} s / "
        f"{br['peak_mb']:.0f} MB -> time ratio {two['seconds'] / br['seconds']:.2f}"
    )
    small = (12, 6)
    mem = measure(
        {
            "100": ("sweep", 100, *small, 2),
            "1000": ("sweep", 1000, *small, 2),
            "batch_run": ("batch_run", 1000, *small, 2),
        },
        rep,
    )
    m100, m1000, b1000 = mem["100"], mem["1000"], mem["batch_run"]
    print(
        f"parent peak memory: 100 runs {m100['peak_mb']:.0f} MB, 1000 runs "
        f"{m1000['peak_mb']:.0f} MB -> ratio {m1000['peak_mb'] / m100['peak_mb']:.2f}"
        " (target within 1.20)"
    )
    print(
        f"1000 small runs: sweep parent peak {m1000['peak_mb']:.0f} MB "
        f"({m1000['seconds']:.1f} s); batch_run {b1000['peak_mb']:.0f} MB "
        f"({b1000['seconds']:.1f} s)"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
