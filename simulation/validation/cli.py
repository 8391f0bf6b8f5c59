"""`collabsim validate`: measure the brief's patterns and say whether each is reproduced."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..commands import command
from ..files import write_text
from ..params import Param
from ..pools import worker_count

if TYPE_CHECKING:
    import pandas as pd

OPTIONS = {
    "replicates": Param("replicates", int, 20, "Replicates per condition.", "validate", 2, 10_000),
    "seed": Param("seed", int, 1, "Seed of the first replicate.", "validate", 0, 2**62),
    "steps": Param("steps", int, 120, "Months per run.", "validate", 12, 100_000),
    "window": Param(
        "window",
        int,
        360,
        "Months recorded after the burn-in (trends; the cohort forms in them).",
        "validate",
        24,
        100_000,
    ),
    "follow": Param(
        "follow",
        int,
        240,
        "Months the cohort is followed after the window.",
        "validate",
        0,
        100_000,
    ),
    "workers": Param(
        "workers", int, worker_count(None), "Parallel processes.", "validate", 1, 1024
    ),
}


VALIDATE_OPTIONS = ("replicates", "seed", "window", "follow", "workers")


def _args(p: argparse.ArgumentParser) -> None:
    for name in VALIDATE_OPTIONS:
        opt = OPTIONS[name]
        p.add_argument(f"--{name}", default=None, help=f"{opt.help} (default {opt.default})")
    p.add_argument(
        "--out", default="results/validation", help="directory for validation.csv and validation.md"
    )


def table_markdown(df: pd.DataFrame) -> str:
    lines = ["| pattern | measured (95% CI) | target | source | result |", "|---|---|---|---|---|"]
    for _, r in df.iterrows():
        lines.append(
            f"| {r['pattern']} | {_fmt(r)} | {r['target']} | {r['source']} | "
            f"{'pass' if r['pass'] else 'FAIL'} |"
        )
    notes = [f"- {r['pattern']}: {r['detail']}" for _, r in df.iterrows() if r["detail"]]
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"


def _fmt(r) -> str:
    return f"{r['value']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]"


@command(
    "validate",
    "measure the model brief's patterns over replicates; exit 0 only if all pass",
    arguments=_args,
)
def cmd_validate(args) -> int:
    from . import validate_patterns

    opts = {
        k: OPTIONS[k].coerce(
            OPTIONS[k].default if getattr(args, k) is None else getattr(args, k), source=f"--{k}"
        )
        for k in VALIDATE_OPTIONS
    }
    import pandas as pd

    from ..run import check_output_dir

    out = check_output_dir(Path(args.out), shared=True)
    results = validate_patterns(
        opts["replicates"],
        opts["seed"],
        opts["window"],
        opts["follow"],
        opts["workers"],
        progress=lambda s: print(f"running: {s}", file=sys.stderr),
    )
    df = pd.DataFrame([m.row() for m in results])
    out.mkdir(parents=True, exist_ok=True)
    from ..params import DEFAULTS

    header = (
        f"Validation at the steady state: {opts['replicates']} replicates per "
        f"condition (seeds {opts['seed']}..{opts['seed'] + opts['replicates'] - 1}), "
        f"after a burn-in of {DEFAULTS['burn_in']} months; {opts['window']} months recorded, "
        f"the cohort formed in them followed {opts['follow']} months more.\n\n"
    )
    for name, text in (
        ("validation.csv", df.to_csv(index=False)),
        ("validation.md", header + table_markdown(df)),
    ):
        write_text(out / name, text)
    w = max(len(p) for p in df.pattern)
    print(header.strip())
    for _, r in df.iterrows():
        print(
            f"{'PASS' if r['pass'] else 'FAIL'}  {r['pattern']:<{w}}  {_fmt(r):<26} "
            f"target {r['target']}  [{r['source']}]"
        )
    passed = int(df["pass"].sum())
    print(f"\n{passed} of {len(df)} patterns reproduced; table written to {out}/validation.md")
    return 0 if passed == len(df) else 1


#: Options of `collabsim sensitivity`, checked like model parameters (one line, exit 2).
SENSITIVITY = {
    "trajectories": Param(
        "trajectories", int, 20, "Morris trajectories.", "sensitivity", 2, 100_000
    ),
    "replicates": Param(
        "replicates", int, 3, "Replicates per design point.", "sensitivity", 1, 10_000
    ),
    "steps": Param("steps", int, None, "Months per run", "sensitivity", 1, 100_000),
    "seed": OPTIONS["seed"],
    "workers": OPTIONS["workers"],
    "top": Param("top", int, 6, "Factors taken to the Sobol stage.", "sensitivity", 1, 1000),
    "sobol_n": Param(
        "sobol_n", int, 256, "Sobol base sample N (a power of 2).", "sensitivity", 4, 2**20
    ),
    "stage": Param(
        "stage",
        str,
        "both",
        "Which stage to run: morris, sobol or both",
        "sensitivity",
        choices=("morris", "sobol", "both"),
    ),
}


def _sens_args(p: argparse.ArgumentParser) -> None:
    for name, opt in SENSITIVITY.items():
        default = "the scenario's" if opt.default is None else opt.default
        p.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            default=None,
            help=f"{opt.help.rstrip('.')} (default {default})",
        )
    p.add_argument(
        "--factors",
        default=None,
        metavar="NAME[,NAME...]",
        help="vary only these parameters or parameter groups (default: every numeric and "
        "true/false parameter but the population's size and make-up)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="hold a parameter at VALUE in every run (it is then not a factor; repeatable)",
    )
    p.add_argument(
        "--second-order", action="store_true", help="also the second-order Sobol indices"
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS|local",
        help="run on a Dask scheduler at ADDRESS, or on a LocalCluster with 'local'",
    )
    p.add_argument(
        "--out", default="results/sensitivity", help="output directory (default %(default)s)"
    )
    p.add_argument("--resume", action="store_true", help="continue the stages' sweeps in --out")
    p.add_argument(
        "--dry-run", action="store_true", help="print the runs and an estimate, run nothing"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _command_line(args, opts: dict) -> str:
    """The command that reproduces this analysis (and, with --resume, continues it)."""
    parts = ["collabsim", "sensitivity"]
    for name in SENSITIVITY:
        if name != "workers" and getattr(args, name) is not None:
            parts += [f"--{name.replace('_', '-')}", str(opts[name])]
    if args.factors:
        parts += ["--factors", args.factors]
    for item in args.set:
        parts += ["--set", item]
    if args.second_order:
        parts.append("--second-order")
    parts += ["--out", str(args.out)]
    import shlex

    return shlex.join(parts)


@command(
    "sensitivity",
    "global sensitivity analysis of the headline outcomes: Morris screening, then Sobol "
    "indices of the top factors",
    arguments=_sens_args,
)
def cmd_sensitivity(args) -> int:
    from ..params import PARAMS, parse_assignments
    from ..sweep.checks import check_dask, check_sweep_out

    opts = {
        k: o.coerce(getattr(args, k), source=f"--{k.replace('_', '-')}")
        if getattr(args, k) is not None
        else o.default
        for k, o in SENSITIVITY.items()
    }
    check_dask(args.dask)
    from .ranges import expand
    from .sensitivity import Settings, check_sobol_n

    check_sobol_n(opts["sobol_n"])
    held = {k: PARAMS[k].coerce(v, source="--set") for k, v in parse_assignments(args.set).items()}
    factors = None
    if args.factors is not None:
        factors = tuple(expand([f.strip() for f in args.factors.split(",")]))
    settings = Settings(
        trajectories=opts["trajectories"],
        replicates=opts["replicates"],
        steps=opts["steps"],
        seed=opts["seed"],
        top=opts["top"],
        sobol_n=opts["sobol_n"],
        second_order=args.second_order,
        factors=factors,
        fixed=held,
    )
    from ..run import check_output_dir

    out = check_output_dir(Path(args.out), shared=True)
    stages = ("morris", "sobol") if opts["stage"] == "both" else (opts["stage"],)
    for stage in stages:
        check_sweep_out(out / stage, resume=args.resume)
    return _sensitivity(args, opts, settings, out, stages)


def _sensitivity(args, opts, settings, out: Path, stages: tuple[str, ...]) -> int:
    from ..sweep import store
    from ..sweep.runner import SweepStopped
    from . import sensitivity as gsa

    # Everything is built, and every design point validated, before anything runs.
    ranges = gsa.factor_ranges(settings)
    k = min(settings.top, len(ranges))
    chosen = None
    if stages == ("sobol",):
        chosen, _ = gsa.morris_choice(settings, out)
        gsa.sobol_experiment(settings, chosen)
    if "morris" in stages:
        from ..sweep.designs import conditions

        conditions(gsa.morris_experiment(settings))
    counts = {
        "morris": gsa.morris_runs(settings, len(ranges)),
        "sobol": gsa.sobol_runs(settings, k),
    }
    left = 0
    lines = []
    for stage in stages:
        done = len(store.done_run_ids(out / stage)) if args.resume else 0
        left += max(0, counts[stage] - done)
        how = (
            f"{settings.trajectories} trajectories x ({len(ranges)} + 1) points"
            if stage == "morris"
            else f"N x (k + 2) = {settings.sobol_n} x {k + 2} points"
            if not settings.second_order
            else f"N x (2k + 2) = {settings.sobol_n} x {2 * k + 2} points"
        )
        lines.append(
            f"  {stage}: {how} x {settings.replicates} replicates = {counts[stage]:,} runs"
            + (f" ({done:,} already done)" if done else "")
        )
    workers = opts["workers"]
    print(
        f"sensitivity: {len(ranges)} factors, {settings.months()} months per run, "
        f"{left:,} runs to go",
        flush=True,
    )
    print("\n".join(lines), flush=True)
    if left:
        seconds = gsa.time_one_run(settings)
        where = f"Dask workers ({args.dask})" if args.dask else "workers"
        print(
            f"  one run of the base configuration took {seconds:.2f} s here: about "
            f"{gsa.duration(left * seconds / workers)} on {workers} {where} "
            "(runs with other parameter values take longer or shorter)",
            flush=True,
        )
    if args.dry_run:
        return 0
    command = _command_line(args, opts)
    common = {
        "workers": workers,
        "dask": args.dask,
        "progress": not args.quiet,
        "command": command,
    }
    results = []
    try:
        if "morris" in stages:
            r = gsa.run_morris(settings, out, resume=args.resume, **common)
            results.append(r)
            if r.summary.interrupted:
                return _interrupted(r, command)
            _report(r)
            chosen = r.chosen
        if "sobol" in stages:
            r = gsa.run_sobol(settings, out, chosen, resume=args.resume, **common)
            results.append(r)
            if r.summary.interrupted:
                return _interrupted(r, command)
            _report(r)
    except SweepStopped as exc:
        print(
            f"collabsim: error: sweep stopped: {exc}; resume with: {command} --resume",
            file=sys.stderr,
        )
        return 3
    return 1 if any(r.summary.failed for r in results) else 0


def _report(r) -> None:
    s = r.summary
    print(
        f"{r.stage}: {s.ran} run(s) this time, {s.skipped} already present, {s.total} in all, "
        f"{s.failed} failed, {s.seconds:.1f} s -> {r.folder}"
    )
    for note in r.notes:
        print(f"collabsim: note: {note}", file=sys.stderr)
    for line in r.warnings:
        print(f"collabsim: warning: {line}", file=sys.stderr)
    if r.stage == "morris":
        print(f"morris: top {len(r.chosen)} by score: {', '.join(r.chosen)}")
    for p in r.written:
        print(p)


def _interrupted(r, command: str) -> int:
    s = r.summary
    print(
        f"{r.stage}: interrupted after {s.ran} run(s) this time ({s.skipped} present before); "
        "nothing analysed",
    )
    resume = command if command.endswith("--resume") else f"{command} --resume"
    print(f"resume with: {resume}", file=sys.stderr)
    return 128 + (s.signal or 2)
