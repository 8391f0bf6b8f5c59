"""Mechanism 7: myths about other sectors change through contact."""

from __future__ import annotations

import numpy as np

from ..arrays import clip, group_by_last
from ..param_types import Params
from ..partnerships import Roster
from ..state import State
from .base import Mechanism

#: Allport's optimal contact conditions: equal status, common goals, cooperation, support
#: (their number, by which the conditions met are normalised).
N_CONDITIONS = 4


def contact_conditions(s: State, p: Params, pids: np.ndarray) -> np.ndarray:
    """Number (0..4) of Allport's optimal contact conditions each partnership meets.

    Equal status (peers), common goals (alignment at least ``aligned``), cooperation
    (members depend on each other's capabilities, always true in a partnership that is
    working) and support of authorities (a broker, or governance with clarity at least
    ``supportive_clarity`` and reviews).
    """
    t = s.table
    equal = float(p.equal_status)
    goals = (t.p_alignment[pids] >= p.aligned).astype(float)
    cooperation = 1.0
    if p.clarity >= p.supportive_clarity and p.review_interval > 0:
        support = 1.0  # clear rules with reviews back every partnership
    else:
        support = t.p_brokered[pids].astype(float)
    return equal + goals + cooperation + support


class MythDynamics(Mechanism):
    """Cross-sector work erodes myths, more under the contact conditions; bad contact confirms them.

    Rule. For each organisation and each other sector it works with this month, take the
    mean trust signal of its experiences with members of that sector. A good experience
    erodes the myth at rate ``myth_erosion``, amplified by the share of the four contact
    conditions met; a bad experience confirms it at rate ``myth_confirmation`` (larger by
    default), towards 1. Effects scale with the size of the experience up to ``full_effect``.
    Own-sector experiences do not touch myths.

    Equations, for organisation a and another sector S it met this month (δ̄ the mean
    signal of a's pairs with members of S, q̄ the mean of 1 + contact_boost · met_P / 4 over
    those pairs' partnerships):

        size = min(|δ̄| / full_effect, 1)
        m_aS ← m_aS − myth_erosion · q̄ · size · m_aS          if δ̄ > 0
        m_aS ← m_aS + myth_confirmation · size · (1 − m_aS)    otherwise
    """

    number = "7"
    title = "Myth dynamics (intergroup contact)"
    sources = (
        "brief mechanism 7",
        "source 000 (the myths about each sector)",
        "source 003 (peers; common ground)",
        "Allport 1954",
        "Pettigrew & Tropp 2006 (r about −0.21, −0.29 under the optimal conditions)",
        "Barlow et al. 2012 (negative contact weighs more)",
    )
    constants = ("contact_boost", "full_effect", "aligned", "supportive_clarity")
    tests = (
        "test_mechanisms.py::test_myths_fall_with_good_contact_and_more_under_contact_conditions",
        "test_mechanisms.py::test_myths_bad_contact_raises_them_more_than_good_contact_lowers_them",
        "test_mechanisms.py::test_myths_fall_over_a_run_with_cross_sector_work",
        "test_reference_oracle.py",
    )

    def __call__(self, s: State, p: Params, roster: Roster, delta: np.ndarray) -> None:
        orgs = s.orgs
        oa, ob = roster.pair_org_a, roster.pair_org_b
        sb = orgs.sector.take(ob)
        cross = np.flatnonzero(orgs.sector.take(oa) != sb)
        if not cross.size:
            return
        met = contact_conditions(s, p, roster.active_pid)
        quality = 1.0 + p.contact_boost * met / N_CONDITIONS  # per part
        n_sec = orgs.myth.shape[1]
        key = oa.take(cross)
        key *= n_sec
        key += sb.take(cross)  # flat index into the (organisation, sector) matrix
        group, last = group_by_last(key, orgs.myth.size)
        keys = key[last]
        n = key.size
        cnt = np.bincount(group, minlength=n)[last]
        mean_delta = np.bincount(group, weights=delta.take(cross), minlength=n)[last]
        mean_delta /= cnt
        mean_quality = np.bincount(
            group, weights=quality.take(roster.pair_part.take(cross)), minlength=n
        )[last]
        mean_quality /= cnt
        m = orgs.myth.take(keys)
        size = np.abs(mean_delta)
        size /= p.full_effect
        np.minimum(size, 1.0, out=size)
        # Both outcomes in place, then each entry keeps the one its experience calls for.
        erode = p.myth_erosion * mean_quality
        erode *= size
        erode *= m
        confirm = p.myth_confirmation * size
        confirm *= 1.0 - m
        m = np.where(mean_delta > 0, m - erode, m + confirm)
        orgs.myth.reshape(-1)[keys] = clip(m, 0.0, 1.0)  # a view: the matrix is contiguous
        # Contact counted per organisation and sector met: good and bad experiences.
        who = keys // n_sec
        np.add.at(orgs.contact_good, who[mean_delta > 0], 1.0)
        np.add.at(orgs.contact_bad, who[mean_delta <= 0], 1.0)
