"""`collabsim calibrate`: fit the free parameters to a targets file by ABC-SMC (pyabc)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..commands import command
from ..params import Param
from ..pools import worker_count

DEFAULT_TARGETS = "experiments/calibration/targets.toml"
#: The settings the command line can override (the rest are set in the targets file).
OVERRIDES = ("population", "generations", "replicates", "steps", "seed")
WORKERS = Param("workers", int, 1, "Parallel processes.", "calibrate", 1, 1024)


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "targets",
        nargs="?",
        default=DEFAULT_TARGETS,
        metavar="TARGETS",
        help=f"targets file (TOML; default {DEFAULT_TARGETS})",
    )
    p.add_argument(
        "--out",
        default="results/calibration",
        help="directory for posterior.csv/.md, diagnostics.png, history.db, calibrate.json",
    )
    from .targets import SETTINGS

    for name in OVERRIDES:
        p.add_argument(
            f"--{name}", default=None, help=f"{SETTINGS[name].help} (default: the file's)"
        )
    p.add_argument(
        "--resume",
        action="store_true",
        help="go on with the calibration that was stopped in --out (same targets and options)",
    )
    p.add_argument(
        "--workers",
        default=None,
        help="parallel processes for the runs of a particle; the result does not depend on "
        f"it (default: one per core, {worker_count(None)} here)",
    )


@command(
    "calibrate",
    "fit the free parameters to a targets file by approximate Bayesian computation (ABC-SMC)",
    arguments=_args,
)
def cmd_calibrate(args) -> int:
    from ..run import check_output_dir
    from .targets import load_targets

    # Every input is checked before any work starts.
    targets = load_targets(args.targets)
    targets = targets.with_settings({k: getattr(args, k) for k in OVERRIDES})
    workers = WORKERS.coerce(
        worker_count(None) if args.workers is None else args.workers, source="--workers"
    )
    out = check_output_dir(Path(args.out), shared=True)

    from ..sweep.runner import Signals
    from .calibrate import (
        OUTPUT_FILES,
        PARTIAL_STATE,
        calibrate,
        check_resume,
        plan_text,
        time_one_run,
    )

    check_resume(targets, out, args.resume)  # before the timed run
    seconds = time_one_run(targets)
    print(plan_text(targets, workers, seconds), flush=True)
    signals = Signals()
    try:
        with signals:  # SIGTERM stops it as Ctrl-C does
            result = calibrate(
                targets,
                out,
                workers=workers,
                say=lambda s: print(s, file=sys.stderr, flush=True),
                resume=args.resume,
            )
    except KeyboardInterrupt:
        if (out / PARTIAL_STATE).exists():
            again = f"collabsim calibrate {args.targets} --out {out} --resume"
            print(
                f"collabsim: interrupted; the finished generations are kept: {again} "
                "(with the same options) goes on from there",
                file=sys.stderr,
            )
            return 128 + (signals.received or 2)
        raise
    print(summary_text(result, out))
    assert [f.name for f in result.files] == list(OUTPUT_FILES)
    return 0


def summary_text(c, out: Path) -> str:
    """One screen: posterior per parameter, targets at the posterior median, files."""
    from .calibrate import check_table, summary_table

    return "\n".join(
        [
            "",
            f"done: {len(c.generations)} generations ({c.stopped}), {c.runs:,} runs, "
            f"{c.seconds:,.0f} s",
            "",
            summary_table(c),
            "",
            check_table(c),
            "",
            f"written to {out}/: {', '.join(f.name for f in c.files)}",
        ]
    )
