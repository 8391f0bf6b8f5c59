"""Compiled kernels for the model's hot loops (loaded through :mod:`simulation.kernels`).

Team search tries a handful of candidates against a growing team, thousands of times a
month in a large population; as array code each step costs more in numpy's per-call
overhead than in arithmetic. These kernels do the same arithmetic in the same order as the
array code they replace (no BLAS, no reassociation, no fused multiply-add), so the model's
results are bit-for-bit unchanged (``tests/test_digests.py``). They hold no state: the
callers pass plain arrays and get plain arrays back.

Compiled with numba on first use and cached beside this file (``cache=True``), so a new
process loads them from disk.
"""

from __future__ import annotations

import numba
import numpy as np

_compiled = numba.njit(cache=True, nogil=True)


@_compiled
def first_at_least(sorted_keys: np.ndarray, key: int) -> int:
    """Position of the first key >= ``key`` (``searchsorted``, side left)."""
    lo, hi = 0, sorted_keys.size
    while lo < hi:
        mid = (lo + hi) >> 1
        if sorted_keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


@_compiled
def find_one(sorted_keys: np.ndarray, edges: np.ndarray, key: int) -> int:
    """Edge of ``key`` in a sorted key index, or -1."""
    at = first_at_least(sorted_keys, key)
    if at < sorted_keys.size and sorted_keys[at] == key:
        return edges[at]
    return -1


@_compiled
def edge_of(
    sorted_keys: np.ndarray,
    sorted_edges: np.ndarray,
    recent_keys: np.ndarray,
    recent_edges: np.ndarray,
    key: int,
) -> int:
    """Edge of one key in the main or the side index, or -1."""
    e = find_one(sorted_keys, sorted_edges, key)
    if e < 0 and recent_keys.size:
        e = find_one(recent_keys, recent_edges, key)
    return e


@_compiled
def lookup(
    sorted_keys: np.ndarray,
    sorted_edges: np.ndarray,
    recent_keys: np.ndarray,
    recent_edges: np.ndarray,
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
) -> np.ndarray:
    """Edge index of each (src, dst) pair, or -1 (``Relations.lookup``).

    A key is in at most one of the two indexes (new keys go to the side index only).
    """
    out = np.empty(src.size, dtype=np.int64)
    for k in range(src.size):
        out[k] = edge_of(sorted_keys, sorted_edges, recent_keys, recent_edges, src[k] * n + dst[k])
    return out


@_compiled
def perceived_trust(
    sorted_keys: np.ndarray,
    sorted_edges: np.ndarray,
    recent_keys: np.ndarray,
    recent_edges: np.ndarray,
    n: int,
    trust: np.ndarray,
    myth: np.ndarray,
    sector: np.ndarray,
    ties: np.ndarray,
    weight: float,
    first_low: float,
    first_range: float,
    a: np.ndarray,
    b: np.ndarray,
) -> np.ndarray:
    """τ̂_ab for the ordered pairs (a[k], b[k]): the rule of ``trust.Reputation``.

    Own trust where a knows b; otherwise the first impression from a's myth about b's
    sector, pulled with ``weight`` towards the mean trust in b of a's networking ties that
    know b (their trust added in the order the ties are listed).
    """
    edges = lookup(sorted_keys, sorted_edges, recent_keys, recent_edges, n, a, b)
    out = np.empty(a.size)
    for k in range(a.size):
        if edges[k] >= 0:
            out[k] = trust[edges[k]]
            continue
        first = first_low + first_range * (1.0 - myth[a[k], sector[b[k]]])
        out[k] = first
        if weight <= 0:
            continue
        total = 0.0
        count = 0
        for t in ties[a[k]]:
            if t < 0:
                continue
            e = edge_of(sorted_keys, sorted_edges, recent_keys, recent_edges, t * n + b[k])
            if e >= 0:
                total += trust[e]
                count += 1
        if count:
            out[k] = (1 - weight) * first + weight * total / count
    return out


@_compiled
def acceptable_values(
    values: np.ndarray,
    red_line: np.ndarray,
    red_lines: bool,
    alignment_required: bool,
    alignable: float,
    i: int,
    cands: np.ndarray,
) -> np.ndarray:
    """Candidates that cross neither side's red lines, and can align if alignment is required."""
    ok = np.ones(cands.size, dtype=np.bool_)
    for k in range(cands.size):
        dist = abs(values[cands[k]] - values[i])
        if red_lines and not (dist <= red_line[i] and dist <= red_line[cands[k]]):
            ok[k] = False
        if alignment_required and not dist <= alignable:
            ok[k] = False
    return ok


@_compiled
def assemble(
    lead: int,
    cands: np.ndarray,
    req: np.ndarray,
    capability: np.ndarray,
    values: np.ndarray,
    red_line: np.ndarray,
    red_lines: bool,
    alignment_required: bool,
    alignable: float,
    max_partners: int,
    coordination_cost: float,
    accept: float,
    use_trust: bool,
    score_base: float,
    min_gain: float,
    sorted_keys: np.ndarray,
    sorted_edges: np.ndarray,
    recent_keys: np.ndarray,
    recent_edges: np.ndarray,
    n: int,
    trust: np.ndarray,
    myth: np.ndarray,
    sector: np.ndarray,
    ties: np.ndarray,
    weight: float,
    first_low: float,
    first_range: float,
) -> np.ndarray:
    """The lead's team, in the order its members joined (``formation.Formation.assemble``).

    Returns the members, or an empty array when fewer than two would take part. The rule
    and its reasons are in the docstring of the mechanism. With ``use_trust`` off and
    ``accept`` = −inf trust plays no part (the commissioner's search), and it is not looked up.
    """
    ok = acceptable_values(values, red_line, red_lines, alignment_required, alignable, lead, cands)
    cands = cands[ok]
    if cands.size == 0:
        return np.empty(0, dtype=np.int64)
    k = cands.size
    sees_trust = use_trust or accept > -np.inf
    if sees_trust:
        leads = np.full(k, lead, dtype=np.int64)
        both = perceived_trust(
            sorted_keys, sorted_edges, recent_keys, recent_edges, n, trust, myth, sector, ties,
            weight, first_low, first_range,
            np.concatenate((cands, leads)), np.concatenate((leads, cands)),
        )  # fmt: skip
    else:
        both = np.zeros(2 * k)
    keep = both[:k] >= accept
    cands = cands[keep]
    m = cands.size
    n_dom = req.size
    team = np.empty(max_partners, dtype=np.int64)
    team[0] = lead
    size = 1
    best = capability[lead].copy()
    # views[r, c]: member r's view of candidate c; the column sums are kept as rows join,
    # added in the same order as the array code adds them.
    views = np.empty((max_partners, m))
    views[0, :] = both[k:][keep]
    view_sum = views[0, :m].copy()
    alive = np.ones(m, dtype=np.bool_)
    gain = np.empty(m)
    while size < max_partners and m:
        now = best[0] * req[0]
        for d in range(1, n_dom):
            now = now + best[d] * req[d]
        extra_cost = (1 + coordination_cost * size) / (1 + coordination_cost * (size - 1))
        pick = -1
        top = -np.inf
        for c in range(m):
            g = max(best[0], capability[cands[c], 0]) * req[0]
            for d in range(1, n_dom):
                g = g + max(best[d], capability[cands[c], d]) * req[d]
            g = g - now
            gain[c] = g
            lowest = views[0, c]
            for r in range(1, size):
                lowest = min(lowest, views[r, c])
            alive[c] = lowest >= accept and g > min_gain
            if alive[c] and (now + g) / now > extra_cost:
                score = g * (score_base + view_sum[c] / size) if use_trust else g * 1.0
                if score > top:
                    top, pick = score, c
        if pick < 0:
            break
        j = cands[pick]
        team[size] = j
        size += 1
        for d in range(n_dom):
            best[d] = max(best[d], capability[j, d])
        alive[pick] = False
        alive[:m] &= acceptable_values(
            values, red_line, red_lines, alignment_required, alignable, j, cands[:m]
        )
        kept = np.flatnonzero(alive[:m])
        m = kept.size
        cands = cands[kept]
        for r in range(size - 1):
            views[r, :m] = views[r, kept]
        view_sum = view_sum[kept]
        if m and size < max_partners:
            if sees_trust:
                row = perceived_trust(
                    sorted_keys, sorted_edges, recent_keys, recent_edges, n, trust, myth,
                    sector, ties, weight, first_low, first_range,
                    np.full(m, j, dtype=np.int64), cands,
                )  # fmt: skip
            else:
                row = np.zeros(m)
            views[size - 1, :m] = row
            view_sum = view_sum + row
    if size < 2:
        return np.empty(0, dtype=np.int64)
    return team[:size].copy()


@_compiled
def ties_add(table: np.ndarray, a: np.ndarray, b: np.ndarray) -> int:
    """Tie each a[k] to b[k] both ways, in order, in the first free slot of each row.

    Pairs already tied, and self-ties, are skipped. Returns the index of the first pair
    that did not fit (a row was full: the caller widens the table and calls again from
    there), or ``a.size`` when all were placed.
    """
    width = table.shape[1]
    for k in range(a.size):
        i, j = a[k], b[k]
        if i == j:
            continue
        tied = False
        for c in range(width):
            if table[i, c] == j:
                tied = True
                break
        if tied:
            continue
        slot_i = -1
        slot_j = -1
        for c in range(width):
            if table[i, c] < 0:
                slot_i = c
                break
        for c in range(width):
            if table[j, c] < 0:
                slot_j = c
                break
        if slot_i < 0 or slot_j < 0:
            return k
        table[i, slot_i] = j
        table[j, slot_j] = i
    return a.size


@_compiled
def ties_remove(table: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Cut the ties between a[k] and b[k], both ways."""
    width = table.shape[1]
    for k in range(a.size):
        i, j = a[k], b[k]
        for c in range(width):
            if table[i, c] == j:
                table[i, c] = -1
            if table[j, c] == i:
                table[j, c] = -1


@_compiled
def new_pairs(
    sorted_keys: np.ndarray,
    sorted_edges: np.ndarray,
    recent_keys: np.ndarray,
    recent_edges: np.ndarray,
    n: int,
    size: int,
    src: np.ndarray,
    dst: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges for the pairs that have none, numbered from ``size`` in order of key.

    Returns ``(idx, new, keys)``: the edge of every pair (old or new), the position in
    ``src`` of the first listing of each new pair (in order of key: a pair listed twice
    gets one edge, with its first listing's state), and the new pairs' keys (sorted).
    """
    idx = lookup(sorted_keys, sorted_edges, recent_keys, recent_edges, n, src, dst)
    missing = np.flatnonzero(idx < 0)
    keys = src[missing] * n + dst[missing]
    order = np.argsort(keys, kind="mergesort")  # stable: first listings come first
    new = np.empty(keys.size, dtype=np.int64)
    new_keys = np.empty(keys.size, dtype=np.int64)
    count = 0
    for r in range(order.size):
        key = keys[order[r]]
        if count == 0 or new_keys[count - 1] != key:
            new_keys[count] = key
            new[count] = missing[order[r]]
            count += 1
        idx[missing[order[r]]] = size + count - 1
    return idx, new[:count].copy(), new_keys[:count].copy()


@_compiled
def merge_keys(
    keys_a: np.ndarray, edges_a: np.ndarray, keys_b: np.ndarray, edges_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Merge two sorted key indexes whose keys are all distinct."""
    na, nb = keys_a.size, keys_b.size
    keys = np.empty(na + nb, dtype=np.int64)
    edges = np.empty(na + nb, dtype=np.int64)
    i = j = 0
    for k in range(na + nb):
        if j >= nb or (i < na and keys_a[i] < keys_b[j]):
            keys[k], edges[k] = keys_a[i], edges_a[i]
            i += 1
        else:
            keys[k], edges[k] = keys_b[j], edges_b[j]
            j += 1
    return keys, edges


@_compiled
def drop_from_index(
    sorted_keys: np.ndarray,
    sorted_edges: np.ndarray,
    recent_keys: np.ndarray,
    recent_edges: np.ndarray,
    drop: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The key index without the dropped edges, the rest renumbered in their order.

    Both indexes are merged into one (as after a full rebuild): removing entries keeps
    the keys sorted, so no sort is needed.
    """
    keys, edges = merge_keys(sorted_keys, sorted_edges, recent_keys, recent_edges)
    renumber = np.empty(drop.size, dtype=np.int64)
    kept = 0
    for e in range(drop.size):
        renumber[e] = kept
        if not drop[e]:
            kept += 1
    out_keys = np.empty(kept, dtype=np.int64)
    out_edges = np.empty(kept, dtype=np.int64)
    k = 0
    for r in range(keys.size):
        if not drop[edges[r]]:
            out_keys[k] = keys[r]
            out_edges[k] = renumber[edges[r]]
            k += 1
    return out_keys, out_edges


@_compiled
def search_pool(
    lead: int,
    ties: np.ndarray,
    sorted_keys: np.ndarray,
    sorted_edges: np.ndarray,
    recent_keys: np.ndarray,
    recent_edges: np.ndarray,
    n: int,
    dst: np.ndarray,
    strangers: np.ndarray,
    is_free: np.ndarray,
) -> np.ndarray:
    """Whom the lead hears of (``formation.Formation.search_pool``), sorted, once each.

    Its networking ties, their ties, everyone it has a relationship with, and the strangers
    drawn for it; only those free to join, never the lead itself.
    """
    width = ties.shape[1]
    lo, hi = lead * n, (lead + 1) * n
    main = (first_at_least(sorted_keys, lo), first_at_least(sorted_keys, hi))
    side = (first_at_least(recent_keys, lo), first_at_least(recent_keys, hi))
    heard = np.empty(
        width * (width + 1) + main[1] - main[0] + side[1] - side[0] + strangers.size,
        dtype=np.int64,
    )
    k = 0
    for c in range(width):
        t = ties[lead, c]
        if t < 0:
            continue
        heard[k] = t
        k += 1
        for c2 in range(width):
            if ties[t, c2] >= 0:
                heard[k] = ties[t, c2]
                k += 1
    for r in range(main[0], main[1]):
        heard[k] = dst[sorted_edges[r]]
        k += 1
    for r in range(side[0], side[1]):
        heard[k] = dst[recent_edges[r]]
        k += 1
    for x in strangers:
        heard[k] = x
        k += 1
    pool = np.sort(heard[:k])
    out = np.empty(pool.size, dtype=np.int64)
    k = 0
    for r in range(pool.size):
        x = pool[r]
        if (r and pool[r - 1] == x) or x == lead or not is_free[x]:
            continue
        out[k] = x
        k += 1
    return out[:k].copy()
