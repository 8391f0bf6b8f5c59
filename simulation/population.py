"""Month 0: the organisations, their networking ties and the relationships those ties start.

Every draw comes from the model's own generator, in a fixed order, so a seed fixes the
population. The numbers typical of each sector are in :mod:`simulation.sectors`; the spreads
around them are parameters (the ``constants`` group of :mod:`simulation.params`).
"""

from __future__ import annotations

import numpy as np

from .codes import Behaviour, Sector
from .param_types import Params
from .partnerships import PartnershipTable
from .relations import Relations
from .sectors import CAPABILITY, CAPACITY_MEDIAN, JARGON, MYTH_PATTERN, SECTORS, VALUES
from .state import Organisations, State, Ties


def sector_counts(p: Params) -> np.ndarray:
    """Organisations per sector: the shares times n, rounded by largest remainder."""
    n = p.n_orgs
    shares = np.array([p[f"share_{s}"] for s in SECTORS], dtype=float)
    shares /= shares.sum()
    raw = shares * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts


def draw(p: Params, rng: np.random.Generator, sector: np.ndarray) -> dict[str, np.ndarray]:
    """Attributes of new organisations of the given sectors (one row each), drawn around
    what is typical of their sector, in a fixed order of draws."""
    n, s = sector.size, sector
    base_capacity = CAPACITY_MEDIAN[s] * rng.lognormal(0.0, p.capacity_sigma, n)
    capability = np.clip(
        CAPABILITY[s] + rng.normal(0, p.capability_sd, (n, CAPABILITY.shape[1])),
        p.min_capability,
        1.0,
    )
    values = np.clip(VALUES[s] + rng.normal(0, p.values_sd, n), 0.0, 1.0)
    red_line = rng.uniform(p.red_line_low, p.red_line_high, n)
    behaviour = np.clip(rng.normal(p.behaviour_mean, p.behaviour_sd, (n, len(Behaviour))), 0.0, 1.0)
    jargon = np.clip(JARGON[s] * p.jargon_scale + rng.normal(0, p.jargon_sd, n), 0.0, 1.0)
    myth = p.myth_initial * MYTH_PATTERN[s] + rng.normal(0, p.myth_sd, (n, len(Sector)))
    myth[np.arange(n), s] = 0.0
    myth = np.clip(myth, 0.0, 1.0)
    skill = rng.uniform(p.skill_low, p.skill_high, n)
    return dict(
        base_capacity=base_capacity,
        capacity=base_capacity.copy(),
        capability=capability,
        values=values,
        red_line=red_line,
        behaviour=behaviour,
        jargon=jargon,
        myth=myth,
        skill=skill,
    )


def names(sector: np.ndarray, counts: np.ndarray) -> list[str]:
    """Display names ("Public 3") numbering each sector on from ``counts`` (updated in place)."""
    out = []
    for sec in sector.tolist():
        counts[sec] += 1
        out.append(f"{SECTORS[sec].title()} {counts[sec]}")
    return out


def organisations(p: Params, rng: np.random.Generator, counts: np.ndarray) -> Organisations:
    n = p.n_orgs
    sector = np.repeat(np.arange(len(Sector)), sector_counts(p)).astype(np.int64)
    a = draw(p, rng, sector)
    return Organisations(
        sector=sector,
        name=names(sector, counts),
        initial_myth=a["myth"].copy(),
        stress=np.zeros(n),
        n_memberships=np.zeros(n, dtype=np.int64),
        aspiration=np.full((n, len(Behaviour)), np.nan),
        founded=np.zeros(n, dtype=np.int64),
        last_partnered=np.zeros(n, dtype=np.int64),
        contact_good=np.zeros(n),
        contact_bad=np.zeros(n),
        **a,
    )


def tie_partners(
    p: Params, rng: np.random.Generator, sector: np.ndarray, src: np.ndarray
) -> np.ndarray:
    """For each organisation in ``src``, one partner for a new networking tie: in another
    sector with probability network_cross_sector, else in its own, drawn uniformly."""
    n = sector.size
    counts = np.bincount(sector, minlength=len(Sector))
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    s = sector[src]
    same = start[s] + np.floor(rng.random(src.size) * counts[s]).astype(np.int64)
    # A uniform draw over everyone outside the sector: skip over the sector's block.
    outside = np.floor(rng.random(src.size) * np.maximum(n - counts[s], 1)).astype(np.int64)
    other = np.where(outside >= start[s], outside + counts[s], outside)
    cross = (rng.random(src.size) < p.network_cross_sector) & (counts[s] < n)
    return np.where(cross, other, same)


def network(p: Params, rng: np.random.Generator, sector: np.ndarray) -> tuple[Ties, Relations]:
    """Networking ties: personal relationships, mostly within a sector (source 000).

    Each organisation makes Poisson(network_degree / 2) ties, crossing sector lines with
    probability network_cross_sector, to someone drawn uniformly from the chosen side; ties
    are mutual. Each tie starts a relationship both ways with trust N(tie_trust_mean,
    tie_trust_sd), clipped to 0..1.
    Organisations are listed by sector (as :func:`organisations` makes them).
    """
    n = sector.size
    k = rng.poisson(p.network_degree / 2.0, n)
    src = np.repeat(np.arange(n), k)
    dst = tie_partners(p, rng, sector, src)
    keep = src != dst
    a, b = src[keep], dst[keep]
    pairs = np.unique(np.concatenate([a * n + b, b * n + a]))
    a, b = pairs // n, pairs % n
    relations = Relations(n, capacity=max(1024, 4 * pairs.size))
    trust = np.clip(rng.normal(p.tie_trust_mean, p.tie_trust_sd, a.size), 0.0, 1.0)
    relations.add(a, b, trust, tie=True)
    ptr = np.searchsorted(a, np.arange(n + 1))
    degree = np.diff(ptr)
    table = np.full((n, max(int(degree.max(initial=0)), 1)), -1, dtype=np.int64)
    table[a, np.arange(a.size) - ptr[a]] = b
    return Ties(table=table), relations


def found(s: State, p: Params, rng: np.random.Generator, slots: np.ndarray) -> None:
    """New organisations take the places of those in ``slots`` (which have closed and left
    every partnership): same sector, fresh attributes, no relationships, new ties."""
    orgs = s.orgs
    sector = orgs.sector[slots]
    a = draw(p, rng, sector)
    for name, values in a.items():
        getattr(orgs, name)[slots] = values
    orgs.initial_myth[slots] = a["myth"]
    orgs.stress[slots] = 0.0
    orgs.aspiration[slots] = np.nan
    orgs.founded[slots] = s.month
    orgs.last_partnered[slots] = s.month
    orgs.contact_good[slots] = 0.0
    orgs.contact_bad[slots] = 0.0
    for slot, name in zip(slots.tolist(), names(sector, s.n_founded), strict=True):
        orgs.name[slot] = name
    s.relations.remove_orgs(slots)
    s.ties.remove_orgs(slots)
    src = np.repeat(slots, rng.poisson(p.network_degree / 2.0, slots.size))
    dst = tie_partners(p, rng, orgs.sector, src)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if src.size:
        s.ties.add(src, dst)
        trust = np.clip(rng.normal(p.tie_trust_mean, p.tie_trust_sd, 2 * src.size), 0.0, 1.0)
        s.relations.add(np.concatenate([src, dst]), np.concatenate([dst, src]), trust, tie=True)


def initial_state(p: Params, rng: np.random.Generator) -> State:
    """The state at month 0."""
    counts = np.zeros(len(Sector), dtype=np.int64)
    orgs = organisations(p, rng, counts)
    ties, relations = network(p, rng, orgs.sector)
    return State(
        orgs=orgs,
        ties=ties,
        relations=relations,
        table=PartnershipTable(orgs.capability.shape[1]),
        n_founded=counts,
    )
