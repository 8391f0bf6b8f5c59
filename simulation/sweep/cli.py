"""`collabsim sweep` and `collabsim report` subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

from ..commands import command
from ..errors import UserError


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
    workers = None
    if args.workers is not None:
        try:
            workers = int(args.workers)
        except ValueError:
            workers = -1
        if workers < 1:
            raise UserError(f"--workers {args.workers!r} is not allowed; allowed: an integer >= 1")
    from .pool import warm_forkserver, worker_count

    if args.dask is None and worker_count(workers) > 1:
        # The pool's forkserver imports the model on one core while this process imports
        # it on the other, instead of after, beside the first runs.
        warm_forkserver()
    timeout = None
    if args.timeout is not None:
        try:
            timeout = float(args.timeout)
        except ValueError:
            timeout = -1.0
        if not 0 < timeout < float("inf"):
            raise UserError(
                f"--timeout {args.timeout!r} is not allowed; allowed: a number of seconds > 0"
            )
    from .experiment import load_experiment
    from .runner import SweepStopped, run_sweep
    from .store import export_csv

    exp = load_experiment(args.experiment)
    out = Path(args.out) if args.out else Path("results") / "sweeps" / exp.name
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
    from .report import write_report
    from .store import export_csv

    written = write_report(
        Path(args.dir), Path(args.out) if args.out else None, reference=args.reference or 0
    )
    if args.csv:
        written += export_csv(Path(args.dir))
    for p in written:
        print(p)
    return 0
