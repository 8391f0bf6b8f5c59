"""The patterns of the model brief, measured at the steady state, each with a 95% interval
and the target the literature gives.

Every run starts after the model's burn-in (see :class:`simulation.model.CollabModel`).
Replicate k uses seed ``seed + k`` in every condition (common random numbers), so
contrasts are paired. Partnerships are read as a **cohort**: those formed in the first
``window`` months of the record, followed for ``follow`` months more until nearly all have
ended, so that the failure share and lifespans are not biased by cutting lives short.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..model import CollabModel
from ..partnerships import ENDED
from ..pools import process_pool
from ..readouts import BEHAVIOURS
from ..scenarios import resolve
from ..stats import mean_ci, paired_greater, survival

#: Reliability of a survey measure of myths (share of the reported score's variance that is
#: true score). Attitude and prejudice scales in the contact literature typically report
#: reliabilities around 0.8 (assumption of that order).
RELIABILITY = 0.8
#: The one contact condition that changes nothing but contact (equal status is read by the
#: myth mechanism only), for the contrast "the conditions switched on alone".
EQUAL_STATUS = {"equal_status": True}
FULL_GOVERNANCE = {"governance": "six_principles"}
ALPHA = 0.05
#: Series whose trend over the window tests the steady state, with the change over the
#: window below which a series counts as stationary (in its own units; assumption: about a
#: tenth of the series' range over the model's presets).
TREND_SERIES: dict[str, float] = {
    "mean_myth": 0.05,
    "cross_trust": 0.05,
    "mean_skill": 0.05,
    "mean_behaviour": 0.05,
    "mean_synergy": 0.1,
    "isolated_share": 0.05,
    "ties_per_org": 0.5,
}
PRESETS_CHECKED = ("none", "contract", "six_principles", "leading_as_peers", "forced_marriage")


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
            "key": self.key,
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

    cohort_failure: float  # share of the cohort's ended partnerships that met no goal
    cohort_censored: float  # share of the cohort still running at the end
    lifespan: np.ndarray = field(repr=False)  # months, per cohort partnership
    censored: np.ndarray = field(repr=False)  # per cohort partnership
    contact_r: float  # reported myth (with measurement error) vs months of cross-sector contact
    true_contact_r: float  # the same without measurement error
    b_good: float  # myth change per year of good cross-sector experience
    b_bad: float  # myth change per year of bad cross-sector experience
    trust_asymmetry: float  # trust lost per unit of bad signal / gained per unit of good
    trends: dict[str, float]  # change over the window implied by each series' linear trend


def _trend(y: np.ndarray) -> float:
    y = np.asarray(y, dtype=float)
    x = np.arange(y.size, dtype=float)
    ok = np.isfinite(y)
    if ok.sum() < 3:
        return float("nan")
    return float(np.polyfit(x[ok], y[ok], 1)[0] * y.size)


def run_stats(args: tuple[int, int, int, dict]) -> RunStats:
    """One run: ``window`` months recorded, then ``follow`` months to see the cohort end."""
    seed, window, follow, params = args
    m = CollabModel(seed=seed, **resolve("baseline", params))
    s = m.state
    series: dict[str, list[float]] = {k: [] for k in TREND_SERIES}
    for _ in range(window):
        m.step()
        r = m.readout
        for k in TREND_SERIES:
            if k == "mean_behaviour":
                series[k].append(float(np.mean([r[f"mean_{b}"] for b in BEHAVIOURS])))
            else:
                series[k].append(r[k])
    contact_r, true_r, b_good, b_bad = contact_stats(m, np.random.default_rng(seed))
    tot = s.totals
    gain = tot.trust_gained / tot.gain_signal if tot.gain_signal else np.nan
    loss = tot.trust_lost / tot.loss_signal if tot.loss_signal else np.nan
    for _ in range(follow):
        m.step()
    t = s.table
    n = t.n_p
    cohort = (t.p_start[:n] >= 1) & (t.p_start[:n] <= window)  # month 0 ends the burn-in
    ended = t.p_stage[:n][cohort] == ENDED
    end = np.where(ended, t.p_end[:n][cohort], s.month)
    life = (end - t.p_start[:n][cohort]).astype(float)
    failed = t.p_completed[:n][cohort][ended] == 0
    return RunStats(
        cohort_failure=float(failed.mean()) if failed.size else np.nan,
        cohort_censored=float((~ended).mean()) if ended.size else np.nan,
        lifespan=life,
        censored=~ended,
        contact_r=contact_r,
        true_contact_r=true_r,
        b_good=b_good,
        b_bad=b_bad,
        trust_asymmetry=loss / gain if gain and np.isfinite(gain) else np.nan,
        trends={k: _trend(v) for k, v in series.items()},
    )


def contact_stats(m: CollabModel, noise: np.random.Generator) -> tuple[float, float, float, float]:
    """Contact and myths of the organisations that existed through the whole window.

    The survey pattern: reported myth (the true mean myth about other sectors plus error,
    such that the reliability is RELIABILITY) against months of cross-sector contact. The
    regression: each organisation's change in myth over the window on its months of good
    and of bad cross-sector experience.
    """
    o = m.state.orgs
    stayed = o.founded <= 0
    other = np.ones_like(o.myth, dtype=bool)
    other[np.arange(o.n), o.sector] = False
    level = (o.myth * other).sum(axis=1) / other.sum(axis=1)
    change = ((o.myth - o.initial_myth) * other).sum(axis=1) / other.sum(axis=1)
    contact = o.contact_good + o.contact_bad
    level, change, contact = level[stayed], change[stayed], contact[stayed]
    good, bad = o.contact_good[stayed] / 12.0, o.contact_bad[stayed] / 12.0  # years
    if level.size < 10 or contact.std() == 0 or level.std() == 0:
        return (np.nan,) * 4
    error_sd = level.std() * np.sqrt((1 - RELIABILITY) / RELIABILITY)
    reported = level + noise.normal(0.0, error_sd, level.size)
    r = float(np.corrcoef(contact, reported)[0, 1])
    true_r = float(np.corrcoef(contact, level)[0, 1])
    x = np.column_stack([np.ones(level.size), good, bad])
    coef, *_ = np.linalg.lstsq(x, change, rcond=None)
    return r, true_r, float(coef[1]), float(coef[2])


def _runs(seeds, window, follow, params, pool) -> list[RunStats]:
    jobs = [(s, window, follow, params) for s in seeds]
    return list(pool.map(run_stats, jobs)) if pool else [run_stats(j) for j in jobs]


def validate_patterns(
    replicates: int = 20,
    seed: int = 1,
    window: int = 360,
    follow: int = 240,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
    presets: tuple[str, ...] = PRESETS_CHECKED,
) -> list[Measured]:
    """Measure every pattern; ``workers`` > 1 runs replicates in parallel processes."""
    seeds = [seed + k for k in range(replicates)]
    say = progress or (lambda s: None)
    with process_pool(workers, preload=[__name__]) as pool:
        say("default scenario")
        base = _runs(seeds, window, follow, {}, pool)
        say("full governance (six_principles)")
        full = _runs(seeds, window, follow, FULL_GOVERNANCE, pool)
        say("equal status alone")
        equal = _runs(seeds, window, 0, EQUAL_STATUS, pool)
        others = {}
        for name in presets:
            if name != "six_principles":
                say(f"preset {name} (steady state)")
                others[name] = _runs(seeds, window, 0, {"governance": name}, pool)
    others["six_principles"] = full
    out = [
        p_failure(base),
        p_default_success(base),
        p_governance(base, full),
        p_contact(base),
        p_conditions(base, equal),
        p_negative_contact(base),
        p_trust(base),
        p_lifespan(base),
        p_stationary("default", base),
    ]
    out += [p_stationary(name, others[name]) for name in presets]
    return out


def _get(runs, key) -> np.ndarray:
    return np.array([getattr(r, key) for r in runs], dtype=float)


def _inside(v: float, lo: float, hi: float) -> bool:
    return bool(np.isfinite(v) and lo <= v <= hi)


def p_failure(base) -> Measured:
    v, lo, hi = mean_ci(_get(base, "cohort_failure"))
    cens = np.nanmean(_get(base, "cohort_censored"))
    return Measured(
        "failure",
        "Partnerships that fail (meet no goal) or end early: cohort followed to its end",
        v,
        lo,
        hi,
        "40-65%",
        "Dyer, Kale & Singh 2001 ('almost half'); Harrigan 1988 (54.7%)",
        _inside(v, 0.40, 0.65),
        f"{cens:.0%} of the cohort still running at the end of the follow-up (left out)",
    )


def p_default_success(base) -> Measured:
    v, lo, hi = mean_ci(1.0 - _get(base, "cohort_failure"))
    return Measured(
        "default_success",
        "Success share under the default rules (met at least one goal)",
        v,
        lo,
        hi,
        "35-60%",
        "Kale, Dyer & Singh 2002 (50% without an alliance function)",
        _inside(v, 0.35, 0.60),
    )


def p_governance(base, full) -> Measured:
    a = 1.0 - _get(full, "cohort_failure")
    b = 1.0 - _get(base, "cohort_failure")
    v, lo, hi = mean_ci(a - b)
    p = paired_greater(a, b)
    return Measured(
        "governance",
        "Full governance (six principles) minus default, success share",
        v,
        lo,
        hi,
        "+5 to +25 points, significant",
        "Kale, Dyer & Singh 2002 (63% vs 50%)",
        _inside(v, 0.05, 0.25) and p < ALPHA,
        f"six_principles {np.nanmean(a):.0%} vs default {np.nanmean(b):.0%}; "
        f"paired t-test p = {p:.2g}",
    )


def p_contact(base) -> Measured:
    v, lo, hi = mean_ci(_get(base, "contact_r"))
    true_r = np.nanmean(_get(base, "true_contact_r"))
    return Measured(
        "contact",
        f"Reported myth vs cross-sector contact (r, reliability {RELIABILITY})",
        v,
        lo,
        hi,
        "-0.35 to -0.10",
        "Pettigrew & Tropp 2006 (mean r = -0.21)",
        _inside(v, -0.35, -0.10),
        f"without measurement error r = {true_r:.2f}",
    )


def p_conditions(base, equal) -> Measured:
    a, b = _get(base, "contact_r"), _get(equal, "contact_r")
    v, lo, hi = mean_ci(b - a)
    p = paired_greater(a, b)
    return Measured(
        "conditions",
        "A contact condition alone (equal status) makes r more negative (paired difference)",
        v,
        lo,
        hi,
        "< 0, significant",
        "Pettigrew & Tropp 2006 (-0.29 under the optimal conditions vs -0.20)",
        bool(hi < 0 and p < ALPHA),
        f"r {np.nanmean(b):.2f} with equal status vs {np.nanmean(a):.2f} without; "
        f"paired t-test p = {p:.2g}",
    )


def p_negative_contact(base) -> Measured:
    good, bad = _get(base, "b_good"), _get(base, "b_bad")
    d = np.abs(bad) - np.abs(good)
    v, lo, hi = mean_ci(d)
    p = paired_greater(np.abs(bad), np.abs(good))
    return Measured(
        "negative_contact",
        "Myth change on months of good and bad contact: |bad coefficient| - |good|",
        v,
        lo,
        hi,
        "> 0, significant",
        "Barlow et al. 2012",
        bool(lo > 0 and p < ALPHA),
        f"per year of contact: good {np.nanmean(good):+.4f}, bad {np.nanmean(bad):+.4f} "
        f"(regression across organisations, per run); paired t-test p = {p:.2g}",
    )


def p_trust(base) -> Measured:
    v, lo, hi = mean_ci(_get(base, "trust_asymmetry"))
    return Measured(
        "trust_asymmetry",
        "Trust lost per unit of bad signal over trust gained per unit of good (from runs)",
        v,
        lo,
        hi,
        "> 1",
        "Slovic 1993",
        bool(lo > 1),
        "every trust update of the window, good and bad readings summed separately",
    )


def p_lifespan(base) -> Measured:
    medians = []
    for r in base:
        if r.lifespan.size:
            curve = survival(r.lifespan, r.censored)
            below = np.flatnonzero(curve.surv <= 0.5)
            medians.append(curve.time[below[0]] if below.size else np.nan)
    v, lo, hi = mean_ci(np.array(medians, dtype=float) / 12.0)
    return Measured(
        "lifespan",
        "Median lifespan of partnerships formed at the steady state (years, Kaplan-Meier)",
        v,
        lo,
        hi,
        "3-10 years",
        "Bleeke & Ernst 1995 (about 7 years)",
        _inside(v, 3.0, 10.0),
    )


def p_stationary(name: str, runs) -> Measured:
    """Worst series: the largest share of its margin that the CI of its change reaches."""
    worst, detail, ok = 0.0, [], True
    for k, margin in TREND_SERIES.items():
        change = np.array([r.trends[k] for r in runs], dtype=float)
        v, lo, hi = mean_ci(change)
        inside = np.isfinite(lo) and -margin < lo and hi < margin
        ok &= bool(inside) or not np.isfinite(v)
        reach = max(abs(lo), abs(hi)) / margin if np.isfinite(lo) else 0.0
        if reach >= worst:
            worst, worst_ci = reach, (k, v, lo, hi)
        detail.append(f"{k} {v:+.3f} [{lo:+.3f}, {hi:+.3f}]")
    k, v, lo, hi = worst_ci
    return Measured(
        f"stationary_{name}",
        f"Steady state, {name}: change of each series over the window (worst: {k})",
        v,
        lo,
        hi,
        "every series within its margin",
        "issue target: no trend after the burn-in",
        ok,
        "; ".join(detail),
    )
