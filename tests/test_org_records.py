"""Organisations and networks: the panel and GraphML snapshots from `collabsim run` and from
sweeps, their options and one-line errors, the sweep's dry run and warm-up, and
``mesa.batch_run`` with the headline outcomes."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from simulation.cli import main
from simulation.errors import UserError
from simulation.org_records import (
    EDGE_KINDS,
    PANEL_NAMES,
    Recording,
    check_recording,
    network_arrays,
)
from simulation.run import simulate
from simulation.sweep import parse_experiment, run_sweep
from simulation.sweep.runner import network_path
from simulation.sweep.store import sweep_db

TINY = {"n_orgs": 30, "burn_in": 0}


@pytest.fixture(scope="module")
def recorded():
    return simulate("baseline", seed=3, steps=10, params=TINY, record=Recording(4, (0, 10)))


def test_panel_rows_are_organisations_times_records(recorded):
    panel = recorded.panel_arrow.to_pandas()
    assert list(panel.columns) == list(PANEL_NAMES)
    # months 0, 4, 8 and the last month (10), as a sweep's time series keeps it
    assert sorted(panel.month.unique()) == [0, 4, 8, 10]
    assert len(panel) == 30 * 4
    last = panel[panel.month == 10].set_index("org").sort_index()
    o = recorded.model.state.orgs
    assert list(last.name) == o.name
    np.testing.assert_array_equal(last.memberships, o.n_memberships)
    np.testing.assert_allclose(last.skill, o.skill)
    np.testing.assert_allclose(last.sharing, o.behaviour[:, 1])
    # mean trust given and received, from the relationships themselves
    rel = recorded.model.state.relations
    i = int(rel.src[0])
    assert last.trust_given[i] == pytest.approx(rel.trust[rel.src == i].mean())
    j = int(rel.dst[0])
    assert last.trust_received[j] == pytest.approx(rel.trust[rel.dst == j].mean())
    # no myth about one's own sector; myths about the others as the state holds them
    own = last.sector.to_numpy()
    for s in ("public", "private", "third", "community"):
        assert last.loc[own == s, f"myth_{s}"].isna().all()
        assert last.loc[own != s, f"myth_{s}"].notna().all()
    assert (last.ties.to_numpy() == recorded.model.state.ties.degree).all()


def test_the_same_seed_gives_the_same_panel(recorded):
    again = simulate("baseline", seed=3, steps=10, params=TINY, record=Recording(4, (0, 10)))
    pd.testing.assert_frame_equal(again.panel_arrow.to_pandas(), recorded.panel_arrow.to_pandas())
    plain = simulate("baseline", seed=3, steps=10, params=TINY)
    # recording does not change the run
    pd.testing.assert_series_equal(pd.Series(plain.outcomes), pd.Series(again.outcomes))
    pd.testing.assert_frame_equal(plain.timeseries, again.timeseries)
    assert plain.records is None and plain.panel_arrow is None


def test_run_writes_panel_and_graphml_read_back_by_networkx(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        ["run", "--set", "n_orgs=30", "--set", "burn_in=0", "--steps", "6", "--seed", "2",
         "--panel", "--network-at", "0,6", "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert code == 0
    panel = pd.read_parquet(out / "organisations.parquet")
    assert len(panel) == 30 * 7  # --panel alone: every month, 0 to 6
    g = nx.read_graphml(out / "network-month00006.graphml")
    assert isinstance(g, nx.DiGraph) and g.number_of_nodes() == 30
    assert g.graph["month"] == 6 and g.graph["seed"] == 2
    node = g.nodes["0"]
    assert set(node) >= {"label", "sector", "memberships", "partnerships"}
    assert node["label"] == "Public 1" and node["sector"] == "public"
    edges = list(g.edges(data=True))
    assert edges and all(set(d) >= {"trust", "familiarity", "kind"} for _, _, d in edges)
    assert {d["kind"] for _, _, d in edges} <= set(EDGE_KINDS)
    assert all(0 <= d["trust"] <= 1 for _, _, d in edges)
    # memberships on nodes agree with the panel's last month
    last = panel[panel.month == 6].set_index("org")
    for n, d in g.nodes(data=True):
        assert d["memberships"] == last.memberships[int(n)]
        assert len(d["partnerships"].split()) == d["memberships"]
    assert (out / "network-month00000.graphml").exists()
    assert not (out / "network-month00003.graphml").exists()


def test_network_edges_match_the_relationships(recorded):
    s = recorded.model.state
    net = network_arrays(s)
    rel = s.relations
    assert net["edge_src"].size >= rel.size
    k = dict(zip(zip(net["edge_src"].tolist(), net["edge_dst"].tolist(), strict=True),
                 net["edge_kind"].tolist(), strict=True))  # fmt: skip
    for e in range(rel.size):
        kind = k[(int(rel.src[e]), int(rel.dst[e]))]
        assert ("tie" in kind) == bool(rel.tie[e])
        assert ("worked" in kind) == (rel.familiarity[e] > 0)


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--panel-every", "0"], "--panel-every 0 is not allowed; allowed: an integer from 1 to 5"),
        (["--panel-every", "x"], "--panel-every 'x' is not allowed"),
        (["--panel-every", "9"], "from 1 to 5"),
        (["--network-at", "6"], "--network-at 6 is not allowed; allowed: months from 0 to 5"),
        (["--network-at", "-1"], "--network-at -1 is not allowed"),
        (["--network-at", "a,3"], "--network-at 'a,3' is not allowed; allowed: comma-separated"),
        (["--network-at", "3,3"], "--network-at 3 is not allowed; allowed: each month once"),
    ],
)
def test_bad_run_options_are_one_line_errors(tmp_path, capsys, args, fragment):
    out = tmp_path / "out"
    code = main(["run", "--steps", "5", *args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


EXP = {
    "name": "panel",
    "steps": 6,
    "replicates": 2,
    "record_every": 3,
    "panel": True,
    "network_at": [6],
    "fixed": {"n_orgs": 30, "burn_in": 0},
    "vary": {"governance": ["none", "contract"]},
}


def test_sweep_panel_table_view_and_networks(tmp_path):
    exp = parse_experiment(EXP)
    assert exp.recording == Recording(3, (6,))  # panel = true follows record_every
    out = tmp_path / "s"
    s = run_sweep(exp, out, workers=1, progress=False)
    assert s.ran == 4 and s.failed == 0
    con = sweep_db(out)
    counts = con.sql(
        "SELECT run_id, governance, count(*) AS n, count(DISTINCT month) AS months "
        "FROM organisations_runs GROUP BY ALL ORDER BY run_id"
    ).df()
    assert list(counts.n) == [30 * 3] * 4 and set(counts.months) == {3}
    assert list(counts.governance) == ["none", "none", "contract", "contract"]
    # a sweep's panel is the single run's, keyed by the run
    seed = con.sql("SELECT seed FROM runs WHERE run_id = 'c00001-r0001'").fetchall()[0][0]
    one = simulate(
        "baseline",
        seed=int(seed),
        steps=6,
        params={**EXP["fixed"], "governance": "contract"},
        record=exp.recording,
    )
    mine = con.sql(
        "SELECT * EXCLUDE (run_id, condition, replicate, seed) FROM organisations "
        "WHERE run_id = 'c00001-r0001' ORDER BY month, org"
    ).df()
    pd.testing.assert_frame_equal(mine, one.panel_arrow.to_pandas(), check_dtype=False)
    g = nx.read_graphml(network_path(out, "c00001-r0001", 6))
    assert g.graph["run_id"] == "c00001-r0001" and g.number_of_nodes() == 30
    assert len(list((out / "networks").glob("*.graphml"))) == 4


def test_sweep_without_panel_writes_no_organisations(tmp_path):
    raw = {k: v for k, v in EXP.items() if k not in ("panel", "network_at")}
    raw["replicates"] = 1
    out = tmp_path / "s"
    run_sweep(parse_experiment(raw), out, workers=1, progress=False)
    assert not (out / "organisations").exists() and not (out / "networks").exists()


@pytest.mark.parametrize(
    "key,value,fragment",
    [
        ("panel", "yes", "panel = 'yes' is not allowed; allowed: true or false"),
        ("panel_every", 0, "panel_every = 0 is not allowed; allowed: an integer from 1 to 6"),
        ("panel_every", "12", "panel_every = '12' is not allowed"),
        ("network_at", 60, "network_at = 60 is not allowed; allowed: a list of months"),
        ("network_at", [7], "network_at = 7 is not allowed; allowed: months from 0 to 6"),
        ("network_at", [True], "network_at = True is not allowed"),
    ],
)
def test_bad_experiment_options_name_file_key_and_value(key, value, fragment):
    with pytest.raises(UserError) as e:
        parse_experiment({**EXP, key: value}, source="x.toml")
    assert str(e.value).startswith("x.toml: ") and fragment in str(e.value)


def test_check_recording_defaults():
    assert not check_recording(10)
    assert check_recording(10, panel=True) == Recording(1, ())
    assert check_recording(10, panel_every=5) == Recording(5, ())
    assert check_recording(10, network_at=[10, 0]) == Recording(0, (0, 10))


def test_sweep_dry_run_prints_size_warm_up_and_estimate(tmp_path, capsys):
    exp = tmp_path / "e.toml"
    exp.write_text(
        'name = "dry"\nsteps = 4\nreplicates = 3\nnetwork_at = [4]\n'
        "[fixed]\nn_orgs = 30\nburn_in = 6\n"
        '[vary]\ngovernance = ["none", "contract"]\n'
    )
    out = tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--dry-run", "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "2 levels x 3 replicates = 6 runs" in text
    assert "a 6-month warm-up (burn_in), not recorded, then 4 months recorded" in text
    assert "network snapshots at months 4: 6 GraphML files" in text
    assert "pilot: design point 0 (c00000-r0000) took" in text and "for 6 runs on 1 workers" in text
    assert not out.exists()  # nothing written
    # A directory that already holds a sweep can be previewed; the real run needs --resume.
    out.mkdir()
    (out / "sweep.json").write_text("{}")
    assert main(["sweep", str(exp), "--out", str(out), "--dry-run", "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "= 6 runs" in text and "already holds results: run with --resume" in text
    assert sorted(p.name for p in out.iterdir()) == ["sweep.json"]
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "1"]) == 2
    assert "already holds results" in capsys.readouterr().err


def test_burn_in_is_the_sweeps_warm_up(tmp_path):
    # Warm-up months run but are not recorded: the time series and panel start at month 0,
    # and the run's totals count only the recorded months.
    raw = {**EXP, "replicates": 1, "vary": {"burn_in": [0, 12]}, "fixed": {"n_orgs": 30}}
    raw.pop("network_at")
    out = tmp_path / "s"
    run_sweep(parse_experiment(raw), out, workers=1, progress=False)
    con = sweep_db(out)
    months = con.sql(
        "SELECT burn_in, min(month), max(month) FROM organisations_runs GROUP BY ALL "
        "ORDER BY burn_in"
    ).fetchall()
    assert months == [(0, 0, 6), (12, 0, 6)]
    ts = con.sql("SELECT run_id, min(month) FROM timeseries GROUP BY ALL").fetchall()
    assert {m for _, m in ts} == {0}
    used = con.sql("SELECT burn_in, params_json FROM runs ORDER BY burn_in").fetchall()
    assert ['"burn_in": 0' in j for _, j in used] == [True, False]


def test_mesa_batch_run_gets_the_headline_outcomes():
    import mesa

    from simulation.run import BatchModel, batch_column, run_model

    rows = mesa.batch_run(
        BatchModel,
        parameters={**TINY, "governance": ["none", "contract"]},
        rng=[5],
        max_steps=8,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(rows) == 2
    for r in rows:
        want = run_model(seed=5, steps=8, governance=r["governance"], **TINY)
        for name, value in want.items():
            got = r[batch_column(name)]
            assert got == value or (math.isnan(got) and math.isnan(value)), name
    # names that mean something else as a monthly read-out keep the read-out's meaning
    assert batch_column("went_alone") == "headline_went_alone"
    assert batch_column("cross_trust") == "cross_trust"
    assert batch_column("partnerships_formed") == "partnerships_formed"
