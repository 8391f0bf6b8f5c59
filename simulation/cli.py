"""The `collabsim` command line.

Every subcommand is a function ``handler(args) -> int`` registered one way, with
``@command(name, help, arguments=add_arguments)``, into ``COMMANDS``. This module defines
run, scenarios and params; the modules in ``EXTENSIONS`` define the rest and are imported
when the parser is built (they import nothing heavy at import time, so `collabsim --help`
stays quick). A user mistake (:class:`~simulation.errors.UserError`) prints one line and
exits with 2.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from .commands import COMMANDS, command
from .errors import UserError

if __name__ == "__main__":
    # Under `python -m simulation.cli` this file runs as __main__: hand over to the module
    # itself, so that its subcommands are registered once, there.
    from simulation.cli import main as _main

    sys.exit(_main())

#: Errors of the disk rather than of collabsim: reported in one line, not as a traceback.
DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})

#: The modules that define the other subcommands, in the order `collabsim --help` lists them.
EXTENSIONS = (
    "simulation.sweep.cli",
    "simulation.validation.cli",
    "simulation.validation.calibrate_cli",
    "simulation.viz.cli",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump, exit status 2
        self.exit(2, f"{self.prog}: error: {message}\n")


# --- run ---------------------------------------------------------------------------------
def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scenario", default="baseline", help="named scenario (see `collabsim scenarios`)"
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter (repeatable; see `collabsim params`)",
    )
    p.add_argument("--steps", default=None, help="months to simulate (default: the scenario's)")
    p.add_argument("--seed", default=None, help="random seed (default 42)")
    p.add_argument(
        "--out", default=None, help="output directory (default results/runs/SCENARIO-seedSEED)"
    )
    p.add_argument(
        "--panel",
        action="store_true",
        help="also write organisations.parquet: every organisation every month (or every "
        "--panel-every months)",
    )
    p.add_argument(
        "--panel-every",
        default=None,
        metavar="N",
        help="months between the panel's records (implies --panel; the last month is always kept)",
    )
    p.add_argument(
        "--network-at",
        default=None,
        metavar="M,M,...",
        help="write the network at these months as GraphML (network-monthNNNNN.graphml; "
        "0 is the state after the burn-in)",
    )
    p.add_argument("--quiet", action="store_true", help="print only the output directory")


@command(
    "run",
    "run one scenario and write its time series, events, partnerships, summary and dashboard",
    arguments=_run_args,
)
def cmd_run(args) -> int:
    from .params import parse_assignments, validate_run
    from .run import check_output_dir, format_summary, simulate, write_outputs
    from .scenarios import get, resolve

    overrides = parse_assignments(args.set)
    resolve(args.scenario, overrides, source="--set")
    steps, seed = validate_run(
        get(args.scenario).steps if args.steps is None else args.steps, args.seed
    )
    from .org_records import check_recording, parse_every, parse_months

    record = check_recording(
        steps,
        panel=args.panel,
        panel_every=parse_every(args.panel_every),
        network_at=parse_months(args.network_at) if args.network_at is not None else (),
    )
    out = check_output_dir(
        args.out if args.out is not None else Path("results/runs") / f"{args.scenario}-seed{seed}"
    )
    result = simulate(args.scenario, seed=seed, steps=steps, params=overrides, record=record)
    write_outputs(result, out)
    if args.quiet:
        print(out)
    else:
        print(format_summary(result))
        print(f"\nresults written to {out}/ ({', '.join(p.name for p in sorted(out.iterdir()))})")
    return 0


# --- scenarios / params --------------------------------------------------------------------
@command("scenarios", "list the named scenarios")
def cmd_scenarios(args) -> int:
    from .scenarios import SCENARIOS

    width = max(len(n) for n in SCENARIOS)
    for name, sc in SCENARIOS.items():
        print(f"{name:<{width}}  {sc.description}")
    return 0


#: ``simulation.params.GROUPS``, spelled out so that building the parser imports no numpy (a
#: test keeps the two equal).
PARAM_GROUPS = ("population", "environment", "governance", "mechanisms", "constants")


def _params_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--group", choices=PARAM_GROUPS)
    p.add_argument("--markdown", action="store_true", help="print a Markdown table (docs)")


@command(
    "params",
    "list every parameter with its default, allowed values and meaning",
    arguments=_params_args,
)
def cmd_params(args) -> int:
    from .params import GROUP_TITLES, describe

    rows = describe()
    if args.group:
        rows = [r for r in rows if r["group"] == args.group]
    if args.markdown:
        print(parameters_markdown(rows), end="")
        return 0
    w = max(len(r["name"]) for r in rows)
    group = None
    for r in rows:
        if r["group"] != group:
            group = r["group"]
            title = f" ({GROUP_TITLES[group]})" if group in GROUP_TITLES else ""
            print(f"\n[{group}]{title}")
        print(f"  {r['name']:<{w}}  {str(r['default']):<12} {r['allowed']:<36} {r['help']}")
    return 0


@command(
    "readouts",
    "list the per-month readout columns (for stop conditions, [measures] and tables)",
)
def cmd_readouts(args) -> int:
    from .readouts import columns

    for name in columns():
        print(name)
    return 0


def parameters_markdown(rows: list[dict]) -> str:
    """The parameter reference as Markdown (docs/parameters.md is this output)."""
    out = [
        "# Parameters",
        "",
        "Generated by `collabsim params --markdown` from `simulation/params.py`, the one",
        "definition that the Python API, the command line, experiment files and the browser",
        "sliders all validate against.",
        "",
    ]
    from .params import GROUP_TITLES

    group = None
    for r in rows:
        if r["group"] != group:
            group = r["group"]
            title = f" ({GROUP_TITLES[group]})" if group in GROUP_TITLES else ""
            out += [
                "",
                f"## {group}{title}",
                "",
                "| name | type | default | allowed | meaning |",
                "|---|---|---|---|---|",
            ]
        out.append(
            f"| `{r['name']}` | {r['type']} | `{r['default']}` | {r['allowed']} | {r['help']} |"
        )
    from .governance import PRESETS, RULES

    out += [
        "",
        "## governance presets",
        "",
        "Setting `governance` to a preset sets these rules; a rule set explicitly wins.",
        "",
        "| rule | " + " | ".join(f"`{n}`" for n in PRESETS) + " |",
        "|---|" + "---|" * len(PRESETS),
    ]
    for rule in RULES:
        out.append(
            f"| `{rule}` | " + " | ".join(str(p.rules[rule]) for p in PRESETS.values()) + " |"
        )
    out += [""] + [
        f"- `{p.name}` ({p.title}): {p.description} Source: {p.source}" for p in PRESETS.values()
    ]
    return "\n".join(out) + "\n"


def build_parser() -> argparse.ArgumentParser:
    import importlib

    for mod in EXTENSIONS:
        importlib.import_module(mod)  # registers its subcommands
    from . import __version__

    parser = _Parser(
        prog="collabsim",
        description="Agent-based model of multi-sector "
        "collaboration (public, private, third sector and community groups).",
    )
    parser.add_argument("--version", action="version", version=f"collabsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, c in COMMANDS.items():
        p = sub.add_parser(name, help=c.help, description=c.help)
        if c.arguments is not None:
            c.arguments(p)
    return parser


def one_line(text: str) -> str:
    """``text`` with any line breaks escaped, so that an error is always one line."""
    return "\\n".join(text.splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command].handler(args) or 0
    except UserError as e:
        print(f"collabsim: error: {one_line(str(e))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("collabsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`collabsim scenarios | head -1`): stop quietly, as Unix tools
        # do, and keep Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as e:
        if e.errno not in DISK_ERRORS:
            raise
        # Results are written atomically, so what was finished before is intact; a sweep
        # resumes from it once there is room.
        where = f" ({e.filename})" if e.filename else ""
        print(
            f"collabsim: error: cannot write results: {os.strerror(e.errno)}{where}; "
            "make room (or choose another --out) and run the command again"
            + (" with --resume" if args.command == "sweep" else ""),
            file=sys.stderr,
        )
        return 2
