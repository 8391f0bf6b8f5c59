"""Colours, styles and saving shared by every matplotlib figure collabsim draws.

The run dashboard (:mod:`simulation.viz.dashboard`), the browser page's figures
(:mod:`simulation.viz.figures`) and the sweep report (:mod:`simulation.sweep.report`)
take their palette from here, so a sector or a partnership state has one colour
everywhere. Figures are plain :class:`matplotlib.figure.Figure` objects on an Agg canvas
(no pyplot), so drawing never touches global state and needs no backend choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..sectors import SECTORS

#: One colour per sector (network nodes, legends).
SECTOR_COLOURS: dict[str, str] = {
    "public": "#1f5fa8",
    "private": "#d1495b",
    "third": "#2a9d55",
    "community": "#e8a33d",
}

#: Partnership states: forming, collaborative advantage (synergy > 1), inertia (< 1).
PARTNERSHIP_COLOURS: dict[str, str] = {
    "forming": "#8c8c8c",
    "advantage": "#6a3d9a",
    "inertia": "#ff7f00",
}

#: Readout columns: the colour of their line wherever they are plotted over time.
SERIES_COLOURS: dict[str, str] = {
    "active": "black",
    "total_formed": "tab:green",
    "delivering": "tab:green",
    "declining": "tab:red",
    "share_advantage": PARTNERSHIP_COLOURS["advantage"],
    "share_inertia": PARTNERSHIP_COLOURS["inertia"],
    "mean_synergy": "tab:purple",
    "cross_trust": "tab:blue",
    "mean_myth": "tab:red",
    "isolated_share": "grey",
    "value": "tab:green",
}

#: Colour maps of the sector-by-sector heatmaps and of trust on network edges.
TRUST_CMAP = "Blues"
MYTH_CMAP = "Reds"
TRUST_EDGE_CMAP = "RdBu"  # red (no trust) to blue (full trust)


#: Paul Tol's "muted" scheme: nine hues told apart under the common colour-vision
#: deficiencies and in greyscale print (https://personal.sron.nl/~pault/). Every figure of
#: sweep conditions, arms and factors takes its colours from here, in this order.
PALETTE: tuple[str, ...] = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
#: Line styles that, with the palette, keep up to 36 curves apart.
LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")
#: Sequential colour map of heatmaps over conditions (perceptually uniform, colour-blind safe).
SEQUENTIAL_CMAP = "cividis"


def condition_colours(n: int) -> Sequence[str]:
    """Colours for ``n`` sweep conditions, from :data:`PALETTE`, repeated past nine (pair
    them with :func:`condition_style`)."""
    return [PALETTE[i % len(PALETTE)] for i in range(max(n, 1))]


def condition_style(i: int) -> dict[str, str]:
    """Colour and line style of condition ``i``: the palette first, then the next style."""
    return {
        "color": PALETTE[i % len(PALETTE)],
        "linestyle": LINESTYLES[(i // len(PALETTE)) % len(LINESTYLES)],
    }


def figure(
    size: tuple[float, float], *, dpi: float | None = None, layout: str | None = None
) -> Figure:
    """A figure of ``size`` inches on its own Agg canvas (no pyplot, no global state)."""
    fig = Figure(figsize=size, dpi=dpi, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def sector_axes(
    ax, *, xlabel: str, tick_size: float | None = None, label_size: float | None = None
) -> None:
    """Label a sector-by-sector heatmap: sectors on both axes, 'held by' down the side."""
    ticks = {} if tick_size is None else {"fontsize": tick_size}
    labels = {} if label_size is None else {"fontsize": label_size}
    ax.set_xticks(range(len(SECTORS)), SECTORS, rotation=30, **ticks)
    ax.set_yticks(range(len(SECTORS)), SECTORS, **ticks)
    ax.set_xlabel(xlabel, **labels)
    ax.set_ylabel("held by", **labels)


def save_png(fig: Figure, path: Path, *, dpi: float) -> Path:
    """Write ``fig`` to ``path`` as a PNG cropped to its contents, without matplotlib's
    software tag."""
    fig.savefig(path, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return Path(path)
