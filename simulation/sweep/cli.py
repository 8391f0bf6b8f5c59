"""`collabsim sweep`, `collabsim report` and `collabsim discover` subcommands."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from ..commands import command
from ..errors import UserError


def _sweep_args(p) -> None:
    p.add_argument(
        "experiment",
        help="experiment file (TOML), e.g. experiments/governance.toml: a design over [vary], "
        "optionally crossed with a factorial ([cross]), and measures of your own ([measures]); "
        "see docs/sweeps.md",
    )
    p.add_argument("--out", default=None, help="output directory (default results/sweeps/NAME)")
    p.add_argument(
        "--workers",
        default=None,
        help="worker processes (default: all cores; 1 runs in this process)",
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS|local",
        help="run on a Dask scheduler at ADDRESS, or on a LocalCluster with 'local'",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="run only the runs missing from --out, and again those recorded as failed",
    )
    p.add_argument(
        "--max-runs",
        default=None,
        metavar="N",
        help="refuse designs of more than N runs (default: the file's max_runs, else 1000000)",
    )
    p.add_argument(
        "--timeout",
        default=None,
        metavar="SECONDS",
        help="stop a run after SECONDS and record it as failed (default: the file's timeout)",
    )
    p.add_argument("--csv", action="store_true", help="also write runs.csv and timeseries.csv")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the design's size and an estimate of its time from one pilot run; "
        "write nothing",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


@command(
    "sweep",
    "run an experiment file (parameter sweep) into a results directory",
    arguments=_sweep_args,
)
def sweep(args) -> int:
    from .checks import check_dask, check_sweep_out, parse_max_runs, parse_timeout, parse_workers

    # Light checks first: the worker pool starts before the model is imported.
    workers = None if args.workers is None else parse_workers(args.workers)
    max_runs = parse_max_runs(args.max_runs)
    check_dask(args.dask)
    from .pool import warm_forkserver, worker_count

    if args.dask is None and worker_count(workers) > 1 and not args.dry_run:
        # The pool's forkserver imports the model on one core while this process imports
        # it on the other, instead of after, beside the first runs.
        warm_forkserver()
    timeout = None if args.timeout is None else parse_timeout(args.timeout)
    from .experiment import load_experiment
    from .runner import SweepStopped, run_sweep
    from .store import export_csv

    exp = load_experiment(args.experiment, max_runs=max_runs)
    out = check_sweep_out(
        args.out if args.out is not None else Path("results") / "sweeps" / exp.name,
        resume=args.resume,
        preview=args.dry_run,
    )
    resume = f"collabsim sweep {args.experiment} --out {out} --resume"
    if args.dry_run:
        from .. import pools
        from .runner import plan

        n = min(worker_count(workers), pools.cores()) if args.dask is None else (workers or 1)
        for line in plan(exp, out, workers=n, dask=args.dask, resume=args.resume):
            print(line, flush=True)
        if not args.resume and out.is_dir() and any(out.iterdir()):
            print(
                f"  note: {out} already holds results: run with --resume to continue it, "
                "or --out for a new directory",
                flush=True,
            )
        return 0
    try:
        s = run_sweep(
            exp,
            out,
            workers=workers,
            dask=args.dask,
            resume=args.resume,
            progress=not args.quiet,
            timeout=timeout,
        )
    except SweepStopped as exc:
        print(f"collabsim: error: sweep stopped: {exc}; resume with: {resume}", file=sys.stderr)
        return 3
    if args.csv and not s.interrupted:
        export_csv(out)
    state = "interrupted" if s.interrupted else "done"
    print(
        f"{state}: {s.ran} run(s) this time, {s.skipped} already present, {s.total} in all, "
        f"{s.failed} failed, {s.seconds:.1f} s -> {out}"
    )
    if s.interrupted:
        print(f"resume with: {resume}", file=sys.stderr)
        return 128 + (s.signal or 2)
    return 1 if s.failed else 0


def _report_args(p) -> None:
    p.add_argument("dir", help="a sweep results directory")
    p.add_argument("--out", default=None, help="where to write the report (default DIR/report)")
    p.add_argument(
        "--reference",
        default=None,
        type=int,
        help="condition id to compare the others against (default 0)",
    )
    p.add_argument("--csv", action="store_true", help="also export runs.csv and timeseries.csv")


@command(
    "report", "figures and paired-difference tables for a finished sweep", arguments=_report_args
)
def report(args) -> int:
    from .checks import completeness
    from .report import write_report
    from .store import export_csv

    warning = completeness(Path(args.dir))
    if warning:
        print(f"collabsim: warning: {warning}", file=sys.stderr)

    written = write_report(
        Path(args.dir), Path(args.out) if args.out else None, reference=args.reference or 0
    )
    if args.csv:
        written += export_csv(Path(args.dir))
    for p in written:
        print(p)
    return 0


def _discover_args(p) -> None:
    p.add_argument("dir", help="a sweep results directory")
    p.add_argument(
        "--outcome",
        required=True,
        help="the outcome that defines the runs of interest: a headline outcome or one of "
        "the experiment's [measures], e.g. failure_share",
    )
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--above", metavar="X", help="runs of interest: OUTCOME > X")
    side.add_argument("--below", metavar="X", help="runs of interest: OUTCOME < X")
    p.add_argument("--out", default=None, help="where to write (default DIR/discovery)")
    p.add_argument(
        "--params",
        default=None,
        metavar="A,B,...",
        help="the varied parameters to search over (default: all of them)",
    )
    p.add_argument(
        "--boxes",
        default="1",
        metavar="N",
        help="PRIM boxes to find, one after another (default 1)",
    )
    p.add_argument(
        "--min-coverage",
        default=None,
        metavar="C",
        help="report the densest step of each box's peeling trajectory with at least this "
        "coverage (default: the step that best balances coverage and density)",
    )
    p.add_argument(
        "--mass-min",
        default="0.05",
        metavar="M",
        help="smallest share of the runs a PRIM box or a CART leaf may hold (default 0.05)",
    )
    p.add_argument("--depth", default="3", metavar="D", help="CART tree depth (default 3)")


def _number(option: str, text: str, low: float, high: float, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and low <= value <= high):
        raise UserError(f"{option} {text!r} is not allowed; allowed: {what}")
    return value


def _whole(option: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise UserError(
            f"{option} {text!r} is not allowed; allowed: an integer from {low} to {high}"
        )
    return value


@command(
    "discover",
    "scenario discovery on a finished sweep: PRIM boxes and a CART tree for the runs whose "
    "outcome is above or below a threshold",
    arguments=_discover_args,
)
def discover(args) -> int:
    from . import discover as sd

    big = float("inf")
    above = (
        None if args.above is None else _number("--above", args.above, -big, big, "a finite number")
    )
    below = (
        None if args.below is None else _number("--below", args.below, -big, big, "a finite number")
    )
    boxes = _whole("--boxes", args.boxes, 1, sd.MAX_BOXES)
    depth = _whole("--depth", args.depth, 1, sd.MAX_DEPTH)
    mass_min = _number("--mass-min", args.mass_min, 1e-9, 0.5, "a share above 0 and at most 0.5")
    min_coverage = None
    if args.min_coverage is not None:
        min_coverage = _number(
            "--min-coverage", args.min_coverage, 1e-9, 1, "a share above 0, at most 1"
        )
    params = None
    if args.params is not None:
        params = [p.strip() for p in args.params.split(",") if p.strip()]
        if not params:
            raise UserError(
                f"--params {args.params!r} is not allowed; allowed: comma-separated parameter names"
            )
    from .checks import completeness, read_sweep_json

    read_sweep_json(Path(args.dir), why="cannot discover")
    warning = completeness(Path(args.dir))
    if warning:
        print(f"collabsim: warning: {warning}", file=sys.stderr)
    written, notes = sd.write_discovery(
        Path(args.dir),
        sd.Target(args.outcome, above=above, below=below),
        Path(args.out) if args.out is not None else None,
        params=params,
        boxes=boxes,
        depth=depth,
        mass_min=mass_min,
        min_coverage=min_coverage,
    )
    for note in notes:
        print(f"collabsim: note: {note}", file=sys.stderr)
    for p in written:
        print(p)
    return 0
