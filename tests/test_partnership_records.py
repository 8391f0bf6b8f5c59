"""The per-partnership table: one row per partnership, agreeing with the event log and the
run's counters; lifetime means from the months each partnership worked; the same rows from a
run and from a sweep; and the documented types after a Parquet round trip."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from simulation.codes import Behaviour
from simulation.errors import UserError
from simulation.governance import RULES
from simulation.model import CollabModel
from simulation.partnership_records import (
    COLUMN_NAMES,
    COLUMNS,
    pandas_dtype,
    partnership_columns,
)
from simulation.partnerships import ENDED
from simulation.run import OUTPUT_FILES, simulate, write_outputs
from simulation.sectors import SECTORS
from simulation.sweep import load_experiment, run_sweep
from simulation.sweep.designs import run_table
from simulation.sweep.runner import simulate_run
from simulation.sweep.store import sweep_db


@pytest.fixture(scope="module")
def run():
    return simulate("baseline", seed=1, steps=60, params={"n_orgs": 40, "burn_in": 0})


def test_one_row_per_partnership_agreeing_with_the_event_log(run):
    ps, ev, t = run.partnerships, run.events, run.model.state.table
    formed = ev[ev.event == "formed"].set_index("partnership")
    ended = ev[ev.event == "ended"].set_index("partnership")
    assert list(ps.columns) == list(COLUMN_NAMES)
    assert list(ps.partnership) == list(range(t.n_p)) == sorted(formed.index)
    ps = ps.set_index("partnership")
    assert (ps.formed == formed.month).all()
    # The run has both: ended partnerships and partnerships still active (censored).
    active = set(t.active_partnerships().tolist())
    assert 0 < len(active) < len(ps)
    assert set(ps.index[ps.censored]) == active == set(ps.index) - set(ended.index)
    assert ps.ended.isna().equals(ps.censored) and ps.end_cause.isna().equals(ps.censored)
    done = ps[~ps.censored]
    assert (done.ended == ended.month.loc[done.index]).all()
    assert (done.end_cause == ended.cause.loc[done.index]).all()
    # Success: the goal of at least one challenge met (ending by completion is one).
    assert ps.completed.equals(ps.goals_met > 0)
    assert ps.completed[done.index[done.end_cause == "completed"]].all()
    last = run.model.month
    assert (ps.lifespan == ps.ended.fillna(last) - ps.formed).all()

    # Members: at formation, who left (one per "left" event), and at the end.
    def names(e):
        return e.organisations.str.split(", ").str.len()

    assert (ps.size_at_start == names(formed)).all()
    left = ev[ev.event == "left"].partnership.value_counts()
    assert left.sum() > 0, "the run should have members who left"
    assert (ps.members_left == left.reindex(ps.index, fill_value=0)).all()
    assert (done.size_at_end == names(ended).loc[done.index]).all()
    for pid in active:
        assert ps.size_at_end[pid] == t.members_of(pid).size
    assert (ps.size_at_end == ps.size_at_start - ps.members_left).all()

    # Sectors: the formation event names the members' sectors.
    has = ps[[f"has_{s}" for s in SECTORS]].to_numpy()
    from_events = formed.sectors.str.split(", ").map(set)
    for pid, row in zip(ps.index, has, strict=True):
        assert {s for s, h in zip(SECTORS, row, strict=True) if h} == from_events[pid]
        assert ps.sectors[pid] == "+".join(s for s, h in zip(SECTORS, row, strict=True) if h)
    assert ps.sectors.nunique() > 1
    # Run-level columns repeat the run's parameters; one challenge plus one per renewal.
    for rule in RULES:
        assert (ps[rule] == run.params[rule]).all(), rule
    ev = run.events
    renewals = ev[ev.event == "renewed"].partnership.value_counts()
    assert (ps.challenges == 1 + renewals.reindex(ps.index, fill_value=0)).all()
    assert (ps.goals_met >= ps.challenges - 1).all()  # a renewal follows a goal met


def test_value_over_partnerships_is_the_runs_total_value(run):
    ps, s = run.partnerships, run.model.state
    assert ps.value.gt(0).any()
    # The same products summed in another order: equal up to rounding.
    assert ps.value.sum() == pytest.approx(s.totals.value, rel=1e-12)
    assert ps.value.sum() == pytest.approx(run.outcomes["total_value"], rel=1e-12)
    t = s.table
    with np.errstate(divide="ignore", invalid="ignore"):
        lifetime = t.p_output[: t.n_p] / t.p_alone[: t.n_p]
    np.testing.assert_array_equal(ps.lifetime_synergy.to_numpy(), lifetime)


def test_lifetime_means_are_the_months_it_worked_recomputed_by_hand():
    """Step a model, note every month's work as the model did it, and recompute the means
    of each partnership member by member with plain loops."""
    model = CollabModel(seed=5, n_orgs=40, burn_in=0)
    seen = []  # per month: (roster, work record, behaviours and skills the work was done with)
    real_myths = model.myths

    def observing_myths(s, p, roster, delta):
        # Myths run after the work and trust updates, before learning changes behaviours.
        seen.append(
            (
                roster,
                s.work,
                s.orgs.behaviour.copy(),
                s.orgs.skill.copy(),
                s.table.p_req.copy(),  # challenges change at renewals,
                s.orgs.capability.copy(),  # organisations when one closes
                s.table.p_value.copy(),
            )
        )
        real_myths(s, p, roster, delta)

    model.myths = observing_myths
    for _ in range(30):
        model.step()
    s = model.state
    cols = partnership_columns(s, model.p)
    months: dict[int, list[dict]] = {}
    for roster, work, behaviour, skill, p_req, capability, p_value in seen:
        for i, pid in enumerate(roster.active_pid.tolist()):
            members = roster.org[roster.part == i].tolist()
            req = p_req[pid]
            cover = sum(max(capability[m][d] for m in members) * req[d] for d in range(req.size))
            fits = [float(capability[m] @ req) for m in members]
            months.setdefault(pid, []).append(
                {
                    "trust": work.trust_part[i],
                    "understanding": work.understanding_part[i],
                    "skill": sum(skill[m] for m in members) / len(members),
                    "behaviour": [
                        sum(behaviour[m][b] for m in members) / len(members) for b in Behaviour
                    ],
                    "complementarity": cover / (sum(fits) / len(fits)),
                    "synergy": work.synergy[i],
                    "value": work.joint[i] * p_value[pid],
                }
            )
    assert sorted(months) == list(range(s.table.n_p))
    assert [len(months[p]) for p in sorted(months)] == cols["months_worked"].tolist()

    # One partnership by hand: its mean trust is the mean of the months it worked.
    pid = max(months, key=lambda p: len(months[p]))
    trust = [m["trust"] for m in months[pid]]
    assert len(trust) >= 10 and len(set(trust)) > 1
    assert cols["mean_trust"][pid] == pytest.approx(sum(trust) / len(trust), rel=1e-12)
    # ... and not the trust of its last month.
    assert cols["mean_trust"][pid] != pytest.approx(trust[-1], rel=1e-6)

    for p, ms in months.items():

        def mean(key, ms=ms):
            return sum(m[key] for m in ms) / len(ms)

        assert cols["mean_trust"][p] == pytest.approx(mean("trust"), rel=1e-12)
        assert cols["mean_understanding"][p] == pytest.approx(mean("understanding"), rel=1e-12)
        assert cols["mean_skill"][p] == pytest.approx(mean("skill"), rel=1e-12)
        assert cols["mean_complementarity"][p] == pytest.approx(mean("complementarity"), rel=1e-12)
        assert cols["mean_complementarity"][p] >= 1.0
        for b in Behaviour:
            got = cols[f"mean_{b.label}"][p]
            assert got == pytest.approx(sum(m["behaviour"][b] for m in ms) / len(ms), rel=1e-12)
        syn = [m["synergy"] for m in ms if not np.isnan(m["synergy"])]
        assert cols["mean_synergy"][p] == pytest.approx(sum(syn) / len(syn), rel=1e-12)
        assert cols["value"][p] == pytest.approx(sum(m["value"] for m in ms), rel=1e-12)


def test_parquet_round_trip_keeps_the_documented_types(run, tmp_path):
    written = write_outputs(run, tmp_path / "r")
    assert "partnerships.parquet" in OUTPUT_FILES
    path = tmp_path / "r" / "partnerships.parquet"
    assert path in written
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, run.partnerships)
    assert {c: str(t) for c, t in back.dtypes.items()} == {c.name: pandas_dtype(c) for c in COLUMNS}
    assert back.ended.dtype == "Int64" and back.ended.isna().equals(back.censored)
    schema = pq.read_schema(path)
    arrow = {"int64": "int64", "float64": "double", "bool": "bool", "string": "string"}
    for c in COLUMNS:
        field = schema.field(c.name)
        assert str(field.type) == arrow[c.kind], c.name
        assert field.nullable == c.nullable, c.name


EXPERIMENT = """
name = "ledger"
scenario = "baseline"
steps = 24
replicates = 2
base_seed = 3
record_every = 6

[fixed]
n_orgs = 30
burn_in = 0  # so that the run's total value is all partnerships' value

[vary]
governance = ["none", "six_principles"]
"""


def test_a_sweep_stores_the_same_rows_as_a_single_run(tmp_path):
    (tmp_path / "ledger.toml").write_text(EXPERIMENT)
    exp = load_experiment(tmp_path / "ledger.toml")
    out = tmp_path / "o"
    summary = run_sweep(exp, out, workers=1, progress=False)
    assert summary.failed == 0 and summary.ran == 4
    stored = pd.read_parquet(out / "partnerships")
    assert list(stored.columns) == ["run_id", "condition", "replicate", "seed", *COLUMN_NAMES]
    for task in run_table(exp):
        own = simulate_run(exp, task).partnerships
        mine = stored[stored.run_id == task["run_id"]]
        assert len(mine) == len(own) > 0
        assert (mine.seed == task["seed"]).all() and (mine.condition == task["condition"]).all()
        pd.testing.assert_frame_equal(
            mine.drop(columns=["run_id", "condition", "replicate", "seed"]).reset_index(drop=True),
            own,
        )
    # The DuckDB view joins each partnership to its run's parameters.
    con = sweep_db(out)
    joined = con.sql("SELECT * FROM partnerships_runs").df()
    assert len(joined) == len(stored)
    runs = pd.read_parquet(out / "runs").set_index("run_id")
    assert (joined.governance == runs.governance.loc[joined.run_id].to_numpy()).all()
    n_orgs = joined.params_json.map(lambda j: json.loads(j)["n_orgs"])
    assert (n_orgs == 30).all()
    value = con.sql("SELECT run_id, sum(value) AS v FROM partnerships_runs GROUP BY run_id").df()
    np.testing.assert_allclose(
        value.set_index("run_id").v, runs.total_value.loc[value.run_id], rtol=1e-12
    )


def test_a_sweep_with_another_table_layout_is_not_resumed(tmp_path):
    (tmp_path / "ledger.toml").write_text(EXPERIMENT.replace("replicates = 2", "replicates = 1"))
    exp = load_experiment(tmp_path / "ledger.toml")
    out = tmp_path / "o"
    run_sweep(exp, out, workers=1, progress=False)
    # A part as an earlier layout wrote it: a column fewer.
    part = next((out / "partnerships").glob("part-*.parquet"))
    pq.write_table(pq.read_table(part).drop_columns(["mean_trust"]), part)
    before = sorted(p.name for p in out.rglob("*"))
    with pytest.raises(UserError, match="partnerships table.*another layout"):
        run_sweep(exp, out, workers=1, progress=False, resume=True)
    assert sorted(p.name for p in out.rglob("*")) == before


def test_the_survival_report_reads_sweeps_written_before_the_full_table(tmp_path):
    import pyarrow as pa

    from simulation.sweep.report import _survival_columns

    (tmp_path / "p").mkdir()
    old = pa.table({"condition": [0, 1], "duration": [5, 7], "censored": [False, True]})
    pq.write_table(old, tmp_path / "p" / "part-00000.parquet")
    got = _survival_columns(tmp_path / "p")
    assert list(got.columns) == ["condition", "lifespan", "censored"]
    assert got.lifespan.tolist() == [5, 7]


def test_after_a_burn_in_the_table_holds_the_partnerships_at_work_in_the_record():
    r = simulate("baseline", seed=2, steps=24, params={"n_orgs": 40, "burn_in": 36})
    t, ps = r.model.state.table, r.partnerships
    ended_before = (t.p_stage[: t.n_p] == ENDED) & (t.p_end[: t.n_p] < 1)
    assert set(ps.partnership) == set(np.flatnonzero(~ended_before))
    ev = r.events
    formed_in_record = set(ev[ev.event == "formed"].partnership)
    assert formed_in_record == set(ps.partnership[ps.formed >= 1])
    assert (ps.formed < 1).any()  # some were formed during the burn-in and still at work
