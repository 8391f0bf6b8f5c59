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
model, so browser sessions never share drawing state. They draw from a
:class:`~simulation.viz.frame.Frame` (a frozen copy of the model taken between steps),
never from the live model.

Readability: figures are rendered at :data:`DPI` at the size the page shows them at
1024 px wide, and no text is smaller than :data:`MIN_FONT_PT` points, i.e. 12 CSS px at
natural size (tests/test_viz_browser.py checks the displayed size is at least 11 px).
"""

from __future__ import annotations

import functools
import io
import threading
import weakref
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image, ImageDraw, ImageFont

from ..sectors import SECTORS
from .colour import text_colour_on
from .frame import STATES, Frame
from .plotting import (
    MYTH_CMAP,
    PARTNERSHIP_COLOURS,
    SECTOR_COLOURS,
    SERIES_COLOURS,
    SERIES_STYLES,
    TRUST_CMAP,
    TRUST_EDGE_CMAP,
    figure,
    sector_axes,
)
from .raster import stroke_segments

_NODE_COLOURS = np.array([SECTOR_COLOURS[s] for s in SECTORS])
_STATE_COLOURS = np.array([PARTNERSHIP_COLOURS[s] for s in STATES])
#: Dot outline: dark for members of a partnership, none for the rest.
_MEMBER_EDGE = np.array([to_rgba("#333333"), (0.0, 0.0, 0.0, 0.0)])
_TRUST_NORM = Normalize(0.0, 1.0)
#: Dots per inch of every page figure: 96, the CSS pixel, so a figure shown at its natural
#: size has 1 image pixel per CSS pixel and a point is 4/3 px.
DPI = 96
#: Smallest text anywhere on a page figure, in points (12 px at natural size).
MIN_FONT_PT = 9.0
TITLE_PT = 10.0
#: Trust lines fade as they multiply, so a dense network stays legible (assumption: a
#: total "ink" of about sqrt(edges) x 12 reads well from 150 to 600 organisations).
_TRUST_ALPHA_INK = 12.0
#: Largest dot area (points^2) for 150 organisations; it shrinks as 150/n for more.
_DOT_AREA = 100.0
_DOT_AREA_N = 150
#: Width of a trust line in image pixels (0.6 pt at 96 dpi); the lines are stroked by
#: :mod:`simulation.viz.raster`, since Agg took about 30 ms a redraw for 1,400 of them.
TRUST_LINE_PX = 0.6 * DPI / 72
_TRUST_EDGE_NORM = Normalize(-0.25, 1.0)  # no trust is light grey, not white


_FONT_FILE = findfont(FontProperties())


def _font(size: float) -> FontProperties:
    """Font for text redrawn every step, resolved to a file once (font lookup is slow)."""
    return FontProperties(fname=_FONT_FILE, size=size)


@functools.lru_cache(maxsize=8)
def _pil_font(points: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_FONT_FILE, size=int(round(points * DPI / 72)))


@functools.lru_cache(maxsize=1024)
def _text_mask(text: str, font: ImageFont.FreeTypeFont) -> tuple[int, int, Image.Image]:
    """``text`` centred on (0, 0), as a coverage mask and its top-left offset. Rendering
    glyphs costs about 0.3 ms a label; the heatmaps' numbers and titles repeat, so each
    text is rendered once and then pasted in its colour."""
    left, top, right, bottom = font.getbbox(text, anchor="mm")
    mask = Image.new("L", (max(right - left, 1), max(bottom - top, 1)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, fill=255, font=font, anchor="mm")
    return left, top, mask


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
    ("Myths about others", (("mean_myth", "mean myth strength"),)),
)


def _freeze_layout(fig: Figure) -> None:
    """Let constrained layout place everything once, then keep those positions: blitting
    and the numbers drawn onto the image need axes that do not move between redraws."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


class BlitFigure:
    """A figure whose static part is drawn once and whose animated artists are redrawn.

    Subclasses build the figure, mark changing artists with :meth:`animate`, update them
    in :meth:`update` and call :meth:`invalidate` when something static changed.
    """

    #: PNG keeps thin lines and text sharp; JPEG (quality 90) encodes a dense picture
    #: such as the network about ten times faster at a third of the size.
    FORMAT = "png"
    label_font: ImageFont.FreeTypeFont | None = None

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

    def update(self, frame, **options) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def paint(self, pixels: np.ndarray) -> None:
        """Draw straight into the figure's RGBA pixels (rows from the top), over the
        background and under the animated artists. Nothing by default."""

    @property
    def natural_width(self) -> int:
        """Width of the image in pixels."""
        return int(round(self.fig.get_figwidth() * self.fig.dpi))

    def font_sizes_pt(self) -> list[float]:
        """Sizes in points of every piece of text the image shows (after one image())."""
        sizes = [
            t.get_fontsize()
            for t in self.fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and t.get_figure() is not None
        ]
        if self.labels() and self.label_font is not None:
            sizes.append(self.label_font.size * 72 / self.fig.dpi)
        return sizes

    def labels(self) -> list[tuple[float, float, str, str]]:
        """Small text drawn onto the finished image: (x, y in pixels from the top left,
        text, colour). Matplotlib takes about a millisecond per text artist here; drawing
        the heatmap's numbers this way keeps a redraw quick."""
        return []

    def image(self, frame, **options) -> bytes:
        """Update from ``frame`` (and a subclass's ``options``) and return the figure as
        image bytes (see FORMAT)."""
        with self._lock:
            self.update(frame, **options)
            if self._background is None:
                self.canvas.draw()  # animated artists are skipped by a full draw
                self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            else:
                self.canvas.restore_region(self._background)
            self.paint(np.asarray(self.canvas.buffer_rgba()))
            for artist in self.animated:
                self.fig.draw_artist(artist)
            w, h = self.canvas.get_width_height()
            image = Image.frombuffer(
                "RGBA", (w, h), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
            ).convert("RGB")
            labels = self.labels()
        for x, y, text, colour in labels:
            left, top, mask = _text_mask(text, self.label_font)
            image.paste(colour, (round(x) + left, round(y) + top), mask)
        buf = io.BytesIO()
        if self.FORMAT == "jpeg":
            image.save(buf, format="jpeg", quality=90)
        else:
            image.save(buf, format="png", compress_level=1)  # speed over a few kB
        return buf.getvalue()


# --- the network ------------------------------------------------------------------------
def _nice(x: float) -> float:
    """``x`` rounded to one significant figure (for legend values)."""
    if x <= 0:
        return 0.0
    e = np.floor(np.log10(x))
    return float(np.round(x / 10**e) * 10**e)


class NetworkFigure(BlitFigure):
    """Organisations (colour = sector, area = resources) with trust lines and partnerships.

    Positions are fixed per model (:mod:`simulation.viz.layout`). Thin lines are
    relationships (networking ties and past joint work), light grey for no trust to black
    for full trust, fading as they multiply. Each active partnership is a small diamond at
    the centre of its members, joined to each member by a spoke (a partnership of m members
    draws m lines, not m(m-1)/2), coloured by state: advantage, inertia or forming.
    Organisations in at least one partnership have a dark outline. The legend explains
    colours, line kinds and dot sizes. ``image(frame, mark=i)`` rings organisation ``i``
    and writes its name beside it (the page's "Inspect an organisation").
    """

    FORMAT = "jpeg"

    def __init__(
        self,
        frame: Frame,
        *,
        size: tuple[float, float] = (3.125, 5.5),
        title: str = "",
    ):
        fig = figure(size, dpi=DPI)
        super().__init__(fig)
        self.prefix = title
        width, height = size
        side = width / height  # the drawing is square: its height as a share of the figure
        top = 1 - 0.45 / height
        ax = fig.add_axes((0.0, top - side, 1.0, side))
        ax.set_xlim(-2.05, 2.05)
        ax.set_ylim(-2.05, 2.05)
        ax.set_aspect("equal")
        ax.axis("off")
        self.pos = frame.positions
        n = max(self.pos.shape[0], 1)
        self.ax = ax
        self._pixel_pos: np.ndarray | None = None  # positions in image pixels, once drawn
        self._trust_lines: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None = None
        # Marks thin out as the population grows (area as 150/n, widths as its root), so
        # 600 organisations are not a solid mass.
        crowd = min(1.0, _DOT_AREA_N / n)
        self.spokes = self.animate(
            ax.add_collection(LineCollection([], linewidths=1.1 * np.sqrt(crowd), alpha=0.8))
        )
        self.dot_area = _DOT_AREA * crowd
        self.nodes = self.animate(
            ax.scatter(
                self.pos[:, 0],
                self.pos[:, 1],
                s=10,
                c=_NODE_COLOURS[frame.sector],
                linewidths=0.7 * np.sqrt(crowd),
                zorder=3,
            )
        )
        self.hubs = self.animate(
            ax.scatter(
                [], [], s=22 * crowd, marker="D", linewidths=0.4, edgecolors="white", zorder=4
            )
        )
        # The two title lines change every month: drawn onto the image (see labels()),
        # since a matplotlib text artist costs about 10 ms a redraw here.
        self.label_font = _pil_font(MIN_FONT_PT)
        self._title_y = 0.25 * DPI  # centre of the title block, pixels from the top
        self._title: tuple[str, str] = ("", "")
        self.ring = self.animate(
            ax.scatter([], [], s=260, facecolors="none", edgecolors="black", linewidths=2.2)
        )
        self.ring.set_zorder(5)
        self.mark_label = self.animate(
            ax.text(
                0,
                0,
                "",
                ha="center",
                va="bottom",
                zorder=6,
                fontproperties=_font(MIN_FONT_PT),
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "black", "lw": 0.6},
            )
        )
        self.capacity_scale = frame.capacity_scale
        self._legend(fig, top=top - side)

    def sizes(self, capacity: np.ndarray) -> np.ndarray:
        """Dot area (points^2) for an organisation's resources."""
        cap = np.maximum(np.asarray(capacity, dtype=float), 0.0)
        return 4.0 + self.dot_area * np.sqrt(cap / self.capacity_scale)

    def _legend(self, fig: Figure, top: float) -> None:
        kw = {"frameon": False, "fontsize": MIN_FONT_PT, "handletextpad": 0.3}
        kw |= {"columnspacing": 0.8, "borderaxespad": 0.0, "labelspacing": 0.25}
        sectors = [
            Line2D([], [], marker="o", ls="", color=SECTOR_COLOURS[s], label=s) for s in SECTORS
        ]
        states = [
            Line2D([], [], color=PARTNERSHIP_COLOURS[k], lw=1.6, marker="D", ms=4, label=k)
            for k in STATES
        ]
        lines = [
            Line2D([], [], color=colormaps[TRUST_EDGE_CMAP](0.25), lw=0.8, label="low trust"),
            Line2D([], [], color=colormaps[TRUST_EDGE_CMAP](1.0), lw=0.8, label="high trust"),
        ]
        caps = sorted({_nice(self.capacity_scale * q) for q in (0.05, 0.3, 1.0)})
        dots = [
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                color="#888888",
                markersize=float(np.sqrt(self.sizes([c])[0])),
                label=f"{c:g}",
            )
            for c in caps
        ]
        y = top  # figure fraction: each block starts under the previous one
        blocks = (
            (sectors, "sector (dot colour)", 2),
            (states, "partnership (diamond and spokes)", 3),
            (lines, "relationship (thin line)", 2),
            (dots, "resources (dot area)", len(dots)),
        )
        for handles, title, ncol in blocks:
            leg = fig.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, y),
                ncol=ncol,
                title=title,
                title_fontsize=MIN_FONT_PT,
                **kw,
            )
            # stack the blocks: the next one starts under this one
            box = leg.get_window_extent(self.canvas.get_renderer())
            y = (box.y0 - 2) / (self.fig.get_figheight() * self.fig.dpi)

    def update(self, frame: Frame, mark: int | None = None) -> None:
        pos = self.pos
        if mark is None or not 0 <= mark < pos.shape[0]:
            self.ring.set_offsets(np.zeros((0, 2)))
            self.mark_label.set_text("")
        else:
            x, y = pos[mark]
            self.ring.set_offsets([[x, y]])
            self.mark_label.set_position((float(np.clip(x, -1.5, 1.5)), y + 0.17))
            self.mark_label.set_text(frame.names[mark] if frame.names else str(mark))
        # Trust lines, stroked by paint(): lowest trust first, so the darkest end on top.
        order = np.argsort(frame.trust, kind="stable")
        a, b = frame.trust_a[order], frame.trust_b[order]
        colours = colormaps[TRUST_EDGE_CMAP](_TRUST_EDGE_NORM(frame.trust[order]))[:, :3]
        alpha = float(np.clip(_TRUST_ALPHA_INK / np.sqrt(max(a.size, 1)), 0.1, 0.6))
        self._trust_lines = (a, b, colours, alpha)
        hub_xy = np.zeros((frame.n_hubs, 2))
        if frame.n_hubs:
            counts = np.bincount(frame.member_hub, minlength=frame.n_hubs)[:, None]
            np.add.at(hub_xy, frame.member_hub, pos[frame.member_org])
            hub_xy /= np.maximum(counts, 1)
        self.spokes.set_segments(
            np.stack([hub_xy[frame.member_hub], pos[frame.member_org]], axis=1)
        )
        self.spokes.set_color(_STATE_COLOURS[frame.hub_state[frame.member_hub]])
        self.hubs.set_offsets(hub_xy)
        self.hubs.set_facecolors(_STATE_COLOURS[frame.hub_state])
        self.nodes.set_sizes(self.sizes(frame.capacity))
        self.nodes.set_edgecolors(_MEMBER_EDGE[np.where(frame.member, 0, 1)])
        r = frame.readout
        self._title = (
            f"{self.prefix}month {frame.month}: {r['active']} partnerships",
            f"{r['isolated']} organisations in none",
        )

    def paint(self, pixels: np.ndarray) -> None:
        if self._trust_lines is None:
            return
        if self._pixel_pos is None:  # the axes are fixed once drawn
            xy = self.ax.transData.transform(self.pos)
            xy[:, 1] = pixels.shape[0] - xy[:, 1]  # display y runs up, image rows down
            self._pixel_pos = xy
        a, b, colours, alpha = self._trust_lines
        xy = self._pixel_pos
        stroke_segments(pixels, xy[a], xy[b], colours, alpha=alpha, width=TRUST_LINE_PX)

    def labels(self) -> list[tuple[float, float, str, str]]:
        x, dy = self.natural_width / 2, 0.55 * self.label_font.size
        y = self._title_y
        return [(x, y - dy, self._title[0], "#000000"), (x, y + dy, self._title[1], "#000000")]


# --- time series --------------------------------------------------------------------------
def _nice_ceiling(x: float) -> float:
    """Smallest of 10, 20, 40, 80, ... at or above ``x``."""
    top = 10.0
    while top < x:
        top *= 2
    return top


class SeriesFigure(BlitFigure):
    """Four live panels: active partnerships, synergy shares, cross-sector trust, myths.

    One legend under the panels names every line. With two models (compare mode) every
    panel shows both, solid for the first and dashed for the second. The month axis starts
    at ``horizon`` months and doubles when the run goes past it; the partnership count axis
    doubles likewise.
    """

    def __init__(
        self,
        n_models: int = 1,
        labels: Sequence[str] | None = None,
        *,
        horizon: int = 120,
        size: tuple[float, float] = (4.2, 5.5),
    ):
        fig = figure(size, dpi=DPI, layout="constrained")
        width = size[0]
        super().__init__(fig)
        self.axes = fig.subplots(2, 2).ravel()
        self.horizon = max(int(horizon), 12)
        self.count_top = 10.0
        self.lines: list[tuple[int, str, Line2D]] = []
        handles = []
        for ax, (title, lines) in zip(self.axes, SERIES_PANELS, strict=True):
            for k in range(n_models):
                for column, label in lines:
                    style = SERIES_STYLES.get(column, "-") if n_models == 1 else ("-", "--")[k]
                    (line,) = ax.plot(
                        [], [], ls=style, color=SERIES_COLOURS[column], lw=1.6, label=label
                    )
                    self.lines.append((k, column, self.animate(line)))
                    if k == 0 and len(lines) > 1:
                        handles.append(
                            Line2D([], [], ls=style, color=SERIES_COLOURS[column], label=label)
                        )
            ax.set_title(title, fontsize=TITLE_PT)
            ax.tick_params(labelsize=MIN_FONT_PT)
            ax.set_ylim(0, 1)
            ax.locator_params(axis="both", nbins=4)
        if n_models > 1 and labels:
            handles += [
                Line2D([], [], ls=("-", "--")[k], color="#555555", label=f"{labels[k]}")
                for k in range(n_models)
            ]
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=2 if width < 6 else 4,
            fontsize=MIN_FONT_PT,
            frameon=False,
            columnspacing=1.0,
            handlelength=2.2,
            borderaxespad=0.2,
        )
        self.axes[0].set_ylim(0, self.count_top)
        for ax in self.axes[2:]:
            ax.set_xlabel("month", fontsize=MIN_FONT_PT)
        self._set_xlim()
        _freeze_layout(fig)

    def _set_xlim(self) -> None:
        for ax in self.axes:
            ax.set_xlim(0, self.horizon)

    def update(self, frames, **options) -> None:
        frames = frames if isinstance(frames, list | tuple) else [frames]
        month = max(f.month for f in frames)
        if month > self.horizon:
            while month > self.horizon:
                self.horizon *= 2
            self._set_xlim()
            self.invalidate()
        peak = max(float(np.max(f.series["active"], initial=0)) for f in frames)
        if peak > self.count_top:
            self.count_top = _nice_ceiling(peak)
            self.axes[0].set_ylim(0, self.count_top)
            self.invalidate()
        for k, column, line in self.lines:
            s = frames[k].series
            line.set_data(s["month"], s[column])


# --- heatmaps -----------------------------------------------------------------------------
class HeatmapFigure(BlitFigure):
    """Sector-by-sector trust (left) and myths (right) at the current month.

    Each has a colour bar; each cell's number is written in black or white, whichever
    contrasts more with the cell (WCAG ratio at least 4.5:1, see
    :func:`~simulation.viz.colour.text_colour_on`).
    """

    def __init__(self, *, size: tuple[float, float] = (6.0, 2.9), title: str = ""):
        fig = figure(size, dpi=DPI, layout="constrained")
        if title:
            fig.suptitle(title, fontsize=TITLE_PT)
        super().__init__(fig)
        k = len(SECTORS)
        self.images, self.axes, self.cmaps, self._labels = [], [], [], []
        self.label_font = _pil_font(MIN_FONT_PT)
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
            self.cmaps.append(colormaps[cmap])
            ax.set_xlim(-0.5, k - 0.5)
            ax.set_ylim(k - 0.5, -0.5)
            ax.set_aspect("equal")
            sector_axes(ax, xlabel="about", tick_size=MIN_FONT_PT, label_size=MIN_FONT_PT)
            ax.set_title(name, fontsize=TITLE_PT)
            bar = fig.colorbar(mesh, ax=ax, shrink=0.7, pad=0.03, ticks=[0, 0.5, 1])
            bar.ax.tick_params(labelsize=MIN_FONT_PT)
            self.axes.append(ax)
        _freeze_layout(fig)

    def update(self, frame: Frame, **options) -> None:
        height = self.canvas.get_width_height()[1]
        self._labels = []
        for image, ax, cmap, mat in zip(
            self.images,
            self.axes,
            self.cmaps,
            (frame.trust_matrix, frame.myth_matrix),
            strict=True,
        ):
            image.set_array(np.ma.masked_invalid(mat).ravel())
            i, j = np.nonzero(np.isfinite(mat))
            xy = ax.transData.transform(np.column_stack([j, i]))
            for (x, y), v in zip(xy, mat[i, j], strict=True):
                colour = text_colour_on(cmap(float(np.clip(v, 0, 1))))
                self._labels.append((x, height - y, f"{v:.2f}", colour))

    def labels(self) -> list[tuple[float, float, str, str]]:
        return self._labels


# --- one set of figures per model ------------------------------------------------------------
class PageFigures:
    """The three figures of the main page for one model."""

    def __init__(self, frame: Frame, *, horizon: int = 120):
        self.network = NetworkFigure(frame)
        self.series = SeriesFigure(1, horizon=horizon)
        self.heatmaps = HeatmapFigure()

    def all(self) -> dict[str, BlitFigure]:
        return {"network": self.network, "series": self.series, "heatmaps": self.heatmaps}

    def render(self, frame: Frame, mark: int | None = None) -> dict[str, bytes]:
        """Image bytes of each figure; ``mark`` rings that organisation on the network."""
        return {
            "network": self.network.image(frame, mark=mark),
            "series": self.series.image([frame]),
            "heatmaps": self.heatmaps.image(frame),
        }


_FIGURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FIGURES_LOCK = threading.Lock()  # sessions render from their own threads


def figures_for(model, *, horizon: int = 120) -> PageFigures:
    """The model's figures, built on first use and dropped with the model."""
    with _FIGURES_LOCK:
        figs = _FIGURES.get(model)
        if figs is None:
            figs = _FIGURES[model] = PageFigures(model.frame, horizon=horizon)
    return figs


def render_page(model) -> dict[str, bytes]:
    """Image bytes of every figure the main page shows for ``model``'s latest frame."""
    return figures_for(model).render(model.frame)


class CompareFigures:
    """Figures of compare mode: both networks and heatmaps, and one shared time series."""

    def __init__(self, pair, *, horizon: int = 120):
        self.networks = [
            NetworkFigure(f, title=f"{p}, ") for f, p in zip(pair.frames, pair.labels, strict=True)
        ]
        self.series = SeriesFigure(2, labels=pair.labels, horizon=horizon, size=(7.2, 4.9))
        self.heatmaps = [HeatmapFigure(title=p) for p in pair.labels]

    def all(self) -> dict[str, BlitFigure]:
        out: dict[str, BlitFigure] = {"series": self.series}
        for k in range(2):
            out[f"network_{k}"] = self.networks[k]
            out[f"heatmaps_{k}"] = self.heatmaps[k]
        return out

    def render(self, frames: Sequence[Frame]) -> dict[str, bytes]:
        out = {"series": self.series.image(list(frames))}
        for k, f in enumerate(frames):
            out[f"network_{k}"] = self.networks[k].image(f)
            out[f"heatmaps_{k}"] = self.heatmaps[k].image(f)
        return out


def compare_figures_for(pair, *, horizon: int = 120) -> CompareFigures:
    """The compare pair's figures, built on first use and dropped with the pair."""
    with _FIGURES_LOCK:
        figs = _FIGURES.get(pair)
        if figs is None:
            figs = _FIGURES[pair] = CompareFigures(pair, horizon=horizon)
    return figs
