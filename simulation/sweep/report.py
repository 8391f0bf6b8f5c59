"""`collabsim report DIR`: figures and tables from a finished sweep.

Figures: outcome time series with 95% confidence bands per condition, final outcomes by
condition, heatmaps for two-parameter grids, Kaplan-Meier survival of partnerships by
condition (with 95% bands), and Sobol or Morris indices when the design allows. Table:
paired differences between each condition and a reference condition over
common-random-number replicates, with t-based 95% confidence intervals and paired t-test /
Wilcoxon p-values.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from ..errors import UserError  # noqa: E402
from ..files import atomic_path, write_text  # noqa: E402
from ..stats import mean_ci, survival, t_interval  # noqa: E402
from ..viz.plotting import condition_colours  # noqa: E402

SERIES = ["active", "cross_trust", "mean_myth", "failure_share", "isolated_share", "total_value"]
OUTCOMES = [
    "partnerships_formed",
    "success_share",
    "failure_share",
    "cross_trust",
    "mean_myth",
    "myth_change",
    "isolated_share",
    "total_value",
    "mean_synergy",
    "mean_fairness",
]
MAX_PAIRED = 40  # more conditions than this (sampled designs): no pairwise table


def _labels(meta: dict) -> dict[int, str]:
    return {
        i: ", ".join(f"{k}={v}" for k, v in c.items()) or "base"
        for i, c in enumerate(meta["conditions"])
    }


def _save(fig, path: Path) -> Path:
    try:
        with atomic_path(path) as tmp:  # the temporary name hides the format: say it
            fig.savefig(tmp, format=path.suffix.lstrip("."), dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def paired_differences(
    runs: pd.DataFrame, reference: int, labels: dict[int, str], outcomes: list[str]
) -> pd.DataFrame:
    """Condition minus reference, paired on replicate (same seed), per outcome."""
    ok = runs[runs.status == "ok"]
    rows = []
    base = ok[ok.condition == reference].set_index("replicate")
    for c in sorted(ok.condition.unique()):
        if c == reference:
            continue
        other = ok[ok.condition == c].set_index("replicate")
        common = base.index.intersection(other.index)
        for o in outcomes:
            d = (other.loc[common, o] - base.loc[common, o]).to_numpy(float)
            d = d[~np.isnan(d)]
            m, lo, hi = mean_ci(d)
            p_t = float(stats.ttest_1samp(d, 0).pvalue) if len(d) > 1 and d.std() > 0 else np.nan
            p_w = float(stats.wilcoxon(d).pvalue) if len(d) > 1 and np.any(d != 0) else np.nan
            rows.append(
                {
                    "condition": c,
                    "label": labels[c],
                    "reference": labels[reference],
                    "outcome": o,
                    "pairs": len(d),
                    "mean_difference": m,
                    "ci_low": lo,
                    "ci_high": hi,
                    "p_paired_t": p_t,
                    "p_wilcoxon": p_w,
                }
            )
    return pd.DataFrame(rows)


def _summary(runs: pd.DataFrame, labels: dict[int, str], outcomes: list[str]) -> pd.DataFrame:
    rows = []
    ok = runs[runs.status == "ok"]
    for c, g in ok.groupby("condition"):
        row = {"condition": c, "label": labels[c], "runs": len(g)}
        for o in outcomes:
            m, lo, hi = mean_ci(g[o].to_numpy(float))
            row[o] = m
            row[f"{o}_ci"] = f"[{lo:.3g}, {hi:.3g}]"
        rows.append(row)
    return pd.DataFrame(rows)


def write_report(sweep_dir: Path, out: Path | None = None, *, reference: int = 0) -> list[Path]:
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / "sweep.json").is_file() or not (sweep_dir / "runs").is_dir():
        raise UserError(f"{sweep_dir} is not a sweep results directory (no sweep.json / runs)")
    meta = json.loads((sweep_dir / "sweep.json").read_text())
    runs = pd.read_parquet(sweep_dir / "runs").sort_values("run_id")
    labels = _labels(meta)
    if reference not in labels:
        raise UserError(f"--reference {reference} is not allowed; allowed: 0 to {len(labels) - 1}")
    out = Path(out) if out else sweep_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    outcomes = [o for o in OUTCOMES if o in runs.columns]
    # The experiment's own measures join the tables (and the indices), not the fixed figures.
    outcomes += [m for m in meta.get("measures", {}) if m in runs.columns]
    written: list[Path] = []
    n_cond = len(labels)
    small = n_cond <= 12  # one line/box per condition stays readable
    colors = condition_colours(n_cond)

    table = _summary(runs, labels, outcomes)
    written.append(write_text(out / "summary.csv", table.to_csv(index=False)))
    written.append(write_text(out / "summary.md", _markdown(table, ["label", "runs"] + outcomes)))

    if n_cond <= MAX_PAIRED and n_cond > 1:
        pdiff = paired_differences(runs, reference, labels, outcomes)
        written.append(write_text(out / "paired_differences.csv", pdiff.to_csv(index=False)))
        written.append(
            write_text(
                out / "paired_differences.md",
                _markdown(
                    pdiff,
                    [
                        "label",
                        "outcome",
                        "pairs",
                        "mean_difference",
                        "ci_low",
                        "ci_high",
                        "p_paired_t",
                        "p_wilcoxon",
                    ],
                    title=f"Paired differences vs {labels[reference]}",
                ),
            )
        )

    ts_dir = sweep_dir / "timeseries"
    if small and ts_dir.is_dir() and any(ts_dir.glob("*.parquet")):
        ts = pd.read_parquet(ts_dir, columns=["condition", "month"] + SERIES)
        fig, axes = plt.subplots(2, 3, figsize=(14, 7), sharex=True)
        for ax, col in zip(axes.flat, SERIES, strict=False):
            for c, g in ts.groupby("condition"):
                agg = g.groupby("month")[col].agg(["mean", "std", "count"])
                lo, hi = t_interval(agg["mean"], agg["std"], agg["count"])
                ax.plot(agg.index, agg["mean"], color=colors[c % len(colors)], label=labels[c])
                ax.fill_between(agg.index, lo, hi, color=colors[c % len(colors)], alpha=0.2)
            ax.set_title(col)
            ax.set_xlabel("month")
        fig.legend(
            *axes.flat[0].get_legend_handles_labels(),
            loc="lower center",
            fontsize=7,
            ncol=min(4, n_cond),
            bbox_to_anchor=(0.5, -0.02 - 0.025 * ((n_cond - 1) // 4)),
        )
        fig.suptitle(f"{meta['name']}: mean and 95% CI over replicates")
        written.append(_save(fig, out / "timeseries.png"))

    if small:
        fig, axes = plt.subplots(2, 5, figsize=(18, 7))
        for ax, o in zip(axes.flat, outcomes, strict=False):
            data = [runs[(runs.condition == c) & (runs.status == "ok")][o].dropna() for c in labels]
            ax.boxplot(data, showmeans=True)
            ax.set_xticks(range(1, n_cond + 1), [str(c) for c in labels])
            ax.set_title(o)
            ax.set_xlabel("condition")
        fig.suptitle(
            "final outcomes by condition: "
            + "; ".join(f"{c}: {label}" for c, label in labels.items()),
            fontsize=8,
        )
        written.append(_save(fig, out / "outcomes.png"))

    factors = meta.get("factors", [])
    if meta["design"] == "factorial" and len(factors) == 2:
        a, b = factors
        ok = runs[runs.status == "ok"]
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        for ax, o in zip(axes, ["success_share", "cross_trust", "mean_myth"], strict=True):
            grid = ok.pivot_table(index=a, columns=b, values=o, aggfunc="mean")
            im = ax.imshow(grid.to_numpy(float), cmap="viridis", aspect="auto")
            ax.set_xticks(range(grid.shape[1]), [str(v) for v in grid.columns], rotation=30)
            ax.set_yticks(range(grid.shape[0]), [str(v) for v in grid.index])
            ax.set_xlabel(b)
            ax.set_ylabel(a)
            ax.set_title(f"mean {o}")
            fig.colorbar(im, ax=ax)
        written.append(_save(fig, out / "heatmap.png"))

    p_dir = sweep_dir / "partnerships"
    if small and p_dir.is_dir() and any(p_dir.glob("*.parquet")):
        ps = _survival_columns(p_dir)
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for c, g in ps.groupby("condition"):
            km = survival(g.lifespan.to_numpy(), g.censored.to_numpy(bool))
            color = colors[c % len(colors)]
            ax.step(km.time, km.surv, where="post", color=color, label=labels[c])
            ax.fill_between(
                km.time, km.low, km.high, step="post", color=color, alpha=0.15, linewidth=0
            )
        ax.set_xlabel("months since formation")
        ax.set_ylabel("share of partnerships still active")
        ax.set_title("partnership survival (Kaplan-Meier, 95% CI)")
        ax.legend(fontsize=7)
        written.append(_save(fig, out / "survival.png"))

    if meta["design"] in ("sobol", "morris"):
        written += _sensitivity(meta, runs, out, outcomes)
    return written


def _survival_columns(p_dir: Path) -> pd.DataFrame:
    """Condition, lifespan and censoring of every partnership; sweeps written before the full
    per-partnership table called the lifespan ``duration``."""
    import pyarrow.parquet as pq

    first = min(p_dir.glob("part-*.parquet"))
    old = "lifespan" not in pq.read_schema(first).names
    ps = pd.read_parquet(
        p_dir, columns=["condition", "duration" if old else "lifespan", "censored"]
    )
    return ps.rename(columns={"duration": "lifespan"})


def _sensitivity(meta: dict, runs: pd.DataFrame, out: Path, outcomes: list[str]) -> list[Path]:
    """Sobol or Morris indices, on the replicate mean of each design point; in a crossed
    design, within each arm (its block of conditions is a whole sample of its own)."""
    from . import indices
    from .designs import arms
    from .experiment import parse_experiment

    exp = parse_experiment(meta["experiment"], source=meta["source"])
    done = runs[runs.status == "ok"].condition.nunique()
    if done != len(meta["conditions"]):
        raise UserError("sensitivity indices need every design point; resume the sweep first")
    analyse = indices.sobol if meta["design"] == "sobol" else indices.morris
    crossed = arms(exp) if exp.arms else [{}]
    names = [", ".join(f"{k}={v}" for k, v in arm.items()) for arm in crossed]
    per_arm = len(meta["conditions"]) // len(crossed)
    tables = []
    for a, arm in enumerate(crossed):
        block = runs[runs.condition // per_arm == a]
        result = analyse(exp, block.assign(condition=block.condition % per_arm), outcomes)
        for note in result.notes:
            print(f"collabsim: note: {names[a] + ': ' if arm else ''}{note}", file=sys.stderr)
        tables.append(result.table.assign(**arm, arm=names[a]) if arm else result.table)
    df = pd.concat(tables, ignore_index=True)
    written = [write_text(out / "sensitivity.csv", df.to_csv(index=False))]
    key = "ST" if meta["design"] == "sobol" else "mu_star"
    shown = [o for o in outcomes if o in set(df.outcome)][:6]
    fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3.5), squeeze=False)
    colours = condition_colours(len(crossed))
    height = 0.8 / len(crossed)
    for ax, o in zip(axes[0], shown, strict=False):
        rows = df[df.outcome == o]
        params = list(dict.fromkeys(rows.parameter))
        for a, arm in enumerate(crossed):
            d = (rows[rows.arm == names[a]] if arm else rows).set_index("parameter").reindex(params)
            y = np.arange(len(params)) + (a - (len(crossed) - 1) / 2) * height
            ax.barh(
                y,
                d[key],
                xerr=d[f"{key}_conf"],
                height=height,
                color=colours[a % len(colours)],
                label=names[a] or None,
            )
        ax.set_yticks(np.arange(len(params)), params)
        ax.set_title(f"{o}: {key}")
    if exp.arms:
        fig.legend(*axes[0][0].get_legend_handles_labels(), loc="lower center", fontsize=7)
    written.append(_save(fig, out / "sensitivity.png"))
    return written


def _markdown(df: pd.DataFrame, cols: list[str], title: str | None = None) -> str:
    def fmt(v):
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    lines = [f"# {title}", ""] if title else []
    lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(r[c]) for c in cols) + " |" for _, r in df.iterrows()]
    return "\n".join(lines) + "\n"
