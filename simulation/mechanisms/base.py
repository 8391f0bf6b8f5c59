"""What every mechanism declares about itself, for readers and for the ODD's tables."""

from __future__ import annotations

from typing import ClassVar


class Mechanism:
    """A rule of the model, stated in its docstring with its equations.

    Subclasses declare, for tools to read: the brief's mechanism ``number`` and a short
    ``title``; the ``sources`` it comes from; the ``constants`` its module reads, each a
    parameter of the ``constants`` group of :mod:`simulation.params` (the numbers inside its
    equations, with their meaning and source there, settable and screened like any other
    parameter); and the ``tests`` (in ``tests/``) that check it.
    :func:`simulation.mechanisms.traceability` builds the ODD's traceability table from these,
    and :mod:`simulation.doc_tables` the table of mechanism constants.
    """

    number: ClassVar[str] = ""
    title: ClassVar[str] = ""
    sources: ClassVar[tuple[str, ...]] = ()
    constants: ClassVar[tuple[str, ...]] = ()
    tests: ClassVar[tuple[str, ...]] = ()
