"""Measures of the model that calibration targets: a registry, and the runs they need.

A measure is computed from all the runs of one parameter point: several replicate seeds,
and for some measures a contrast *arm* (the same seeds run with a few parameters changed,
e.g. ``governance = "six_principles"``). Each measure declares the arms it needs; the
simulator (:func:`evaluate`) runs every arm that the chosen measures need once per seed,
computes each measure's per-run part where the run ran (so that only small values cross
between processes), and combines the parts into one number per measure.

This registry is the only interface between calibration and the model's read-outs: a new
measure is one :func:`register` call, and calibration, the targets file and the docs pick
it up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from ..run import RunResult

#: The arm every measure of the default parameterisation runs: no overrides.
BASE = "base"
#: Survival at the median lifespan (Kaplan-Meier).
MEDIAN_SURVIVAL = 0.5


@dataclass(frozen=True)
class Measure:
    """One measure: its name, what it is, the arms it needs (arm name -> parameter
    overrides), the part computed from each run (``per_run(result)``: small and picklable)
    and how the parts of all runs make the measure (``combine({arm: [part, ...]})``; the
    lists of different arms are in the same seed order)."""

    name: str
    help: str
    per_run: Callable[[RunResult], Any]
    combine: Callable[[Mapping[str, list[Any]]], float]
    arms: Mapping[str, Mapping[str, Any]]


MEASURES: dict[str, Measure] = {}
#: Every arm some measure needs, by name; an arm's overrides are the same for every measure.
ARMS: dict[str, dict[str, Any]] = {}


def register(m: Measure) -> Measure:
    """Add ``m`` to the registry (names are unique; an arm name means one set of overrides)."""
    if m.name in MEASURES:
        raise ValueError(f"measure {m.name!r} is registered twice")
    for arm, overrides in m.arms.items():
        if arm in ARMS and ARMS[arm] != dict(overrides):
            raise ValueError(
                f"measure {m.name!r}: arm {arm!r} is already {ARMS[arm]}, not {dict(overrides)}"
            )
    for arm, overrides in m.arms.items():
        ARMS.setdefault(arm, dict(overrides))
    MEASURES[m.name] = m
    return m


def _nanmean(values: Sequence[float]) -> float:
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else float("nan")


def _outcome(key: str) -> Callable[[RunResult], float]:
    def read(result: RunResult) -> float:
        return float(result.outcomes[key])

    read.__name__ = f"outcome_{key}"
    return read


def _base_mean(parts: Mapping[str, list[float]]) -> float:
    return _nanmean(parts[BASE])


# --- failure and success -------------------------------------------------------------------
register(
    Measure(
        "failure_share",
        "share of ended partnerships that failed or ended early (mean over replicates)",
        _outcome("failure_share"),
        _base_mean,
        {BASE: {}},
    )
)
register(
    Measure(
        "success_share",
        "share of ended partnerships that completed their goal (mean over replicates)",
        _outcome("success_share"),
        _base_mean,
        {BASE: {}},
    )
)

#: The contrast arm of the governance gain: the full preset of the six principles.
SIX_PRINCIPLES = "six_principles"


def _gain(parts: Mapping[str, list[float]]) -> float:
    # Paired on seeds: the mean of the per-seed differences.
    diff = np.asarray(parts[SIX_PRINCIPLES], float) - np.asarray(parts[BASE], float)
    return _nanmean(diff)


register(
    Measure(
        "governance_gain",
        "success share under governance = six_principles minus the base arm's, paired on seeds",
        _outcome("success_share"),
        _gain,
        {BASE: {}, SIX_PRINCIPLES: {"governance": SIX_PRINCIPLES}},
    )
)


# --- formation rate ------------------------------------------------------------------------
def formations_per_month(result: RunResult) -> float:
    return result.outcomes["partnerships_formed"] / max(result.model.month, 1)


register(
    Measure(
        "formation_rate",
        "partnerships formed per month (mean over replicates)",
        formations_per_month,
        _base_mean,
        {BASE: {}},
    )
)


# --- contact and myths ---------------------------------------------------------------------
def contact_myth_r(result: RunResult) -> float:
    """Pearson r across organisations between months of cross-sector contact over the record
    and the myth each reports (its mean myth about other sectors, measured with the
    reliability of a survey scale); the statistic ``collabsim validate`` reads
    (:func:`simulation.validation.patterns.contact_stats`, seeded by the run's seed)."""
    from .patterns import contact_stats

    return contact_stats(result.model, np.random.default_rng(result.seed))[0]


register(
    Measure(
        "contact_myth_r",
        "correlation across organisations of cross-sector contact and reported myth "
        "(mean over replicates)",
        contact_myth_r,
        _base_mean,
        {BASE: {}},
    )
)


# --- lifespans -----------------------------------------------------------------------------
def lifespans(result: RunResult) -> tuple[np.ndarray, np.ndarray]:
    """(months from formation to end, still running at the end) per partnership, from the
    run's event log; a partnership still running is censored at the run's last month."""
    start: dict[int, int] = {}
    end: dict[int, int] = {}
    for e in result.model.events:
        if e["event"] == "formed":
            start[e["partnership"]] = e["month"]
        elif e["event"] == "ended":
            end[e["partnership"]] = e["month"]
    last = result.model.month
    pids = sorted(start)
    duration = np.array([end.get(p, last) - start[p] for p in pids], dtype=float)
    censored = np.array([p not in end for p in pids], dtype=bool)
    return duration, censored


def km_median(duration: np.ndarray, censored: np.ndarray) -> float:
    """Kaplan-Meier median: the first time the survival curve is at or below one half.

    If it never gets there (too many partnerships still running), the longest time observed,
    a lower bound of the median; nan if there are no partnerships at all.
    """
    duration = np.asarray(duration, dtype=float)
    censored = np.asarray(censored, dtype=bool)
    if duration.size == 0:
        return float("nan")
    if censored.all():
        return float(duration.max())
    from ..stats import survival

    curve = survival(duration, censored)
    below = np.flatnonzero(curve.surv <= MEDIAN_SURVIVAL)
    return float(curve.time[below[0]]) if below.size else float(duration.max())


def _pooled_median(parts: Mapping[str, list[tuple[np.ndarray, np.ndarray]]]) -> float:
    runs = parts[BASE]
    if not runs:
        return float("nan")
    return km_median(np.concatenate([d for d, _ in runs]), np.concatenate([c for _, c in runs]))


register(
    Measure(
        "median_lifespan",
        "median months from formation to end (Kaplan-Meier over the pooled replicates, "
        "running partnerships censored)",
        lifespans,
        _pooled_median,
        {BASE: {}},
    )
)


# --- the simulator -------------------------------------------------------------------------
def check_names(names: Sequence[str]) -> None:
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        raise KeyError(f"unknown measure {unknown[0]!r}; known: {', '.join(MEASURES)}")


def arms_for(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The arms that the measures ``names`` need, in the order the measures name them."""
    check_names(names)
    out: dict[str, dict[str, Any]] = {}
    for n in names:
        for arm in MEASURES[n].arms:
            out.setdefault(arm, ARMS[arm])
    return out


def run_arm(job: tuple[str, int, int, dict[str, Any], tuple[str, ...]]) -> dict[str, Any]:
    """One run (``scenario, steps, seed, params, measures``): each measure's per-run part."""
    from ..run import simulate

    scenario, steps, seed, params, names = job
    result = simulate(scenario, seed=seed, steps=steps, params=params)
    return {n: MEASURES[n].per_run(result) for n in names}


def plan(
    names: Sequence[str],
    params: Mapping[str, Any],
    seeds: Sequence[int],
    steps: int,
    scenario: str = "baseline",
) -> list[tuple[str, tuple[str, int, int, dict[str, Any], tuple[str, ...]]]]:
    """(arm, job) for every run the measures need: each arm once per seed. An arm's
    overrides are applied over ``params``."""
    jobs = []
    for arm, overrides in arms_for(names).items():
        needs = tuple(n for n in names if arm in MEASURES[n].arms)
        for s in seeds:
            jobs.append((arm, (scenario, steps, int(s), {**params, **overrides}, needs)))
    return jobs


def evaluate(
    names: Sequence[str],
    params: Mapping[str, Any],
    seeds: Sequence[int],
    steps: int,
    *,
    scenario: str = "baseline",
    pool: Executor | None = None,
) -> dict[str, float]:
    """Every measure in ``names`` at one parameter point, from one run per seed and arm.

    ``pool`` (an executor whose ``map`` keeps order) runs them in parallel; the result does
    not depend on it, since each run depends only on its seed and parameters.
    """
    jobs = plan(names, params, seeds, steps, scenario)
    work = [j for _, j in jobs]
    done = list(pool.map(run_arm, work)) if pool is not None else [run_arm(j) for j in work]
    parts: dict[str, dict[str, list[Any]]] = {n: {} for n in names}
    for (arm, job), res in zip(jobs, done, strict=True):
        for n in job[4]:
            parts[n].setdefault(arm, []).append(res[n])
    return {n: float(MEASURES[n].combine(parts[n])) for n in names}
