"""Refactors change nothing: the full model state every month, and the output tables, match
the digests stored from the code before the refactor (``tests/digests.json``).

A change that is meant to change results regenerates the file with
``python tests/state_digest.py --write`` and says so in its commit.
"""

from __future__ import annotations

import json

import pytest
from state_digest import CONFIGS, STORE, run_config

STORED = json.loads(STORE.read_text())


@pytest.mark.slow
@pytest.mark.parametrize(("name", "params", "months"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_state_and_outputs_match_the_stored_digests(name, params, months):
    want = STORED[name]
    got = run_config(params, months)
    first_bad = next(
        (i for i, (a, b) in enumerate(zip(got["months"], want["months"], strict=True)) if a != b),
        None,
    )
    assert first_bad is None, f"{name}: state differs from month {first_bad} on"
    assert got["timeseries"] == want["timeseries"]
    assert got["events"] == want["events"]


def test_the_large_configuration_passes_the_side_index_threshold():
    from simulation.relations import SIDE_INDEX_FROM

    assert STORED["orgs_8000"]["relations"] > SIDE_INDEX_FROM


def test_the_digest_sees_a_one_bit_change():
    from state_digest import state_digest

    from simulation.model import CollabModel

    m = CollabModel(seed=3, n_orgs=30)
    before = state_digest(m)
    m.state.relations.trust[0] += 2**-40
    assert state_digest(m) != before
