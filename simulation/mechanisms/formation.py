"""Mechanism 1: how partnerships form (voluntary search, brokerage, mandate)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Lowest perceived trust at which an organisation will accept a partner.
ACCEPT_TRUST = 0.35
#: A commissioner's backing ("I would support you", seed 003) lowers that bar.
ACCEPT_TRUST_BROKERED = 0.2
#: Smallest gain in capability coverage worth an extra partner.
MIN_GAIN = 0.03
#: How much better than going alone a partnership must look ("not the only game in town").
DECISION_MARGIN = 0.05
#: Effort expected of members when the goal is set (share of capacity committed).
NOMINAL_COMMITMENT = 0.6
#: Under aligned objectives, the largest values distance partners can agree across.
ALIGNABLE_DISTANCE = 0.4
#: Strangers sampled at random when searching beyond one's network.
STRANGERS = 5
#: Understanding a would-be member expects when judging a team.
EXPECTED_UNDERSTANDING = 0.6
#: Candidates a broker considers for each challenge.
BROKER_POOL = 40


@dataclass
class Challenge:
    """A problem that needs several capabilities, with value to the community."""

    req: np.ndarray  # weights over capability domains, summing to 1
    value: float
    duration: int


def new_challenge(model) -> Challenge:
    """Draw a challenge: most need two or three domains (Dirichlet weights below 1)."""
    rng = model.rng_env
    req = rng.dirichlet(np.full(model.capability.shape[1], 0.7))
    duration = int(round(model.p["challenge_duration"] * rng.uniform(0.67, 1.33)))
    return Challenge(req=req, value=float(rng.lognormal(0.0, 0.3)), duration=max(duration, 2))


def expected_synergy(model, n: int, cover_ratio: float, trust: float) -> float:
    """A would-be member's estimate of the synergy ratio, mirroring :class:`~.synergy.Synergy`.

    It assumes typical understanding and leadership and the trust it expects.
    """
    from .synergy import MISUNDERSTANDING_WASTE

    p = model.p
    u, lead = EXPECTED_UNDERSTANDING, 0.5
    multiplier = 1.0 + p["synergy_gain"] * trust * u * lead
    coordination = 1.0 + p["coordination_cost"] * (n - 1)
    return cover_ratio * (1.0 - MISUNDERSTANDING_WASTE * (1 - u)) * multiplier / coordination


def coverage(model, members: np.ndarray, req: np.ndarray) -> float:
    """Capability coverage of a team: each domain is covered by its best member."""
    return float(model.capability[members].max(axis=0) @ req)


class Formation:
    """Organisations look for partners for arriving challenges, or are told to partner.

    Names: partner search; brokerage; forced marriage.

    Rule. For each arriving challenge a lead organisation (one with free capacity,
    likelier where the challenge fits its capabilities) looks for partners:

    * ``voluntary``: among its networking ties, their ties, past partners and a few
      strangers, it adds, one at a time, the candidate who most raises the team's
      capability coverage, weighted by perceived trust. Perceived trust in a stranger is
      a first impression coloured by the myths held about the stranger's sector, mixed
      with what the lead's network says (reputation). Every current member must find
      the candidate acceptable, so larger teams mean more myths to double-check, and the
      candidate must accept the lead. Red lines exclude partners whose values are too
      far away; required alignment of objectives excludes those who cannot align.
      The lead then compares the expected team output with going alone and forms the
      partnership only if joining is clearly better.
    * ``brokered``: a commissioner proposes the most complementary team it can see,
      judging real capabilities rather than myths; its backing lowers the trust bar.
    * ``mandated``: members are assigned at random, regardless of fit, trust or values,
      and cannot refuse.

    Sources: brief mechanism 1; seed 000 (reputation through networks; "double check the
    myths and dragons"); seed 001 ("not the only game in town"; "forced marriage");
    seed 002 (red lines; alignment of objectives); seed 003 (the commissioner who
    suggested the trusts team up); seed 004 (partnership = goals hard to reach alone).
    """

    def __init__(self):
        self.is_free: np.ndarray | None = None
        #: Perceived trust between the ordered pairs of a team judged this month, keyed by the
        #: team: the first impressions its relationships start from if it forms.
        self.team_trust: dict[bytes, np.ndarray] = {}

    def __call__(self, model) -> None:
        p = model.p
        n_new = model.rng_env.poisson(p["challenge_rate"] * model.n / 100.0)
        mode = p["formation_mode"]
        search = {"voluntary": self.voluntary, "brokered": self.brokered,
                  "mandated": self.mandated}[mode]
        # Who is free changes only when a new partnership fills someone's last slot, so the
        # list is kept up to date here rather than recomputed for every challenge.
        self.is_free = model.free_mask()
        free = np.flatnonzero(self.is_free)
        for _ in range(n_new):
            challenge = new_challenge(model)
            if free.size < 2:
                break
            team = search(model, challenge, free)
            if team is None:
                model.counts["went_alone"] += 1
                continue
            model.start_partnership(team, challenge, brokered=mode == "brokered",
                                    mandated=mode == "mandated",
                                    first_trust=self.team_trust.pop(team.tobytes(), None))
            full = team[model.n_memberships[team] >= p["max_memberships"]]
            if full.size:
                self.is_free[full] = False
                free = free[self.is_free[free]]
        self.team_trust.clear()

    # --- the three ways of forming ---------------------------------------------------------
    def pick_lead(self, model, challenge: Challenge, free: np.ndarray) -> int:
        # Fit of everyone, then the free ones: the same numbers as gathering the free rows
        # first (checked bit for bit), at a tenth of the cost for large populations.
        fit = (model.capability @ challenge.req)[free] ** 2
        # Generator.choice(free, p=...) spelled out (same draw, same numbers): its checks on
        # ``p`` cost more than the draw when thousands of organisations are free.
        cdf = (fit / fit.sum()).cumsum()
        cdf /= cdf[-1]
        return int(free[cdf.searchsorted(model.rng_form.random(), side="right")])

    def voluntary(self, model, challenge: Challenge, free: np.ndarray) -> np.ndarray | None:
        lead = self.pick_lead(model, challenge, free)
        cands = self.search_pool(model, lead, free)
        return self.assemble(model, lead, cands, challenge, ACCEPT_TRUST, use_trust=True)

    def brokered(self, model, challenge: Challenge, free: np.ndarray) -> np.ndarray | None:
        lead = self.pick_lead(model, challenge, free)
        pool = free[free != lead]
        if pool.size > BROKER_POOL:
            pool = model.rng_form.choice(pool, size=BROKER_POOL, replace=False)
        return self.assemble(model, lead, pool, challenge, ACCEPT_TRUST_BROKERED,
                             use_trust=False)

    def mandated(self, model, challenge: Challenge, free: np.ndarray) -> np.ndarray | None:
        k = int(model.rng_form.integers(2, model.p["max_partners"] + 1))
        k = min(k, free.size)
        return np.sort(model.rng_form.choice(free, size=k, replace=False))

    # --- helpers ---------------------------------------------------------------------------
    def search_pool(self, model, lead: int, free: np.ndarray) -> np.ndarray:
        """Whom the lead hears of: its ties, their ties, past partners and a few strangers."""
        ties = model.ties_of(lead)
        second = model.tie_table[ties].ravel()  # padded with -1, dropped below
        past = model.relations.dst[model.relations.out_of(lead)]
        strangers = model.rng_form.choice(free, size=min(STRANGERS, free.size), replace=False)
        pool = np.unique(np.concatenate([ties, second, past, strangers]))
        if pool.size and pool[0] < 0:
            pool = pool[1:]
        pool = pool[self.is_free[pool] & (pool != lead)]
        return pool

    def assemble(self, model, lead: int, cands: np.ndarray, challenge: Challenge,
                 accept: float, use_trust: bool) -> np.ndarray | None:
        p = model.p
        req = challenge.req
        cands = cands[model.acceptable_values(lead, cands)]
        if cands.size == 0:
            return None
        # The candidate must accept the lead as well. (Both directions in one look-up.)
        k = cands.size
        leads = np.full(k, lead)
        both = model.perceived_trust(np.concatenate([cands, leads]),
                                     np.concatenate([leads, cands]))
        keep = both[:k] >= accept
        cands = cands[keep]
        team = [lead]
        best = model.capability[lead].copy()
        # Each member's view of each candidate; a new member's row is added as it joins.
        views = both[k:][keep][None, :]
        capability = model.capability
        while len(team) < p["max_partners"] and cands.size:
            # Every current member double-checks its view of each candidate.
            ok = views.min(axis=0) >= accept
            now = best @ req
            gain = np.maximum(best, capability.take(cands, axis=0)) @ req - now
            # Worth adding only if the coverage gained beats the extra coordination cost.
            n = len(team)
            extra_cost = (1 + p["coordination_cost"] * n) / (1 + p["coordination_cost"] * (n - 1))
            worth = (now + gain) / now > extra_cost
            # (mean over members, spelled as sum / count)
            score = gain * ((0.5 + views.sum(axis=0) / views.shape[0]) if use_trust else 1.0)
            # A candidate someone rejects, or who adds too little, stays so as the team
            # grows (views only gain rows, coverage only rises), so it leaves the pool.
            alive = ok & (gain > MIN_GAIN)
            score = np.where(alive & worth, score, -np.inf)
            k = int(score.argmax())
            if score[k] == -np.inf:
                break
            j = int(cands[k])
            team.append(j)
            best = np.maximum(best, capability[j])
            alive[k] = False
            alive &= model.acceptable_values(j, cands)
            cands, views = cands[alive], views[:, alive]
            if cands.size:
                new_row = model.perceived_trust(np.full(cands.size, j), cands)
                views = np.vstack([views, new_row])
        if len(team) < 2:
            return None
        members = np.array(team, dtype=np.int64)
        if not self.worth_joining(model, members, req, use_trust):
            return None
        return np.sort(members)

    def worth_joining(self, model, members: np.ndarray, req: np.ndarray, use_trust: bool) -> bool:
        """Does the expected team output clearly beat what the members would do alone?"""
        alone = float((model.capability[members] @ req).mean())
        if use_trust:
            from ..model import ordered_pairs

            # Listed for the sorted team, as the partnership will list them if it forms;
            # kept as the first impressions its relationships start from.
            team = np.sort(members)
            pairs_trust = model.perceived_trust(*ordered_pairs(team))
            self.remember_first_impressions(team, pairs_trust)
            expected_trust = float(pairs_trust.sum() / pairs_trust.size)  # the mean
        else:
            expected_trust = 0.6  # the broker vouches for the team
        est = expected_synergy(model, members.size, coverage(model, members, req) / alone,
                               expected_trust)
        return est >= 1.0 + DECISION_MARGIN

    def remember_first_impressions(self, team: np.ndarray, pairs_trust: np.ndarray) -> None:
        """Keep the sorted team's view of itself for the partnership, if it forms."""
        self.team_trust[team.tobytes()] = pairs_trust

    @staticmethod
    def nominal_target(model, members: np.ndarray, challenge: Challenge) -> float:
        """The goal: what the members would produce alone over the planned life.

        Meeting it needs collaborative advantage on average (synergy ratio >= 1).
        """
        from .contribution import INVOLVEMENT

        share = model.capacity[members] * INVOLVEMENT / (model.n_memberships[members] + 1)
        alone = (NOMINAL_COMMITMENT * share * (model.capability[members] @ challenge.req)).sum()
        return float(alone * challenge.duration)
