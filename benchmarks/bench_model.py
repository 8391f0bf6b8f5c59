"""Speed and memory of the model, measured side by side in one run.

Usage (from the repository root):

    .venv/bin/python benchmarks/bench_model.py              # everything (several minutes)
    .venv/bin/python benchmarks/bench_model.py --quick      # smaller sizes, fewer repeats

Sections:

1. The default scenario (150 organisations, 120 months): median wall time of the
   simulation (model built and stepped, no output written) over repeated seeds.
2. Scale: populations of 1k to 16k organisations (and 10k) x 120 months, each run in a
   fresh single-threaded subprocess (seeds in rounds over the sizes), reporting time per
   step, peak resident memory of that process and the number of relationships; then the
   slope of log(time) on log(relationships), which is 1 when time grows in proportion to
   the relationships.
3. Against the naive way: the month's contribution, trust and myth updates at 2,000
   organisations, done by the vectorised mechanisms and by the per-agent reference in
   ``simulation/reference.py`` from the same state, and the ratio of their medians, in
   steady state and as cold single calls (see ``bench_reference``).

All figures are medians over ``--repeats`` runs; ratios compare numbers measured here.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

#: One thread for numpy's maths libraries, so "one core" means one core.
SINGLE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
TARGETS = {"default_s": 1.0, "exponent": 1.15, "10k_s": 30.0, "10k_mib": 1024.0, "speedup": 20.0}


def run_once(n_orgs: int, steps: int, seed: int) -> dict:
    """Build and step one model; return wall time, relationships and peak memory."""
    import resource

    import numpy as np

    from simulation.model import CollabModel
    from simulation.scenarios import resolve

    params = resolve("baseline", {"n_orgs": n_orgs})
    t0 = time.perf_counter()
    m = CollabModel(seed=seed, **params)
    for _ in range(steps):
        m.step()
    wall = time.perf_counter() - t0
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "n_orgs": n_orgs,
        "steps": steps,
        "seed": seed,
        "seconds": wall,
        "relationships": int(m.state.relations.size),
        "partnerships_formed": int(m.state.totals["formed"]),
        "peak_rss_mib": rss_kib / 1024,
        "numpy": np.__version__,
    }


def in_subprocess(n_orgs: int, steps: int, seed: int) -> dict:
    """``run_once`` in a fresh interpreter, so its peak memory is that run's alone."""
    env = {**os.environ, **SINGLE_THREAD}
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(n_orgs), str(steps), str(seed)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_default(repeats: int) -> float:
    from simulation.run import simulate

    simulate("baseline", seed=0, steps=12)  # warm imports and caches
    times = []
    for k in range(repeats):
        t0 = time.perf_counter()
        simulate("baseline", seed=1 + k)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(f"default scenario (150 organisations x 120 months), {repeats} seeds:")
    verdict = "met" if med < TARGETS["default_s"] else "MISSED"
    print(
        f"  median {med:.3f} s  (min {min(times):.3f}, max {max(times):.3f}); "
        f"target < {TARGETS['default_s']:.0f} s: {verdict}"
    )
    return med


def bench_scale(sizes: list[int], steps: int, repeats: int) -> list[dict]:
    import numpy as np

    print(f"\nscale ({steps} months, {repeats} seed(s) per size, one process and one thread each):")
    print(
        f"  {'orgs':>6} {'relationships':>13} {'median s':>9} {'ms/step':>8} "
        f"{'peak MiB':>9} {'s per 1k rel':>12}"
    )
    rows = []
    # Seeds go in rounds over all sizes, so a slow spell of a shared machine falls on several
    # sizes instead of on every seed of one.
    runs_of: dict[int, list[dict]] = {n: [] for n in sizes}
    for k in range(repeats):
        for n in sizes:
            runs_of[n].append(in_subprocess(n, steps, 1 + k))
    for n in sizes:
        runs = runs_of[n]
        sec = statistics.median(r["seconds"] for r in runs)
        rel = statistics.median(r["relationships"] for r in runs)
        mib = max(r["peak_rss_mib"] for r in runs)
        rows.append({"n_orgs": n, "seconds": sec, "relationships": rel, "peak_rss_mib": mib})
        print(
            f"  {n:>6} {rel:>13.0f} {sec:>9.2f} {1000 * sec / steps:>8.1f} {mib:>9.0f} "
            f"{1000 * sec / rel:>12.3f}",
            flush=True,
        )
    fit = [r for r in rows if r["n_orgs"] != 10_000]
    if len(fit) >= 2:
        slope = np.polyfit(
            np.log([r["relationships"] for r in fit]), np.log([r["seconds"] for r in fit]), 1
        )[0]
        ok = slope <= TARGETS["exponent"]
        span = f"{fit[0]['n_orgs']}..{fit[-1]['n_orgs']}"
        print(
            f"  fitted exponent of time on relationships ({span}): "
            f"{slope:.3f}; target about 1, at most {TARGETS['exponent']}: "
            f"{'met' if ok else 'MISSED'}"
        )
    for r in rows:
        if r["n_orgs"] == 10_000:
            print(
                f"  10,000 organisations: {r['seconds']:.1f} s "
                f"(target < {TARGETS['10k_s']:.0f} s: "
                f"{'met' if r['seconds'] < TARGETS['10k_s'] else 'MISSED'}), peak "
                f"{r['peak_rss_mib']:.0f} MiB (target < {TARGETS['10k_mib']:.0f}: "
                f"{'met' if r['peak_rss_mib'] < TARGETS['10k_mib'] else 'MISSED'})"
            )
    return rows


def timed(fn, *args) -> float:
    """Seconds for one call, with the garbage collector held off (as ``timeit`` does)."""
    gc.disable()
    try:
        t0 = time.perf_counter()
        fn(*args)
        return time.perf_counter() - t0
    finally:
        gc.enable()


def bench_reference(n_orgs: int, months: int, repeats: int) -> float:
    """One month's core, vectorised vs per-agent, from the same state; returns the speed-up.

    Two protocols, both printed:

    * steady state (the figure the target is read on): each implementation runs the core
      month after month on its own copy of the state, as ``CollabModel.step`` does, in
      blocks that alternate between the two, so that a slow spell of the machine falls on
      both; the median month of each block, then the median over blocks;
    * cold single calls: one vectorised month straight after a reference month, each from
      the restored state. Fifteen milliseconds of dictionary work between two sub-millisecond
      calls evicts numpy's code and data from the caches, which costs the short vectorised
      call far more, in proportion, than the long reference call it follows.
    """
    from simulation.model import CollabModel
    from simulation.reference import ReferenceModel, month_index, month_inputs, vectorised_month
    from simulation.scenarios import resolve

    m = CollabModel(seed=1, **resolve("baseline", {"n_orgs": n_orgs}))
    for _ in range(months):
        m.step()
    ret, harm, synergy = month_inputs(m.state, m.p)
    inputs = (ret.tolist(), harm.tolist(), synergy.tolist())
    rel = m.state.relations
    saved = (
        rel.trust.copy(),
        rel.familiarity.copy(),
        m.state.orgs.myth.copy(),
        m.streams.noise.bit_generator.state,
    )

    def restore():
        rel.trust[:], rel.familiarity[:], m.state.orgs.myth[:] = saved[0], saved[1], saved[2]
        m.streams.noise.bit_generator.state = saved[3]

    # Like the reference, whose member lists and trust dictionaries are built before its
    # clock starts, the vectorised side gets the month's roster and edge indices (which
    # ``step`` builds once for all mechanisms) ready-made; the time with them is shown too.
    index = month_index(m.state)
    cold_fast, cold_slow = [], []
    for _ in range(max(repeats, 15)):
        restore()
        cold_fast.append(
            timed(vectorised_month, m.state, m.p, m.streams, ret, harm, synergy, index)
        )
        restore()
        ref = ReferenceModel.from_model(m)  # the reference's own state; not timed
        cold_slow.append(timed(ref.month, *inputs, copy.deepcopy(m.streams.noise)))
    restore()
    ref, ref_rng = ReferenceModel.from_model(m), copy.deepcopy(m.streams.noise)
    fast, fast_indexed, slow = [], [], []
    for _ in range(max(repeats, 7)):
        fast.append(
            statistics.median(
                timed(vectorised_month, m.state, m.p, m.streams, ret, harm, synergy, index)
                for _ in range(30)
            )
        )
        fast_indexed.append(
            statistics.median(
                timed(vectorised_month, m.state, m.p, m.streams, ret, harm, synergy)
                for _ in range(30)
            )
        )
        slow.append(statistics.median(timed(ref.month, *inputs, ref_rng) for _ in range(5)))
    roster = index[0]
    f, s, fi = (statistics.median(x) for x in (fast, slow, fast_indexed))
    cf, cs = statistics.median(cold_fast), statistics.median(cold_slow)
    print(
        f"\nagainst the naive way: one month's contribution, trust and myth updates at "
        f"{n_orgs} organisations, month {months}"
    )
    print(
        f"  {roster.active_pid.size} partnerships, {roster.n} memberships, "
        f"{roster.pair_entry_a.size} partner pairs"
    )
    print(
        f"  steady state ({len(fast)} alternating blocks of 30 vectorised and 5 reference months):"
    )
    print(
        f"    vectorised {1000 * f:.2f} ms   per-agent reference {1000 * s:.1f} ms   "
        f"speed-up {s / f:.0f}x (target >= {TARGETS['speedup']:.0f}x: "
        f"{'met' if s / f >= TARGETS['speedup'] else 'MISSED'})"
    )
    print(
        f"    vectorised including building the roster and edge index {1000 * fi:.2f} ms   "
        f"speed-up {s / fi:.0f}x"
    )
    print(
        f"  cold single calls, each straight after the other ({len(cold_fast)} pairs): "
        f"vectorised {1000 * cf:.2f} ms   reference {1000 * cs:.1f} ms   "
        f"speed-up {cs / cf:.0f}x"
    )
    return s / f


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="repeats for the small benchmarks")
    ap.add_argument("--scale-repeats", type=int, default=3, help="seeds per population size")
    ap.add_argument(
        "--sizes",
        default="1000,2000,4000,8000,16000,10000",
        help="populations for the scale section (10000 is reported, not fitted)",
    )
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--quick", action="store_true", help="sizes up to 4k, fewer repeats")
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["default", "scale", "reference"],
        help="leave out a section",
    )
    ap.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(run_once(*a.child)))
        return 0
    if a.quick:
        a.sizes, a.repeats, a.scale_repeats = "1000,2000,4000", 3, 1
    import numpy as np

    import simulation

    print(
        f"collabsim {getattr(simulation, '__version__', '?')}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs\n"
    )
    if "default" not in a.skip:
        bench_default(a.repeats)
    if "scale" not in a.skip:
        bench_scale([int(s) for s in a.sizes.split(",")], a.steps, a.scale_repeats)
    if "reference" not in a.skip:
        bench_reference(2000, 60, a.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
