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
    return f"{r['value']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]"


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


def _sens_args(p: argparse.ArgumentParser) -> None:
    for name in ("replicates", "seed", "steps", "workers"):
        opt = OPTIONS[name]
        p.add_argument(
            f"--{name}",
            default=None,
            help=f"{opt.help} (default {5 if name == 'replicates' else opt.default})",
        )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PARAM",
        help="screen only these parameters (repeatable)",
    )
    p.add_argument(
        "--out",
        default="results/validation",
        help="directory for sensitivity.csv and sensitivity.md",
    )


@command(
    "sensitivity", "one-at-a-time sensitivity screen of the headline outcomes", arguments=_sens_args
)
def cmd_sensitivity(args) -> int:
    from ..params import check_name
    from .sensitivity import markdown, screen

    defaults = {"replicates": 5}
    opts = {
        k: OPTIONS[k].coerce(
            defaults.get(k, OPTIONS[k].default) if getattr(args, k) is None else getattr(args, k),
            source=f"--{k}",
        )
        for k in ("replicates", "seed", "steps", "workers")
    }
    for name in args.only:
        check_name(name, source="--only")
    from ..run import check_output_dir

    out = check_output_dir(Path(args.out), shared=True)
    df = screen(opts["replicates"], opts["seed"], opts["steps"], opts["workers"], args.only)
    out.mkdir(parents=True, exist_ok=True)
    header = (
        f"One-at-a-time screen: {opts['replicates']} paired replicates per setting "
        f"(seeds {opts['seed']}..{opts['seed'] + opts['replicates'] - 1}), "
        f"{opts['steps']} months. Effects are (high - low) in standard deviations of the "
        "baseline replicates.\n\n"
    )
    for name, text in (
        ("sensitivity.csv", df.to_csv(index=False)),
        ("sensitivity.md", header + markdown(df, top=len(df))),
    ):
        write_text(out / name, text)
    print(header + markdown(df))
    print(f"full table written to {out}/sensitivity.md")
    return 0
