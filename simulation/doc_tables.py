"""Tables of the docs generated from the code: traceability, named constants, state (in
docs/ODD.md) and the columns of the per-partnership table (docs/ODD.md, docs/sweeps.md).

``python -m simulation.doc_tables`` rewrites the marked sections of those files;
``tests/test_architecture.py`` fails when they are stale.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

from .mechanisms import MECHANISMS, traceability

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
#: Every file with generated sections.
DOCS = (ODD, ODD.with_name("sweeps.md"))
#: Other modules whose named constants shape behaviour, listed beside the mechanisms'.
OTHER_CONSTANT_MODULES = ("simulation.population", "simulation.partnerships")


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


def _numeric(v) -> bool:
    """A number, or a tuple of numbers (not a flag, a name or an enum alias)."""
    if isinstance(v, tuple):
        return bool(v) and all(_numeric(x) for x in v)
    return isinstance(v, int | float) and not isinstance(v, bool) and type(v) in (int, float)


def _value(v) -> str:
    return f"`{v!r}`" if not isinstance(v, float) else f"`{v:g}`"


def constants_table() -> str:
    """Every named constant that shapes behaviour: where, value and meaning."""
    rows = ["| constant | module | value | meaning (source or assumption) |", "|---|---|---|---|"]
    seen: set[tuple[str, str]] = set()
    modules = [(m.__module__, m.constants) for m in MECHANISMS]
    for name in OTHER_CONSTANT_MODULES:
        mod = importlib.import_module(name)
        modules.append(
            (
                name,
                tuple(
                    k
                    for k, c in constant_comments(mod).items()
                    if k.isupper() and c and _numeric(getattr(mod, k))
                ),
            )
        )
    for modname, names in modules:
        mod = importlib.import_module(modname)
        comments = constant_comments(mod)
        short = modname.removeprefix("simulation.").replace(".", "/") + ".py"
        for name in names:
            if (modname, name) in seen:
                continue
            seen.add((modname, name))
            rows.append(
                f"| `{name}` | `{short}` | {_value(getattr(mod, name))} | "
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
