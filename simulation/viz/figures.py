"""The figures the browser page shows, redrawn quickly after every step.

A page shows three figures per model: the network, four live time series and the
sector-by-sector heatmaps. Building and drawing a matplotlib figure from scratch takes
longer than a model step by an order of magnitude (axes, ticks and text dominate), so
each figure is built once per model and only what changes is redrawn: the static parts
(axes, ticks, legends) are drawn once into a background image, and each step restores
that image and draws the changing artists over it ("blitting"). Axis limits are fixed
and grow in jumps (months double, counts double), so the background is redrawn only
when a limit grows, and the plots do not jitter from step to step.

Figures are plain :class:`matplotlib.figure.Figure` objects (no pyplot), one set per
model, so browser sessions never share drawing state.
"""

from __future__ import annotations

import io
import threading
import weakref
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.lines import Line2D
from PIL import Image, ImageDraw, ImageFont

from ..partnerships import FORMING
from ..readouts import myth_matrix, trust_matrix
from ..sectors import SECTORS
from .layout import positions
from .plotting import (
    MYTH_CMAP,
    PARTNERSHIP_COLOURS,
    SECTOR_COLOURS,
    SERIES_COLOURS,
    TRUST_CMAP,
    TRUST_EDGE_CMAP,
    figure,
    sector_axes,
)

_NODE_COLOURS = np.array([SECTOR_COLOURS[s] for s in SECTORS])
_TRUST_NORM = Normalize(0.0, 1.0)
DPI = 80


_FONT_FILE = findfont(FontProperties())


def _font(size: float) -> FontProperties:
    """Font for text redrawn every step, resolved to a file once (font lookup is slow)."""
    return FontProperties(fname=_FONT_FILE, size=size)


def _pil_font(points: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_FONT_FILE, size=max(int(round(points * DPI / 72)), 6))


#: Time-series panels: title, then (readout column, label) for each line; each line's
#: colour is its column's in :data:`~simulation.viz.plotting.SERIES_COLOURS`.
SERIES_PANELS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Active partnerships",
        (("active", "active"), ("delivering", "delivering"), ("declining", "declining")),
    ),
    (
        "Share with synergy",
        (("share_advantage", "advantage (ratio > 1)"), ("share_inertia", "inertia (ratio < 1)")),
    ),
    ("Cross-sector trust", (("cross_trust", "mean trust across sectors"),)),
    ("Myths about other sectors", (("mean_myth", "mean myth strength"),)),
)


class BlitFigure:
    """A figure whose static part is drawn once and whose animated artists are redrawn.

    Subclasses build the figure, mark changing artists with :meth:`animate`, update them
    in :meth:`update` and call :meth:`invalidate` when something static changed.
    """

    #: PNG keeps thin lines and text sharp; JPEG (quality 90) encodes a dense picture
    #: such as the network about ten times faster at a third of the size.
    FORMAT = "png"

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.animated: list = []
        self._background = None
        self._lock = threading.Lock()

    def animate(self, artist):
        artist.set_animated(True)
        self.animated.append(artist)
        return artist

    def invalidate(self) -> None:
        self._background = None

    def update(self, model) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def labels(self) -> list[tuple[float, float, str, str]]:
        """Small text drawn onto the finished image: (x, y in pixels from the top left,
        text, colour). Matplotlib takes about a millisecond per text artist here; drawing
        the heatmap's numbers this way keeps a redraw quick."""
        return []

    def image(self, model) -> bytes:
        """Update from ``model`` and return the figure as image bytes (see FORMAT)."""
        with self._lock:
            self.update(model)
            if self._background is None:
                self.canvas.draw()  # animated artists are skipped by a full draw
                self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            else:
                self.canvas.restore_region(self._background)
            for artist in self.animated:
                self.fig.draw_artist(artist)
            w, h = self.canvas.get_width_height()
            image = Image.frombuffer(
                "RGBA", (w, h), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
            ).convert("RGB")
            labels = self.labels()
        if labels:
            draw = ImageDraw.Draw(image)
            for x, y, text, colour in labels:
                draw.text((x, y), text, fill=colour, font=self.label_font, anchor="mm")
        buf = io.BytesIO()
        if self.FORMAT == "jpeg":
            image.save(buf, format="jpeg", quality=90)
        else:
            image.save(buf, format="png", compress_level=1)  # speed over a few kB
        return buf.getvalue()


# --- the network ------------------------------------------------------------------------
def trust_edges(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each related pair once (a < b) with the mean of both directions' trust."""
    rel = model.state.relations
    keep = rel.src < rel.dst
    a, b = rel.src[keep], rel.dst[keep]
    trust = rel.trust[keep].copy()
    back = rel.lookup(b, a)
    has = back >= 0
    trust[has] = 0.5 * (trust[has] + rel.trust[back[has]])
    return a, b, trust


def partnership_pairs(model) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Member pairs of every active partnership, with the partnership's colour."""
    t = model.state.table
    live = t.m_active[: t.n_m]
    rows_p, rows_o = t.m_p[: t.n_m][live], t.m_o[: t.n_m][live]
    a, b, colours = [], [], []
    for pid in np.unique(rows_p):
        members = rows_o[rows_p == pid]
        syn = t.p_synergy[pid]
        if t.p_stage[pid] == FORMING or not np.isfinite(syn):
            colour = PARTNERSHIP_COLOURS["forming"]
        else:
            colour = PARTNERSHIP_COLOURS["advantage" if syn > 1 else "inertia"]
        i, j = np.triu_indices(members.size, k=1)
        a.append(members[i])
        b.append(members[j])
        colours += [colour] * i.size
    if not a:
        return np.zeros(0, int), np.zeros(0, int), []
    return np.concatenate(a), np.concatenate(b), colours


class NetworkFigure(BlitFigure):
    """Organisations (colour = sector, area = capacity) with trust and partnership edges.

    Positions are fixed per model (:mod:`simulation.viz.layout`). Thin edges are
    relationships (networking ties and past joint work) coloured by mutual trust, red
    (none) to blue (full); thick edges join members of active partnerships, purple with
    collaborative advantage, orange in collaborative inertia, grey while forming. Organisations
    in at least one partnership have a black outline.
    """

    FORMAT = "jpeg"

    def __init__(
        self,
        model,
        *,
        size: tuple[float, float] = (6.0, 6.0),
        title: str = "",
        title_size: float = 10,
    ):
        fig = figure(size, dpi=DPI)
        super().__init__(fig)
        self.prefix = title
        ax = fig.add_axes((0.0, 0.1, 1.0, 0.83))
        ax.set_xlim(-2.05, 2.05)
        ax.set_ylim(-2.05, 2.05)
        ax.set_aspect("equal")
        ax.axis("off")
        self.pos = positions(model)
        self.trust = self.animate(
            ax.add_collection(
                LineCollection(
                    [], cmap=TRUST_EDGE_CMAP, norm=_TRUST_NORM, linewidths=0.5, alpha=0.5
                )
            )
        )
        self.pairs = self.animate(ax.add_collection(LineCollection([], linewidths=2.0, alpha=0.9)))
        self.nodes = self.animate(
            ax.scatter(
                self.pos[:, 0],
                self.pos[:, 1],
                s=10,
                c=_NODE_COLOURS[model.state.orgs.sector],
                linewidths=0.6,
            )
        )
        self.title = self.animate(
            fig.text(0.5, 0.965, "", ha="center", va="center", fontproperties=_font(title_size))
        )
        handles = [
            Line2D([], [], marker="o", ls="", color=SECTOR_COLOURS[s], label=s) for s in SECTORS
        ]
        handles += [
            Line2D([], [], color=c, lw=2, label=f"partnership: {k}")
            for k, c in PARTNERSHIP_COLOURS.items()
        ]
        fig.legend(handles=handles, loc="lower center", fontsize=7, frameon=False, ncol=4)
        self.size_scale = 220.0 / np.sqrt(max(float(model.state.orgs.base_capacity.max()), 1e-9))

    def update(self, model) -> None:
        pos = self.pos
        a, b, trust = trust_edges(model)
        self.trust.set_segments(np.stack([pos[a], pos[b]], axis=1))
        self.trust.set_array(trust)
        a, b, colours = partnership_pairs(model)
        self.pairs.set_segments(np.stack([pos[a], pos[b]], axis=1))
        self.pairs.set_color(colours)
        self.nodes.set_sizes(
            6.0 + self.size_scale * np.sqrt(np.maximum(model.state.orgs.capacity, 0))
        )
        self.nodes.set_edgecolors(np.where(model.state.orgs.n_memberships > 0, "black", "none"))
        r = model.readout
        self.title.set_text(
            f"{self.prefix}month {model.month}: {r['active']} active "
            f"partnerships, {r['isolated']} organisations in none"
        )


# --- time series --------------------------------------------------------------------------
def _nice_ceiling(x: float) -> float:
    """Smallest of 10, 20, 40, 80, ... at or above ``x``."""
    top = 10.0
    while top < x:
        top *= 2
    return top


class SeriesFigure(BlitFigure):
    """Four live panels: active partnerships, synergy shares, cross-sector trust, myths.

    With two models (compare mode) every panel shows both, solid for the first and dashed
    for the second. The month axis starts at ``horizon`` months and doubles when the run
    goes past it; the partnership count axis doubles likewise.
    """

    STYLES = ("-", "--")
    LEGEND_PLACES = {
        "Active partnerships": "upper left",
        "Share with synergy": "lower right",
        "Cross-sector trust": "lower left",
        "Myths about other sectors": "lower left",
    }

    def __init__(
        self,
        n_models: int = 1,
        labels: Sequence[str] | None = None,
        *,
        horizon: int = 120,
        size: tuple[float, float] = (8.0, 5.2),
    ):
        fig = figure(size, dpi=DPI)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.09, top=0.94, wspace=0.18, hspace=0.38)
        super().__init__(fig)
        self.axes = fig.subplots(2, 2).ravel()
        self.horizon = max(int(horizon), 12)
        self.count_top = 10.0
        self.lines: list[tuple[int, str, Line2D]] = []
        for ax, (title, lines) in zip(self.axes, SERIES_PANELS, strict=True):
            for k in range(n_models):
                for column, label in lines:
                    if n_models > 1 and labels:
                        label = f"{labels[k]}: {label}"
                    (line,) = ax.plot(
                        [],
                        [],
                        ls=self.STYLES[k % 2],
                        color=SERIES_COLOURS[column],
                        lw=1.4,
                        label=label,
                    )
                    self.lines.append((k, column, self.animate(line)))
            ax.set_title(title, fontsize=10)
            ax.tick_params(labelsize=7)
            ax.set_ylim(0, 1)
            ax.legend(fontsize=6, loc=self.LEGEND_PLACES[title])
        self.axes[0].set_ylim(0, self.count_top)
        for ax in self.axes[2:]:
            ax.set_xlabel("month", fontsize=8)
        self._set_xlim()

    def _set_xlim(self) -> None:
        for ax in self.axes:
            ax.set_xlim(0, self.horizon)

    def update(self, models) -> None:
        models = models if isinstance(models, list | tuple) else [models]
        month = max(m.month for m in models)
        if month > self.horizon:
            while month > self.horizon:
                self.horizon *= 2
            self._set_xlim()
            self.invalidate()
        peak = max(max(m.datacollector.model_vars["active"]) for m in models)
        if peak > self.count_top:
            self.count_top = _nice_ceiling(peak)
            self.axes[0].set_ylim(0, self.count_top)
            self.invalidate()
        for k, column, line in self.lines:
            mv = models[k].datacollector.model_vars
            line.set_data(mv["month"], mv[column])


# --- heatmaps -----------------------------------------------------------------------------
class HeatmapFigure(BlitFigure):
    """Sector-by-sector trust (left) and myths (right) at the current month."""

    def __init__(self, *, size: tuple[float, float] = (7.0, 3.4), title: str = ""):
        fig = figure(size, dpi=DPI)
        fig.subplots_adjust(
            left=0.13, right=0.98, bottom=0.2, top=0.8 if title else 0.86, wspace=0.45
        )
        if title:
            fig.suptitle(title, fontsize=10)
        super().__init__(fig)
        k = len(SECTORS)
        self.images, self.axes, self._labels = [], [], []
        self.label_font = _pil_font(7)
        for ax, name, cmap in zip(
            fig.subplots(1, 2),
            ("Trust between sectors", "Myths about other sectors"),
            (TRUST_CMAP, MYTH_CMAP),
            strict=True,
        ):
            # A mesh of k x k quads draws faster than a resampled image.
            mesh = ax.pcolormesh(
                np.arange(k + 1) - 0.5,
                np.arange(k + 1) - 0.5,
                np.zeros((k, k)),
                cmap=cmap,
                vmin=0,
                vmax=1,
            )
            self.images.append(self.animate(mesh))
            ax.set_xlim(-0.5, k - 0.5)
            ax.set_ylim(k - 0.5, -0.5)
            ax.set_aspect("equal")
            sector_axes(ax, xlabel="about", tick_size=7, label_size=8)
            ax.set_title(name, fontsize=10)
            self.axes.append(ax)

    def update(self, model) -> None:
        height = self.canvas.get_width_height()[1]
        self._labels = []
        for image, ax, mat in zip(
            self.images,
            self.axes,
            (trust_matrix(model.state), myth_matrix(model.state)),
            strict=True,
        ):
            image.set_array(np.ma.masked_invalid(mat).ravel())
            i, j = np.nonzero(np.isfinite(mat))
            xy = ax.transData.transform(np.column_stack([j, i]))
            for (x, y), v in zip(xy, mat[i, j], strict=True):
                self._labels.append((x, height - y, f"{v:.2f}", "white" if v > 0.6 else "black"))

    def labels(self) -> list[tuple[float, float, str, str]]:
        return self._labels


# --- one set of figures per model ------------------------------------------------------------
class PageFigures:
    """The three figures of the main page for one model."""

    def __init__(self, model, *, horizon: int = 120):
        self.network = NetworkFigure(model)
        self.series = SeriesFigure(1, horizon=horizon)
        self.heatmaps = HeatmapFigure()

    def render(self, model) -> dict[str, bytes]:
        return {
            "network": self.network.image(model),
            "series": self.series.image([model]),
            "heatmaps": self.heatmaps.image(model),
        }


_FIGURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FIGURES_LOCK = threading.Lock()  # sessions render from their own threads


def figures_for(model, *, horizon: int = 120) -> PageFigures:
    """The model's figures, built on first use and dropped with the model."""
    with _FIGURES_LOCK:
        figs = _FIGURES.get(model)
        if figs is None:
            figs = _FIGURES[model] = PageFigures(model, horizon=horizon)
    return figs


def render_page(model) -> dict[str, bytes]:
    """Image bytes of every figure the main page shows for ``model`` now."""
    return figures_for(model).render(model)


class CompareFigures:
    """Figures of compare mode: both networks and heatmaps, and one shared time series."""

    def __init__(self, pair, *, horizon: int = 120):
        self.networks = [
            NetworkFigure(m, size=(5.0, 5.0), title=f"{p}, ", title_size=8)
            for m, p in zip(pair.models, pair.presets, strict=True)
        ]
        self.series = SeriesFigure(2, labels=pair.presets, horizon=horizon, size=(9.0, 5.6))
        self.heatmaps = [HeatmapFigure(size=(6.0, 3.2), title=p) for p in pair.presets]

    def render(self, pair) -> dict[str, bytes]:
        out = {"series": self.series.image(list(pair.models))}
        for k, m in enumerate(pair.models):
            out[f"network_{k}"] = self.networks[k].image(m)
            out[f"heatmaps_{k}"] = self.heatmaps[k].image(m)
        return out


def compare_figures_for(pair, *, horizon: int = 120) -> CompareFigures:
    """The compare pair's figures, built on first use and dropped with the pair."""
    with _FIGURES_LOCK:
        figs = _FIGURES.get(pair)
        if figs is None:
            figs = _FIGURES[pair] = CompareFigures(pair, horizon=horizon)
    return figs
