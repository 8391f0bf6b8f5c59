"""A one-page PNG dashboard of a run: partnerships, synergy, trust and myths."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..partnerships import END_CAUSES
from ..readouts import myth_matrix, trust_matrix
from .plotting import MYTH_CMAP, SERIES_COLOURS, TRUST_CMAP, figure, save_png, sector_axes

if TYPE_CHECKING:
    from ..run import RunResult

C = SERIES_COLOURS
DPI = 90


def heatmap(ax, mat: np.ndarray, title: str, cmap: str, vmin: float = 0, vmax: float = 1):
    im = ax.imshow(mat, cmap=cmap, vmin=vmin, vmax=vmax)
    sector_axes(ax, xlabel="about / in")
    ax.set_title(title)
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            if np.isfinite(mat[i, j]):
                ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center", fontsize=8)
    return im


def dashboard(result: RunResult, path: Path) -> None:
    ts = result.timeseries
    m = ts["month"]
    fig = figure((15, 8.5), layout="constrained")
    axes = fig.subplots(2, 3)
    ax = axes[0, 0]
    ax.plot(m, ts["active"], label="active", color=C["active"])
    ax.plot(m, ts["total_formed"], label="formed (cumulative)", color=C["total_formed"])
    for cause in END_CAUSES:
        ax.plot(m, ts[f"total_ended_{cause}"], label=f"ended: {cause.replace('_', ' ')}", lw=1)
    ax.set_title("Partnerships")
    ax.set_xlabel("month")
    ax.legend(fontsize=7)
    ax = axes[0, 1]
    ax.plot(m, ts["mean_synergy"], color=C["mean_synergy"], label="mean synergy ratio")
    ax.axhline(1, color="grey", ls="--", lw=0.8)
    ax.set_ylabel("synergy ratio")
    ax2 = ax.twinx()
    ax2.plot(m, ts["share_advantage"], color=C["share_advantage"], label="share with advantage")
    ax2.set_ylim(0, 1)
    ax.set_title("Synergy (>1 advantage, <1 inertia)")
    ax.set_xlabel("month")
    ax.legend(
        *[
            sum(x, [])
            for x in zip(
                ax.get_legend_handles_labels(), ax2.get_legend_handles_labels(), strict=True
            )
        ],
        loc="lower right",
        fontsize=7,
    )
    ax = axes[0, 2]
    ax.plot(m, ts["cross_trust"], label="cross-sector trust", color=C["cross_trust"])
    ax.plot(m, ts["mean_myth"], label="myths about other sectors", color=C["mean_myth"])
    ax.plot(m, ts["isolated_share"], label="isolated organisations", color=C["isolated_share"])
    ax.set_ylim(0, 1)
    ax.set_title("Trust, myths and isolation")
    ax.set_xlabel("month")
    ax.legend(fontsize=7)
    model = result.model
    heatmap(axes[1, 0], trust_matrix(model.state), "Trust between sectors (end)", TRUST_CMAP)
    heatmap(axes[1, 1], myth_matrix(model.state), "Myths about other sectors (end)", MYTH_CMAP)
    ax = axes[1, 2]
    ax.plot(m, ts["value"], color=C["value"], label="value delivered per month")
    ax.set_title("Value to the community")
    ax.set_xlabel("month")
    ax.legend(fontsize=7)
    fig.suptitle(f"collabsim: scenario '{result.scenario}', seed {result.seed}", y=1.03)
    save_png(fig, path, dpi=DPI)
