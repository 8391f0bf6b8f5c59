"""Thin lines stroked straight into an image buffer, for the network's trust lines.

Agg strokes a line segment in about 20 µs here, so the 1,400 relationships of the default
network at month 24 cost about 30 ms a redraw however they are grouped into artists. The
lines are all the same width, straight and without dashes, so a small compiled kernel can
draw them instead, in a few milliseconds (the whole network now redraws in about 20 ms,
against about 50 ms before; benchmarks/bench_viz.py), and composite them into its own pixel
buffer between the restored background and the animated artists drawn over them.

Each segment is drawn as in Wu's antialiased line algorithm (Wu 1991, "An efficient
antialiasing technique", SIGGRAPH '91): step along its longer axis, one pixel centre at a
time, and share the ink of each step between the two pixels on either side of the line's
centre by their distance from it (a tent filter one pixel wide on each side). A line of width
``w`` pixels lays down ``w`` of ink per unit of its length, so at a step of the long axis,
which covers ``L / D`` of the line (``L`` its length, ``D`` its extent along that axis), the
ink is

    ink = w * L / D,   pixel nearer: ink * (1 - f),   pixel further: ink * f

(``f`` the fraction of a pixel from the nearer pixel's centre to the line). Each share, at most
1, is composited *over* what is there, in segment order:

    pixel <- pixel * (1 - alpha * share) + colour * alpha * share

The ends are cut square at the first and last pixel centre: at the ends of the network's
lines sit the organisations' dots, drawn over them.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _blend(rgb, row, col, colours, k, a):  # pragma: no cover - compiled
    if 0 <= row < rgb.shape[0] and 0 <= col < rgb.shape[1] and a > 0.0:
        keep = 1.0 - a
        for ch in range(3):
            # round to the nearest level, as Agg does for each path it composites
            rgb[row, col, ch] = np.uint8(rgb[row, col, ch] * keep + colours[k, ch] * a + 0.5)


@numba.njit(cache=True, nogil=True)
def _stroke(rgb, x0, y0, x1, y1, colours, alpha, width):  # pragma: no cover - compiled
    for k in range(x0.size):
        ax, ay, bx, by = x0[k], y0[k], x1[k], y1[k]
        steep = abs(by - ay) > abs(bx - ax)
        if steep:  # walk rows: swap the axes
            ax, ay, bx, by = ay, ax, by, bx
        if bx < ax:
            ax, ay, bx, by = bx, by, ax, ay
        dx, dy = bx - ax, by - ay
        if dx == 0.0:
            continue  # shorter than a pixel: under the dots
        slope = dy / dx
        ink = width * np.sqrt(dx * dx + dy * dy) / dx
        extent = rgb.shape[0] if steep else rgb.shape[1]  # pixels along the long axis
        first = max(int(np.ceil(ax - 0.5)), 0)
        last = min(int(np.floor(bx - 0.5)), extent - 1)
        for m in range(first, last + 1):
            centre = ay + (m + 0.5 - ax) * slope - 0.5  # in pixel-centre units
            near = int(np.floor(centre))
            f = centre - near
            a_near = alpha * min(ink * (1.0 - f), 1.0)
            a_far = alpha * min(ink * f, 1.0)
            if steep:
                _blend(rgb, m, near, colours, k, a_near)
                _blend(rgb, m, near + 1, colours, k, a_far)
            else:
                _blend(rgb, near, m, colours, k, a_near)
                _blend(rgb, near + 1, m, colours, k, a_far)


def stroke_segments(
    pixels: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    colours: np.ndarray,
    *,
    alpha: float,
    width: float,
) -> None:
    """Stroke segments ``start[k]``-``end[k]`` into ``pixels`` in place.

    ``pixels`` is an (height, width, 3 or 4) uint8 image (only its first three channels
    change); ``start`` and ``end`` are (n, 2) positions in pixels, x to the right and y down
    from the top-left corner; ``colours`` is (n, 3) in 0-1; ``width`` is in pixels.
    """
    if width <= 0 or not 0 <= alpha <= 1:
        raise ValueError(f"width must be > 0 and alpha in [0, 1], got {width}, {alpha}")
    n = len(start)
    if n == 0:
        return
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] < 3:
        raise ValueError(f"pixels must be (height, width, 3 or 4) uint8, got {pixels.shape}")
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    colours = np.asarray(colours, dtype=np.float64)
    if start.shape != (n, 2) or end.shape != (n, 2) or colours.shape != (n, 3):
        raise ValueError(
            f"start and end must be (n, 2) and colours (n, 3), got {start.shape}, "
            f"{end.shape} and {colours.shape}"
        )
    keep = np.isfinite(start).all(axis=1) & np.isfinite(end).all(axis=1)
    if not keep.all():  # a segment without both ends has nothing to draw
        start, end, colours = start[keep], end[keep], colours[keep]
    _stroke(
        pixels,
        start[:, 0].copy(),
        start[:, 1].copy(),
        end[:, 0].copy(),
        end[:, 1].copy(),
        colours * 255.0,
        float(alpha),
        float(width),
    )
