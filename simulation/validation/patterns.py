"""The five patterns of the model brief, measured over replicates with 95% intervals.

Each pattern runs the default scenario (and the contrast it needs) on common random
numbers: replicate k uses seed ``seed + k`` in every condition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..mechanisms.myths import FULL_EFFECT, MythDynamics
from ..mechanisms.trust import asymmetric_update
from ..model import CollabModel
from ..pools import process_pool
from ..readouts import headline
from ..scenarios import resolve
from ..stats import mean_ci, paired_greater

_myths = MythDynamics()

#: The contact conditions switched on for the contrast in pattern 3b: equal status, common
#: goals (aligned objectives) and support of authorities (clear rules with reviews).
CONTACT_CONDITIONS = {
    "equal_status": True,
    "alignment_required": True,
    "clarity": 0.8,
    "review_interval": 6,
}
FULL_GOVERNANCE = {"governance": "six_principles"}
NO_GOVERNANCE = {"governance": "none"}
ALPHA = 0.05


@dataclass
class Measured:
    """One pattern's result: value with 95% CI, target, source and verdict."""

    key: str
    pattern: str
    value: float
    low: float
    high: float
    target: str
    source: str
    passed: bool
    detail: str = ""

    def row(self) -> dict:
        return {
            "pattern": self.pattern,
            "value": self.value,
            "ci_low": self.low,
            "ci_high": self.high,
            "target": self.target,
            "source": self.source,
            "pass": self.passed,
            "detail": self.detail,
        }


@dataclass
class RunStats:
    """What the patterns need from one run."""

    outcomes: dict
    contact_r: float  # correlation across organisations: cross-sector contact vs myth change
    contacted_change: float  # mean myth change of organisations with cross-sector contact
    myth_up: float  # myth rise from equal-size bad experiences at the month-60 state
    myth_down: float  # myth fall from good experiences of the same size
    trust_loss: float  # trust lost for the month's signals, sign flipped to negative
    trust_gain: float  # trust gained for the same signals taken as positive


def run_stats(args: tuple[int, int, dict]) -> RunStats:
    seed, steps, params = args
    m = CollabModel(seed=seed, **resolve("baseline", params))
    probe = None
    for month in range(1, steps + 1):
        m.step()
        if probe is None and month >= steps // 2 and m.state.table.roster().n:
            probe = _probe_asymmetries(m)
    if probe is None:
        probe = (np.nan,) * 4
    rel = m.state.relations
    cross = m.state.orgs.sector[rel.src] != m.state.orgs.sector[rel.dst]
    contact = np.bincount(rel.src[cross], weights=rel.familiarity[cross], minlength=m.n)
    other = np.ones_like(m.state.orgs.myth, dtype=bool)
    other[np.arange(m.n), m.state.orgs.sector] = False
    change = (m.state.orgs.myth - m.state.orgs.initial_myth)[other].reshape(m.n, -1).mean(axis=1)
    has = contact > 0
    r = float(np.corrcoef(contact, change)[0, 1]) if has.any() and (~has).any() else np.nan
    return RunStats(
        outcomes=headline(m),
        contact_r=r,
        contacted_change=float(change[has].mean()) if has.any() else np.nan,
        myth_up=probe[0],
        myth_down=probe[1],
        trust_loss=probe[2],
        trust_gain=probe[3],
    )


def _probe_asymmetries(m: CollabModel) -> tuple[float, float, float, float]:
    """Apply equal-size good and bad experiences to the model's current state.

    Myths: every cross-sector pair at work gets a signal of +/- FULL_EFFECT/2; the model's
    own myth update is applied to a copy of the myths each way. Trust: the month's actual
    trust levels get the absolute value of a typical signal as a gain and as a loss.
    """
    ro = m.state.table.roster()
    saved = m.state.orgs.myth.copy()
    d = np.full(ro.pair_entry_a.size, FULL_EFFECT / 2)
    _myths(m.state, m.p, ro, -d)
    up = float((m.state.orgs.myth - saved).sum())
    m.state.orgs.myth[:] = saved
    _myths(m.state, m.p, ro, d)
    down = float((saved - m.state.orgs.myth).sum())
    m.state.orgs.myth[:] = saved
    edges = m.state.relations.lookup(ro.pair_org_a, ro.pair_org_b)
    t = m.state.relations.trust[edges]
    size = np.full(t.size, 0.1)
    g, lo = m.p["trust_gain"], m.p["trust_loss"]
    gain = float((asymmetric_update(t, size, g, lo) - t).mean())
    loss = float((t - asymmetric_update(t, -size, g, lo)).mean())
    return up, down, loss, gain


def _runs(seeds: list[int], steps: int, params: dict, pool) -> list[RunStats]:
    jobs = [(s, steps, params) for s in seeds]
    return list(pool.map(run_stats, jobs)) if pool else [run_stats(j) for j in jobs]


def validate_patterns(
    replicates: int = 20,
    seed: int = 1,
    steps: int = 120,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> list[Measured]:
    """Measure every pattern; ``workers`` > 1 runs replicates in parallel processes."""
    seeds = [seed + k for k in range(replicates)]
    say = progress or (lambda s: None)
    with process_pool(workers, preload=[__name__]) as pool:
        say("default scenario")
        base = _runs(seeds, steps, {}, pool)
        say("full governance (six_principles)")
        full = _runs(seeds, steps, FULL_GOVERNANCE, pool)
        say("no governance")
        none = _runs(seeds, steps, NO_GOVERNANCE, pool)
        say("contact conditions")
        cond = _runs(seeds, steps, CONTACT_CONDITIONS, pool)
    return [p(base, full, none, cond) for p in PATTERNS]


def _get(runs, key):
    return np.array(
        [getattr(r, key) if key in RunStats.__annotations__ else r.outcomes[key] for r in runs],
        dtype=float,
    )


def p_failure(base, full, none, cond) -> Measured:
    v, lo, hi = mean_ci(_get(base, "failure_share"))
    return Measured(
        "failure",
        "Partnerships that fail or end early (default scenario)",
        v,
        lo,
        hi,
        "30-70% (about half)",
        "Dyer, Kale & Singh 2001; Harrigan 1988 (54.7%)",
        bool(0.30 <= lo and hi <= 0.70),
        "share of ended partnerships not completed",
    )


def p_governance(base, full, none, cond) -> Measured:
    a, b = _get(full, "success_share"), _get(none, "success_share")
    v, lo, hi = mean_ci(a - b)
    p = paired_greater(a, b)
    return Measured(
        "governance",
        "Full governance beats none (success share, paired difference)",
        v,
        lo,
        hi,
        "> 0, significant (63% vs 50%: +13 points)",
        "Kale, Dyer & Singh 2002",
        bool(lo > 0 and p < ALPHA),
        f"six_principles {np.nanmean(a):.0%} vs none {np.nanmean(b):.0%}; "
        f"paired t-test p = {p:.2g}",
    )


def p_contact(base, full, none, cond) -> Measured:
    r = _get(base, "contact_r")
    v, lo, hi = mean_ci(r)
    return Measured(
        "contact",
        "Myths fall with cross-sector contact (r, contact vs myth change)",
        v,
        lo,
        hi,
        "r < 0 (meta-analytic mean about -0.21)",
        "Pettigrew & Tropp 2006",
        bool(hi < 0),
        f"mean myth change of organisations with contact "
        f"{np.nanmean(_get(base, 'contacted_change')):+.3f}",
    )


def p_conditions(base, full, none, cond) -> Measured:
    plain, ideal = _get(base, "contacted_change"), _get(cond, "contacted_change")
    v, lo, hi = mean_ci(ideal - plain)
    p = paired_greater(plain, ideal)
    r0, r1 = np.nanmean(_get(base, "contact_r")), np.nanmean(_get(cond, "contact_r"))
    return Measured(
        "conditions",
        "Myths fall more under the contact conditions (difference in myth change)",
        v,
        lo,
        hi,
        "< 0, significant (r about -0.29 vs -0.21)",
        "Pettigrew & Tropp 2006; Allport 1954",
        bool(hi < 0 and p < ALPHA),
        f"r {r1:.2f} with conditions vs {r0:.2f} without; paired t-test p = {p:.2g}",
    )


def p_negative_contact(base, full, none, cond) -> Measured:
    ratio = _get(base, "myth_up") / _get(base, "myth_down")
    v, lo, hi = mean_ci(ratio)
    return Measured(
        "negative_contact",
        "Bad contact raises myths more than good contact lowers them (ratio)",
        v,
        lo,
        hi,
        "> 1",
        "Barlow et al. 2012",
        bool(lo > 1),
        "equal-size good and bad experiences applied to the month-60 state",
    )


def p_trust(base, full, none, cond) -> Measured:
    ratio = _get(base, "trust_loss") / _get(base, "trust_gain")
    v, lo, hi = mean_ci(ratio)
    return Measured(
        "trust_asymmetry",
        "Trust is lost faster than it is built (loss / gain)",
        v,
        lo,
        hi,
        "> 1",
        "Slovic 1993",
        bool(lo > 1),
        "equal-size signals applied to the month-60 trust levels",
    )


PATTERNS = [p_failure, p_governance, p_contact, p_conditions, p_negative_contact, p_trust]
