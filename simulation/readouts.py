"""What researchers read out: per-month reporters, run headlines and event stories."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from .codes import Behaviour
from .mechanisms.networks import live_links
from .partnerships import DECLINING, DELIVERING, EARLY_CAUSES, END_CAUSES, ENDED, FORMING
from .sectors import SECTORS
from .state import AMOUNT_KEYS, COUNT_KEYS, State

if TYPE_CHECKING:
    from .model import CollabModel

#: Months after which a partnership's lifetime synergy counts in the run's headline.
SEASONED_AGE = 3
#: Months without any partnership after which an organisation counts as isolated for long
#: (source 001 slide 3, "isolation"; two years is an assumption). Read it against the supply of
#: challenges (``challenges_per_org_year``): with few challenges, isolation is no failure.
ISOLATION_MONTHS = 24
#: Months in a year, to read the supply of challenges per organisation a year.
MONTHS_PER_YEAR = 12

BEHAVIOURS = Behaviour.labels()

MATRIX_COLUMNS = [f"{a}_{b}" for a in SECTORS for b in SECTORS]


def columns() -> list[str]:
    """Every per-month column, in order."""
    base = [
        "month",
        "active",
        "forming",
        "delivering",
        "declining",
        *COUNT_KEYS,
        *(f"total_{k}" for k in COUNT_KEYS),
        "failure_share",
        "early_end_share",
        "mean_synergy",
        "share_advantage",
        "share_inertia",
        "cross_trust",
        "mean_myth",
        "isolated",
        "isolated_share",
        "isolated_long_share",
        "fairness",
        "mean_net_return",
        "share_loss",
        "turbulent",
        "mean_capacity",
        "mean_skill",
        *(f"mean_{b}" for b in BEHAVIOURS),
        "ties_per_org",
        "stakeholder_links_live",
        *(f"stakeholder_links_{s}" for s in SECTORS),
    ]
    return base + [f"trust_{c}" for c in MATRIX_COLUMNS] + [f"myth_{c}" for c in MATRIX_COLUMNS]


#: Per-month columns that count things: integers. Every other column is a float.
COUNT_COLUMNS = frozenset(
    [
        "month",
        "active",
        "forming",
        "delivering",
        "declining",
        "isolated",
        "turbulent",
        "stakeholder_links_live",
        *(k for k in COUNT_KEYS if k not in AMOUNT_KEYS),
        *(f"total_{k}" for k in COUNT_KEYS if k not in AMOUNT_KEYS),
    ]
)


def column_dtypes() -> dict[str, str]:
    """Every per-month column with its dtype, in order; fixed, whatever a run's values are."""
    return {c: "int64" if c in COUNT_COLUMNS else "float64" for c in columns()}


def _read(key: str, model: CollabModel) -> float:  # a Mesa reporter takes the model
    return model.readout[key]


def reporters() -> dict[str, partial]:
    """Mesa model reporters, one per column, each reading the month's computed read-out."""
    return {c: partial(_read, c) for c in columns()}


def sector_matrix(s: State, values: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Mean of ``values`` by (sector of src, sector of dst); nan where there is none."""
    k = len(SECTORS)
    key = s.orgs.sector[src] * k + s.orgs.sector[dst]
    s = np.bincount(key, weights=values, minlength=k * k)
    c = np.bincount(key, minlength=k * k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (s / c).reshape(k, k)


def trust_matrix(s: State) -> np.ndarray:
    rel = s.relations
    return sector_matrix(s, rel.trust, rel.src, rel.dst)


def myth_matrix(s: State) -> np.ndarray:
    """Mean myth held by organisations of each sector (rows) about each sector (columns)."""
    k = len(SECTORS)
    out = np.full((k, k), np.nan)
    for a in range(k):
        sel = s.orgs.sector == a
        if sel.any():
            out[a] = s.orgs.myth[sel].mean(axis=0)
    np.fill_diagonal(out, np.nan)
    return out


def cross_myth(s: State, myth: np.ndarray | None = None) -> float:
    """Mean strength of myths held about other sectors."""
    m = s.orgs.myth if myth is None else myth
    other = np.ones_like(m, dtype=bool)
    other[np.arange(s.orgs.n), s.orgs.sector] = False
    return float(m[other].mean()) if other.any() else float("nan")


def stakeholder_readouts(s: State) -> dict[str, float]:
    """Live stakeholder links, and the mean number held (as stakeholder) by an organisation
    of each sector."""
    links = s.stakeholders
    org = links.org[live_links(s)]
    k = len(SECTORS)
    held = np.bincount(s.orgs.sector[org], minlength=k)
    per_sector = np.bincount(s.orgs.sector, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = held / per_sector
    return {
        "stakeholder_links_live": int(org.size),
        **{f"stakeholder_links_{sec}": float(v) for sec, v in zip(SECTORS, mean, strict=True)},
    }


def compute(s: State) -> dict[str, float]:
    """The month's read-out row (adds the month's counters to the run's totals first)."""
    t = s.table
    s.totals.add(s.counts)
    counts, tot = s.counts.as_dict(), s.totals.as_dict()
    stage = t.p_stage[: t.n_p]
    active = stage != ENDED
    syn = t.p_synergy[: t.n_p][active & (stage != FORMING)]
    syn = syn[np.isfinite(syn)]
    ended = tot["ended"]
    rel, orgs = s.relations, s.orgs
    cross = orgs.sector[rel.src] != orgs.sector[rel.dst]
    isolated = int((orgs.n_memberships == 0).sum())
    work = s.work
    row: dict[str, Any] = {
        "month": s.month,
        "active": int(active.sum()),
        "forming": int((stage == FORMING).sum()),
        "delivering": int((stage == DELIVERING).sum()),
        "declining": int((stage == DECLINING).sum()),
        **{k: counts[k] for k in COUNT_KEYS},
        **{f"total_{k}": tot[k] for k in COUNT_KEYS},
        # A partnership succeeds if it met the goal of at least one challenge it took up.
        "failure_share": 1 - tot["ended_successful"] / ended if ended else float("nan"),
        "early_end_share": sum(tot[f"ended_{c}"] for c in EARLY_CAUSES) / ended
        if ended
        else float("nan"),
        "mean_synergy": float(syn.mean()) if syn.size else float("nan"),
        "share_advantage": float((syn > 1).mean()) if syn.size else float("nan"),
        "share_inertia": float((syn < 1).mean()) if syn.size else float("nan"),
        "cross_trust": float(rel.trust[cross].mean()) if cross.any() else float("nan"),
        "mean_myth": cross_myth(s),
        "isolated": isolated,
        "isolated_share": isolated / orgs.n,
        "isolated_long_share": float((s.month - orgs.last_partnered >= ISOLATION_MONTHS).mean()),
        "fairness": float(work.fairness.mean())
        if work is not None and work.fairness.size
        else float("nan"),
        # Net returns of the members at work this month: their mean, and the share at a loss.
        "mean_net_return": float(work.ret.mean())
        if work is not None and work.ret.size
        else float("nan"),
        "share_loss": float((work.ret < 0).mean())
        if work is not None and work.ret.size
        else float("nan"),
        "turbulent": int(s.month < s.turbulent_until),
        "mean_capacity": float((orgs.capacity / orgs.base_capacity).mean()),
        "mean_skill": float(orgs.skill.mean()),
        **{
            f"mean_{b}": float(v)
            for b, v in zip(BEHAVIOURS, orgs.behaviour.mean(axis=0), strict=True)
        },
        "ties_per_org": float((s.ties.table >= 0).sum() / orgs.n),
        **stakeholder_readouts(s),
    }
    for name, mat in (("trust", trust_matrix(s)), ("myth", myth_matrix(s))):
        for c, v in zip(MATRIX_COLUMNS, mat.ravel(), strict=True):
            row[f"{name}_{c}"] = float(v)
    for k, v in row.items():
        if isinstance(v, np.generic):
            row[k] = v.item()
    return row


def headline(model: CollabModel) -> dict[str, float]:
    """Scalar outcomes of a run (what `run_model` returns to SALib or EMA Workbench)."""
    s = model.state
    t = s.table
    r = model.readout
    tot = s.totals
    n = t.n_p
    age = np.where(t.p_stage[:n] == ENDED, t.p_end[:n], s.month) - t.p_start[:n]
    seasoned = age >= SEASONED_AGE
    with np.errstate(invalid="ignore", divide="ignore"):
        lifetime = t.p_output[:n] / t.p_alone[:n]
    lifetime = lifetime[seasoned & np.isfinite(lifetime)]
    ended = tot["ended"]
    orgs = s.orgs
    long = s.month - orgs.last_partnered >= ISOLATION_MONTHS
    by_sector = {
        f"isolated_long_{sec}": float(long[orgs.sector == k].mean())
        if (orgs.sector == k).any()
        else float("nan")
        for k, sec in enumerate(SECTORS)
    }
    loss = model.datacollector.model_vars["share_loss"]
    return {
        "partnerships_formed": int(tot["formed"]),
        "partnerships_ended": int(ended),
        "partnerships_active": int(r["active"]),
        "success_share": tot["ended_successful"] / ended if ended else float("nan"),
        "failure_share": r["failure_share"],
        "challenge_success_share": tot["completed"]
        / (tot["completed"] + ended - tot["ended_completed"])
        if tot["completed"] + ended - tot["ended_completed"]
        else float("nan"),
        "partnerships_renewed": int(tot["renewed"]),
        "organisations_closed": int(tot["closed"]),
        "early_end_share": r["early_end_share"],
        **{f"ended_{c}": int(tot[f"ended_{c}"]) for c in END_CAUSES},
        "went_alone": int(tot["went_alone"]),
        "formed_brokered": int(tot["formed_brokered"]),
        "proposals_refused": int(tot["refused"]),
        "ties_introduced": int(tot["ties_introduced"]),
        "ties_decayed": int(tot["ties_decayed"]),
        "stakeholder_links": int(tot["stakeholder_links"]),
        "ties_per_org": r["ties_per_org"],
        "relationships_per_org": s.relations.size / s.orgs.n,
        "mean_synergy": float(np.mean(lifetime)) if lifetime.size else float("nan"),
        "share_advantage": float((lifetime > 1).mean()) if lifetime.size else float("nan"),
        "cross_trust": r["cross_trust"],
        "mean_myth": r["mean_myth"],
        "myth_change": r["mean_myth"] - cross_myth(s, s.orgs.initial_myth),
        "isolated_share": r["isolated_share"],
        "isolated_long_share": r["isolated_long_share"],
        **by_sector,
        "challenges_per_org_year": tot["challenges"] / orgs.n / (s.month / MONTHS_PER_YEAR)
        if s.month > 0
        else float("nan"),
        "total_value": float(tot["value"]),
        "value_alone": float(tot["value_alone"]),
        "mean_fairness": float(np.nanmean(model.datacollector.model_vars["fairness"]))
        if np.isfinite(model.datacollector.model_vars["fairness"]).any()
        else float("nan"),
        "mean_share_loss": float(np.nanmean(loss)) if np.isfinite(loss).any() else float("nan"),
        "exit_costs_paid": float(tot["exit_paid"]),
        "exit_costs_stranded": float(tot["exit_stranded"]),
    }
