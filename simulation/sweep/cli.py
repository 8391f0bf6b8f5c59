"""`collabsim sweep` and `collabsim report` subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

from ..commands import command


def _sweep_args(p) -> None:
    p.add_argument("experiment", help="experiment file (TOML), e.g. experiments/governance.toml")
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

    if args.dask is None and worker_count(workers) > 1:
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
    )
    resume = f"collabsim sweep {args.experiment} --out {out} --resume"
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
