"""Tables and figures of `collabsim sensitivity`: Markdown rankings, a mu*-sigma plot per
outcome, and the Sobol indices with their confidence intervals."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..files import atomic_path  # noqa: E402
from ..params import PARAMS  # noqa: E402
from ..viz.plotting import PALETTE  # noqa: E402

if TYPE_CHECKING:
    from ..sweep.experiment import Experiment
    from .sensitivity import Settings

#: Factors named on a mu*-sigma plot (the largest mu*); the rest are drawn unnamed.
LABELLED = 15
LABEL_SIZE = 8  # points
#: Reading guides through the origin: sigma / mu* = 0.1 (nearly linear), 0.5 (monotonic),
#: 1 (non-linear or interacting), after Garcia Sanchez et al. (2014).
GUIDES = (0.1, 0.5, 1.0)


def _save(fig, path: Path) -> Path:
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def _spread(wanted: list[float], gap: float) -> list[float]:
    """Positions in [0, 1], in the order of ``wanted`` (ascending), at least ``gap`` apart
    and each as near its wanted place as that allows."""
    y = list(wanted)
    for i in range(1, len(y)):
        y[i] = max(y[i], y[i - 1] + gap)
    y[-1] = min(y[-1], 1.0)
    for i in range(len(y) - 2, -1, -1):
        y[i] = min(y[i], y[i + 1] - gap)
    shift = max(0.0, -y[0])
    return [v + shift for v in y]


def _colours(n: int) -> list:
    """``n`` colours of the project's colour-blind-safe palette (grey is for the unnamed
    factors; past nine the colours repeat, the names in the column still tell them apart)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def morris_plot(ranked: pd.DataFrame, outcome: str):
    """The mu*-sigma figure of one outcome (returned open, for tests to measure)."""
    d = ranked[ranked.outcome == outcome].sort_values("mu_star", ascending=False)
    fig, ax = plt.subplots(figsize=(10, 6))
    fig.subplots_adjust(left=0.09, right=0.62, top=0.88, bottom=0.12)
    xmax = max(float(d.mu_star.max()), 1e-12) * 1.08
    ymax = max(float(d.sigma.max()), 1e-12) * 1.08
    floor = float(np.nanmedian(d.noise_floor)) if d.noise_floor.notna().any() else float("nan")
    if np.isfinite(floor) and floor > 0:
        ax.axvspan(
            0,
            min(floor, xmax),
            color="0.88",
            zorder=0,
            label=f"mu* from seed noise alone (median {floor:.3g})",
        )
    xs = np.linspace(0, xmax, 50)
    for ratio, style in zip(GUIDES, (":", "-.", "--"), strict=True):
        ax.plot(xs, ratio * xs, style, color="0.55", lw=0.9, label=f"sigma = {ratio:g} mu*")
    # Each named factor has its own colour (point, interval, leader line, label); filled
    # markers are above seed noise, hollow ones are not.
    named = d.head(LABELLED)
    colours = _colours(len(named))
    colour = dict(zip(named.parameter, colours, strict=True))
    for _, r in d.iloc[::-1].iterrows():  # the largest drawn last, on top
        c = colour.get(r.parameter, "0.6")
        ax.errorbar(
            r.mu_star,
            r.sigma,
            xerr=r.mu_star_conf,
            fmt="o",
            ms=5 if r.parameter in colour else 3.5,
            color=c,
            mfc=c if r.above_noise else "white",
            mew=1.2,
            elinewidth=0.8,
            capsize=2,
            zorder=3,
        )
    for style, text in (("k", "mu* above seed noise (95% interval)"), ("w", "not above it")):
        ax.plot([], [], "o", color="k", mfc=style, label=text)
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    ax.set_xlabel("mu*: mean |elementary effect| (change over the whole screening range)")
    ax.set_ylabel("sigma: SD of the elementary effects")
    trajectories = int(d.trajectories_used.max())
    ax.set_title(
        f"{outcome}: Morris screening ({trajectories} trajectories)", loc="left", fontsize=11
    )
    # Names in a column right of the axes, in the points' vertical order, joined to their
    # points by thin lines: they cannot overlap each other or the points.
    height = ax.get_position().height * fig.get_figheight()
    gap = LABEL_SIZE * 1.5 / 72 / height
    order = named.sort_values(["sigma", "mu_star"])
    ys = _spread([float(v) / ymax for v in order.sigma], gap)
    for (_, r), y in zip(order.iterrows(), ys, strict=True):
        ax.annotate(
            f"{int(r['rank'])}. {r.parameter}",
            xy=(r.mu_star, r.sigma),
            xycoords="data",
            xytext=(1.03, y),
            textcoords="axes fraction",
            va="center",
            fontsize=LABEL_SIZE,
            annotation_clip=False,
            arrowprops={
                "arrowstyle": "-",
                "color": colour[r.parameter],
                "alpha": 0.8,
                "lw": 0.7,
                "shrinkA": 0,
            },
        )
    rest = len(d) - len(named)
    ax.legend(
        loc="upper left", bbox_to_anchor=(0, -0.1), ncol=2, fontsize=8, frameon=False
    ).set_in_layout(True)
    if rest:
        ax.text(
            1.03,
            -0.1,
            f"{rest} more factor(s) with smaller mu*: see morris.md",
            transform=ax.transAxes,
            fontsize=8,
            va="top",
            color="0.35",
        )
    return fig


def morris_figure(ranked: pd.DataFrame, outcome: str, path: Path) -> Path:
    return _save(morris_plot(ranked, outcome), path)


def sobol_plot(table: pd.DataFrame):
    outcomes = list(dict.fromkeys(table.outcome))
    names = list(dict.fromkeys(table.parameter))
    cols = min(4, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(3.6 * cols + 1.5, 0.42 * len(names) * rows + 1.6 * rows),
        sharey=True,
        squeeze=False,
    )
    y = np.arange(len(names))
    h = 0.38
    for ax, o in zip(axes.flat, outcomes, strict=False):
        d = table[table.outcome == o].set_index("parameter").reindex(names)
        ax.barh(y - h / 2, d.S1, h, xerr=d.S1_conf, color=PALETTE[0], capsize=2, label="S1 (alone)")
        ax.barh(y + h / 2, d.ST, h, xerr=d.ST_conf, color=PALETTE[1], capsize=2, label="ST (total)")
        ax.axvline(0, color="0.4", lw=0.6)
        ax.set_title(o, fontsize=10)
        ax.set_yticks(y, names, fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
    axes.flat[0].invert_yaxis()  # shared: the most important factor first, at the top
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.suptitle("Sobol indices with 95% bootstrap intervals", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    return fig


def sobol_figure(table: pd.DataFrame, path: Path) -> Path:
    return _save(sobol_plot(table), path)


# --- Markdown -------------------------------------------------------------------------------
def _range(r) -> str:
    if isinstance(r["low"], bool | np.bool_) or PARAMS[r["parameter"]].kind is bool:
        return "off / on"
    return f"{r['low']:g} to {r['high']:g}"


def _held(settings: Settings) -> str:
    if not settings.fixed:
        return ""
    return "; held: " + ", ".join(f"`{k} = {v}`" for k, v in settings.fixed.items())


def _g(x: float) -> str:
    return "NaN" if not np.isfinite(x) else f"{x:.3g}"


def morris_markdown(
    ranked: pd.DataFrame,
    settings: Settings,
    exp: Experiment,
    chosen: list[str],
    notes: list[str],
    command: str,
) -> str:
    d = len(exp.factors)
    runs = settings.trajectories * (d + 1) * settings.replicates
    outcomes = list(dict.fromkeys(ranked.outcome))
    n_orgs = settings.fixed.get("n_orgs", PARAMS["n_orgs"].default)
    lines = [
        "# Morris screening of the headline outcomes",
        "",
        f"{d} factors; {settings.trajectories} trajectories x ({d} + 1) points x "
        f"{settings.replicates} replicates = {runs:,} runs of {exp.steps} months, "
        f"{n_orgs} organisations ({exp.scenario} scenario{_held(settings)}). Replicate k of "
        f"every point runs seed {settings.seed} + k (common random numbers); the sampler and "
        f"the bootstrap use seed {exp.design_seed}.",
        "",
        f"Made by `{command}`." if command else "",
        "",
        "**Reading it.** mu* is the mean absolute elementary effect: the change in the outcome "
        "when one factor moves by 2/3 of its screening range, divided by 2/3, so for a factor "
        "that acts linearly it is the change across its whole range (for a switch, 1.5 x the "
        "effect of switching it on). sigma, the standard deviation of the elementary effects, "
        "large next to mu* (sigma / mu* above about 1) means the effect depends on where the "
        "other factors are: interactions or non-linearity. mu* is in the outcome's own units, "
        "so compare factors within a column; the score (mean over outcomes of mu* / the "
        "column's largest mu*) ranks them overall. An asterisk marks mu* whose 95% bootstrap "
        "interval lies above the mu* that seed noise alone gives (see Seed noise).",
        "",
        "## Ranking",
        "",
        "| rank | factor | screening range | score | " + " | ".join(outcomes) + " |",
        "|---|---|---|---|" + "---|" * len(outcomes),
    ]
    wide = ranked.pivot(index="parameter", columns="outcome", values="mu_star")
    star = ranked.pivot(index="parameter", columns="outcome", values="above_noise")
    first = ranked.drop_duplicates("parameter").sort_values("overall_rank")
    for _, r in first.iterrows():
        mark = " †" if r.basis != "rule" else ""
        cells = [
            _g(wide.loc[r.parameter, o]) + ("*" if star.loc[r.parameter, o] else "")
            for o in outcomes
        ]
        lines.append(
            f"| {int(r.overall_rank)} | `{r.parameter}` | {_range(r)}{mark} | "
            f"{r.score:.2f} | " + " | ".join(cells) + " |"
        )
    argued = [f"- `{r.parameter}`: {r.basis}" for _, r in first.iterrows() if r.basis != "rule"]
    lines += [
        "",
        "Screening ranges "
        + (
            "marked † come from the table in `simulation/validation/ranges.py`, for the "
            "reasons below; the others from its rule: "
            if argued
            else "come from the rule in `simulation/validation/ranges.py`: "
        )
        + "0.5x to 1.5x the default, clipped to the allowed range; the bottom quarter of the "
        "allowed range for a default of 0; switches off and on.",
        "",
        *argued,
        *([""] if argued else []),
        "## Seed noise",
        "",
        "noise SD: the mean, over design points, of the standard deviation of the outcome "
        "across the replicates (its own units). EE noise: the standard error of an elementary "
        "effect from seed noise, from the spread of the per-replicate effects (median over "
        "factors); noise floor: the mu* a factor without any effect would show, "
        "sqrt(2/pi) x EE noise.",
        "",
        "| outcome | noise SD | EE noise | noise floor | factors above noise | trajectories |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        g = ranked[ranked.outcome == o]
        lines.append(
            f"| {o} | {_g(g.noise_sd.iloc[0])} | {_g(g.ee_se.median())} | "
            f"{_g(g.noise_floor.median())} | {int(g.above_noise.sum())} of {len(g)} | "
            f"{int(g.trajectories_used.iloc[0])} |"
        )
    lines += [
        "",
        f"## Chosen for the Sobol stage (top {len(chosen)} by score)",
        "",
        ", ".join(f"`{n}`" for n in chosen),
        "",
    ]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def sobol_markdown(
    table: pd.DataFrame,
    s2: pd.DataFrame | None,
    settings: Settings,
    exp: Experiment,
    notes: list[str],
    command: str,
) -> str:
    k = len(exp.factors)
    block = 2 * k + 2 if exp.second_order else k + 2
    formula = (
        f"N x (2k + 2) = {exp.samples} x {block}"
        if exp.second_order
        else (f"N x (k + 2) = {exp.samples} x {block}")
    )
    runs = exp.samples * block * exp.replicates
    lines = [
        f"# Sobol indices of the top {k} factors of the Morris screening",
        "",
        f"{formula} points x {exp.replicates} replicates = {runs:,} runs of {exp.steps} "
        f"months ({exp.scenario} scenario{_held(settings)}); every other factor at its "
        f"default. Saltelli's sampling (scrambled Sobol' sequence, seed {exp.design_seed}); "
        f"replicate k of every point runs seed {settings.seed} + k.",
        "",
        f"Made by `{command}`." if command else "",
        "",
        "**Reading it.** Over the factors' screening ranges, S1 is the share of the outcome's "
        "variance due to a factor alone, ST the share it has a part in, alone or with others. "
        "ST - S1 is what it does through interactions; a factor with ST near 0 can be fixed "
        "anywhere in its range without changing the outcome; S1 summing to well below 1 "
        "means interactions matter. The intervals are 95% bootstrap half-widths; estimates "
        "slightly below 0 are 0 within sampling error.",
        "",
    ]
    for o in dict.fromkeys(table.outcome):
        g = table[table.outcome == o].sort_values("ST", ascending=False)
        lines += [
            f"## {o}",
            "",
            "| factor | screening range | S1 | ST |",
            "|---|---|---|---|",
        ]
        for _, r in g.iterrows():
            lines.append(
                f"| `{r.parameter}` | {_range(r)} | {r.S1:.3f} ± {r.S1_conf:.3f} | "
                f"{r.ST:.3f} ± {r.ST_conf:.3f} |"
            )
        lines += ["", f"Sum of S1: {g.S1.sum():.2f}; base samples used: {g.samples_used.iloc[0]}."]
        if s2 is not None and not s2.empty:
            p = s2[s2.outcome == o].sort_values("S2", ascending=False).head(3)
            pairs = "; ".join(
                f"`{r.parameter}` x `{r.other}` {r.S2:.3f} ± {r.S2_conf:.3f}"
                for _, r in p.iterrows()
            )
            lines.append(f"Largest second-order indices: {pairs} (all in sobol_s2.csv).")
        lines.append("")
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)
