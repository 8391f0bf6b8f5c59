"""The compiled kernels against plain array versions of the same rules.

Each reference below is the array code a kernel replaced. The kernels must give exactly
the same numbers (``==``, not ``allclose``): the model's digests depend on it, and a kernel
that is only nearly right would change results where two candidates tie.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation import kernels
from simulation.mechanisms.trust import reputation_inputs
from simulation.model import CollabModel
from simulation.relations import Relations
from simulation.state import Ties

# --- the array versions -------------------------------------------------------------------


def ref_lookup(rel: Relations, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    keys = src * rel.n + dst
    out = np.full(keys.shape, -1, dtype=np.int64)
    for sk, se in ((rel._sorted_keys, rel._sorted_edges), (rel._recent_keys, rel._recent_edges)):
        if sk.size:
            pos = np.minimum(sk.searchsorted(keys), sk.size - 1)
            out = np.maximum(out, np.where(sk[pos] == keys, se[pos], -1))
    return out


def ref_perceived(s, p, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    rel, orgs, w = s.relations, s.orgs, p.reputation_weight
    edges = ref_lookup(rel, a, b)
    myth = orgs.myth.take(a * orgs.myth.shape[1] + orgs.sector[b])
    out = p.first_low + p.first_range * (1.0 - myth)
    known = edges >= 0
    out = np.where(known, rel.trust.take(edges), out)
    unknown = np.flatnonzero(~known)
    if w > 0 and unknown.size:
        rows = s.ties.table[a[unknown]]
        has_tie = rows >= 0
        which = has_tie.nonzero()[0]
        e = ref_lookup(rel, rows[has_tie], b[unknown].take(which))
        heard = e >= 0
        which = which[heard]
        total = np.bincount(which, weights=rel.trust.take(e[heard]), minlength=unknown.size)
        count = np.bincount(which, minlength=unknown.size)
        has = count > 0
        sel = unknown[has]
        out[sel] = (1 - w) * out[sel] + w * total[has] / count[has]
    return out


def ref_acceptable(s, p, i, cands):
    values = s.orgs.values
    dist = np.abs(values[cands] - values[i])
    ok = np.ones(cands.size, dtype=bool)
    if p.red_lines:
        ok &= (dist <= s.orgs.red_line[i]) & (dist <= s.orgs.red_line[cands])
    if p.alignment_required:
        ok &= dist <= p.alignable_distance
    return ok


def ref_assemble(s, p, lead, cands, req, accept, use_trust):
    cands = cands[ref_acceptable(s, p, lead, cands)]
    if cands.size == 0:
        return np.empty(0, np.int64)
    k = cands.size
    leads = np.full(k, lead)
    both = ref_perceived(s, p, np.concatenate([cands, leads]), np.concatenate([leads, cands]))
    keep = both[:k] >= accept
    cands = cands[keep]
    cap = s.orgs.capability
    team, best = [lead], cap[lead].copy()
    views = both[k:][keep][None, :]
    while len(team) < p.max_partners and cands.size:
        ok = views.min(axis=0) >= accept
        now = sum(best[d] * req[d] for d in range(req.size))
        m = np.maximum(best, cap.take(cands, axis=0))
        gain = m[:, 0] * req[0]
        for d in range(1, req.size):
            gain = gain + m[:, d] * req[d]
        gain = gain - now
        n = len(team)
        extra = (1 + p.coordination_cost * n) / (1 + p.coordination_cost * (n - 1))
        worth = (now + gain) / now > extra
        vsum = views[0].copy()
        for row in views[1:]:
            vsum = vsum + row
        score = gain * ((p.trust_score_base + vsum / views.shape[0]) if use_trust else 1.0)
        alive = ok & (gain > p.min_gain)
        score = np.where(alive & worth, score, -np.inf)
        j = int(score.argmax())
        if score[j] == -np.inf:
            break
        team.append(int(cands[j]))
        best = np.maximum(best, cap[cands[j]])
        new = int(cands[j])
        alive[j] = False
        alive &= ref_acceptable(s, p, new, cands)
        cands, views = cands[alive], views[:, alive]
        if cands.size:
            views = np.vstack([views, ref_perceived(s, p, np.full(cands.size, new), cands)])
    return np.array(team if len(team) >= 2 else [], dtype=np.int64)


def ref_search_pool(s, lead, strangers, is_free):
    ties = s.ties.of(lead)
    second = s.ties.table[ties].ravel()
    past = s.relations.dst[s.relations.out_of(lead)]
    pool = np.unique(np.concatenate([ties, second, past, strangers]))
    pool = pool[pool >= 0]
    return pool[is_free[pool] & (pool != lead)]


# --- states to test them on ---------------------------------------------------------------

CASES = {
    "default": {},
    "no_reputation": {"reputation_weight": 0.0},
    "aligned_red_lines": {"alignment_required": True, "red_lines": True},
    "no_red_lines_big_teams": {"red_lines": False, "max_partners": 12},
    "leading_as_peers": {"governance": "leading_as_peers"},
    # mechanism constants away from their defaults reach the kernels as arguments
    "constants": {
        "alignment_required": True,
        "alignable_distance": 0.3,
        "first_low": 0.1,
        "first_range": 0.8,
        "min_gain": 0.01,
        "trust_score_base": 1.0,
        "accept_trust": 0.3,
    },
}


@pytest.fixture(scope="module", params=sorted(CASES))
def model(request):
    m = CollabModel(seed=11, n_orgs=120, burn_in=0, **CASES[request.param])
    for _ in range(48):
        m.step()
    return m


def test_lookup_and_reputation_equal_the_array_rule(model):
    s, p = model.state, model.p
    rng = np.random.default_rng(1)
    a = rng.integers(0, s.orgs.n, 3000)
    b = rng.integers(0, s.orgs.n, 3000)
    a = np.concatenate([a, s.relations.src[:500]])  # known pairs as well as strangers
    b = np.concatenate([b, s.relations.dst[:500]])
    assert np.array_equal(s.relations.lookup(a, b), ref_lookup(s.relations, a, b))
    got = kernels.perceived_trust(*s.relations.index(), *reputation_inputs(s, p), a, b)
    assert np.array_equal(got, ref_perceived(s, p, a, b))


def test_team_search_equals_the_array_rule(model):
    s, p = model.state, model.p
    rng = np.random.default_rng(2)
    formed = 0
    for _ in range(300):
        lead = int(rng.integers(s.orgs.n))
        cands = np.unique(rng.integers(0, s.orgs.n, int(rng.integers(1, 40))))
        cands = cands[cands != lead]
        req = rng.dirichlet(np.ones(s.orgs.capability.shape[1]))
        # the voluntary search; a broker that reads trust only for acceptance; the
        # commissioner's, which ignores trust altogether
        mode = rng.random()
        use_trust = bool(mode < 0.6)
        accept = p.accept_trust if use_trust else (0.0 if mode < 0.8 else -np.inf)
        got = kernels.assemble(
            lead, cands, req, s.orgs.capability, s.orgs.values, s.orgs.red_line, p.red_lines,
            p.alignment_required, p.alignable_distance, p.max_partners, p.coordination_cost,
            accept, use_trust, p.trust_score_base, p.min_gain,
            *s.relations.index(), *reputation_inputs(s, p),
        )  # fmt: skip
        want = ref_assemble(s, p, lead, cands, req, accept, use_trust)
        assert np.array_equal(got, want), (lead, cands, got, want)
        formed += got.size > 0
    assert formed > 20  # the comparison covered teams, not only refusals


def test_search_pool_equals_the_array_rule(model):
    s = model.state
    rng = np.random.default_rng(3)
    for _ in range(200):
        lead = int(rng.integers(s.orgs.n))
        strangers = rng.choice(s.orgs.n, size=5, replace=False).astype(np.int64)
        is_free = rng.random(s.orgs.n) < 0.7
        got = kernels.search_pool(
            lead, s.ties.table, *s.relations.index(), s.relations.dst, strangers, is_free
        )
        assert np.array_equal(got, ref_search_pool(s, lead, strangers, is_free))


def ref_ties_add(table: np.ndarray, a, b) -> np.ndarray:
    table = table.copy()
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        if i == j or (table[i] == j).any():
            continue
        for x, y in ((i, j), (j, i)):
            free = np.flatnonzero(table[x] < 0)
            if not free.size:
                table = np.hstack([table, np.full((table.shape[0], 4), -1, np.int64)])
                free = np.flatnonzero(table[x] < 0)
            table[x, free[0]] = y
    return table


def test_ties_add_and_remove_equal_the_loop_version():
    rng = np.random.default_rng(4)
    for _ in range(50):
        n = int(rng.integers(3, 30))
        ties = Ties(table=np.full((n, int(rng.integers(1, 4))), -1, np.int64))
        want = ties.table
        for _ in range(4):
            a = rng.integers(0, n, int(rng.integers(0, 3 * n)))
            b = rng.integers(0, n, a.size)
            want = ref_ties_add(want, a, b)
            ties.add(a, b)
            assert np.array_equal(ties.table, want)
            cut = rng.random(a.size) < 0.3
            ties.remove(a[cut], b[cut])
            for i, j in zip(a[cut].tolist(), b[cut].tolist(), strict=True):
                want[i][want[i] == j] = -1
                want[j][want[j] == i] = -1
            assert np.array_equal(ties.table, want)


@pytest.mark.parametrize("side_index_from", [0, 10**9])
def test_relations_add_and_remove_keep_an_exact_index(monkeypatch, side_index_from):
    """Adding (with repeats), removing and looking up, through both the main and the side
    index, against a dictionary of pairs."""
    monkeypatch.setattr("simulation.relations.SIDE_INDEX_FROM", side_index_from)
    rng = np.random.default_rng(5)
    n = 60
    rel = Relations(n, capacity=16)
    pairs: dict[tuple[int, int], float] = {}
    for step in range(60):
        src = rng.integers(0, n, int(rng.integers(1, 40)))
        dst = rng.integers(0, n, src.size)
        trust = rng.random(src.size)
        idx = rel.add(src, dst, trust)
        for k, (i, j) in enumerate(zip(src.tolist(), dst.tolist(), strict=True)):
            pairs.setdefault((i, j), float(trust[k]))  # a pair's first listing counts
            assert rel.src[idx[k]] == i and rel.dst[idx[k]] == j
        if step % 7 == 6:
            drop = rng.random(rel.size) < 0.3
            for e in np.flatnonzero(drop).tolist():
                del pairs[(int(rel.src[e]), int(rel.dst[e]))]
            rel.remove(drop)
        assert rel.size == len(pairs)
        keys = list(pairs)
        a = np.array([k[0] for k in keys], dtype=np.int64)
        b = np.array([k[1] for k in keys], dtype=np.int64)
        e = rel.lookup(a, b)
        assert (e >= 0).all()
        assert np.array_equal(rel.trust[e], np.array([pairs[k] for k in keys]))
        # a pair never added is not found
        assert (rel.lookup(np.array([n - 1]), np.array([n - 1]))[0] >= 0) == (
            (n - 1, n - 1) in pairs
        )
