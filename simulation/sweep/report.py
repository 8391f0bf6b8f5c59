"""`collabsim report DIR`: figures and tables from a finished sweep.

Figures (each as PNG and PDF, one colour-blind-safe palette): outcome time series with 95%
bands clipped to the range of the quantity, final outcomes by condition (or by arm), heatmaps
of two-parameter grids in the designed order, Kaplan-Meier survival of partnerships with 95%
bands and numbers at risk; for sampled designs (Latin hypercube, Sobol, Morris) scatter plots
with LOWESS smoothers and partial rank correlations; Sobol S1/ST or a Morris mu*-sigma plot
where the design allows. Tables: means with numeric 95% CIs; paired differences over
common-random-number replicates against a reference condition (a factorial design) or a
reference arm (a sample crossed with a factorial), with t-based 95% CIs and paired t-test /
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
from ..viz.plotting import PALETTE, SEQUENTIAL_CMAP, condition_style  # noqa: E402

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
#: Left out of figures: the complement of another outcome that is shown (1 - success_share).
REDUNDANT = {"failure_share": "success_share"}
#: The range each quantity can take; confidence bands are clipped to it.
BOUNDS = {
    "active": (0.0, None),
    "partnerships_formed": (0.0, None),
    "total_value": (0.0, None),
    "cross_trust": (0.0, 1.0),
    "mean_myth": (0.0, 1.0),
    "myth_change": (-1.0, 1.0),
    "success_share": (0.0, 1.0),
    "failure_share": (0.0, 1.0),
    "isolated_share": (0.0, 1.0),
    "mean_fairness": (0.0, 1.0),
    "mean_synergy": (0.0, None),
}
MAX_PAIRED = 40  # more conditions than this in a factorial: no pairwise table
MAX_GROUPS = 12  # one line / box per condition (or arm) stays readable up to this
FORMATS = ("png", "pdf")  # raster for screens, vector for papers


def _fmt(v) -> str:
    """A value as a legend shows it: floats to three significant digits."""
    if isinstance(v, float | np.floating) and not isinstance(v, bool):
        return f"{float(v):.3g}"
    return str(v)


def _label(values: dict) -> str:
    return ", ".join(f"{k}={_fmt(v)}" for k, v in values.items()) or "base"


def _labels(meta: dict) -> dict[int, str]:
    return {i: _label(c) for i, c in enumerate(meta["conditions"])}


def _shown(outcomes: list[str]) -> list[str]:
    return [o for o in outcomes if REDUNDANT.get(o) not in outcomes]


def _save(fig, path: Path) -> list[Path]:
    """``fig`` as ``path`` (PNG) and beside it in each other format of FORMATS."""
    written = []
    try:
        for fmt in FORMATS:
            target = path.with_suffix(f".{fmt}")
            with atomic_path(target) as tmp:  # the temporary name hides the format: say it
                fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight", metadata=_metadata(fmt))
            written.append(target)
    finally:
        plt.close(fig)
    return written


def _metadata(fmt: str) -> dict:
    # No creation dates or tool tags: the same sweep gives the same bytes.
    return {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None}}[fmt]


def _clip(lo, hi, quantity: str):
    low, high = BOUNDS.get(quantity, (None, None))
    return np.clip(lo, low, high), np.clip(hi, low, high)


def paired_differences(
    runs: pd.DataFrame, reference: int, labels: dict[int, str], outcomes: list[str]
) -> pd.DataFrame:
    """Condition minus reference, paired on replicate (same seed), per outcome."""
    ok = runs[runs.status == "ok"]
    base = ok[ok.condition == reference].set_index("replicate")
    pairs = {}
    for c in sorted(ok.condition.unique()):
        if c != reference:
            other = ok[ok.condition == c].set_index("replicate")
            common = base.index.intersection(other.index)
            pairs[c] = (other.loc[common], base.loc[common])
    return _difference_rows(pairs, labels, labels[reference], outcomes)


def arm_differences(
    runs: pd.DataFrame, per_arm: int, reference: int, names: list[str], outcomes: list[str]
) -> pd.DataFrame:
    """Arm minus the reference arm in a crossed design, paired on (sampled point,
    replicate): the same parameter values and the same seed, another arm."""
    ok = runs[runs.status == "ok"].assign(
        arm=lambda r: r.condition // per_arm, point=lambda r: r.condition % per_arm
    )
    base = ok[ok.arm == reference].set_index(["point", "replicate"])
    pairs = {}
    for a in range(len(names)):
        if a != reference:
            other = ok[ok.arm == a].set_index(["point", "replicate"])
            common = base.index.intersection(other.index)
            pairs[a] = (other.loc[common], base.loc[common])
    table = _difference_rows(pairs, dict(enumerate(names)), names[reference], outcomes)
    return table.rename(columns={"condition": "arm_index"})


def _difference_rows(pairs: dict, labels: dict, reference: str, outcomes: list[str]):
    rows = []
    for c, (other, base) in pairs.items():
        for o in outcomes:
            d = (other[o] - base[o]).to_numpy(float)
            d = d[~np.isnan(d)]
            m, lo, hi = mean_ci(d)
            p_t = float(stats.ttest_1samp(d, 0).pvalue) if len(d) > 1 and d.std() > 0 else np.nan
            p_w = float(stats.wilcoxon(d).pvalue) if len(d) > 1 and np.any(d != 0) else np.nan
            rows.append(
                {
                    "condition": c,
                    "label": labels[c],
                    "reference": reference,
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
    """Mean and t-based 95% CI (numeric ``_ci_low`` / ``_ci_high`` columns) per condition."""
    rows = []
    ok = runs[runs.status == "ok"]
    for c, g in ok.groupby("condition"):
        row = {"condition": c, "label": labels[c], "runs": len(g)}
        for o in outcomes:
            m, lo, hi = mean_ci(g[o].to_numpy(float))
            row[o], row[f"{o}_ci_low"], row[f"{o}_ci_high"] = m, lo, hi
        rows.append(row)
    return pd.DataFrame(rows)


def _summary_markdown(table: pd.DataFrame, outcomes: list[str]) -> str:
    def cell(r, o):
        m, lo, hi = r[o], r[f"{o}_ci_low"], r[f"{o}_ci_high"]
        if not np.isfinite(m):
            return "NaN"
        return f"{m:.3g} [{lo:.3g}, {hi:.3g}]" if np.isfinite(lo) else f"{m:.3g}"

    lines = [
        "# Outcomes by condition: mean [95% CI over replicates]",
        "",
        "| label | runs | " + " | ".join(outcomes) + " |",
        "|" + "---|" * (len(outcomes) + 2),
    ]
    for _, r in table.iterrows():
        lines.append(f"| {r.label} | {r.runs} | " + " | ".join(cell(r, o) for o in outcomes) + " |")
    return "\n".join(lines) + "\n"


def _groups(meta: dict, exp, labels: dict[int, str]) -> tuple[dict[int, int], dict[int, str]]:
    """What the per-condition figures draw one line or box for: the conditions of a
    factorial design; the arms of a crossed sample (the whole sample pooled in each); the
    whole sample of a plain sampled design."""
    from .designs import arms

    n = len(labels)
    if meta["design"] == "factorial":
        return {c: c for c in labels}, labels
    crossed = arms(exp) if exp.arms else [{}]
    per_arm = n // len(crossed)
    names = {a: _label(arm) if arm else "all design points" for a, arm in enumerate(crossed)}
    return {c: c // per_arm for c in labels}, names


def write_report(sweep_dir: Path, out: Path | None = None, *, reference: int = 0) -> list[Path]:
    from .designs import arms
    from .experiment import parse_experiment

    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / "sweep.json").is_file() or not (sweep_dir / "runs").is_dir():
        raise UserError(f"{sweep_dir} is not a sweep results directory (no sweep.json / runs)")
    meta = json.loads((sweep_dir / "sweep.json").read_text())
    exp = parse_experiment(meta["experiment"], source=meta["source"])
    runs = pd.read_parquet(sweep_dir / "runs").sort_values("run_id")
    labels = _labels(meta)
    sampled = meta["design"] != "factorial"
    crossed = arms(exp) if sampled and exp.arms else []
    if sampled and crossed:
        if not 0 <= reference < len(crossed):
            raise UserError(
                f"--reference {reference} is not allowed; allowed: an arm of the crossed "
                f"design, 0 to {len(crossed) - 1}"
            )
    elif reference not in labels:
        raise UserError(f"--reference {reference} is not allowed; allowed: 0 to {len(labels) - 1}")
    out = Path(out) if out else sweep_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    outcomes = [o for o in OUTCOMES if o in runs.columns]
    # The experiment's own measures join the tables (and the indices), not the fixed figures.
    outcomes += [m for m in meta.get("measures", {}) if m in runs.columns]
    written: list[Path] = []
    n_cond = len(labels)
    group_of, group_names = _groups(meta, exp, labels)
    small = len(group_names) <= MAX_GROUPS

    table = _summary(runs, labels, outcomes)
    written.append(write_text(out / "summary.csv", table.to_csv(index=False)))
    written.append(write_text(out / "summary.md", _summary_markdown(table, outcomes)))

    pdiff, title = None, None
    if not sampled and 1 < n_cond <= MAX_PAIRED:
        pdiff = paired_differences(runs, reference, labels, outcomes)
        title = f"Paired differences vs {labels[reference]} (same seeds)"
    elif crossed and len(crossed) > 1:
        names = [_label(a) for a in crossed]
        pdiff = arm_differences(runs, n_cond // len(crossed), reference, names, outcomes)
        title = (
            f"Paired differences vs the arm {names[reference]}, each sampled point with "
            "itself (same parameter values and seeds)"
        )
    if pdiff is not None:
        written.append(write_text(out / "paired_differences.csv", pdiff.to_csv(index=False)))
        cols = ["label", "outcome", "pairs", "mean_difference", "ci_low", "ci_high"]
        cols += ["p_paired_t", "p_wilcoxon"]
        written.append(
            write_text(out / "paired_differences.md", _markdown(pdiff, cols, title=title))
        )

    ts_dir = sweep_dir / "timeseries"
    if small and ts_dir.is_dir() and any(ts_dir.glob("*.parquet")):
        ts = pd.read_parquet(ts_dir, columns=["condition", "month"] + SERIES)
        written += _save(
            _timeseries_figure(ts, group_of, group_names, meta), out / "timeseries.png"
        )

    if small:
        fig = _outcomes_figure(runs, group_of, group_names, _shown(outcomes[:10]))
        written += _save(fig, out / "outcomes.png")

    factors = meta.get("factors", [])
    if meta["design"] == "factorial" and len(factors) == 2:
        written += _save(_heatmap_figure(runs, meta, factors), out / "heatmap.png")

    p_dir = sweep_dir / "partnerships"
    if small and p_dir.is_dir() and any(p_dir.glob("*.parquet")):
        ps = _survival_columns(p_dir)
        written += _save(_survival_figure(ps, group_of, group_names), out / "survival.png")

    if sampled:
        written += _sampled(runs, exp, crossed, n_cond, out, outcomes)
    if meta["design"] in ("sobol", "morris"):
        written += _sensitivity(meta, runs, out, outcomes)
    return written


def _timeseries_figure(ts, group_of, names, meta):
    ts = ts.assign(group=ts.condition.map(group_of))
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), sharex=True, layout="constrained")
    for ax, col in zip(axes.flat, SERIES, strict=False):
        for g, d in ts.groupby("group"):
            agg = d.groupby("month")[col].agg(["mean", "std", "count"])
            lo, hi = _clip(*t_interval(agg["mean"], agg["std"], agg["count"]), col)
            style = condition_style(g)
            ax.plot(agg.index, agg["mean"], **style, lw=1.4, label=names[g])
            ax.fill_between(agg.index, lo, hi, color=style["color"], alpha=0.2, linewidth=0)
        low, high = BOUNDS.get(col, (None, None))
        if high is not None:
            ax.set_ylim(low, high)  # a share is drawn on its whole scale
        ax.set_title(col.replace("_", " "), fontsize=10)
        ax.tick_params(labelsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("month")
    fig.legend(
        *axes.flat[0].get_legend_handles_labels(),
        loc="outside lower center",
        fontsize=8,
        ncol=min(3, len(names)),
        frameon=False,
    )
    fig.suptitle(f"{meta['name']}: mean and 95% CI over runs", fontsize=11)
    return fig


def _outcomes_figure(runs, group_of, names, shown):
    """Horizontal boxes, one row per condition named on the axis (the left column only)."""
    ok = runs[runs.status == "ok"].assign(group=lambda r: r.condition.map(group_of))
    cols = 3
    rows = -(-len(shown) // cols)
    height = 0.32 * len(names) + 1.0
    width = max(len(n) for n in names.values()) * 0.07 + 3 * 3.2
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width, height * rows + 0.5),
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    order = list(names)
    for ax, o in zip(axes.flat, shown, strict=False):
        data = [ok[ok.group == g][o].dropna().to_numpy() for g in order]
        box = ax.boxplot(
            data,
            orientation="horizontal",
            showmeans=True,
            patch_artist=True,
            widths=0.6,
            meanprops={
                "marker": "D",
                "markerfacecolor": "white",
                "markeredgecolor": "black",
                "markersize": 4,
            },
            medianprops={"color": "black"},
        )
        for i, patch in enumerate(box["boxes"]):
            patch.set_facecolor(condition_style(order[i])["color"])
            patch.set_alpha(0.7)
        ax.set_title(o.replace("_", " "), fontsize=10)
        ax.tick_params(labelsize=8)
    axes[0][0].set_yticks(range(1, len(order) + 1), [names[g] for g in order])
    axes[0][0].invert_yaxis()  # the first condition at the top, as designed
    for ax in list(axes.flat)[len(shown) :]:
        ax.axis("off")
    fig.suptitle("final outcomes (box: quartiles; line: median; diamond: mean)", fontsize=11)
    return fig


def _designed_order(meta: dict, name: str) -> list:
    return list(dict.fromkeys(c[name] for c in meta["conditions"]))


def _heatmap_figure(runs, meta, factors):
    a, b = factors
    ok = runs[runs.status == "ok"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained", sharey=True)
    for ax, o in zip(axes, ["success_share", "cross_trust", "mean_myth"], strict=True):
        grid = ok.pivot_table(index=a, columns=b, values=o, aggfunc="mean")
        grid = grid.reindex(index=_designed_order(meta, a), columns=_designed_order(meta, b))
        values = grid.to_numpy(float)
        im = ax.imshow(values, cmap=SEQUENTIAL_CMAP, aspect="auto")
        span = np.nanmax(values) - np.nanmin(values) if np.isfinite(values).any() else 0
        mid = np.nanmin(values) + span / 2 if span else np.nan
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):  # dark text on the light half of cividis
                ax.text(
                    j,
                    i,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if v > mid else "white",
                )
        ax.set_xticks(
            range(grid.shape[1]),
            [_fmt(v) for v in grid.columns],
            rotation=30,
            ha="right",
            rotation_mode="anchor",
        )
        ax.set_yticks(range(grid.shape[0]), [_fmt(v) for v in grid.index])
        ax.set_xlabel(b)
        if ax is axes[0]:  # shared rows: named once, clear of the colour bars between panels
            ax.set_ylabel(a)
        name = o.replace("_", " ")
        # Cells are means over replicates; "mean mean myth" would say it twice.
        ax.set_title(name if name.startswith("mean ") else f"mean {name}", fontsize=10)
        fig.colorbar(im, ax=ax, shrink=0.9, pad=0.02)
    return fig


def _survival_figure(ps, group_of, names):
    """Kaplan-Meier curves with 95% bands, and the partnerships still at risk below."""
    ps = ps.assign(group=ps.condition.map(group_of))
    fig = plt.figure(figsize=(10.5, 4.6 + 0.22 * len(names)), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[4.2, 0.3 + 0.22 * len(names)])
    horizon = float(ps.lifespan.max()) if len(ps) else 1.0
    from matplotlib.ticker import MaxNLocator

    ticks = MaxNLocator(nbins=7, integer=True).tick_values(0, horizon)
    ticks = ticks[(ticks >= 0) & (ticks <= horizon)]
    for row, (g, d) in enumerate(ps.groupby("group")):
        km = survival(d.lifespan.to_numpy(), d.censored.to_numpy(bool))
        style = condition_style(g)
        top.step(km.time, km.surv, where="post", **style, lw=1.4, label=names[g])
        top.fill_between(
            km.time, km.low, km.high, step="post", color=style["color"], alpha=0.15, linewidth=0
        )
        at_risk = [(d.lifespan.to_numpy() >= t).sum() for t in ticks]
        for t, n in zip(ticks, at_risk, strict=True):
            bottom.text(t, row, str(n), ha="center", va="center", fontsize=7, color=style["color"])
    top.set_ylim(0, 1.02)
    top.set_ylabel("share of partnerships still active")
    top.set_title("partnership survival (Kaplan-Meier, 95% CI)", fontsize=11)
    # Beside the curves, not over them: with many conditions an inner legend hides the tails.
    if top.get_legend_handles_labels()[0]:
        top.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    bottom.set_ylim(len(names) - 0.5, -0.5)
    bottom.set_yticks(range(len(names)), list(names.values()), fontsize=7)
    bottom.set_xticks(ticks)
    bottom.set_xlabel("months since formation")
    bottom.set_title("number at risk", fontsize=8, loc="left")
    bottom.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        bottom.spines[side].set_visible(False)
    return fig


def _sampled(runs, exp, crossed, n_cond, out: Path, outcomes: list[str]) -> list[Path]:
    """Scatter plots with smoothers and PRCC of a sampled design (within each arm)."""
    from . import sampled

    factors = [f.name for f in exp.factors]
    per_arm = n_cond // max(len(crossed), 1)
    arm_of = {c: _label(crossed[c // per_arm]) if crossed else "" for c in range(n_cond)}
    points = sampled.point_table(runs, factors, outcomes, arm_of)
    table = sampled.prcc_table(points, factors, outcomes)
    written = [write_text(out / "prcc.csv", table.to_csv(index=False))]
    shown = _shown(outcomes)
    written += _save(sampled.scatter_figure(points, factors, shown), out / "scatter.png")
    written += _save(sampled.prcc_figure(table, shown), out / "prcc.png")
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
    """Sobol or Morris indices, on the replicate mean of each design point, with the share
    of seed noise and (Sobol) the sample-size check; in a crossed design, within each arm
    (its block of conditions is a whole sample of its own)."""
    from . import indices
    from .designs import arms
    from .experiment import parse_experiment

    exp = parse_experiment(meta["experiment"], source=meta["source"])
    done = runs[runs.status == "ok"].condition.nunique()
    if done != len(meta["conditions"]):
        raise UserError("sensitivity indices need every design point; resume the sweep first")
    is_sobol = meta["design"] == "sobol"
    analyse = indices.sobol if is_sobol else indices.morris
    crossed = arms(exp) if exp.arms else [{}]
    names = [_label(arm) for arm in crossed] if exp.arms else [""]
    per_arm = len(meta["conditions"]) // len(crossed)
    tables, pairs, lines = [], [], []
    for a, arm in enumerate(crossed):
        block = runs[runs.condition // per_arm == a]
        result = analyse(exp, block.assign(condition=block.condition % per_arm), outcomes)
        prefix = f"{names[a]}: " if arm else ""
        found = list(result.notes)
        if is_sobol and not result.table.empty:
            per_n = per_arm * exp.replicates // exp.samples
            wide = indices.sample_size_note(result.table, exp.samples, per_n, "samples =")
            found += [wide] if wide else []
        lines += [prefix + n for n in found]
        tag = {**arm, "arm": names[a]} if arm else {}
        tables.append(result.table.assign(**tag))
        if result.second_order is not None:
            pairs.append(result.second_order.assign(**tag))
    for line in lines:
        print(f"collabsim: note: {line}", file=sys.stderr)
    df = pd.concat(tables, ignore_index=True)
    written = [write_text(out / "sensitivity.csv", df.to_csv(index=False))]
    if pairs:
        s2 = pd.concat(pairs, ignore_index=True)
        written.append(write_text(out / "sensitivity_s2.csv", s2.to_csv(index=False)))
    written.append(write_text(out / "sensitivity.md", _sensitivity_markdown(df, lines, is_sobol)))
    shown = [o for o in _shown(outcomes) if o in set(df.outcome)]
    if shown:
        draw = _sobol_figure if is_sobol else _morris_figure
        written += _save(draw(df, shown, names), out / "sensitivity.png")
    return written


def _sensitivity_markdown(df: pd.DataFrame, notes: list[str], is_sobol: bool) -> str:
    key = ["S1", "ST"] if is_sobol else ["mu_star", "sigma"]
    lines = [
        "# Sensitivity indices (on the replicate mean of each design point)",
        "",
        "seed share: the share of the variance of single runs that is seed noise; of means: "
        "the share of the variance of the point means (what the indices decompose) that is "
        "still seed noise. Intervals are 95% bootstrap half-widths.",
        "",
    ]
    arm = "arm" in df.columns
    cols = (["arm"] if arm else []) + ["outcome", "parameter"]
    head = cols + [f"{k} ± CI" for k in key] + ["seed share", "of means"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in df.iterrows():
        cells = [str(r[c]) for c in cols]
        if is_sobol:
            cells += [f"{r[k]:.3f} ± {r[f'{k}_conf']:.3f}" for k in key]
        else:
            cells += [f"{r.mu_star:.3g} ± {r.mu_star_conf:.3g}", f"{r.sigma:.3g}"]
        cells += [f"{r.seed_share:.2f}", f"{r.seed_share_means:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _panels(n: int, width: float, height: float, **kw):
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width * cols + 1.6, height * rows + 0.8),
        squeeze=False,
        layout="constrained",
        **kw,
    )
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    return fig, axes


def _sobol_figure(df: pd.DataFrame, shown: list[str], names: list[str]):
    """S1 and ST with 95% intervals; factor names once, on the left of each row."""
    params = list(dict.fromkeys(df.parameter))
    fig, axes = _panels(len(shown), 3.2, 0.35 * len(params) * len(names) + 1.2, sharey=True)
    bars = [(key, name, arm) for arm in names for key, name in (("S1", "alone"), ("ST", "total"))]
    height = 0.8 / len(bars)
    y = np.arange(len(params))
    for ax, o in zip(axes.flat, shown, strict=False):
        rows = df[df.outcome == o]
        for b, (key, name, arm) in enumerate(bars):
            d = (rows[rows.arm == arm] if arm else rows).set_index("parameter").reindex(params)
            a = names.index(arm)
            ax.barh(
                y + (b - (len(bars) - 1) / 2) * height,
                d[key],
                height,
                xerr=d[f"{key}_conf"],
                color=PALETTE[(2 * a + (key == "ST")) % len(PALETTE)],
                capsize=2,
                label=f"{key} ({name})" + (f", {arm}" if arm else ""),
                error_kw={"lw": 0.8},
            )
        ax.axvline(0, color="0.3", lw=0.6)
        ax.set_title(o.replace("_", " "), fontsize=10)
        ax.tick_params(labelsize=8)
    axes[0][0].set_yticks(y, params)
    axes[0][0].invert_yaxis()
    fig.legend(
        *axes[0][0].get_legend_handles_labels(),
        loc="outside lower center",
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    fig.suptitle("Sobol indices with 95% bootstrap intervals", fontsize=11)
    return fig


def _morris_figure(df: pd.DataFrame, shown: list[str], names: list[str]):
    """mu* against sigma per outcome, a colour per factor (named in one legend, so no
    name runs into a neighbouring panel), guides at sigma/mu* = 0.1, 0.5 and 1 and the
    band of mu* that seed noise alone gives."""
    params = list(dict.fromkeys(df.parameter))
    markers = "osD^v<>ph*"
    fig, axes = _panels(len(shown), 3.6, 3.2)
    for ax, o in zip(axes.flat, shown, strict=False):
        rows = df[df.outcome == o]
        xmax = max(float((rows.mu_star + rows.mu_star_conf).max()), 1e-12) * 1.1
        ymax = max(float(rows.sigma.max()), 1e-12) * 1.1
        floor = float(np.nanmedian(rows.noise_floor)) if rows.noise_floor.notna().any() else 0
        if floor > 0:
            ax.axvspan(0, min(floor, xmax), color="0.9", zorder=0, label="seed noise alone")
        xs = np.array([0, xmax])
        for ratio, style in zip((0.1, 0.5, 1.0), (":", "-.", "--"), strict=True):
            ax.plot(xs, ratio * xs, style, color="0.6", lw=0.8, label=f"sigma = {ratio:g} mu*")
        for j, p in enumerate(params):
            for a, arm in enumerate(names):
                d = rows[(rows.parameter == p) & ((rows.arm == arm) if arm else True)]
                ax.errorbar(
                    d.mu_star,
                    d.sigma,
                    xerr=d.mu_star_conf,
                    fmt=markers[a % len(markers)],
                    color=PALETTE[j % len(PALETTE)],
                    ms=5,
                    capsize=2,
                    elinewidth=0.8,
                    label=p + (f", {arm}" if arm else ""),
                )
        ax.set_xlim(0, xmax)
        ax.set_ylim(0, ymax)
        ax.set_xlabel("mu*", fontsize=9)
        ax.set_ylabel("sigma", fontsize=9)
        ax.set_title(o.replace("_", " "), fontsize=10)
        ax.tick_params(labelsize=8)
    handles, labels = axes[0][0].get_legend_handles_labels()
    keep = dict(zip(labels, handles, strict=True))
    fig.legend(keep.values(), keep.keys(), loc="outside right center", fontsize=8, frameon=False)
    fig.suptitle("Morris screening: mu* (95% CI) against sigma", fontsize=11)
    return fig


def _markdown(df: pd.DataFrame, cols: list[str], title: str | None = None) -> str:
    def fmt(v):
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    lines = [f"# {title}", ""] if title else []
    lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(r[c]) for c in cols) + " |" for _, r in df.iterrows()]
    return "\n".join(lines) + "\n"
