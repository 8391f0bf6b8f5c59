"""Property-based fuzzing of the three ways in: the command line, experiment files and the
Python API. For generated bad inputs: exit status 2 (a UserError from the API), exactly one
line on stderr, no traceback, and nothing written to the output folder."""

from __future__ import annotations

import math
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulation import cli
from simulation.errors import ParameterError, UserError
from simulation.params import _FALSE, _TRUE, PARAMS, RUN_PARAMS, _exact_int
from simulation.run import run_model
from simulation.sweep import parse_experiment, run_sweep
from simulation.sweep.experiment import TOP_KEYS

FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies -----------------------------------------------------------------------
_letters = st.text(string.ascii_letters, min_size=1, max_size=8)


def bad_int_text(low: int, high: int):
    """Text that is never an integer in [low, high]."""
    return st.one_of(
        st.integers(max_value=low - 1).map(str),
        st.integers(min_value=high + 1).map(str),
        st.floats(allow_nan=False, allow_infinity=False)
        .filter(lambda x: not float(x).is_integer())
        .map(repr),
        st.sampled_from(["", " ", "nan", "inf", "-inf", "1e400", "0x10", "True", "1/2", "١"]),
        _letters.filter(lambda t: t.lower() not in ("nan", "inf", "infinity")),
        st.text(max_size=12).filter(lambda t: not _is_int_in(t, low, high)),
    )


def _is_int_in(text: str, low: int, high: int) -> bool:
    n = _exact_int(text)
    return n is not None and low <= n <= high


NUMERIC = [p for p in PARAMS.values() if p.kind in (int, float)]


@st.composite
def bad_assignment(draw) -> str:
    """``NAME=VALUE`` that ``--set`` must refuse."""
    kind = draw(st.sampled_from(["unknown", "range", "text", "nan", "noeq", "choice", "bool"]))
    if kind == "unknown":
        name = draw(_letters.filter(lambda n: n not in PARAMS))
        return f"{name}=1"
    if kind == "noeq":
        return draw(st.text(max_size=10).filter(lambda t: "=" not in t))
    if kind == "choice":
        p = draw(st.sampled_from([p for p in PARAMS.values() if p.kind is str]))
        value = draw(_letters.filter(lambda v: v not in p.choices))
        return f"{p.name}={value}"
    if kind == "bool":
        p = draw(st.sampled_from([p for p in PARAMS.values() if p.kind is bool]))
        value = draw(_letters.filter(lambda v: v.lower() not in _TRUE | _FALSE))
        return f"{p.name}={value}"
    p = draw(st.sampled_from(NUMERIC))
    if kind == "range":
        over = draw(st.floats(min_value=0.001, max_value=1e6))
        value = p.high + over if draw(st.booleans()) else p.low - over
        if p.kind is int:
            value = math.floor(value) if value < p.low else math.ceil(value)
        return f"{p.name}={value}"
    if kind == "nan":
        return f"{p.name}={draw(st.sampled_from(['nan', 'inf', '-inf', '', '1e999']))}"
    return f"{p.name}={draw(_letters.filter(lambda t: t.lower() not in ('nan', 'inf')))}"


def junk():
    """Values of every TOML type (and then some) for experiment keys."""
    leaf = st.one_of(
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.text(max_size=12),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=6,
    )


#: Every key an experiment file may have, and one it may not.
EXPERIMENT_KEYS = [*sorted(TOP_KEYS), "unknown_key"]


def base_experiment() -> dict:
    return {
        "name": "f",
        "steps": 2,
        "replicates": 1,
        "fixed": {"n_orgs": 8},
        "vary": {"clarity": [0.1, 0.2]},
    }


NESTED = [
    ("vary", "clarity"),
    ("vary", "n_orgs"),
    ("vary", "governance"),
    ("fixed", "clarity"),
    ("fixed", "bogus"),
    ("design", "type"),
    ("design", "samples"),
    ("design", "seed"),
    ("design", "levels"),
    ("stop", "when"),
    ("stop", "min_month"),
    ("stop", "other"),
    ("cross", "governance"),
    ("cross", "bogus"),
    ("measures", "m"),
]
RANGE_KEYS = ["low", "high", "step", "dist", "mode", "mean", "sd", "values", "other"]


@st.composite
def nested_experiment(draw) -> dict:
    """A valid experiment with one nested value replaced by junk."""
    raw = base_experiment()
    table, key = draw(st.sampled_from(NESTED))
    design = draw(st.sampled_from(["factorial", "lhs", "sobol", "morris"]))
    if design != "factorial":
        raw["design"] = {"type": design, "samples": 4}
        raw["vary"] = {"clarity": {"low": 0.1, "high": 0.9}}
    if table == "stop":
        raw["stop"] = {"when": "active == 0"}
    value = draw(junk())
    if table == "vary" and draw(st.booleans()):  # one key of a range table
        value = {"low": 0, "high": 1, "step": 0.5, draw(st.sampled_from(RANGE_KEYS)): value}
    raw.setdefault(table, {})
    raw[table] = {**raw[table], key: value}
    return raw


# --- helpers --------------------------------------------------------------------------
def run_cli(args, capsys) -> tuple[int, str]:
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, err


def assert_clean_refusal(code, err, folder: Path):
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and err.startswith(("collabsim: error: ", "collabsim ")), err
    assert list(folder.iterdir()) == [], "something was written"


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return (
            "nan" if v != v else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v))
        )
    if isinstance(v, str):
        return (
            '"'
            + "".join(c if c.isalnum() or c in " ._-=<>!" else f"\\u{ord(c):04x}" for c in v)
            + '"'
        )
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_text(raw: dict) -> str:
    return "".join(f"{toml_value(k)} = {toml_value(v)}\n" for k, v in raw.items())


# --- the command line -----------------------------------------------------------------
@FUZZ
@given(
    which=st.sampled_from(["seed", "steps", "set", "dupset", "out"]),
    seed=bad_int_text(0, 2**63 - 1),
    steps=bad_int_text(1, 100_000),
    assignment=bad_assignment(),
    out_name=st.sampled_from(["", "x" * 256, "\x01file/sub"]),
)
def test_fuzz_run_command_refuses_cleanly(capsys, which, seed, steps, assignment, out_name):
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "work"
        folder.mkdir()
        out = folder / "out"
        args = ["run", "--steps", "1", "--set", "n_orgs=8", "--out", out]
        if which == "seed":
            args += ["--seed", seed]
        elif which == "steps":
            args[2] = steps
        elif which == "set":
            args += ["--set", assignment]
        elif which == "dupset":
            args += ["--set", "clarity=0.5", "--set", "clarity=0.5"]
        else:
            if out_name.startswith("\x01"):
                (folder / "\x01file").write_text("")
                code, err = run_cli([*args[:-1], folder / out_name], capsys)
                (folder / "\x01file").unlink()
                assert_clean_refusal(code, err, folder)
                return
            args[-1] = out_name if out_name == "" else folder / out_name
        code, err = run_cli(args, capsys)
        assert_clean_refusal(code, err, folder)


@FUZZ
@given(
    workers=st.one_of(st.integers(max_value=0).map(str), _letters, st.just("")),
    dask=st.one_of(
        st.just(""),
        _letters.map(lambda s: f"{s}://x"),
        st.text(max_size=10).filter(lambda t: t != "local" and (" " in t or "/" in t or not t)),
    ),
    max_runs=st.one_of(st.integers(max_value=0).map(str), _letters),
    which=st.sampled_from(["workers", "dask", "max_runs"]),
)
def test_fuzz_sweep_options_refuse_cleanly(capsys, workers, dask, max_runs, which):
    assume(not dask.startswith("tcp://") or " " in dask)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "work"
        folder.mkdir()
        exp = Path(d) / "e.toml"
        exp.write_text(toml_text(base_experiment()))
        opt = {"workers": ["--workers", workers], "dask": ["--dask", dask]}
        opt["max_runs"] = ["--max-runs", max_runs]
        code, err = run_cli(["sweep", exp, "--out", folder / "o", *opt[which]], capsys)
        assert_clean_refusal(code, err, folder)


# --- experiment files -----------------------------------------------------------------
@FUZZ
@given(key=st.sampled_from(EXPERIMENT_KEYS), value=junk())
def test_fuzz_experiment_parser_raises_only_user_errors(key, value):
    raw = {**base_experiment(), key: value}
    try:
        parse_experiment(raw, source="fuzz.toml")
    except UserError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzz.toml")


@FUZZ
@given(raw=nested_experiment())
def test_fuzz_nested_experiment_values_raise_only_user_errors(raw):
    try:
        parse_experiment(raw, source="fuzz.toml")
    except UserError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzz.toml")


@FUZZ
@given(
    key=st.sampled_from(EXPERIMENT_KEYS),
    value=junk(),
    garbage=st.one_of(st.none(), st.binary(min_size=1, max_size=40), st.text(max_size=40)),
)
def test_fuzz_experiment_files_through_the_command_line(capsys, key, value, garbage):
    raw = {**base_experiment(), key: value}
    text = toml_text(raw)
    if garbage is not None:
        text = garbage if isinstance(garbage, bytes) else text + garbage
    with tempfile.TemporaryDirectory() as d:
        exp = Path(d) / "e.toml"
        if isinstance(text, bytes):
            exp.write_bytes(text)
        else:
            exp.write_text(text, encoding="utf-8", errors="surrogatepass")
        from simulation.sweep import load_experiment

        try:
            load_experiment(exp)
        except UserError:
            pass
        else:
            assume(False)  # a valid experiment: not this test's business
        folder = Path(d) / "work"
        folder.mkdir()
        code, err = run_cli(["sweep", exp, "--out", folder / "o", "--workers", "1"], capsys)
        assert_clean_refusal(code, err, folder)


# --- the Python API -------------------------------------------------------------------
@st.composite
def bad_api_value(draw):
    """(field, value) that run_model must refuse."""
    field = draw(st.sampled_from(["seed", "steps", "param"]))
    if field in ("seed", "steps"):
        p = RUN_PARAMS[field]
        value = draw(
            st.one_of(
                st.booleans(),
                st.floats().filter(lambda x: not (math.isfinite(x) and x.is_integer())),
                st.integers(max_value=int(p.low) - 1),
                st.integers(min_value=int(p.high) + 1),
                _letters,
                st.lists(st.integers(), max_size=2),
            )
        )
        return field, value
    p = draw(st.sampled_from(NUMERIC))
    value = draw(
        st.one_of(
            st.booleans(),
            st.sampled_from([math.nan, math.inf, -math.inf]),
            st.floats(min_value=p.high, exclude_min=True, allow_infinity=False),
            st.floats(max_value=p.low, exclude_max=True, allow_infinity=False),
            _letters.filter(lambda t: t.lower() not in ("nan", "inf", "infinity")),
        )
    )
    return p.name, value


@FUZZ
@given(bad=bad_api_value())
def test_fuzz_run_model_refuses_with_a_parameter_error(bad):
    field, value = bad
    kwargs = {"steps": 1, "n_orgs": 8}
    kwargs[field] = value
    with pytest.raises(ParameterError) as err:
        run_model(**kwargs)
    assert err.value.field == field and "\n" not in str(err.value)


@settings(max_examples=50, deadline=None)
@given(workers=st.one_of(st.integers(max_value=0), st.booleans(), st.floats(), _letters))
def test_fuzz_run_sweep_workers(workers):
    exp = parse_experiment(base_experiment())
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(UserError, match="workers"):
            run_sweep(exp, Path(d) / "o", workers=workers, progress=False)
        assert list(Path(d).iterdir()) == []
