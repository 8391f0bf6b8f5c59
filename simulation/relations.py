"""Directed relationships between organisations, held as edge arrays.

Only pairs that know each other (a networking tie, or having worked together) have an
edge, so memory and time grow with the number of relationships, not with the square of
the number of organisations. Edge ``e`` runs from ``src[e]`` (who holds the view) to
``dst[e]`` (who it is about).
"""

from __future__ import annotations

import numpy as np


class Relations:
    """Sparse, growable store of directed relationship state.

    Per edge: ``trust`` (0..1, the holder's trust in the other), ``familiarity``
    (months of joint work), ``language`` (0..1, shared language learned, seed 003) and
    ``tie`` (True where there is a personal networking tie, seed 000).
    """

    FIELDS = {"src": np.int64, "dst": np.int64, "trust": np.float64,
              "familiarity": np.float64, "language": np.float64, "tie": np.bool_}

    def __init__(self, n_orgs: int, capacity: int = 1024):
        self.n = int(n_orgs)
        self.size = 0
        for name, dtype in self.FIELDS.items():
            setattr(self, "_" + name, np.zeros(capacity, dtype=dtype))
        self._sorted_keys = np.zeros(0, dtype=np.int64)
        self._sorted_edges = np.zeros(0, dtype=np.int64)

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

    def lookup(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """Edge index for each (src, dst) pair, or -1 where the pair has no edge."""
        keys = np.asarray(src, dtype=np.int64) * self.n + np.asarray(dst, dtype=np.int64)
        if self._sorted_keys.size == 0:
            return np.full(keys.shape, -1, dtype=np.int64)
        pos = np.searchsorted(self._sorted_keys, keys)
        pos = np.minimum(pos, self._sorted_keys.size - 1)
        found = self._sorted_keys[pos] == keys
        return np.where(found, self._sorted_edges[pos], -1)

    def add(self, src: np.ndarray, dst: np.ndarray, trust: np.ndarray,
            tie: bool | np.ndarray = False) -> np.ndarray:
        """Add edges for pairs that have none yet; return the edge index of every pair.

        Existing edges keep their state: a first impression is formed only once.
        """
        src = np.atleast_1d(np.asarray(src, dtype=np.int64))
        dst = np.atleast_1d(np.asarray(dst, dtype=np.int64))
        trust = np.broadcast_to(np.asarray(trust, dtype=np.float64), src.shape)
        tie = np.broadcast_to(np.asarray(tie, dtype=np.bool_), src.shape)
        idx = self.lookup(src, dst)
        new = np.flatnonzero(idx < 0)
        if new.size:
            keys = src[new] * self.n + dst[new]
            _, first = np.unique(keys, return_index=True)  # a pair listed twice gets one edge
            new = new[first]
            self._grow(self.size + new.size)
            sl = slice(self.size, self.size + new.size)
            self._src[sl] = src[new]
            self._dst[sl] = dst[new]
            self._trust[sl] = trust[new]
            self._familiarity[sl] = 0.0
            self._language[sl] = 0.0
            self._tie[sl] = tie[new]
            self._insert_keys(keys[first], np.arange(self.size, self.size + new.size))
            self.size += new.size
            idx = self.lookup(src, dst)
        return idx

    def _insert_keys(self, keys: np.ndarray, edges: np.ndarray) -> None:
        """Merge new (unique, absent) keys into the sorted index without re-sorting it all.

        Partnerships form one at a time, each adding a handful of edges: merging costs one
        pass over the index instead of a full sort per partnership.
        """
        if self._sorted_keys.size == 0:
            self._reindex_from(keys, edges)
            return
        order = np.argsort(keys, kind="stable")
        keys, edges = keys[order], edges[order]
        old_k, old_e = self._sorted_keys, self._sorted_edges
        if keys.size > 64:  # many at once (not one partnership): a full re-sort is cheaper
            self._reindex_from(np.concatenate([old_k, keys]), np.concatenate([old_e, edges]))
            return
        at = old_k.searchsorted(keys).tolist()
        k, n = keys.size, old_k.size
        new_k = np.empty(n + k, dtype=old_k.dtype)
        new_e = np.empty(n + k, dtype=old_e.dtype)
        # Copy the runs between insertion points (a few slices; faster than np.insert's mask).
        prev = 0
        for j, a in enumerate(at):
            new_k[prev + j: a + j] = old_k[prev:a]
            new_e[prev + j: a + j] = old_e[prev:a]
            new_k[a + j] = keys[j]
            new_e[a + j] = edges[j]
            prev = a
        new_k[prev + k:] = old_k[prev:]
        new_e[prev + k:] = old_e[prev:]
        self._sorted_keys, self._sorted_edges = new_k, new_e

    def _reindex_from(self, keys: np.ndarray, edges: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self._sorted_keys = keys[order]
        self._sorted_edges = edges[order].astype(np.int64)

    def _grow(self, need: int) -> None:
        cap = self._src.size
        if need <= cap:
            return
        while cap < need:
            cap *= 2
        for name in self.FIELDS:
            old = getattr(self, "_" + name)
            arr = np.zeros(cap, dtype=old.dtype)
            arr[: self.size] = old[: self.size]
            setattr(self, "_" + name, arr)

    def out_of(self, i: int) -> np.ndarray:
        """Edge indices held by organisation ``i`` (its views of others)."""
        lo = np.searchsorted(self._sorted_keys, i * self.n)
        hi = np.searchsorted(self._sorted_keys, (i + 1) * self.n)
        return self._sorted_edges[lo:hi]

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, "_" + f).nbytes for f in self.FIELDS) + \
            self._sorted_keys.nbytes + self._sorted_edges.nbytes
