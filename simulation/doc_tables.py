"""Tables of the docs generated from the code: traceability, mechanism constants, module
constants, state (in docs/ODD.md) and the columns of the per-partnership table (docs/ODD.md,
docs/sweeps.md).

``python -m simulation.doc_tables`` rewrites the marked sections of those files;
``tests/test_architecture.py`` fails when they are stale.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import re
from pathlib import Path

import numpy as np

from .mechanisms import MECHANISMS, traceability
from .params import PARAMS

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
#: Every file with generated sections.
DOCS = (ODD, ODD.with_name("sweeps.md"))
#: Modules outside the mechanisms that read mechanism constants (the population's draws).
OTHER_READERS = ("simulation.population",)
#: The parameter group of the mechanism constants.
CONSTANTS_GROUP = "constants"


def constant_comments(module) -> dict[str, str]:
    """``#:`` comment above each module-level assignment, keyed by every name it assigns."""
    source = inspect.getsource(module)
    lines = source.splitlines()
    out: dict[str, str] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        comment, i = [], node.lineno - 2
        while i >= 0 and lines[i].lstrip().startswith("#:"):
            comment.insert(0, lines[i].lstrip()[2:].strip())
            i -= 1
        for name in names:
            out[name] = " ".join(comment)
    return out


def is_numeric(v) -> bool:
    """A number, or a tuple, list or array of numbers (not a flag, a name or an enum code)."""
    if isinstance(v, tuple | list):
        return bool(v) and all(is_numeric(x) for x in v)
    if isinstance(v, np.ndarray):
        return v.dtype.kind in "iuf"
    return isinstance(v, int | float) and not isinstance(v, bool | enum.Enum)


def numeric_constants(source: str, namespace) -> list[str]:
    """Upper-case names assigned at the top level of ``source`` whose value (looked up in
    ``namespace``, the module's globals) is numeric: the module's named numbers."""
    names: list[str] = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name) and n.id.isupper() and n.id not in names:
                    if is_numeric(namespace.get(n.id)):
                        names.append(n.id)
    return names


def parameters_read(module) -> set[str]:
    """Names of parameters ``module`` reads: ``p.NAME`` or ``p["NAME"]`` anywhere in it."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "p" and node.attr in PARAMS:
                out.add(node.attr)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            key = node.slice
            if node.value.id == "p" and isinstance(key, ast.Constant) and key.value in PARAMS:
                out.add(key.value)
    return out


def _short(modname: str) -> str:
    return modname.removeprefix("simulation.").replace(".", "/") + ".py"


def readers() -> dict[str, list[str]]:
    """For each mechanism constant, the modules that read it (mechanisms by declaration)."""
    out: dict[str, list[str]] = {}
    for m in MECHANISMS:
        for name in m.constants:
            out.setdefault(name, []).append(_short(m.__module__))
    for modname in OTHER_READERS:
        for name in parameters_read(importlib.import_module(modname)):
            if PARAMS[name].group == CONSTANTS_GROUP:
                out.setdefault(name, []).append(_short(modname))
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def _value(v) -> str:
    return f"`{v!r}`" if not isinstance(v, float) else f"`{v:g}`"


def constants_table() -> str:
    """The mechanism constants: the parameters of the ``constants`` group, where they are
    read, their default, allowed range and meaning."""
    rows = [
        "| parameter | read in | default | allowed | meaning (source or assumption) |",
        "|---|---|---|---|---|",
    ]
    where = readers()
    for p in PARAMS.values():
        if p.group != CONSTANTS_GROUP:
            continue
        modules = ", ".join(f"`{m}`" for m in where.get(p.name, ()))
        allowed = p.allowed().removeprefix("allowed: ")
        rows.append(f"| `{p.name}` | {modules} | {_value(p.default)} | {allowed} | {p.help} |")
    return "\n".join(rows) + "\n"


def module_constants_table() -> str:
    """The named numbers left in the mechanisms' and the population's modules, none of them
    behaviour (each says why in its ``#:`` comment)."""
    rows = ["| constant | module | value | what it is |", "|---|---|---|---|"]
    modules = dict.fromkeys([*(m.__module__ for m in MECHANISMS), *OTHER_READERS])
    for modname in modules:
        mod = importlib.import_module(modname)
        comments = constant_comments(mod)
        for name in numeric_constants(inspect.getsource(mod), vars(mod)):
            rows.append(
                f"| `{name}` | `{_short(modname)}` | {_value(getattr(mod, name))} | "
                f"{comments.get(name, '')} |"
            )
    return "\n".join(rows) + "\n"


def state_table() -> str:
    """The declared state containers and their fields, from ``simulation/state.py``."""
    from . import state

    source = inspect.getsource(state)
    rows = ["| container | field | shape, type and meaning |", "|---|---|---|"]
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef) or node.name not in (
            "Organisations",
            "Ties",
            "StakeholderLinks",
            "State",
            "WorkRecord",
            "PartnershipHistory",
            "Streams",
        ):
            continue
        lines = source.splitlines()
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                line = lines[item.lineno - 1]
                note = line.split("#", 1)[1].strip() if "#" in line else ""
                rows.append(f"| `{node.name}` | `{item.target.id}` | {note} |")
    return "\n".join(rows) + "\n"


def partnership_columns_table() -> str:
    """The columns of the per-partnership table, from ``simulation.partnership_records``."""
    from .partnership_records import COLUMNS, pandas_dtype

    rows = ["| column | type (Arrow / pandas) | unit | meaning |", "|---|---|---|---|"]
    for c in COLUMNS:
        null = " (null while active)" if c.nullable else ""
        rows.append(f"| `{c.name}` | {c.kind} / {pandas_dtype(c)} | {c.unit} | {c.meaning}{null} |")
    return "\n".join(rows) + "\n"


SECTIONS = {
    "traceability": traceability,
    "constants": constants_table,
    "module_constants": module_constants_table,
    "state": state_table,
    "partnership_columns": partnership_columns_table,
}


def render(text: str) -> str:
    """``text`` with every ``<!-- generated: NAME -->`` section filled in afresh."""
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(<!-- end generated -->)", re.S)
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + m.group(2), text)
    return text


if __name__ == "__main__":
    for doc in DOCS:
        doc.write_text(render(doc.read_text()))
        print(f"wrote {doc}")
