"""The `collabsim` command line.

Each subcommand is a small function registered in ``COMMANDS``; other modules add theirs
by appending a ``(name, add_arguments, handler, help)`` entry through :func:`command`.
A user mistake (:class:`~simulation.errors.UserError`) prints one line and exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from .errors import UserError

COMMANDS: dict[str, tuple[Callable, str]] = {}


def command(name: str, help: str, arguments: Callable | None = None):
    """Register ``handler(args) -> int`` as subcommand ``name``; ``arguments(parser)`` adds options."""

    def wrap(handler):
        if arguments is not None:
            handler.arguments = arguments
        COMMANDS[name] = (handler, help)
        return handler

    return wrap


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump, exit status 2
        self.exit(2, f"{self.prog}: error: {message}\n")


# --- run ---------------------------------------------------------------------------------
def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", default="baseline", help="named scenario (see `collabsim scenarios`)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (repeatable; see `collabsim params`)")
    p.add_argument("--steps", default=None, help="months to simulate (default: the scenario's)")
    p.add_argument("--seed", default=None, help="random seed (default 42)")
    p.add_argument("--out", default=None,
                   help="output directory (default results/runs/SCENARIO-seedSEED)")
    p.add_argument("--quiet", action="store_true", help="print only the output directory")


@command("run", "run one scenario and write its time series, events, summary and dashboard")
def cmd_run(args) -> int:
    from .params import parse_assignments, validate_run
    from .run import check_output_dir, format_summary, simulate, write_outputs

    from .scenarios import get, resolve

    overrides = parse_assignments(args.set)
    resolve(args.scenario, overrides, source="--set")
    steps, seed = validate_run(get(args.scenario).steps if args.steps is None else args.steps,
                               args.seed)
    out = Path(args.out) if args.out else Path("results/runs") / f"{args.scenario}-seed{seed}"
    check_output_dir(out)
    result = simulate(args.scenario, seed=seed, steps=steps, params=overrides)
    write_outputs(result, out)
    if args.quiet:
        print(out)
    else:
        print(format_summary(result))
        print(f"\nresults written to {out}/ ({', '.join(p.name for p in sorted(out.iterdir()))})")
    return 0


cmd_run.arguments = _run_args


# --- scenarios / params --------------------------------------------------------------------
@command("scenarios", "list the named scenarios")
def cmd_scenarios(args) -> int:
    from .scenarios import SCENARIOS

    width = max(len(n) for n in SCENARIOS)
    for name, sc in SCENARIOS.items():
        print(f"{name:<{width}}  {sc.description}")
    return 0


@command("params", "list every parameter with its default, allowed values and meaning")
def cmd_params(args) -> int:
    from .params import describe

    rows = describe()
    if args.group:
        rows = [r for r in rows if r["group"] == args.group]
    w = max(len(r["name"]) for r in rows)
    group = None
    for r in rows:
        if r["group"] != group:
            group = r["group"]
            print(f"\n[{group}]")
        print(f"  {r['name']:<{w}}  {str(r['default']):<12} {r['allowed']:<36} {r['help']}")
    return 0


cmd_params.arguments = lambda p: p.add_argument(
    "--group", choices=("population", "environment", "governance", "mechanisms"))


# Subcommands defined in other modules register themselves on import.
EXTENSIONS = ("simulation.sweep.cli", "simulation.validation.cli", "simulation.viz_cli",
              "simulation.report_cli")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    for mod in EXTENSIONS:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name is None or not mod.startswith(e.name):
                raise
    from . import __version__

    parser = _Parser(prog="collabsim", description="Agent-based model of multi-sector "
                     "collaboration (public, private, third sector and community groups).")
    parser.add_argument("--version", action="version", version=f"collabsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (handler, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        getattr(handler, "arguments", lambda p: None)(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command][0](args) or 0
    except UserError as e:
        print(f"collabsim: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("collabsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
