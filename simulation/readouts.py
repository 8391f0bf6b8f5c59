"""What researchers read out: per-month reporters, run headlines and event stories."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from .partnerships import DECLINING, DELIVERING, EARLY_CAUSES, END_CAUSES, ENDED, FORMING
from .sectors import SECTORS

if TYPE_CHECKING:
    from .model import CollabModel

CAUSE_TEXT = {
    "completed": "it completed its work and met its goal",
    "deadline_missed": "it reached its deadline with its goals missed",
    "not_worth_it": "members decided 'this isn't worth it any more'",
    "trust_collapsed": "trust collapsed",
    "funding_cut": "members were pulled back to their own priorities after a funding cut",
}
LEFT_TEXT = {
    "not_worth_it": "deciding 'this isn't worth it any more'",
    "trust_collapsed": "having lost trust in its partners",
    "funding_cut": "pulled back to its own priorities by a funding cut",
}
#: Credit dispute intensity above which a story mentions it.
DISPUTE = 0.15

MATRIX_COLUMNS = [f"{a}_{b}" for a in SECTORS for b in SECTORS]
COUNT_KEYS = ["formed", "ended", "left", "went_alone", "shocks", "value",
              *(f"ended_{c}" for c in END_CAUSES)]


def new_counts() -> dict[str, float]:
    return dict.fromkeys(COUNT_KEYS, 0)


def new_totals() -> dict[str, float]:
    return dict.fromkeys(COUNT_KEYS, 0)


def columns() -> list[str]:
    """Every per-month column, in order."""
    base = ["month", "active", "forming", "delivering", "declining",
            *COUNT_KEYS,
            *(f"total_{k}" for k in COUNT_KEYS),
            "failure_share", "early_end_share", "mean_synergy", "share_advantage",
            "share_inertia", "cross_trust", "mean_myth", "isolated", "isolated_share",
            "fairness", "turbulent", "mean_capacity"]
    return base + [f"trust_{c}" for c in MATRIX_COLUMNS] + [f"myth_{c}" for c in MATRIX_COLUMNS]


#: Per-month columns that count things: integers. Every other column is a float.
COUNT_COLUMNS = frozenset(["month", "active", "forming", "delivering", "declining", "isolated",
                           "turbulent", *(k for k in COUNT_KEYS if k != "value"),
                           *(f"total_{k}" for k in COUNT_KEYS if k != "value")])


def column_dtypes() -> dict[str, str]:
    """Every per-month column with its dtype, in order; fixed, whatever a run's values are."""
    return {c: "int64" if c in COUNT_COLUMNS else "float64" for c in columns()}


def _read(key: str, model: CollabModel) -> float:
    return model.readout[key]


def reporters() -> dict[str, partial]:
    """Mesa model reporters, one per column, each reading the month's computed read-out."""
    return {c: partial(_read, c) for c in columns()}


def sector_matrix(model: CollabModel, values: np.ndarray, src: np.ndarray,
                  dst: np.ndarray) -> np.ndarray:
    """Mean of ``values`` by (sector of src, sector of dst); nan where there is none."""
    k = len(SECTORS)
    key = model.sector[src] * k + model.sector[dst]
    s = np.bincount(key, weights=values, minlength=k * k)
    c = np.bincount(key, minlength=k * k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (s / c).reshape(k, k)


def trust_matrix(model: CollabModel) -> np.ndarray:
    rel = model.relations
    return sector_matrix(model, rel.trust, rel.src, rel.dst)


def myth_matrix(model: CollabModel) -> np.ndarray:
    """Mean myth held by organisations of each sector (rows) about each sector (columns)."""
    k = len(SECTORS)
    out = np.full((k, k), np.nan)
    for a in range(k):
        sel = model.sector == a
        if sel.any():
            out[a] = model.myth[sel].mean(axis=0)
    np.fill_diagonal(out, np.nan)
    return out


def cross_myth(model: CollabModel, myth: np.ndarray | None = None) -> float:
    """Mean strength of myths held about other sectors."""
    m = model.myth if myth is None else myth
    other = np.ones_like(m, dtype=bool)
    other[np.arange(model.n), model.sector] = False
    return float(m[other].mean()) if other.any() else float("nan")


def compute(model: CollabModel) -> dict[str, float]:
    t = model.table
    counts = model.counts
    for k in COUNT_KEYS:
        model.totals[k] += counts[k]
    tot = model.totals
    stage = t.p_stage[: t.n_p]
    active = stage != ENDED
    syn = t.p_synergy[: t.n_p][active & (stage != FORMING)]
    syn = syn[np.isfinite(syn)]
    ended = tot["ended"]
    rel = model.relations
    cross = model.sector[rel.src] != model.sector[rel.dst]
    isolated = int((model.n_memberships == 0).sum())
    work = model.last_work
    row: dict[str, Any] = {
        "month": model.month,
        "active": int(active.sum()),
        "forming": int((stage == FORMING).sum()),
        "delivering": int((stage == DELIVERING).sum()),
        "declining": int((stage == DECLINING).sum()),
        **{k: counts[k] for k in COUNT_KEYS},
        **{f"total_{k}": tot[k] for k in COUNT_KEYS},
        "failure_share": 1 - tot["ended_completed"] / ended if ended else float("nan"),
        "early_end_share": sum(tot[f"ended_{c}"] for c in EARLY_CAUSES) / ended
        if ended else float("nan"),
        "mean_synergy": float(syn.mean()) if syn.size else float("nan"),
        "share_advantage": float((syn > 1).mean()) if syn.size else float("nan"),
        "share_inertia": float((syn < 1).mean()) if syn.size else float("nan"),
        "cross_trust": float(rel.trust[cross].mean()) if cross.any() else float("nan"),
        "mean_myth": cross_myth(model),
        "isolated": isolated,
        "isolated_share": isolated / model.n,
        "fairness": float(work.fairness.mean()) if work is not None and work.fairness.size
        else float("nan"),
        "turbulent": int(model.month < model.turbulent_until),
        "mean_capacity": float((model.capacity / model.base_capacity).mean()),
    }
    for name, mat in (("trust", trust_matrix(model)), ("myth", myth_matrix(model))):
        for c, v in zip(MATRIX_COLUMNS, mat.ravel(), strict=True):
            row[f"{name}_{c}"] = float(v)
    for k, v in row.items():
        if isinstance(v, np.generic):
            row[k] = v.item()
    return row


def headline(model: CollabModel) -> dict[str, float]:
    """Scalar outcomes of a run (what `run_model` returns to SALib or EMA Workbench)."""
    t = model.table
    r = model.readout
    tot = model.totals
    n = t.n_p
    age = np.where(t.p_end[:n] >= 0, t.p_end[:n], model.month) - t.p_start[:n]
    seasoned = age >= 3
    with np.errstate(invalid="ignore", divide="ignore"):
        lifetime = t.p_output[:n] / t.p_alone[:n]
    lifetime = lifetime[seasoned & np.isfinite(lifetime)]
    ended = tot["ended"]
    return {
        "partnerships_formed": int(tot["formed"]),
        "partnerships_ended": int(ended),
        "partnerships_active": int(r["active"]),
        "success_share": tot["ended_completed"] / ended if ended else float("nan"),
        "failure_share": r["failure_share"],
        "early_end_share": r["early_end_share"],
        **{f"ended_{c}": int(tot[f"ended_{c}"]) for c in END_CAUSES},
        "went_alone": int(tot["went_alone"]),
        "mean_synergy": float(np.mean(lifetime)) if lifetime.size else float("nan"),
        "share_advantage": float((lifetime > 1).mean()) if lifetime.size else float("nan"),
        "cross_trust": r["cross_trust"],
        "mean_myth": r["mean_myth"],
        "myth_change": r["mean_myth"] - cross_myth(model, model.initial_myth),
        "isolated_share": r["isolated_share"],
        "total_value": float(tot["value"]),
        "mean_fairness": float(np.nanmean(model.datacollector.model_vars["fairness"]))
        if np.isfinite(model.datacollector.model_vars["fairness"]).any() else float("nan"),
    }


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def story(model: CollabModel, kind: str, pid: int, members: list[str], who: list[str],
          cause: str | None, what: str | None) -> str:
    """One event as a sentence, e.g. 'month 14: the partnership of A and B ended: ...'."""
    head = f"month {model.month}: "
    if kind == "formed":
        return head + f"{_join(who)} — {what} (partnership {pid})"
    if kind == "left":
        return head + f"{_join(who)} left the partnership of {_join(members)}, " \
            f"{LEFT_TEXT.get(cause or '', cause)}"
    text = CAUSE_TEXT.get(cause or "", cause or "")
    if cause == "trust_collapsed" and model.table.p_harm[pid] > DISPUTE:
        text += " after a dispute over credit"
    return head + f"the partnership of {_join(members)} ended: {text}"
