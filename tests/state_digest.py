"""Digests of the model's full state, month by month, and of its output tables.

The safety net for refactors: a refactor must leave every digest unchanged. The digest
is defined on what the state *means* (named arrays, the event log, the counters and the
random streams), not on where the code keeps it, so it survives moving state around.

    python tests/state_digest.py --write   # record the current code's digests

Only a change that is meant to change results (and says so) may rewrite the stored file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

STORE = Path(__file__).with_name("digests.json")

#: (name, parameters, months). Default; large populations (8,000 passes the relationship
#: side-index threshold); each governance preset; brokered and mandated formation; without
#: network sharing, stakeholder links and tie decay.
CONFIGS: list[tuple[str, dict, int]] = [
    ("default", {}, 120),
    ("orgs_2000", {"n_orgs": 2000, "burn_in": 0}, 60),
    ("orgs_8000", {"n_orgs": 8000, "burn_in": 0}, 90),
    ("preset_none", {"governance": "none"}, 120),
    ("preset_contract", {"governance": "contract"}, 120),
    ("preset_leading_as_peers", {"governance": "leading_as_peers"}, 120),
    ("preset_six_principles", {"governance": "six_principles"}, 120),
    ("preset_forced_marriage", {"governance": "forced_marriage"}, 120),
    ("brokered", {"formation_mode": "brokered"}, 120),
    ("mandated", {"formation_mode": "mandated"}, 120),
    ("networks_off", {"network_sharing": 0.0, "stakeholders": 0, "tie_decay": 0.0}, 120),
    (
        "no_reputation",
        {
            "reputation_weight": 0.0,
            "sharing_rule": "power",
            "sanctions": True,
            "exit_arrangements": True,
        },
        120,
    ),
]
SEED = 7


ORG_FIELDS = (
    "sector",
    "base_capacity",
    "capacity",
    "capability",
    "values",
    "red_line",
    "behaviour",
    "jargon",
    "myth",
    "initial_myth",
    "skill",
    "stress",
    "n_memberships",
    "aspiration",
    "founded",
    "last_partnered",
    "contact_good",
    "contact_bad",
)
REL_FIELDS = ("src", "dst", "trust", "familiarity", "language", "tie", "earned", "expect")
LINK_FIELDS = ("pid", "org", "challenge", "founded")
#: Records kept only for read-outs (``state.history``, the per-partnership sums) are not
#: hashed: nothing in a month reads them, and the output tables built from them are tested on
#: their own (tests/test_partnership_records.py).
NOT_HASHED: frozenset[str] = frozenset()


def _named_state(m) -> list[tuple[str, object]]:
    """Every piece of model state, by meaning. Reads the model wherever it keeps it."""
    s = m.state
    out: list[tuple[str, object]] = [
        ("month", int(s.month)),
        ("turbulent_until", int(s.turbulent_until)),
    ]
    out += [(f"org.{f}", getattr(s.orgs, f)) for f in ORG_FIELDS]
    out += [("ties.table", s.ties.table), ("n_founded", s.n_founded)]
    rel = s.relations
    out += [(f"rel.{f}", getattr(rel, f)) for f in REL_FIELDS]
    t = s.table
    out += [(f"table.{f}", getattr(t, f)[: t.n_p]) for f in t.P_FIELDS if f not in NOT_HASHED]
    out += [(f"table.{f}", getattr(t, f)[: t.n_m]) for f in t.M_FIELDS]
    out += [(f"stakeholders.{f}", getattr(s.stakeholders, f)) for f in LINK_FIELDS]
    out += [
        ("events", s.events),
        ("counts", s.counts.as_dict()),
        ("totals", s.totals.as_dict()),
        ("readout", dict(m.readout)),
    ]
    out.append(("rng", m.rng.bit_generator.state))
    for name in ("env", "form", "noise", "demog", "net"):
        out.append((f"rng_{name}", getattr(m.streams, name).bit_generator.state))
    return out


def _hash_value(h, value) -> None:
    if isinstance(value, np.ndarray):
        a = np.ascontiguousarray(value)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    else:
        h.update(json.dumps(value, sort_keys=True, default=_plain).encode())


def _plain(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(type(x))


def state_digest(m) -> str:
    h = hashlib.sha256()
    for name, value in _named_state(m):
        h.update(name.encode())
        _hash_value(h, value)
    return h.hexdigest()[:20]


def frame_digest(df: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([(c, str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:20]


def run_config(params: dict, months: int) -> dict:
    from simulation.model import CollabModel
    from simulation.run import events_frame, timeseries_frame

    m = CollabModel(seed=SEED, **params)
    months_digests = [state_digest(m)]
    for _ in range(months):
        m.step()
        months_digests.append(state_digest(m))
    return {
        "months": months_digests,
        "timeseries": frame_digest(timeseries_frame(m)),
        "events": frame_digest(events_frame(m)),
        "relations": int(m.state.relations.size),
    }


def compute_all(names: list[str] | None = None) -> dict:
    return {
        name: run_config(params, months)
        for name, params, months in CONFIGS
        if names is None or name in names
    }


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/state_digest.py --write")
    STORE.write_text(json.dumps(compute_all(), indent=1) + "\n")
    print(f"wrote {STORE}")
