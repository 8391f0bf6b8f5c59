"""The registry of `collabsim` subcommands.

Kept apart from the command line itself (:mod:`simulation.cli`) so that the packages that
define subcommands (sweeps, validation, the app) register them without importing the
command line, which sits above them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Command(NamedTuple):
    handler: Callable  # handler(args) -> exit status
    help: str
    arguments: Callable | None  # arguments(parser) adds the subcommand's options


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, arguments: Callable | None = None):
    """Register ``handler(args) -> int`` as subcommand ``name``.

    ``arguments(parser)``, if given, adds the subcommand's options.
    """

    def wrap(handler):
        if name in COMMANDS:
            raise ValueError(f"subcommand {name!r} is registered twice")
        COMMANDS[name] = Command(handler, help, arguments)
        return handler

    return wrap
