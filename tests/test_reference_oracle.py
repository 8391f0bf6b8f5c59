"""The vectorised mechanisms give the same numbers as the per-agent reference, from one state."""

import copy

import numpy as np
import pytest
from conftest import stepped

from simulation.reference import ReferenceModel, month_inputs, vectorised_month

STATES = [
    # (seed, months already run, parameters): the default, a larger population with more
    # overlap, and governance that switches on every contact condition and accountability.
    (1, 30, {}),
    (2, 60, {"n_orgs": 400, "max_memberships": 4}),
    (3, 40, {"governance": "leading_as_peers"}),
    (4, 24, {"formation_mode": "mandated", "max_partners": 5}),
]


@pytest.mark.parametrize("seed,months,params", STATES)
def test_vectorised_core_matches_per_agent_reference(seed, months, params):
    from simulation.scenarios import resolve

    model = stepped(months, seed=seed, **resolve("baseline", params))
    roster = model.state.table.roster()
    assert roster.n > 10, "the state should have partnerships at work"
    if params.get("max_memberships"):  # the overlap state has pairs sharing partnerships
        keys = roster.pair_org_a * model.n + roster.pair_org_b
        assert np.unique(keys).size < keys.size
    ret, harm, synergy = month_inputs(model.state, model.p)
    ref = ReferenceModel.from_model(model)
    rng = copy.deepcopy(model.streams.noise)  # the same reading noise for both
    myth_before = model.state.orgs.myth.copy()
    a, b = roster.pair_org_a, roster.pair_org_b
    trust_before = ref.trust_of(a, b)

    commitment, effort, delta = vectorised_month(
        model.state, model.p, model.streams, ret, harm, synergy
    )
    r_commitment, r_effort, r_delta = ref.month(ret.tolist(), harm.tolist(), synergy.tolist(), rng)

    assert np.allclose(commitment, r_commitment, rtol=1e-12, atol=1e-12)
    assert np.allclose(effort, r_effort, rtol=1e-12, atol=1e-12)
    assert np.allclose(delta, r_delta, rtol=1e-12, atol=1e-12)
    edges = model.state.relations.lookup(a, b)
    assert np.allclose(
        model.state.relations.trust[edges], ref.trust_of(a, b), rtol=1e-12, atol=1e-12
    )
    assert np.allclose(model.state.relations.familiarity[edges], ref.familiarity_of(a, b))
    assert np.allclose(
        model.state.relations.expect[edges], ref.expect_of(a, b), rtol=1e-12, atol=1e-12
    )
    assert np.allclose(model.state.orgs.myth, ref.myths(), rtol=1e-12, atol=1e-12)
    # The comparison is not vacuous: the month moved most trust values, and myths.
    moved = ref.trust_of(a, b) - trust_before
    assert (moved != 0).mean() > 0.5
    assert not np.allclose(model.state.orgs.myth, myth_before)


def test_reference_detects_a_wrong_rate():
    # The oracle can fail: a reference with a different loss rate disagrees with the model.
    model = stepped(30, seed=5)
    ret, harm, synergy = month_inputs(model.state, model.p)
    ref = ReferenceModel.from_model(model)
    ref.p["trust_loss"] *= 1.1
    rng = copy.deepcopy(model.streams.noise)
    vectorised_month(model.state, model.p, model.streams, ret, harm, synergy)
    ref.month(ret.tolist(), harm.tolist(), synergy.tolist(), rng)
    ro = model.state.table.roster()
    a, b = ro.pair_org_a, ro.pair_org_b
    assert not np.allclose(
        model.state.relations.trust[model.state.relations.lookup(a, b)], ref.trust_of(a, b)
    )


@pytest.mark.parametrize("side_index_from", [10**9, 0], ids=["merged", "side-index"])
def test_relationship_index_matches_a_dictionary_after_many_additions(monkeypatch, side_index_from):
    # New keys are merged into the index at once or (for large populations) kept in a
    # side index merged in bulk: either way every pair must still be found, unknown pairs
    # must not be, and each holder's edges must all be listed.
    from simulation import relations
    from simulation.relations import Relations

    monkeypatch.setattr(relations, "SIDE_INDEX_FROM", side_index_from)
    rng = np.random.default_rng(11)
    n = 300
    rel = Relations(n, capacity=16)
    known: dict[tuple[int, int], int] = {}
    for size in [200, *rng.integers(1, 13, 400).tolist(), 150, *rng.integers(1, 13, 100).tolist()]:
        src, dst = rng.integers(0, n, size), rng.integers(0, n, size)
        idx = rel.add(src, dst, rng.random(size))
        for s, d, e in zip(src.tolist(), dst.tolist(), idx.tolist(), strict=True):
            assert known.setdefault((s, d), e) == e  # an existing edge keeps its index
    a, b = rng.integers(0, n, 5000), rng.integers(0, n, 5000)
    want = [known.get((s, d), -1) for s, d in zip(a.tolist(), b.tolist(), strict=True)]
    assert rel.lookup(a, b).tolist() == want
    assert rel.size == len(known)
    for i in (0, 17, n - 1):
        assert sorted(rel.dst[rel.out_of(i)].tolist()) == sorted(d for s, d in known if s == i)
    if side_index_from == 0:  # the side index was really used and merged along the way
        assert rel._recent_keys.size > 0 and rel._sorted_keys.size > 0


def test_roster_matches_a_per_partnership_listing():
    # The roster groups active memberships by partnership without sorting; compare it with
    # a plain listing of each partnership's members and their ordered pairs.
    model = stepped(48, seed=6, n_orgs=300)
    t, ro = model.state.table, model.state.table.roster()
    rows = [r for r in range(t.n_m) if t.m_active[r]]
    by_p: dict[int, list[int]] = {}
    for r in rows:
        by_p.setdefault(int(t.m_p[r]), []).append(r)
    assert ro.active_pid.tolist() == sorted(by_p)
    assert ro.row.tolist() == [r for p in sorted(by_p) for r in by_p[p]]
    assert ro.size.tolist() == [len(by_p[p]) for p in sorted(by_p)]
    pairs = [(i, j) for p in sorted(by_p) for i in by_p[p] for j in by_p[p] if i != j]
    assert (
        list(zip(ro.row[ro.pair_entry_a].tolist(), ro.row[ro.pair_entry_b].tolist(), strict=True))
        == pairs
    )
