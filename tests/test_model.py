"""The model as Mesa users meet it, its state structures, and reproducibility."""

import hashlib
import json

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import stepped

from simulation.agents import Organisation
from simulation.model import CollabModel
from simulation.partnerships import END_CAUSES, PartnershipTable
from simulation.readouts import COUNT_COLUMNS, columns
from simulation.relations import Relations
from simulation.run import simulate, write_outputs


def test_organisations_are_mesa_agents_and_agentset_queries_work():
    m = CollabModel(seed=3, n_orgs=60)
    assert isinstance(m, mesa.Model)
    assert len(m.agents) == 60
    assert all(isinstance(a, Organisation) for a in m.agents)
    public = m.agents.select(lambda a: a.sector == "public")
    assert len(public) == 12  # 20% of 60
    assert set(m.agents.get("sector")) == {"public", "private", "third", "community"}
    a = public.to_list()[0]
    assert set(a.myths) == {"public", "private", "third", "community"} and a.myths["public"] == 0
    assert set(a.behaviours) == {
        "leadership",
        "sharing",
        "outcome_focus",
        "communication",
        "empowerment",
    }


def test_sector_shares_follow_parameters():
    m = CollabModel(
        seed=1, n_orgs=100, share_public=0.5, share_private=0.5, share_third=0, share_community=0
    )
    assert sorted(set(m.agents.get("sector"))) == ["private", "public"]


def test_partnerships_overlap_and_have_a_life_cycle():
    m = stepped(60, seed=2)
    # some organisation is in more than one partnership at once
    assert m.state.orgs.n_memberships.max() >= 2
    multi = m.orgs[int(np.argmax(m.state.orgs.n_memberships))]
    assert len(multi.partnerships) == m.state.orgs.n_memberships.max()
    for p in multi.partnerships:
        assert multi in p.members and p.stage in ("forming", "delivering", "declining")
    t = m.state.table
    stages = set(t.p_stage[: t.n_p].tolist())
    assert {1, 3} <= stages  # delivering and ended partnerships exist
    ended = np.flatnonzero(t.p_stage[: t.n_p] == 3)
    assert all(0 <= t.p_cause[i] < len(END_CAUSES) for i in ended)


def test_every_formation_and_ending_is_in_the_event_log_with_a_story():
    m = stepped(120, seed=4, burn_in=0)  # with a burn-in, its events are not logged
    ev = pd.DataFrame(m.events)
    formed = ev[ev.event == "formed"]
    ended = ev[ev.event == "ended"]
    assert len(formed) == m.state.table.n_p
    assert len(ended) == int((m.state.table.p_stage[: m.state.table.n_p] == 3).sum())
    assert len(ev[ev.event == "renewed"]) == int(m.state.totals.renewed) > 0
    assert set(ended.cause) <= set(END_CAUSES)
    assert ended.story.str.match(r"month \d+: the partnership of .+ ended: ").all()
    assert ev[ev.event == "left"].story.str.contains(" left the partnership of ").all()


def test_readouts_are_complete_each_month():
    m = stepped(12, seed=5)
    df = m.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == columns()
    assert len(df) == 13  # the start plus 12 months
    assert (df["active"] >= 0).all() and df["month"].tolist() == list(range(13))
    cells = "(public|private|third|community)_(public|private|third|community)$"
    assert df.filter(regex="^trust_" + cells).shape[1] == 16
    assert df.filter(regex="^myth_" + cells).shape[1] == 16


@pytest.mark.parametrize("n, steps", [(40, 12), (4, 1)])
def test_timeseries_table_has_fixed_dtypes_and_the_datacollectors_values(n, steps):
    """Counts are int64 and everything else float64 whatever a run's values (a run with no
    partnerships has only integer zeros for its value), with Mesa's recorded values."""
    r = simulate("baseline", seed=5, steps=steps, params={"n_orgs": n, "network_degree": 2})
    ts = r.timeseries
    recorded = r.model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    pd.testing.assert_frame_equal(ts, recorded, check_dtype=False)
    assert {c for c in ts if ts[c].dtype == "int64"} == COUNT_COLUMNS
    assert (ts.drop(columns=list(COUNT_COLUMNS)).dtypes == "float64").all()


def test_relations_store_lookup_and_add():
    r = Relations(10, capacity=2)
    idx = r.add(np.array([1, 2, 1]), np.array([2, 1, 2]), np.array([0.3, 0.4, 0.9]))
    assert r.size == 2 and idx[0] == idx[2]  # a pair listed twice gets one edge
    assert r.trust[idx[0]] == 0.3  # first impression kept
    assert r.lookup(np.array([2, 3]), np.array([1, 1])).tolist() == [idx[1], -1]
    again = r.add(np.array([1]), np.array([2]), np.array([0.0]))
    assert again[0] == idx[0] and r.trust[idx[0]] == 0.3
    assert set(r.dst[r.out_of(1)]) == {2}
    # Known and new pairs mixed, a new one listed twice: every index is the stored edge's.
    src, dst = np.array([7, 1, 5, 7, 3]), np.array([8, 2, 6, 8, 9])
    mixed = r.add(src, dst, np.array([0.1, 0.2, 0.3, 0.4, 0.5]))
    assert r.size == 5 and mixed.tolist() == r.lookup(src, dst).tolist()
    assert r.trust[mixed].tolist() == [0.1, 0.3, 0.3, 0.1, 0.5]


def test_group_by_last_matches_a_dictionary_grouping():
    from simulation.arrays import group_by_last

    keys = np.array([5, 2, 5, 9, 2, 5, 0])
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    group, last = group_by_last(keys, 10)
    sums = np.bincount(group, weights=values, minlength=keys.size)[last]
    expected = {}
    for k, v in zip(keys.tolist(), values.tolist(), strict=True):
        expected[k] = expected.get(k, 0.0) + v
    assert dict(zip(keys[last].tolist(), sums.tolist(), strict=True)) == expected
    assert last.sum() == len(expected)


def test_roster_pairs_every_fellow_member_once():
    t = PartnershipTable(4)
    plan = dict(forming=3, plan=0.6, agreed=0.1)
    t.create(np.array([0, 1, 2]), np.ones(4) / 4, 1.0, 0, 10, 1.0, 0.5, False, False, **plan)
    t.create(np.array([2, 3]), np.ones(4) / 4, 1.0, 0, 10, 1.0, 0.5, False, False, **plan)
    ro = t.roster()
    pairs = {
        (int(ro.org[a]), int(ro.org[b]), int(ro.pid[a]))
        for a, b in zip(ro.pair_entry_a, ro.pair_entry_b, strict=True)
    }
    assert len(pairs) == ro.pair_entry_a.size == 3 * 2 + 2
    assert (0, 3, 0) not in pairs and (2, 3, 1) in pairs and (3, 2, 1) in pairs
    assert all(
        ro.pid[a] == ro.pid[b] for a, b in zip(ro.pair_entry_a, ro.pair_entry_b, strict=True)
    )


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_gives_identical_parquet_files(tmp_path):
    a = write_outputs(simulate(seed=11, steps=40), tmp_path / "a")
    b = write_outputs(simulate(seed=11, steps=40), tmp_path / "b")
    for fa, fb in zip(a, b, strict=True):
        if fa.suffix == ".parquet":
            assert _digest(fa) == _digest(fb), fa.name
        elif fa.suffix == ".json":  # all but the provenance, which records when and how
            ja, jb = (json.loads(f.read_text()) for f in (fa, fb))
            assert ja.pop("provenance")["versions"] == jb.pop("provenance")["versions"]
            assert ja == jb
    c = simulate(seed=12, steps=40)
    assert not c.timeseries.equals(pd.read_parquet(a[0]))


def test_numpy_integer_seeds_are_accepted():
    a = CollabModel(seed=np.int64(5), n_orgs=30)
    b = CollabModel(seed=5, n_orgs=30)
    assert np.array_equal(a.state.orgs.capacity, b.state.orgs.capacity)


def test_summary_records_seed_parameters_and_version(tmp_path):
    import json

    import simulation

    write_outputs(simulate(seed=9, steps=5, params={"clarity": 0.7}), tmp_path / "r")
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert s["seed"] == 9 and s["steps"] == 5 and s["parameters"]["clarity"] == 0.7
    assert (
        s["collabsim_version"] == simulation.__version__ and s["mesa_version"] == mesa.__version__
    )
    assert {"failure_share", "mean_synergy", "cross_trust", "total_value"} <= set(s["outcomes"])


@pytest.mark.parametrize("n", [4, 5])
def test_tiny_populations_run(n):
    m = stepped(24, seed=1, n_orgs=n, network_degree=2)
    assert m.readout["month"] == 24


def test_without_a_seed_runs_differ_and_record_their_seed():
    a, b = CollabModel(n_orgs=30), CollabModel(n_orgs=30)
    assert a.seed != b.seed and not np.array_equal(a.state.orgs.capacity, b.state.orgs.capacity)
    again = CollabModel(seed=a.seed, n_orgs=30)
    assert np.array_equal(a.state.orgs.capacity, again.state.orgs.capacity)


def test_formation_bookkeeping_gives_the_same_run_as_recomputing(monkeypatch):
    # Formation keeps the list of free organisations up to date and hands the team's first
    # impressions to start_partnership instead of recomputing them. The list must match a
    # fresh one at every challenge, and recomputing the impressions must give the same run,
    # number for number.
    from simulation.mechanisms.formation import Formation, free_mask

    kept = stepped(36, seed=9, n_orgs=200)
    voluntary = Formation.voluntary
    checked = []

    def checking(self, s, p, rng, month, challenge, free):
        assert np.array_equal(free, np.flatnonzero(free_mask(s, p)))
        checked.append(free.size)
        return voluntary(self, s, p, rng, month, challenge, free)

    monkeypatch.setattr(Formation, "voluntary", checking)
    monkeypatch.setattr(Formation, "remember_first_impressions", lambda self, *a: None)
    fresh = stepped(36, seed=9, n_orgs=200)
    assert len(checked) > 50
    assert np.array_equal(kept.state.relations.trust, fresh.state.relations.trust)
    assert np.array_equal(kept.state.orgs.myth, fresh.state.orgs.myth)
    assert len(kept.events) == len(fresh.events) > 50


def test_readout_collector_records_what_mesas_datacollector_records():
    from functools import partial

    from simulation.collector import ReadoutCollector
    from simulation.readouts import reporters
    from simulation.run import BatchModel

    for cls in (CollabModel, BatchModel):
        m = cls(seed=5, n_orgs=40, burn_in=12)
        assert type(m.datacollector) is ReadoutCollector
        plain = mesa.DataCollector(model_reporters=m.datacollector.model_reporters)
        plain.collect(m)
        for _ in range(6):
            m.step()
            plain.collect(m)
        ours, mesas = m.datacollector.get_model_vars_dataframe(), plain.get_model_vars_dataframe()
        pd.testing.assert_frame_equal(ours, mesas)
        assert len(ours.columns) >= len(reporters())
    # A value that could change later is still copied when recorded.
    box = {"v": [1]}
    rc = ReadoutCollector(model_reporters={"v": partial(lambda model: box["v"])})
    m = CollabModel(seed=5, n_orgs=20, burn_in=0)
    rc.collect(m)
    box["v"].append(2)
    assert rc.model_vars["v"] == [[1]]
    with pytest.raises(TypeError, match="functools.partial"):
        ReadoutCollector(model_reporters={"v": "month"}).collect(m)
