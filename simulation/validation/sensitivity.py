"""One-at-a-time sensitivity screen of the headline outcomes.

Each parameter is moved from its default to a low and a high value (half and one and a
half times the default, clipped to the allowed range; for a default of 0, the bottom of the
range and a quarter of the way up; False and True for switches) with all
others at their defaults, over paired replicates. The effect on each outcome is the mean
difference high - low, standardised by the outcome's standard deviation across the
baseline replicates, so outcomes on different scales can be ranked together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..params import PARAMS
from ..pools import process_pool
from ..run import run_model

OUTCOMES = ("failure_share", "mean_synergy", "cross_trust", "myth_change", "total_value")
#: Not screened: the population's make-up and size, and names (presets, modes, rules).
SKIP = {"n_orgs", "share_public", "share_private", "share_third", "share_community"}


def settings() -> list[tuple[str, object, object]]:
    """(parameter, low, high) for every screened parameter."""
    out = []
    for p in PARAMS.values():
        if p.name in SKIP or p.kind is str:
            continue
        if p.kind is bool:
            out.append((p.name, False, True))
            continue
        if p.default == 0:
            lo, hi = p.low, p.low + 0.25 * (p.high - p.low)
        else:
            lo, hi = max(p.low, 0.5 * p.default), min(p.high, 1.5 * p.default)
        if p.kind is int:
            lo, hi = int(round(lo)), int(round(hi))
        else:
            lo, hi = round(lo, 4), round(hi, 4)
        out.append((p.name, lo, hi))
    return out


def _one(job):
    seed, steps, params = job
    r = run_model(seed=seed, steps=steps, **params)
    return [r[k] for k in OUTCOMES]


def screen(
    replicates: int = 5,
    seed: int = 1,
    steps: int = 120,
    workers: int = 1,
    only: list[str] | None = None,
) -> pd.DataFrame:
    seeds = [seed + k for k in range(replicates)]
    plan = [(name, lo, hi) for name, lo, hi in settings() if not only or name in only]
    jobs = [(s, steps, {}) for s in seeds]
    for name, lo, hi in plan:
        jobs += [(s, steps, {name: lo}) for s in seeds] + [(s, steps, {name: hi}) for s in seeds]
    with process_pool(workers, preload=[__name__]) as pool:
        # map keeps the jobs' order, which the reshape below relies on.
        res = list(pool.map(_one, jobs, chunksize=4)) if pool else [_one(j) for j in jobs]
    res = np.array(res, dtype=float).reshape(-1, replicates, len(OUTCOMES))
    import warnings

    warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
    base = res[0]
    scale = np.nanstd(base, axis=0, ddof=1)
    rows = []
    for i, (name, lo, hi) in enumerate(plan):
        low, high = res[1 + 2 * i], res[2 + 2 * i]
        diff = np.nanmean(high - low, axis=0)
        row = {"parameter": name, "low": lo, "high": hi}
        for k, o in enumerate(OUTCOMES):
            row[f"{o}_low"] = float(np.nanmean(low[:, k]))
            row[f"{o}_high"] = float(np.nanmean(high[:, k]))
            row[f"{o}_effect"] = float(diff[k] / scale[k]) if scale[k] > 0 else float("nan")
        rows.append(row)
    df = pd.DataFrame(rows)
    df["max_abs_effect"] = df[[f"{o}_effect" for o in OUTCOMES]].abs().max(axis=1)
    return df.sort_values("max_abs_effect", ascending=False).reset_index(drop=True)


def markdown(df: pd.DataFrame, top: int = 12) -> str:
    cols = [f"{o}_effect" for o in OUTCOMES]
    lines = [
        "| rank | parameter | low → high | " + " | ".join(OUTCOMES) + " |",
        "|---|---|---|" + "---|" * len(OUTCOMES),
    ]
    for i, r in df.head(top).iterrows():
        lines.append(
            f"| {i + 1} | `{r['parameter']}` | {r['low']} → {r['high']} | "
            + " | ".join(f"{r[c]:+.1f}" for c in cols)
            + " |"
        )
    return "\n".join(lines) + "\n"
