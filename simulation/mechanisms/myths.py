"""Mechanism 7: myths about other sectors change through contact."""

from __future__ import annotations

import numpy as np

from ..arrays import clip, group_by_last

#: How much the full set of contact conditions amplifies myth erosion.
CONTACT_BOOST = 1.0
#: Signal size at which an experience has its full effect on myths.
FULL_EFFECT = 0.25
#: Common goals count as met when the partnership's alignment reaches this.
ALIGNED = 0.7


def contact_conditions(model, pids: np.ndarray) -> np.ndarray:
    """Number (0..4) of Allport's optimal contact conditions each partnership meets.

    Equal status (peers), common goals (aligned objectives), cooperation (members depend
    on each other's capabilities, always true in a partnership that is working) and
    support of authorities (a broker, or governance with clear rules and reviews).
    """
    p = model.p
    t = model.table
    equal = float(p["equal_status"])
    goals = (t.p_alignment[pids] >= ALIGNED).astype(float)
    cooperation = 1.0
    if p["clarity"] >= 0.5 and p["review_interval"] > 0:
        support = 1.0  # clear rules with reviews back every partnership
    else:
        support = t.p_brokered[pids].astype(float)
    return equal + goals + cooperation + support


class MythDynamics:
    """Cross-sector work erodes myths, more under the contact conditions; bad contact confirms them.

    Names: intergroup contact; negative-contact asymmetry.

    Rule. For each organisation and each other sector it works with this month, take the
    mean trust signal of its experiences with members of that sector. A good experience
    erodes the myth at rate ``myth_erosion``, multiplied by 1 + CONTACT_BOOST x (share
    of the four contact conditions met); a bad experience confirms it at rate
    ``myth_confirmation`` (larger by default), towards 1. Effects scale with the size of
    the experience up to FULL_EFFECT. Own-sector experiences do not touch myths.

    Sources: brief mechanism 7; seed 000 (the myths about each sector); seed 003 (peers;
    common ground); Allport (1954); Pettigrew & Tropp (2006), contact reduces prejudice,
    more under the optimal conditions (r about -0.21 overall, -0.29 with them);
    Barlow et al. (2012), negative contact weighs more than positive.
    """

    def __call__(self, model, roster, delta: np.ndarray) -> None:
        oa, ob = roster.org_a, roster.org_b
        sb = model.sector.take(ob)
        cross = np.flatnonzero(model.sector.take(oa) != sb)
        if not cross.size:
            return
        met = contact_conditions(model, roster.pids)
        quality = 1.0 + CONTACT_BOOST * met / 4          # per partnership
        n_sec = model.myth.shape[1]
        key = oa.take(cross)
        key *= n_sec
        key += sb.take(cross)  # flat index into the (organisation, sector) matrix
        group, last = group_by_last(key, model.myth.size)
        keys = key[last]
        n = key.size
        cnt = np.bincount(group, minlength=n)[last]
        mean_delta = np.bincount(group, weights=delta.take(cross), minlength=n)[last]
        mean_delta /= cnt
        mean_quality = np.bincount(group, weights=quality.take(roster.pair_local.take(cross)),
                                   minlength=n)[last]
        mean_quality /= cnt
        m = model.myth.take(keys)
        size = np.abs(mean_delta)
        size /= FULL_EFFECT
        np.minimum(size, 1.0, out=size)
        p = model.p
        # Both outcomes in place, then each entry keeps the one its experience calls for.
        erode = p["myth_erosion"] * mean_quality
        erode *= size
        erode *= m
        confirm = p["myth_confirmation"] * size
        confirm *= 1.0 - m
        m = np.where(mean_delta > 0, m - erode, m + confirm)
        model.myth.reshape(-1)[keys] = clip(m, 0.0, 1.0)  # a view: the matrix is contiguous
