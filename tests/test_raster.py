"""The network's trust lines, stroked by simulation.viz.raster instead of Agg."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from simulation.viz.raster import stroke_segments

BLACK = np.zeros((1, 3))


def _white(h: int = 60, w: int = 80) -> np.ndarray:
    return np.full((h, w, 4), 255, dtype=np.uint8)


def _ink(pixels: np.ndarray) -> float:
    """Darkness laid down, in pixels of full black."""
    return float((255 - pixels[..., :3].astype(float)).mean(axis=2).sum() / 255)


def test_a_line_on_pixel_centres_fills_one_row_and_leaves_the_rest():
    px = _white()
    stroke_segments(px, [[10.5, 20.5]], [[60.5, 20.5]], BLACK, alpha=1.0, width=1.0)
    assert np.all(px[20, 10:61, :3] == 0)  # the row under the line: full black
    assert np.all(px[np.r_[0:20, 21:60], :, :3] == 255)  # nothing else
    assert np.all(px[20, np.r_[0:10, 61:80], :3] == 255)  # square ends
    assert np.all(px[..., 3] == 255)  # alpha channel untouched


def test_a_line_between_rows_shares_its_ink_between_them():
    px = _white()
    stroke_segments(px, [[10.5, 20.75]], [[60.5, 20.75]], BLACK, alpha=1.0, width=1.0)
    # A quarter of a pixel below row 20's centre: 3/4 to row 20, 1/4 to row 21.
    np.testing.assert_array_equal(px[20, 30, :3], [64, 64, 64])
    np.testing.assert_array_equal(px[21, 30, :3], [191, 191, 191])


@settings(max_examples=60, deadline=None)
@given(
    angle=st.floats(0, 2 * np.pi),
    length=st.floats(10, 40),
    width=st.floats(0.3, 1.0),
)
def test_ink_per_unit_length_is_the_width_at_every_angle(angle, length, width):
    px = _white(100, 100)
    centre = np.array([50.0, 50.0])
    half = 0.5 * length * np.array([np.cos(angle), np.sin(angle)])
    stroke_segments(px, [centre - half], [centre + half], BLACK, alpha=1.0, width=width)
    # Up to a pixel of the long axis is cut at the ends, and rounding to 8 bits.
    assert _ink(px) == pytest.approx(width * length, abs=2.0 * width + 0.02 * length)


def test_drawing_a_segment_either_way_gives_the_same_pixels():
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0, 80, (50, 2)), rng.uniform(0, 60, (50, 2))
    colours = rng.uniform(0, 1, (50, 3))
    one, other = _white(), _white()
    stroke_segments(one, a, b, colours, alpha=0.4, width=0.8)
    stroke_segments(other, b, a, colours, alpha=0.4, width=0.8)
    np.testing.assert_array_equal(one, other)


def test_alpha_and_colour_composite_over_what_is_there():
    px = _white()
    px[..., :3] = (0, 0, 200)
    red = np.array([[1.0, 0.0, 0.0]])
    stroke_segments(px, [[5.5, 5.5]], [[50.5, 5.5]], red, alpha=0.5, width=1.0)
    np.testing.assert_array_equal(px[5, 20, :3], [128, 0, 100])  # half red over blue


def test_segments_off_the_image_are_clipped_and_nothing_outside_is_written():
    # Draw into the middle of a padded buffer: the padding must stay white.
    padded = _white(40, 40)
    px = padded[10:30, 10:30]
    starts = [[-50.0, -50.0], [10.0, 10.0], [5.0, -1e9]]
    ends = [[70.0, 70.0], [500.0, 10.0], [5.0, 1e9]]
    stroke_segments(px, starts, ends, np.zeros((3, 3)), alpha=1.0, width=1.0)
    assert px[5, 5, 0] < 255  # the diagonal, where it crosses the image
    assert px[10, 19, 0] < 255  # the horizontal one, to the image's edge
    assert px[0, 5, 0] < 255 and px[19, 5, 0] < 255  # the vertical one, end to end
    inner = np.zeros(padded.shape[:2], dtype=bool)
    inner[10:30, 10:30] = True
    assert np.all(padded[~inner] == 255)


def test_segments_with_a_missing_end_are_skipped():
    px = _white()
    stroke_segments(
        px,
        [[np.nan, 5.0], [5.5, 5.5]],
        [[50.0, 5.0], [50.5, 5.5]],
        np.zeros((2, 3)),
        alpha=1.0,
        width=1.0,
    )
    assert px[5, 20, 0] == 0 and np.all(px[6:, :, :3] == 255)


def test_the_ink_matches_what_agg_strokes_for_the_same_line():
    # The replaced drawing: matplotlib's Agg, a 0.6 pt line at 96 dpi (0.8 px).
    fig = Figure(figsize=(1.0, 1.0), dpi=96)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 96)
    ax.set_ylim(96, 0)
    ax.axis("off")
    rng = np.random.default_rng(5)
    a, b = rng.uniform(20, 76, (40, 2)), rng.uniform(20, 76, (40, 2))
    agg_ink, our_ink = [], []
    for s, e in zip(a, b, strict=True):
        (line,) = ax.plot([s[0], e[0]], [s[1], e[1]], color="black", lw=0.6)
        canvas.draw()
        agg_ink.append(_ink(np.asarray(canvas.buffer_rgba())))
        line.remove()
        px = _white(96, 96)
        stroke_segments(px, [s], [e], BLACK, alpha=1.0, width=0.6 * 96 / 72)
        our_ink.append(_ink(px))
    ratio = np.array(our_ink) / np.array(agg_ink)
    assert np.median(ratio) == pytest.approx(1.0, abs=0.1)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="width"):
        stroke_segments(_white(), [[0, 0]], [[5, 5]], BLACK, alpha=1.0, width=0.0)
    with pytest.raises(ValueError, match="alpha"):
        stroke_segments(_white(), [[0, 0]], [[5, 5]], BLACK, alpha=1.5, width=1.0)
    with pytest.raises(ValueError, match="colours"):
        stroke_segments(_white(), [[0, 0], [1, 1]], [[5, 5], [6, 6]], BLACK, alpha=1.0, width=1.0)
    with pytest.raises(ValueError, match="uint8"):
        stroke_segments(np.zeros((5, 5, 4)), [[0, 0]], [[5, 5]], BLACK, alpha=1.0, width=1.0)
