"""The architecture holds: generated files are fresh, mechanisms declare what they use,
no inline magic numbers, imports go one way, and the code is clean under the linter."""

from __future__ import annotations

import ast
import importlib
import inspect
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulation.mechanisms import MECHANISMS

ROOT = Path(__file__).resolve().parent.parent
MECHANISM_DIR = ROOT / "simulation" / "mechanisms"
#: Literals a formula may spell out: zero, one, two and a half (a mean of two values).
PLAIN_NUMBERS = {0, 1, -1, 2, 0.5}


def test_typed_parameters_are_generated_from_the_one_definition():
    from simulation.params import TYPED_MODULE, typed_params_source

    assert (ROOT / "simulation" / TYPED_MODULE).read_text() == typed_params_source(), (
        "stale: run `python -m simulation.params`"
    )


def test_typed_parameters_match_validated_ones():
    from simulation.params import DEFAULTS, typed

    p = typed({"clarity": 0.8, "governance": "none"})
    assert dict(p).keys() == DEFAULTS.keys()
    assert p.clarity == p["clarity"] == 0.8
    with pytest.raises(KeyError):
        p["no_such_parameter"]
    with pytest.raises(AttributeError):
        p.clarity = 0.1  # frozen: a run's parameters cannot drift


@pytest.mark.parametrize("name", ["ODD.md", "sweeps.md"])
def test_doc_tables_are_generated_from_the_code(name):
    from simulation.doc_tables import DOCS, render

    doc = next(d for d in DOCS if d.name == name)
    text = doc.read_text()
    assert render(text) == text, "stale: run `python -m simulation.doc_tables`"
    assert "<!-- generated: " in text


def _module_constants(path: Path) -> dict[str, int]:
    tree = ast.parse(path.read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name) and n.id.isupper():
                        out[n.id] = node.lineno
    return out


def test_every_mechanism_constant_is_declared_and_documented():
    declared: dict[str, set[str]] = {}
    for m in MECHANISMS:
        module = importlib.import_module(m.__module__)
        for name in m.constants:
            assert hasattr(module, name), f"{m.__name__} lists {name}, not in its module"
        declared.setdefault(m.__module__, set()).update(m.constants)
    from simulation.doc_tables import constant_comments

    for path in MECHANISM_DIR.glob("*.py"):
        modname = f"simulation.mechanisms.{path.stem}"
        consts = _module_constants(path)
        if not consts:
            continue
        comments = constant_comments(importlib.import_module(modname))
        for name in consts:
            assert comments.get(name), f"{modname}.{name} has no #: comment saying what it is"
            assert name in declared.get(modname, set()), (
                f"{modname}.{name} is not listed in its mechanism's `constants`"
            )


def test_mechanisms_spell_no_magic_numbers():
    found = []
    for path in MECHANISM_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        at_module_level = {
            id(n)
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for n in ast.walk(node)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and type(node.value) in (int, float)
                and id(node) not in at_module_level
                and node.value not in PLAIN_NUMBERS
            ):
                found.append(f"{path.name}:{node.lineno} {node.value}")
    assert not found, "name these constants: " + ", ".join(found)


def test_every_mechanism_states_its_equations_sources_and_tests():
    test_names = {}
    for path in (ROOT / "tests").glob("test_*.py"):
        test_names[path.name] = {
            n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)
        }
    for m in MECHANISMS:
        doc = inspect.getdoc(m) or ""
        assert "Rule." in doc and "Equations" in doc, m.__name__
        assert m.sources and m.tests and m.title and m.number, m.__name__
        for t in m.tests:
            file, _, name = t.partition("::")
            assert file in test_names, t
            assert not name or name in test_names[file], f"{m.__name__} names a missing test {t}"


def _tool(name: str) -> str:
    path = Path(sys.executable).with_name(name)
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed (it is in the test extra)")
    return found


def test_imports_follow_the_layers_contract():
    out = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


def test_ruff_finds_nothing():
    out = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout[-3000:]


def test_code_is_formatted():
    out = subprocess.run(
        [_tool("ruff"), "format", "--check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout[-3000:]
