"""Reports of sampled designs (Latin hypercube, Sobol, Morris, of any size): scatter plots of
each outcome against each varied parameter with a LOWESS smoother, and partial rank
correlation coefficients (PRCC) with Fisher-z confidence intervals.

Both work on the design points, each the mean of its replicates (seed noise averaged out);
in a crossed design every arm is a sample of its own and gets its own coefficients and
colour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..viz.plotting import PALETTE


def point_table(
    runs: pd.DataFrame, factors: list[str], outcomes: list[str], arm_of: dict[int, str]
) -> pd.DataFrame:
    """One row per design point: its arm, its factor values and the replicate mean of
    every outcome (runs that failed or leave the outcome undefined left out)."""
    ok = runs[runs.status == "ok"]
    means = ok.groupby("condition")[outcomes].mean()
    values = ok.groupby("condition")[factors].first()
    table = values.join(means).reset_index()
    table.insert(1, "arm", table.condition.map(arm_of))
    return table


def prcc(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> pd.DataFrame:
    """PRCC of ``y`` with each column of ``x``: the correlation of the ranks of ``x_j`` and
    ``y`` once the ranks of the other columns are regressed out of both. The interval is
    Fisher's z, with the standard error 1 / sqrt(n - 3 - (k - 1)) of a partial correlation
    given k - 1 other variables; p from the t distribution with n - 2 - (k - 1) degrees of
    freedom. Rows with a missing value are dropped; NaN where too few rows remain."""
    keep = np.isfinite(y) & np.isfinite(x).all(axis=1)
    x, y = x[keep], y[keep]
    n, k = x.shape
    rx = np.column_stack([stats.rankdata(x[:, j]) for j in range(k)]) if n else x
    ry = stats.rankdata(y) if n else y
    rows = []
    z_crit = stats.norm.ppf(0.5 + level / 2)
    for j in range(k):
        r = lo = hi = p = np.nan
        dof = n - 2 - (k - 1)
        if dof >= 2 and np.ptp(rx[:, j]) > 0 and np.ptp(ry) > 0:
            others = np.column_stack([np.ones(n), np.delete(rx, j, axis=1)])
            res_x = rx[:, j] - others @ np.linalg.lstsq(others, rx[:, j], rcond=None)[0]
            res_y = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
            scale = np.sqrt((res_x @ res_x) * (res_y @ res_y))
            if scale > 1e-12 * n * n:
                r = float(np.clip(res_x @ res_y / scale, -1.0, 1.0))
                se = 1.0 / np.sqrt(n - 3 - (k - 1)) if n - 3 - (k - 1) > 0 else np.inf
                z = np.arctanh(np.clip(r, -0.999999, 0.999999))
                # |r| = 1 sits at the edge of its interval (z is clipped just inside it).
                lo = min(float(np.tanh(z - z_crit * se)), r)
                hi = max(float(np.tanh(z + z_crit * se)), r)
                t = r * np.sqrt(dof / max(1.0 - r * r, 1e-15))
                p = float(2 * stats.t.sf(abs(t), dof))
        rows.append({"column": j, "prcc": r, "ci_low": lo, "ci_high": hi, "p": p, "n": n})
    return pd.DataFrame(rows)


def prcc_table(points: pd.DataFrame, factors: list[str], outcomes: list[str]) -> pd.DataFrame:
    """PRCC of every outcome with every factor, within each arm."""
    tables = []
    numeric = points[factors].astype(float).to_numpy()
    for arm, idx in points.groupby("arm", sort=False).groups.items():
        rows = points.index.get_indexer(idx)
        for o in outcomes:
            t = prcc(numeric[rows], points[o].to_numpy(float)[rows])
            t.insert(0, "parameter", [factors[j] for j in t.column])
            t.insert(0, "outcome", o)
            t.insert(0, "arm", arm)
            tables.append(t.drop(columns="column"))
    return pd.concat(tables, ignore_index=True)


def smooth(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A LOWESS curve of y on x (statsmodels), or the mean at each value when x takes only
    a few values (a switch, a short integer range): LOWESS has nothing to smooth there."""
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    levels = np.unique(x)
    if len(levels) <= 4:
        return levels, np.array([y[x == v].mean() for v in levels])
    from statsmodels.nonparametric.smoothers_lowess import lowess

    fit = lowess(y, x, frac=0.6, it=1, return_sorted=True)
    return fit[:, 0], fit[:, 1]


def scatter_figure(points: pd.DataFrame, factors: list[str], outcomes: list[str]):
    """Each outcome (rows) against each factor (columns), one colour per arm."""
    from ..viz.plotting import figure

    arms = list(dict.fromkeys(points.arm))
    fig = figure((2.4 * len(factors) + 0.6, 1.9 * len(outcomes) + 0.8), layout="constrained")
    axes = fig.subplots(len(outcomes), len(factors), squeeze=False, sharex="col", sharey="row")
    for i, o in enumerate(outcomes):
        for j, f in enumerate(factors):
            ax = axes[i][j]
            for a, arm in enumerate(arms):
                d = points[points.arm == arm]
                x, y = d[f].astype(float).to_numpy(), d[o].to_numpy(float)
                colour = PALETTE[a % len(PALETTE)]
                ax.scatter(x, y, s=8, alpha=0.45, color=colour, linewidths=0, rasterized=True)
                if np.isfinite(y).sum() >= 3:
                    sx, sy = smooth(x, y)
                    ax.plot(sx, sy, color=colour, lw=1.6, label=arm or None)
            if i == len(outcomes) - 1:
                ax.set_xlabel(f, fontsize=9)
            if j == 0:
                ax.set_ylabel(o, fontsize=9)
            ax.tick_params(labelsize=7)
    if len(arms) > 1:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=min(3, len(arms)), fontsize=8)
    fig.suptitle(
        "outcomes against the sampled parameters (points: design points, mean of "
        "replicates; lines: LOWESS)",
        fontsize=10,
    )
    return fig


def prcc_figure(table: pd.DataFrame, outcomes: list[str]):
    """PRCC with 95% intervals, one panel per outcome, factors named once on the left."""
    from ..viz.plotting import figure

    factors = list(dict.fromkeys(table.parameter))
    arms = list(dict.fromkeys(table.arm))
    cols = min(4, len(outcomes))
    rows = -(-len(outcomes) // cols)
    fig = figure(
        (2.6 * cols + 1.8, (0.3 * len(factors) * len(arms) + 1.0) * rows + 0.6),
        layout="constrained",
    )
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    y = np.arange(len(factors))
    height = 0.8 / len(arms)
    for ax, o in zip(axes.flat, outcomes, strict=False):
        for a, arm in enumerate(arms):
            d = table[(table.outcome == o) & (table.arm == arm)].set_index("parameter")
            d = d.reindex(factors)
            pos = y + (a - (len(arms) - 1) / 2) * height
            err = np.clip(np.vstack([d.prcc - d.ci_low, d.ci_high - d.prcc]), 0, None)
            ax.barh(
                pos,
                d.prcc,
                height,
                xerr=err,
                capsize=2,
                label=arm or None,
                color=PALETTE[a % len(PALETTE)],
                error_kw={"lw": 0.8},
            )
        ax.axvline(0, color="0.3", lw=0.6)
        ax.set_xlim(-1, 1)
        ax.set_title(o, fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0][0].set_yticks(y, factors)
    axes[0][0].invert_yaxis()
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.axis("off")
    if len(arms) > 1:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=min(3, len(arms)), fontsize=8)
    fig.suptitle("partial rank correlation with 95% interval (Fisher z)", fontsize=10)
    return fig
