"""The vectorised mechanisms give the same numbers as the per-agent reference, from one state."""

import copy

import numpy as np
import pytest

from conftest import stepped
from reference_model import ReferenceModel, month_inputs, vectorised_month

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
    roster = model.table.roster()
    assert roster.n > 10, "the state should have partnerships at work"
    ret, harm, synergy = month_inputs(model)
    ref = ReferenceModel.from_model(model)
    rng = copy.deepcopy(model.rng_noise)  # the same reading noise for both
    myth_before = model.myth.copy()
    a, b = roster.o[roster.pair_a], roster.o[roster.pair_b]
    trust_before = ref.trust_of(a, b)

    commitment, effort, delta = vectorised_month(model, ret, harm, synergy)
    r_commitment, r_effort, r_delta = ref.month(ret.tolist(), harm.tolist(), synergy.tolist(),
                                                rng)

    assert np.allclose(commitment, r_commitment, rtol=1e-12, atol=1e-12)
    assert np.allclose(effort, r_effort, rtol=1e-12, atol=1e-12)
    assert np.allclose(delta, r_delta, rtol=1e-12, atol=1e-12)
    edges = model.relations.lookup(a, b)
    assert np.allclose(model.relations.trust[edges], ref.trust_of(a, b), rtol=1e-12, atol=1e-12)
    assert np.allclose(model.relations.familiarity[edges], ref.familiarity_of(a, b))
    assert np.allclose(model.myth, ref.myths(), rtol=1e-12, atol=1e-12)
    # The comparison is not vacuous: the month moved most trust values, and myths.
    moved = ref.trust_of(a, b) - trust_before
    assert (moved != 0).mean() > 0.5
    assert not np.allclose(model.myth, myth_before)


def test_reference_detects_a_wrong_rate():
    # The oracle can fail: a reference with a different loss rate disagrees with the model.
    model = stepped(30, seed=5)
    ret, harm, synergy = month_inputs(model)
    ref = ReferenceModel.from_model(model)
    ref.p["trust_loss"] *= 1.1
    rng = copy.deepcopy(model.rng_noise)
    vectorised_month(model, ret, harm, synergy)
    ref.month(ret.tolist(), harm.tolist(), synergy.tolist(), rng)
    ro = model.table.roster()
    a, b = ro.o[ro.pair_a], ro.o[ro.pair_b]
    assert not np.allclose(model.relations.trust[model.relations.lookup(a, b)],
                           ref.trust_of(a, b))
