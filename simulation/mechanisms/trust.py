"""Mechanism 6: trust dynamics, first impressions and reputation."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..arrays import clip, fill_nan, group_by_last
from ..param_types import Params
from ..partnerships import Roster
from ..state import State, Streams
from .base import Mechanism


def asymmetric_update(trust: np.ndarray, delta: np.ndarray, gain: float, loss: float) -> np.ndarray:
    """τ' = clip(τ + gain · max(δ, 0)(1 − τ) + loss · min(δ, 0) τ, 0, 1).

    Trust moves up at rate ``gain`` towards 1 and down at rate ``loss`` towards 0.
    """
    up = np.maximum(delta, 0.0)
    up *= gain
    up *= 1.0 - trust
    down = np.minimum(delta, 0.0)
    down *= loss
    down *= trust
    up += trust
    up += down
    return clip(up, 0.0, 1.0)


class TrustDynamics(Mechanism):
    """Trust follows observed contribution, fairness and harm, and is lost faster than built.

    Rule. Each month every member reads each partner: the partner's commitment against what
    it expects of that partner (first what the partner agreed at formation, then, month by
    month, what it has seen of it), read through the myths held about the partner's sector,
    so myths make the same behaviour look worse; the fairness of its own equity (what it gets
    back per unit of all it put in, :class:`~.sharing.BenefitSharing`) relative to the
    partnership's, any credit taken from it (harm), the partnership's results, and the
    time invested in building trust. The sum is the trust signal. Two organisations that
    work together in several partnerships at once read each other in every one of them, and
    the month's signals add up. A positive total raises trust at rate ``trust_gain`` towards
    1; a negative one lowers it at the larger rate ``trust_loss`` towards 0. What the member
    expects then moves towards what it saw, at rate ``expectation_learning``.

    Equations, for holder a reading partner b in partnership P (commitment c, equity g,
    harm h, myth m_a(sector b), expectation e_ab, noise ε ~ N(0, signal_noise)):

        δ_ab = w_contribution (c_b − e_ab − myth_colour · myth_bias · m_a + ε)
               + w_fairness · clip(g_a / mean_P g − 1, ±fairness_cap)
               − w_harm · h_b
               + w_outcome · clip(synergy_P − 1, ±outcome_cap)
               + w_investment · trust_investment
        Δ_ab = Σ over the partnerships a and b share of δ_ab
        τ_ab ← asymmetric_update(τ_ab, Δ_ab, trust_gain, trust_loss);  familiarity_ab += 1
        e_ab ← e_ab + expectation_learning (c̄_b − e_ab)   (c̄_b: b's mean commitment over
                                                           the partnerships they share)
    """

    number = "6"
    title = "Trust dynamics"
    sources = (
        "brief mechanism 6",
        "source 002 (investment of time to build trust)",
        'source 003 ("at least do no harm")',
        "Slovic 1993 (trust is easier to destroy than to build)",
    )
    constants = (
        "w_contribution",
        "w_fairness",
        "w_harm",
        "w_outcome",
        "w_investment",
        "myth_colour",
        "signal_noise",
        "fairness_cap",
        "outcome_cap",
    )
    tests = (
        "test_mechanisms.py::test_trust_lost_faster_than_built",
        "test_mechanisms.py::test_trust_harm_and_myths_lower_the_signal",
        "test_mechanisms.py::test_trust_reads_every_partnership_a_pair_shares",
        "test_validation.py::test_asymmetry_measures_follow_the_rates",
        "test_mechanisms.py::test_trust_faster_loss_lowers_cross_sector_trust",
        "test_reference_oracle.py",
    )

    def signal(
        self,
        s: State,
        p: Params,
        rng: Streams,
        roster: Roster,
        commitment: np.ndarray,
        equity: np.ndarray,
        harm: np.ndarray,
        synergy: np.ndarray,
        edges: np.ndarray,
    ) -> np.ndarray:
        """δ_ab for every pair of the roster (``edges``: each pair's relationship)."""
        a, b = roster.pair_entry_a, roster.pair_entry_b
        oa, ob = roster.pair_org_a, roster.pair_org_b
        orgs = s.orgs
        # Per pair, in place; per-entry and per-part terms are weighted before they are
        # spread to pairs (fewer values to multiply, the same products).
        myth = orgs.myth.take(oa * orgs.myth.shape[1] + orgs.sector.take(ob))
        myth *= p.myth_bias
        myth *= p.myth_colour
        signal = commitment.take(b)
        signal -= s.relations.expect.take(edges)
        signal -= myth
        signal += rng.noise.normal(0.0, p.signal_noise, size=a.size)
        signal *= p.w_contribution
        mean_eq = (roster.per_part(equity) / roster.size).take(roster.part)
        with np.errstate(invalid="ignore", divide="ignore"):
            fair = np.where(mean_eq > 0, equity / mean_eq, 1.0)
        fair -= 1.0
        fair = clip(fair, -p.fairness_cap, p.fairness_cap)
        fair *= p.w_fairness
        signal += fair.take(a)
        signal -= (p.w_harm * harm).take(b)
        outcome = clip(fill_nan(synergy, 1.0) - 1.0, -p.outcome_cap, p.outcome_cap)
        outcome *= p.w_outcome
        signal += outcome.take(roster.pair_part)
        signal += p.w_investment * p.trust_investment
        return signal

    def __call__(
        self, s: State, p: Params, edges: np.ndarray, delta: np.ndarray, seen: np.ndarray
    ) -> None:
        """Apply the month's signals ``delta`` (per pair) to the pairs' relationships, and
        move expectations towards the commitment ``seen`` (per pair)."""
        rel = s.relations
        # One total per relationship: a pair listed under two partnerships gets both signals.
        group, keep = group_by_last(edges, rel.size)
        total = np.bincount(group, weights=delta, minlength=edges.size)
        e = edges[keep]
        before = rel.trust.take(e)
        rel.trust[e] = asymmetric_update(before, total[keep], p.trust_gain, p.trust_loss)
        moved, signal = rel.trust.take(e) - before, total[keep]
        up = signal > 0
        c = s.counts
        c.trust_gained += float(moved[up].sum())
        c.gain_signal += float(signal[up].sum())
        c.trust_lost -= float(moved[~up].sum())
        c.loss_signal -= float(signal[~up].sum())
        rel.familiarity[e] += 1.0  # months of joint work, however many partnerships
        times = np.bincount(group, minlength=edges.size)[keep]
        mean_seen = np.bincount(group, weights=seen, minlength=edges.size)[keep] / times
        rel.expect[e] += p.expectation_learning * (mean_seen - rel.expect.take(e))


class Reputation(Mechanism):
    """What an organisation believes about another before working with it.

    Rule. With a partner it knows, an organisation uses its own trust. With a stranger,
    its first impression is set by the myths it holds about the stranger's sector; if any
    of its networking ties know the stranger, that impression is pulled towards what they
    think of it, with weight ``reputation_weight``.

    Equations, for holder a and other b:

        known:    τ̂_ab = τ_ab
        stranger: τ̂_ab = first_low + first_range (1 − m_a(sector b)), then, if ties T of a
                  know b, τ̂_ab ← (1 − w) τ̂_ab + w · mean_{t∈T} τ_tb with w = reputation_weight
    """

    number = "1, 6"
    title = "Reputation and first impressions"
    sources = (
        "brief mechanisms 1 and 6",
        'source 000 ("People check out other people and '
        'organisations through their networks"; myths about each sector)',
    )
    constants = ("first_low", "first_range")
    tests = (
        "test_mechanisms.py::test_formation_reputation_through_network",
        "test_mechanisms.py::test_formation_stronger_myths_fewer_partnerships",
    )

    def __call__(self, s: State, p: Params, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """τ̂_ab for the ordered pairs (a[k], b[k])."""
        a = np.ascontiguousarray(a, dtype=np.int64)
        b = np.ascontiguousarray(b, dtype=np.int64)
        return kernels.perceived_trust(*s.relations.index(), *reputation_inputs(s, p), a, b)


def reputation_inputs(s: State, p: Params) -> tuple:
    """What the reputation kernel reads besides the relationship index, in its order."""
    orgs = s.orgs
    return (
        s.relations.trust,
        orgs.myth,
        orgs.sector,
        s.ties.table,
        float(p.reputation_weight),
        float(p.first_low),
        float(p.first_range),
    )


#: The one instance the model and its readers use (the mechanism holds no state).
perceived_trust = Reputation()
