"""Directed relationships between organisations, held as edge arrays.

Only pairs that know each other (a networking tie, or having worked together) have an
edge, so memory and time grow with the number of relationships, not with the square of
the number of organisations. Edge ``e`` runs from ``src[e]`` (who holds the view) to
``dst[e]`` (who it is about).
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .arrays import grown

#: Number of relationships from which new keys are indexed on the side (see _insert_keys).
SIDE_INDEX_FROM = 50_000


class Relations:
    """Sparse, growable store of directed relationship state.

    Per edge: ``trust`` (0..1, the holder's trust in the other), ``familiarity``
    (months of joint work, fading with staff turnover), ``language`` (0..1, shared language
    learned, source 003), ``tie`` (True where there is a personal networking tie, source 000),
    ``earned`` (True where that tie was made by collaboration, joint work or an introduction,
    rather than brought by the organisations' staff: such ties decay unless renewed) and
    ``expect`` (0..1, the commitment the holder expects of the other: first what was agreed,
    then what it has seen).
    """

    FIELDS = {
        "src": np.int64,
        "dst": np.int64,
        "trust": np.float64,
        "familiarity": np.float64,
        "language": np.float64,
        "tie": np.bool_,
        "earned": np.bool_,
        "expect": np.float64,
    }

    def __init__(self, n_orgs: int, capacity: int = 1024):
        self.n = int(n_orgs)
        self.size = 0
        for name, dtype in self.FIELDS.items():
            setattr(self, "_" + name, np.zeros(capacity, dtype=dtype))
        self._sorted_keys = np.zeros(0, dtype=np.int64)
        self._sorted_edges = np.zeros(0, dtype=np.int64)
        self._recent_keys = np.zeros(0, dtype=np.int64)  # side index of the newest keys
        self._recent_edges = np.zeros(0, dtype=np.int64)

    # Views on the live part of each array (writable: they share memory).
    @property
    def src(self) -> np.ndarray:
        return self._src[: self.size]

    @property
    def dst(self) -> np.ndarray:
        return self._dst[: self.size]

    @property
    def trust(self) -> np.ndarray:
        return self._trust[: self.size]

    @property
    def familiarity(self) -> np.ndarray:
        return self._familiarity[: self.size]

    @property
    def language(self) -> np.ndarray:
        return self._language[: self.size]

    @property
    def tie(self) -> np.ndarray:
        return self._tie[: self.size]

    @property
    def earned(self) -> np.ndarray:
        return self._earned[: self.size]

    @property
    def expect(self) -> np.ndarray:
        return self._expect[: self.size]

    def lookup(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """Edge index for each (src, dst) pair, or -1 where the pair has no edge."""
        src, dst = np.broadcast_arrays(np.asarray(src, np.int64), np.asarray(dst, np.int64))
        flat = (np.ascontiguousarray(x).ravel() for x in (src, dst))
        return kernels.lookup(*self.index(), *flat).reshape(src.shape)

    def index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """The key index as the compiled look-ups take it: main and side index, and n."""
        return (
            self._sorted_keys,
            self._sorted_edges,
            self._recent_keys,
            self._recent_edges,
            self.n,
        )

    def add(
        self, src: np.ndarray, dst: np.ndarray, trust: np.ndarray, tie: bool | np.ndarray = False
    ) -> np.ndarray:
        """Add edges for pairs that have none yet; return the edge index of every pair.

        Existing edges keep their state: a first impression is formed only once.
        """
        src = np.atleast_1d(np.asarray(src, dtype=np.int64))
        dst = np.atleast_1d(np.asarray(dst, dtype=np.int64))
        trust = np.asarray(trust, dtype=np.float64)
        tie = np.asarray(tie, dtype=np.bool_)
        if trust.shape != src.shape:
            trust = np.broadcast_to(trust, src.shape)
        if tie.shape != src.shape:
            tie = np.broadcast_to(tie, src.shape)
        idx, new, keys = kernels.new_pairs(
            *self.index()[:4],
            self.n,
            self.size,
            np.ascontiguousarray(src),
            np.ascontiguousarray(dst),
        )
        if new.size:
            self._grow(self.size + new.size)
            sl = slice(self.size, self.size + new.size)
            self._src[sl] = src[new]
            self._dst[sl] = dst[new]
            self._trust[sl] = trust[new]
            self._familiarity[sl] = 0.0
            self._language[sl] = 0.0
            self._tie[sl] = tie[new]
            self._earned[sl] = False
            self._expect[sl] = np.nan  # set by whoever starts the relationship
            self._insert_keys(keys, np.arange(self.size, self.size + new.size))
            self.size += new.size
        return idx

    def remove_orgs(self, orgs: np.ndarray) -> None:
        """Drop every relationship held by or about ``orgs`` (organisations that closed).

        Edge indices change: callers look edges up again afterwards (every mechanism does so
        each month).
        """
        gone = np.zeros(self.n, dtype=bool)
        gone[orgs] = True
        self.remove(gone[self.src] | gone[self.dst])

    def remove(self, drop: np.ndarray) -> None:
        """Drop the relationships where ``drop`` (one flag per edge) is set.

        Edge indices change: callers look edges up again afterwards.
        """
        keep = np.flatnonzero(~drop)
        if keep.size == self.size:
            return
        for name in self.FIELDS:
            arr = getattr(self, "_" + name)
            arr[: keep.size] = arr[keep]
        self._sorted_keys, self._sorted_edges = kernels.drop_from_index(
            *self.index()[:4], np.ascontiguousarray(drop, dtype=np.bool_)
        )
        self.size = keep.size
        self._recent_keys = np.zeros(0, dtype=np.int64)
        self._recent_edges = np.zeros(0, dtype=np.int64)

    def _insert_keys(self, keys: np.ndarray, edges: np.ndarray) -> None:
        """Index new (unique, absent) keys.

        Partnerships form one at a time, each adding a handful of edges. Merging each
        handful into the full index would copy all of it every time (quadratic in the
        number of relationships), so new keys go to a small sorted side index that is
        merged into the main one in bulk once it holds more than a few times the square
        root of the total. Below SIDE_INDEX_FROM keys a copy is cheaper than searching a
        second index on every look-up.
        """
        keys, edges = kernels.merge_keys(self._recent_keys, self._recent_edges, keys, edges)
        total = self._sorted_keys.size + keys.size
        if total < SIDE_INDEX_FROM or keys.size * keys.size > 16 * total:
            self._sorted_keys, self._sorted_edges = kernels.merge_keys(
                self._sorted_keys, self._sorted_edges, keys, edges
            )
            keys, edges = keys[:0], edges[:0]
        self._recent_keys, self._recent_edges = keys, edges

    def _grow(self, need: int) -> None:
        if need <= self._src.size:
            return
        for name in self.FIELDS:
            setattr(self, "_" + name, grown(getattr(self, "_" + name), need))

    def out_of(self, i: int) -> np.ndarray:
        """Edge indices held by organisation ``i`` (its views of others)."""
        lo, hi = i * self.n, (i + 1) * self.n
        main = self._sorted_edges[
            self._sorted_keys.searchsorted(lo) : self._sorted_keys.searchsorted(hi)
        ]
        a, b = self._recent_keys.searchsorted(lo), self._recent_keys.searchsorted(hi)
        return main if a == b else np.concatenate([main, self._recent_edges[a:b]])

    @property
    def nbytes(self) -> int:
        return (
            sum(getattr(self, "_" + f).nbytes for f in self.FIELDS)
            + self._sorted_keys.nbytes
            + self._sorted_edges.nbytes
            + self._recent_keys.nbytes
            + self._recent_edges.nbytes
        )
