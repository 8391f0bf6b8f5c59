"""Morris and Sobol indices of a sampled sweep, computed by SALib on the replicate means.

Both analysers need every design point, and a model outcome can be missing at some: a
failed run, or an outcome that is undefined in a run (``success_share`` when no partnership
ended, ``mean_synergy`` when none lasted long enough). A point's value is the mean of the
replicates that have one; a point with none drops its whole unit of the design for that
outcome only: its Morris trajectory, or its Saltelli block (a base sample with its cross
samples). The indices then rest on the units that are whole, which the tables say
(``trajectories_used``, ``samples_used``).

Seed noise is kept apart from the design: replicate k of every point runs on the same seed,
so the spread across the replicates of a point is seed noise alone. Every table carries
``seed_share`` (the share of the variance of single runs that is seed noise, a one-way
ANOVA over the points) and ``seed_share_means`` (the share of the variance of the point
means, on which the indices rest, that is still seed noise: it shrinks as 1/replicates).

Warnings from SALib and numpy become readable notes (one line each) instead of raw warnings.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .designs import salib_problem, unit_matrix
from .experiment import Experiment

#: Bootstrap resamples behind every confidence interval (cheap next to the runs).
RESAMPLES = 1000
CONF_LEVEL = 0.95
#: An index counts as material from this size; the sample-size check looks at those only.
MATERIAL = 0.05
#: A confidence interval is too wide when its half-width exceeds this share of the index.
WIDE = 0.5
#: Seed noise above this share of the point means' variance gets a note.
NOISY = 0.2


@dataclass
class Indices:
    """Indices (one row per outcome and parameter), second-order indices if asked for, and
    notes: one readable line per thing a reader should know about them."""

    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    second_order: pd.DataFrame | None = None


def replicate_matrix(runs: pd.DataFrame, n_points: int, replicates: int, outcome: str):
    """``outcome`` as a (design point, replicate) array; NaN where a run failed, is missing
    or left the outcome undefined."""
    y = np.full((n_points, replicates), np.nan)
    ok = runs[runs.status == "ok"]
    y[ok.condition.to_numpy(int), ok.replicate.to_numpy(int)] = ok[outcome].to_numpy(float)
    return y


def point_means(y: np.ndarray) -> np.ndarray:
    """Mean over the replicates that have a value; NaN where none has."""
    have = np.isfinite(y)
    n = have.sum(axis=1)
    total = np.where(have, y, 0.0).sum(axis=1)
    return np.divide(total, n, out=np.full(len(y), np.nan), where=n > 0)


def within_point_sd(y: np.ndarray) -> float:
    """Seed noise in the outcome's own units: the mean, over design points with at least two
    values, of the standard deviation across replicates."""
    have = np.isfinite(y)
    n = have.sum(axis=1)
    keep = n >= 2
    if not keep.any():
        return float("nan")
    m = point_means(y[keep])
    dev = np.where(have[keep], y[keep] - m[:, None], 0.0)
    return float(np.mean(np.sqrt((dev**2).sum(axis=1) / (n[keep] - 1))))


def seed_shares(y: np.ndarray) -> tuple[float, float]:
    """(``seed_share``, ``seed_share_means``) of a (point, replicate) array: the pooled
    within-point variance over the variance of all runs, and that variance divided by each
    point's replicate count over the variance of the point means. NaN without two values at
    any point; at most 1 (the estimates are noisy when the factors hardly matter)."""
    have = np.isfinite(y)
    n = have.sum(axis=1)
    keep = n >= 1
    m = point_means(y[keep])
    dev = np.where(have[keep], y[keep] - m[:, None], 0.0)
    dof = int((n[keep] - 1).sum())
    if dof < 1 or keep.sum() < 2:
        return float("nan"), float("nan")
    within = float((dev**2).sum() / dof)
    total = float(np.var(y[have], ddof=1))
    means = float(np.var(m, ddof=1))
    share = min(within / total, 1.0) if total > 0 else float("nan")
    share_means = min(within * float(np.mean(1.0 / n[keep])) / means, 1.0) if means > 0 else 1.0
    return share, share_means


def _noise_note(kind: str, outcome: str, share_means: float, replicates: int) -> list[str]:
    if not np.isfinite(share_means) or share_means <= NOISY:
        return []
    return [
        f"{kind} {outcome}: seed noise is {share_means:.0%} of the variance of the point "
        "means the indices rest on, and is spread over the factors as if they caused it; "
        f"more replicates (now {replicates}) shrink it as 1/replicates"
    ]


def sample_size_note(
    table: pd.DataFrame, n: int, runs_per_n: int, option: str = "--sobol-n"
) -> str | None:
    """One line when the CIs of material Sobol indices (>= MATERIAL) are wider than WIDE of
    the index, with the N that would narrow them (half-widths shrink as 1/sqrt(N)); None
    when the sample is big enough. ``option`` names the setting of N (``--sobol-n`` for
    `collabsim sensitivity`, ``samples =`` in an experiment file)."""
    rows = []
    for _, r in table.iterrows():
        for key in ("S1", "ST"):
            value, conf = r[key], r[f"{key}_conf"]
            if np.isfinite(value) and value >= MATERIAL and not conf <= WIDE * value:
                ratio = conf / (WIDE * value) if np.isfinite(conf) else np.inf
                rows.append((ratio, key, r.parameter, r.outcome, value, conf))
    if not rows:
        return None
    worst = max(rows, key=lambda row: row[0])
    need = 2 ** math.ceil(math.log2(n * worst[0] ** 2)) if np.isfinite(worst[0]) else None
    material = int(((table[["S1", "ST"]] >= MATERIAL).sum()).sum())
    advice = (
        f"CIs shrink as 1/sqrt(N): {option} {need} ({need * runs_per_n:,} runs) would bring "
        "them all within"
        if need
        else "some intervals are undefined; run a larger sample"
    )
    return (
        f"sobol: the 95% CIs of {len(rows)} of {material} indices of {MATERIAL} or more are "
        f"wider than {WIDE:g} x the index (widest: {worst[1]} of {worst[2]} on {worst[3]}, "
        f"{worst[4]:.2f} +- {worst[5]:.2f}); {advice}"
    )


def _note(w: warnings.WarningMessage, what: str) -> str:
    text = " ".join(str(w.message).split())
    if "Constant values encountered" in text:
        return (
            f"{what}: some bootstrap resamples had constant output, so its confidence "
            "intervals are unreliable (the outcome hardly varies over the design)"
        )
    if issubclass(w.category, RuntimeWarning):
        return (
            f"{what}: a division by zero or an undefined value in the analysis ({text}); "
            "indices shown as NaN are undefined"
        )
    return f"{what}: {w.category.__name__}: {text}"


def _salib(fn, *args, what: str, notes: list[str], **kwargs):
    """Call a SALib analyser, turning its warnings into notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    for w in caught:
        line = _note(w, what)
        if line not in notes:
            notes.append(line)
    return result


def _constant(values: np.ndarray) -> bool:
    return bool(np.ptp(values) == 0)


def morris(exp: Experiment, runs: pd.DataFrame, outcomes: list[str]) -> Indices:
    """Morris indices (``mu``, ``mu_star`` with its bootstrap ``mu_star_conf``, ``sigma``) of
    each outcome, with an estimate of the seed noise in them.

    Seed noise: with replicate k run on the same seed at every point, each trajectory step
    gives one elementary effect per replicate; the standard error of their mean is the noise
    in the elementary effect the indices use. ``ee_se`` is its root mean square over the
    trajectories, and ``noise_floor`` = sqrt(2/pi) * ``ee_se`` is the ``mu_star`` that a
    factor without any effect would show from seed noise alone (the mean of |N(0, se^2)|).
    ``noise_sd`` is the noise in the outcome's own units (mean within-point SD).
    """
    from SALib.analyze import morris as salib_morris

    problem = salib_problem(exp)
    d = problem["num_vars"]
    x = unit_matrix(exp)
    n_points = len(x)
    size = d + 1
    n_traj = n_points // size
    # Which factor each step of a trajectory moves, and by how much (+-delta).
    steps = np.diff(x.reshape(n_traj, size, d), axis=1)  # (trajectory, step, factor)
    moved = np.abs(steps).argmax(axis=2)
    dx = np.take_along_axis(steps, moved[..., None], axis=2)[..., 0]
    rows, notes = [], []
    for o in outcomes:
        y = replicate_matrix(runs, n_points, exp.replicates, o)
        ybar = point_means(y)
        whole = np.isfinite(ybar.reshape(n_traj, size)).all(axis=1)
        used = int(whole.sum())
        if used < 2:
            notes.append(
                f"morris {o}: only {used} of {n_traj} trajectories have a value at every "
                "point; no indices (the outcome is undefined in too many runs)"
            )
            continue
        if used < n_traj:
            notes.append(
                f"morris {o}: {n_traj - used} of {n_traj} trajectories left out (a point "
                "with no replicate that defines the outcome); indices from the other "
                f"{used}"
            )
        keep = np.repeat(whole, size)
        if _constant(ybar[keep]):
            notes.append(f"morris {o}: the same value at every design point; no indices")
            continue
        r = _salib(
            salib_morris.analyze,
            problem,
            x[keep],
            ybar[keep],
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=exp.morris_levels,
            seed=exp.design_seed,
            what=f"morris {o}",
            notes=notes,
        )
        # Elementary effects per replicate (trajectory, step, replicate), then the variance
        # of their mean over the replicates that define both ends of the step.
        yt = y.reshape(n_traj, size, -1)[whole]
        ee = np.diff(yt, axis=1) / dx[whole][..., None]
        have = np.isfinite(ee)
        n = have.sum(axis=2)
        mean = np.where(have, ee, 0.0).sum(axis=2) / np.maximum(n, 1)
        ss = (np.where(have, ee - mean[..., None], 0.0) ** 2).sum(axis=2)
        var = np.where(n >= 2, ss / np.maximum(n - 1, 1) / np.maximum(n, 1), np.nan)
        noise_sd = within_point_sd(y)
        share, share_means = seed_shares(y[keep])
        notes += _noise_note("morris", o, share_means, exp.replicates)
        for j, name in enumerate(problem["names"]):
            v = var[moved[whole] == j]
            v = v[np.isfinite(v)]
            se = float(np.sqrt(v.mean())) if v.size else float("nan")
            rows.append(
                {
                    "outcome": o,
                    "parameter": name,
                    "mu": float(r["mu"][j]),
                    "mu_star": float(r["mu_star"][j]),
                    "mu_star_conf": float(r["mu_star_conf"][j]),
                    "sigma": float(r["sigma"][j]),
                    "ee_se": se,
                    "noise_floor": math.sqrt(2 / math.pi) * se,
                    "noise_sd": noise_sd,
                    "seed_share": share,
                    "seed_share_means": share_means,
                    "trajectories_used": used,
                }
            )
    if exp.replicates < 2:
        notes.append("morris: one replicate per point, so the seed noise cannot be estimated")
    return Indices(pd.DataFrame(rows, columns=MORRIS_COLUMNS), notes)


MORRIS_COLUMNS = [
    "outcome",
    "parameter",
    "mu",
    "mu_star",
    "mu_star_conf",
    "sigma",
    "ee_se",
    "noise_floor",
    "noise_sd",
    "seed_share",
    "seed_share_means",
    "trajectories_used",
]
SOBOL_COLUMNS = [
    "outcome",
    "parameter",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
    "seed_share",
    "seed_share_means",
    "samples_used",
]


def sobol(exp: Experiment, runs: pd.DataFrame, outcomes: list[str]) -> Indices:
    """First-order and total Sobol indices (``S1``, ``ST``, with bootstrap CI half-widths
    ``S1_conf``, ``ST_conf``) of each outcome, and second-order ones if the design has them."""
    from SALib.analyze import sobol as salib_sobol

    problem = salib_problem(exp)
    d = problem["num_vars"]
    names = problem["names"]
    block = 2 * d + 2 if exp.second_order else d + 2
    n_points = exp.samples * block
    rows, pairs, notes = [], [], []
    for o in outcomes:
        y = replicate_matrix(runs, n_points, exp.replicates, o)
        ybar = point_means(y)
        whole = np.isfinite(ybar.reshape(exp.samples, block)).all(axis=1)
        used = int(whole.sum())
        if used < 2:
            notes.append(
                f"sobol {o}: only {used} of {exp.samples} base samples have a value at "
                "every point of their block; no indices"
            )
            continue
        if used < exp.samples:
            notes.append(
                f"sobol {o}: {exp.samples - used} of {exp.samples} base samples left out "
                f"(a point with no replicate that defines the outcome); indices from {used}"
            )
        yk = ybar[np.repeat(whole, block)]
        if _constant(yk):
            notes.append(f"sobol {o}: the same value at every design point; no indices")
            continue
        r = _salib(
            salib_sobol.analyze,
            problem,
            yk,
            calc_second_order=exp.second_order,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            # A generator, not the int: SALib 1.6 ignores a seed of 0.
            seed=np.random.default_rng(exp.design_seed),
            what=f"sobol {o}",
            notes=notes,
        )
        share, share_means = seed_shares(y[np.repeat(whole, block)])
        notes += _noise_note("sobol", o, share_means, exp.replicates)
        for j, name in enumerate(names):
            rows.append(
                {
                    "outcome": o,
                    "parameter": name,
                    "S1": float(r["S1"][j]),
                    "S1_conf": float(r["S1_conf"][j]),
                    "ST": float(r["ST"][j]),
                    "ST_conf": float(r["ST_conf"][j]),
                    "seed_share": share,
                    "seed_share_means": share_means,
                    "samples_used": used,
                }
            )
        if exp.second_order:
            for a in range(d):
                for b in range(a + 1, d):
                    pairs.append(
                        {
                            "outcome": o,
                            "parameter": names[a],
                            "other": names[b],
                            "S2": float(r["S2"][a, b]),
                            "S2_conf": float(r["S2_conf"][a, b]),
                        }
                    )
    s2 = pd.DataFrame(pairs, columns=["outcome", "parameter", "other", "S2", "S2_conf"])
    return Indices(
        pd.DataFrame(rows, columns=SOBOL_COLUMNS), notes, s2 if exp.second_order else None
    )
