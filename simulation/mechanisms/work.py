"""A month of joint work: contribution, communication, synergy and sharing, in that order."""

from __future__ import annotations

import numpy as np

from ..param_types import Params
from ..partnerships import Roster
from ..state import State, Streams, WorkRecord
from .communication import Communication
from .contribution import Contribution
from .sharing import BenefitSharing
from .synergy import Synergy
from .trust import TrustDynamics

contribution = Contribution()
communication = Communication()
synergy = Synergy()
sharing = BenefitSharing()
trust = TrustDynamics()


def work_together(
    s: State, p: Params, rng: Streams, roster: Roster, edges: np.ndarray
) -> tuple[WorkRecord, np.ndarray, np.ndarray]:
    """Every active partnership works for a month; returns the record, the trust signals
    and the commitment each pair's holder saw of the other (both per pair).

    Members commit effort (mechanism 2) given their trust in each other; they understand
    each other as well as their communication and jargon allow (3); the team produces joint
    output (4), shared, with its costs, by the sharing rule (5); each member reads each
    partner (6). The partnerships' running totals (output, alone, synergy, harm) and the
    members' latest commitment, effort and benefit are written to the table.
    """
    t = s.table
    trust_pair = s.relations.trust[edges]
    trust_entry = roster.per_entry_mean_over_pairs(trust_pair)
    commitment = contribution.commitment(s, p, roster, trust_entry)
    effort = contribution.effort(s, p, roster, commitment)
    u_pair = communication.understanding(s, p, roster, edges)
    u_entry = roster.per_entry_mean_over_pairs(u_pair)
    joint, alone, alone_entry, ratio = synergy(s, p, roster, effort, u_entry, trust_pair, u_pair)
    shares = sharing(s, p, roster, effort, joint, alone_entry)
    delta = trust.signal(s, p, rng, roster, commitment, shares.equity, shares.harm, ratio, edges)
    pids = roster.active_pid
    t.p_output[pids] += joint
    t.p_progress[pids] += joint
    t.p_alone[pids] += alone
    t.p_synergy[pids] = ratio
    t.p_harm[pids] = np.bincount(roster.part, weights=shares.harm, minlength=pids.size)
    t.m_commitment[roster.row] = commitment
    t.m_effort[roster.row] = effort
    t.m_benefit[roster.row] = shares.benefit
    pair_part = roster.pair_part
    npair = np.maximum(np.bincount(pair_part, minlength=pids.size), 1)
    work = WorkRecord(
        commitment=commitment,
        effort=effort,
        ret=shares.net,
        equity=shares.equity,
        cost=shares.cost,
        alone_entry=alone_entry,
        trust_entry=trust_entry,
        trust_part=np.bincount(pair_part, weights=trust_pair, minlength=pids.size) / npair,
        understanding_part=np.bincount(pair_part, weights=u_pair, minlength=pids.size) / npair,
        joint=joint,
        alone=alone,
        synergy=ratio,
        fairness=shares.fairness,
    )
    s.counts.value += float((joint * t.p_value[pids]).sum())
    return work, delta, commitment.take(roster.pair_entry_b)
