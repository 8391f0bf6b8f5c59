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

#: The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design",
#: https://jfly.uni-koeln.de/color/): eight colours chosen to stay apart under the common
#: colour-vision deficiencies. Sectors and partnership states take their colours from here
#: and nowhere else; tests/test_viz.py checks the pairs stay apart under simulated
#: deuteranopia and protanopia (:mod:`simulation.viz.colour`). Yellow is not used: thin
#: lines and small dots in it vanish on a white background.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: One colour per sector (network nodes, legends).
SECTOR_COLOURS: dict[str, str] = {
    "public": OKABE_ITO["blue"],
    "private": OKABE_ITO["vermillion"],
    "third": OKABE_ITO["bluish green"],
    "community": OKABE_ITO["sky blue"],
}

#: Partnership states: forming, collaborative advantage (synergy > 1), inertia (< 1).
PARTNERSHIP_COLOURS: dict[str, str] = {
    "forming": OKABE_ITO["black"],
    "advantage": OKABE_ITO["reddish purple"],
    "inertia": OKABE_ITO["orange"],
}

#: Readout columns: the colour of their line wherever they are plotted over time (lines
#: that share a panel also differ in style, see SERIES_STYLES).
SERIES_COLOURS: dict[str, str] = {
    "active": OKABE_ITO["black"],
    "total_formed": OKABE_ITO["bluish green"],
    "delivering": OKABE_ITO["blue"],
    "declining": OKABE_ITO["vermillion"],
    "share_advantage": PARTNERSHIP_COLOURS["advantage"],
    "share_inertia": PARTNERSHIP_COLOURS["inertia"],
    "mean_synergy": OKABE_ITO["black"],
    "cross_trust": OKABE_ITO["blue"],
    "mean_myth": OKABE_ITO["vermillion"],
    "isolated_share": "grey",
    "value": OKABE_ITO["bluish green"],
}
#: Line styles of readouts that share a panel, so no line is told apart by colour alone.
SERIES_STYLES: dict[str, str] = {"delivering": "--", "declining": ":", "share_inertia": "--"}

#: Colour maps of the sector-by-sector heatmaps (sequential, readable under the common
#: colour-vision deficiencies) and of trust on network edges: light grey (none) to black
#: (full), so trust lines never compete with the sector and partnership colours.
TRUST_CMAP = "Blues"
MYTH_CMAP = "Reds"
TRUST_EDGE_CMAP = "Greys"


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
