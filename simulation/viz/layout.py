"""Fixed positions for the network drawing, one cluster per sector.

Organisations never move between steps, so a teacher can follow one of them while
partnerships come and go. Each sector gets a corner of the unit square; inside it,
organisations sit on a sunflower (Vogel) spiral with the largest at the centre. The
layout depends only on the sectors and starting capacities, so the same seed and
parameters always give the same picture.
"""

from __future__ import annotations

import weakref

import numpy as np

from ..sectors import SECTORS

#: Centre of each sector's cluster (public top left, private top right, third bottom left,
#: community bottom right), in drawing units.
CENTRES = np.array([[-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
_GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def sector_layout(sector: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Positions (n x 2) for organisations given their sector index and size."""
    sector = np.asarray(sector)
    n = sector.size
    pos = np.zeros((n, 2))
    biggest = max(np.bincount(sector, minlength=len(SECTORS)).max(), 1)
    for s in range(len(SECTORS)):
        idx = np.flatnonzero(sector == s)
        if idx.size == 0:
            continue
        idx = idx[np.argsort(-np.asarray(size)[idx], kind="stable")]
        k = np.arange(idx.size)
        # Radius grows with sqrt(k) (even density); every cluster uses the same scale so
        # cluster area shows how many organisations a sector has.
        r = 0.85 * np.sqrt((k + 0.5) / biggest)
        theta = k * _GOLDEN_ANGLE
        pos[idx, 0] = CENTRES[s, 0] + r * np.cos(theta)
        pos[idx, 1] = CENTRES[s, 1] + r * np.sin(theta)
    return pos


def positions(model) -> np.ndarray:
    """The model's layout, computed once on first use and kept for the model's lifetime."""
    pos = _CACHE.get(model)
    if pos is None or pos.shape[0] != model.n:
        pos = sector_layout(model.state.orgs.sector, model.state.orgs.base_capacity)
        _CACHE[model] = pos
    return pos
