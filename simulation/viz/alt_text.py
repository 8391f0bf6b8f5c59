"""Text alternatives for the page's figures, written from the same frame they draw.

A screen reader, or a student whose projector shows only part of the page, gets in words
what each image shows at this month: the network's counts, the live plots' latest values,
and the heatmaps' extremes. The words are built from a :class:`~simulation.viz.frame.Frame`
only, so they always describe the image beside them (WCAG 2.2, success criterion 1.1.1:
every non-text content has a text alternative that serves the same purpose).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..sectors import SECTORS
from .frame import STATES, Frame


def network(frame: Frame, run: str = "") -> str:
    """The network image: organisations, partnerships by state, who is in none."""
    states = np.bincount(frame.hub_state, minlength=len(STATES)) if frame.n_hubs else [0] * 3
    counts = ", ".join(f"{int(n)} {s}" for n, s in zip(states, STATES, strict=True))
    r = frame.readout
    lead = f"{run}: network" if run else "Network"
    return (
        f"{lead} at month {frame.month} of {len(frame.names)} organisations, dots coloured "
        f"by sector and sized by resources. {r['active']} partnerships active "
        f"({counts}), each a diamond with spokes to its members; {r['isolated']} organisations "
        f"in none. Grey lines are relationships, darker for more trust."
    )


def _latest(frame: Frame) -> str:
    s = frame.series
    if not len(s["month"]):
        return "nothing recorded yet"

    def last(c: str) -> float:
        return float(s[c][-1])

    return (
        f"{last('active'):.0f} active partnerships ({last('delivering'):.0f} delivering, "
        f"{last('declining'):.0f} declining), {100 * last('share_advantage'):.0f}% with "
        f"synergy and {100 * last('share_inertia'):.0f}% in inertia, cross-sector trust "
        f"{last('cross_trust'):.2f}, mean myth strength {last('mean_myth'):.2f}"
    )


def series(frames: Sequence[Frame], runs: Sequence[str] = ("",)) -> str:
    """The live plots: four panels over the months so far, with each run's latest values."""
    month = frames[0].month
    head = (
        f"Live plots to month {month}: active partnerships, share with synergy, "
        f"cross-sector trust and myths about others. Latest"
    )
    if len(frames) == 1:
        return f"{head}: {_latest(frames[0])}."
    parts = "; ".join(f"{run}: {_latest(f)}" for f, run in zip(frames, runs, strict=True))
    return f"{head}, {parts}."


def _extremes(mat: np.ndarray, what: str) -> str:
    """The highest and lowest cell of a sector-by-sector matrix, rows holding of columns."""
    if not np.isfinite(mat).any():
        return f"{what}: none yet"
    flat = np.where(np.isfinite(mat), mat, np.nan)
    hi = np.unravel_index(np.nanargmax(flat), mat.shape)
    lo = np.unravel_index(np.nanargmin(flat), mat.shape)

    def cell(ij) -> str:
        i, j = (int(k) for k in ij)
        return f"{SECTORS[i]} about {SECTORS[j]} {mat[i, j]:.2f}"

    return f"{what}: highest {cell(hi)}, lowest {cell(lo)}"


def heatmaps(frame: Frame, run: str = "") -> str:
    """The two heatmaps: trust and myths between sectors, with their extremes."""
    lead = f"{run}: heatmaps" if run else "Heatmaps"
    return (
        f"{lead} at month {frame.month}, rows the sector holding the view, columns the "
        f"sector it is about, values 0 to 1. {_extremes(frame.trust_matrix, 'Trust')}. "
        f"{_extremes(frame.myth_matrix, 'Myths')}."
    )
