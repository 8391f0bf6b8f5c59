"""The architecture holds: generated files are fresh, mechanisms declare what they use, the
numbers that shape behaviour are parameters (no module constants, no inline magic numbers),
imports go one way, and the code is clean under the linter."""

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


#: The named numbers a mechanism module (or the population's) may keep as a module constant,
#: each with the reason it is not behaviour. Every other number that shapes behaviour is a
#: parameter of the ``constants`` group in simulation/params.py, where it can be set and is
#: screened by the sensitivity analysis. Add to this list only what no reader could want to
#: vary: units, normalisations, physical bounds, guards.
NOT_PARAMETERS = {
    # the middle of the 0..1 scales the commitment equation is centred on; moving it only
    # shifts base_commitment
    "simulation.mechanisms.contribution.NEUTRAL": "normalisation",
    # commitment is a share of the capacity a member can give: it cannot exceed all of it
    "simulation.mechanisms.contribution.MAX_COMMITMENT": "physical bound",
    # at least two months of work per challenge, whatever the duration parameters give
    "simulation.mechanisms.formation.MIN_DURATION": "guard",
    # challenge_rate is counted per 100 organisations; varying this is varying challenge_rate
    "simulation.mechanisms.formation.RATE_PER": "unit",
    # the number of Allport's conditions, by which the conditions met are normalised
    "simulation.mechanisms.myths.N_CONDITIONS": "normalisation",
    # the trust read for a mean over no partners, which a working partnership never needs
    "simulation.mechanisms.review.NEUTRAL_TRUST": "fill value",
    # annual rates become monthly ones
    "simulation.mechanisms.turnover.MONTHS_PER_YEAR": "unit",
    # a challenge's value is measured in units of a typical challenge (the median of its
    # lognormal, exp(0)): the value pull is centred there
    "simulation.mechanisms.formation.TYPICAL_VALUE": "unit",
}
#: Modules held to the rule: every mechanism module, and the population's draws.
CONSTANT_RULED = [
    *(f"simulation.mechanisms.{p.stem}" for p in sorted(MECHANISM_DIR.glob("*.py"))),
    "simulation.population",
]


def test_modules_keep_no_behaviour_constants_outside_the_parameters():
    from simulation.doc_tables import constant_comments, numeric_constants
    from simulation.params import PARAMS

    found = set()
    for modname in CONSTANT_RULED:
        module = importlib.import_module(modname)
        comments = constant_comments(module)
        for name in numeric_constants(inspect.getsource(module), vars(module)):
            key = f"{modname}.{name}"
            found.add(key)
            assert name.lower() not in PARAMS, f"{key} is also the parameter {name.lower()}"
            assert key in NOT_PARAMETERS, (
                f"{key} is a named number: make it a parameter of the 'constants' group in "
                "simulation/params.py (read as p.<name>), or, if it is not behaviour, add it "
                "to NOT_PARAMETERS with the reason"
            )
            assert comments.get(name), f"{key} has no #: comment saying what it is"
    assert set(NOT_PARAMETERS) == found, f"stale entries: {set(NOT_PARAMETERS) - found}"


def test_the_constants_rule_sees_a_new_named_number():
    from simulation.doc_tables import numeric_constants

    source = "A = 0.3\nB, C = 2, 'x'\nD = True\nE = (0.1, 0.2)\nlow = 3\nF: float = 1 / 24\n"
    namespace: dict = {}
    exec(source, namespace)
    assert numeric_constants(source, namespace) == ["A", "B", "E", "F"]


def test_every_mechanism_declares_the_constants_it_reads():
    from simulation.doc_tables import CONSTANTS_GROUP, parameters_read, readers
    from simulation.params import PARAMS

    constants = {n for n, p in PARAMS.items() if p.group == CONSTANTS_GROUP}
    declared: dict[str, set[str]] = {}
    for m in MECHANISMS:
        for name in m.constants:
            assert name in constants, f"{m.__name__} lists {name}, not a mechanism constant"
        assert len(set(m.constants)) == len(m.constants), m.__name__
        declared.setdefault(m.__module__, set()).update(m.constants)
    for path in MECHANISM_DIR.glob("*.py"):
        modname = f"simulation.mechanisms.{path.stem}"
        read = parameters_read(importlib.import_module(modname)) & constants
        assert read == declared.get(modname, set()), (
            f"{modname} reads {sorted(read - declared.get(modname, set()))} undeclared, "
            f"declares {sorted(declared.get(modname, set()) - read)} it does not read"
        )
    # Every mechanism constant is read somewhere: none is a parameter that does nothing.
    assert set(readers()) == constants, sorted(constants - set(readers()))


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
