"""Measures of your own: the expression checker refuses everything but its small grammar,
evaluates what it accepts correctly, and a sweep stores each measure of every run beside
the headline outcomes, in Parquet and in DuckDB."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.errors import UserError
from simulation.readouts import columns
from simulation.sweep import parse_experiment, run_sweep
from simulation.sweep.expressions import measure
from simulation.sweep.store import sweep_db

COLUMNS = columns()


def m(text: str):
    return measure("m", text, COLUMNS, where="x.toml")


def series(**cols) -> dict:
    """Read-outs of a 6-month run: month 0..5 and the given columns."""
    return {"month": np.arange(6.0), **{k: np.asarray(v, float) for k, v in cols.items()}}


# --- the checker --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, fragment",
    [
        ("__import__('os')", "unknown function __import__"),
        ("__import__('os').system('true')", "attribute access"),
        ("cross_trust.__class__", "attribute access"),
        ("mean(cross_trust).real", "attribute access"),
        ("(lambda: 1)()", "lambda"),
        ("mean(lambda x: x)", "lambda"),
        ("open('f')", "unknown function open"),
        ("mean(cross_trst)", "unknown column cross_trst (did you mean cross_trust"),
        ("cross_trust", "a value for each month"),
        ("mean(cross_trust[1])", "indexed only by a true/false series"),
        ("mean(cross_trust[0:3])", "a slice (:) is not allowed"),
        ("mean(cross_trust[month > 3] - active)", "combines a selection"),
        ("mean(cross_trust[month > 3] + cross_trust[month > 3])", "combines a selection"),
        ("mean(cross_trust[month > 3][month > 4])", "only a whole series can be indexed"),
        ("mean(x for x in active)", "a comprehension"),
        ("mean('text')", "numbers only"),
        ("mean(active, 2)", "exactly one series"),
        ("mean(active=1)", "exactly one series"),
        ("mean(3)", "takes a series"),
        ("mean", "is a reducer"),
        ("mean(active) if 1 else 2", "if/else"),
        ("mean((x := active))", "assignment"),
        ("mean(active > 1 and 2)", "true/false series"),
        ("mean(active % 2)", "operator Mod"),
        ("1 + 2", "uses no read-out column"),
        ("mean(active) +", "not a valid expression"),
        ("", "not an expression"),
    ],
)
def test_checker_refuses_what_is_not_in_the_grammar(text, fragment):
    with pytest.raises(UserError) as e:
        m(text)
    msg = str(e.value)
    assert fragment in msg
    assert msg.startswith("x.toml: measures.m = ") and "; allowed: " in msg
    assert "\n" not in msg


def test_refused_code_never_runs(tmp_path):
    target = tmp_path / "made"
    with pytest.raises(UserError):
        m(f"__import__('os').system('touch {target}')")
    with pytest.raises(UserError):
        m(f"mean(active) + __import__('pathlib').Path('{target}').touch()")
    assert not target.exists()


def test_names_of_measures_are_checked():
    with pytest.raises(UserError, match="measure name '2x'"):
        measure("2x", "mean(active)", COLUMNS, where="x.toml")


def test_evaluator_values():
    data = series(
        cross_trust=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        failure_share=[np.nan, np.nan, 0.5, 0.25, np.nan, 0.75],
        active=[0, 0, 2, 3, 0, 1],
    )
    cases = {
        "mean(cross_trust[month >= 3])": 0.5,
        "median(cross_trust)": 0.35,
        "min(cross_trust) + max(cross_trust)": 0.7,
        "sum(active == 0)": 3.0,  # months with nothing active
        "mean(active > 0)": 0.5,
        "std(cross_trust)": float(np.std([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], ddof=1)),
        # Undefined months are skipped by every reducer.
        "mean(failure_share)": 0.5,
        "first(failure_share)": 0.5,
        "last(failure_share)": 0.75,
        "last(cross_trust) - first(cross_trust)": 0.5,
        "mean(cross_trust[(month >= 1) and (month < 3)])": 0.25,
        "mean(cross_trust[(month >= 1) & ~(month < 3)])": 0.5,
        "mean(cross_trust[1 <= month <= 2])": 0.25,
        "mean(cross_trust[not (month > 0)])": 0.1,
        "mean(cross_trust * 2 - 1) ** 2": (0.7 - 1) ** 2,
        "-sum(active) / 2": -3.0,
    }
    for text, want in cases.items():
        assert m(text).evaluate(data) == pytest.approx(want), text


def test_undefined_results_are_nan_and_nothing_grows_without_bound():
    data = series(cross_trust=[0.1] * 6, active=[0] * 6)
    assert np.isnan(m("mean(cross_trust[month > 99])").evaluate(data))
    assert np.isnan(m("last(cross_trust[month > 99])").evaluate(data))
    assert m("sum(active[month > 99])").evaluate(data) == 0.0
    assert np.isnan(m("std(cross_trust[month == 1])").evaluate(data))
    assert np.isnan(m("sum(active) / sum(active)").evaluate(data))
    # Constants are floats: no Python integer of a billion digits is ever built.
    assert np.isnan(m("10 ** 10 ** 10 * max(cross_trust)").evaluate(data))


TOKENS = [
    *("mean(", "sum(", "last(", "std(", "(", ")", "[", "]", ",", ".", ":", "="),
    *("cross_trust", "active", "month", "failure_share", "x", "lambda", "'s'"),
    *(">", "<=", "==", "and", "or", "not", "&", "|", "~", "+", "-", "*", "/", "**", "%"),
    *("0", "1.5", "60", "1e308"),
]


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=14))
def test_fuzz_any_text_is_refused_in_one_line_or_evaluates_to_a_number(tokens):
    text = " ".join(tokens)
    try:
        checked = m(text)
    except UserError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("x.toml: measures.m = ")
        return
    data = series(
        cross_trust=[0.1, 0.2, np.nan, 0.4, 0.5, 0.6],
        active=[0, 1, 2, 3, 0, 1],
        failure_share=[np.nan] * 6,
    )
    assert isinstance(checked.evaluate(data), float)


# --- in experiment files and sweeps ----------------------------------------------------------
def small(**over) -> dict:
    raw = {
        "name": "t",
        "steps": 12,
        "replicates": 2,
        "base_seed": 5,
        "record_every": 1,
        "fixed": {"n_orgs": 30, "burn_in": 0},
        "vary": {"governance": ["none", "six_principles"]},
    }
    raw.update(over)
    return raw


@pytest.mark.parametrize(
    "measures, fragment",
    [
        ({"late": "mean(cross_trst)"}, "measures.late = 'mean(cross_trst)'"),
        ({"late": "eval('1')"}, "unknown function eval"),
        ({"cross_trust": "mean(cross_trust)"}, "measures.cross_trust"),  # a headline outcome
        ({"governance": "mean(active)"}, "measures.governance"),  # a parameter
        ({"seed": "mean(active)"}, "measures.seed"),  # a column of the runs table
        ({"late": 0.5}, "not an expression"),
    ],
)
def test_bad_measures_in_an_experiment_are_one_line_errors(measures, fragment):
    with pytest.raises(UserError) as e:
        parse_experiment(small(measures=measures), source="x.toml")
    assert fragment in str(e.value) and "allowed:" in str(e.value)


def test_cli_refuses_a_bad_measure_before_any_run(tmp_path, capsys):
    from simulation.cli import main

    exp = tmp_path / "bad.toml"
    exp.write_text('steps = 6\n[vary]\ngovernance = ["none"]\n[measures]\nx = "mean(cross_trst)"\n')
    out = tmp_path / "o"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "measures.x" in err and "cross_trst" in err
    assert not out.exists()


def test_measures_are_stored_beside_the_outcomes_in_parquet_and_duckdb(tmp_path):
    raw = small(
        measures={
            "late_trust": "mean(cross_trust[month >= 6])",
            "peak_active": "max(active)",
            "quiet_months": "sum(active == 0)",
        }
    )
    exp = parse_experiment(raw, source="x.toml")
    out = tmp_path / "o"
    run_sweep(exp, out, workers=1, progress=False)
    runs = pd.read_parquet(out / "runs").set_index("run_id").sort_index()
    ts = pd.read_parquet(out / "timeseries")  # record_every = 1: every month is stored
    assert (runs.status == "ok").all() and len(runs) == 4
    for rid, g in ts.groupby("run_id"):
        r = runs.loc[rid]
        assert r.late_trust == pytest.approx(g[g.month >= 6].cross_trust.mean())
        assert r.peak_active == g.active.max()
        assert r.quiet_months == (g.active == 0).sum()
    assert runs.late_trust.nunique() > 1  # the runs differ, and so do their measures
    cols = list(pd.read_parquet(out / "runs").columns)
    assert cols.index("late_trust") > cols.index("mean_fairness")  # after the outcomes
    db = sweep_db(out).sql("SELECT run_id, late_trust FROM runs ORDER BY run_id").df()
    assert db.late_trust.tolist() == pytest.approx(runs.late_trust.tolist())
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["measures"]["late_trust"] == "mean(cross_trust[month >= 6])"


def test_measures_read_every_month_whatever_is_kept_on_disk(tmp_path):
    """record_every thins the stored time series, not what a measure reads."""
    raw = small(record_every=0, measures={"mean_active": "mean(active)"})
    exp = parse_experiment({**raw, "vary": {"governance": ["none"]}}, source="x.toml")
    run_sweep(exp, tmp_path / "o", workers=1, progress=False)
    got = pd.read_parquet(tmp_path / "o" / "runs").sort_values("run_id")
    from simulation.run import simulate

    for seed, value in zip(got.seed, got.mean_active, strict=True):
        r = simulate(
            "baseline", seed=int(seed), steps=12, params=exp.fixed | {"governance": "none"}
        )
        assert value == pytest.approx(np.mean(r.model.datacollector.model_vars["active"]))
