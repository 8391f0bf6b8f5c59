"""Mechanism 6: trust dynamics, first impressions and reputation."""

from __future__ import annotations

import numpy as np

from ..arrays import clip, fill_nan, group_by_last

#: Commitment a partner is expected to show; more reads as good faith, less as bad.
EXPECTED_COMMITMENT = 0.4
#: Weight of each kind of evidence in the monthly trust signal.
W_CONTRIBUTION, W_FAIRNESS, W_HARM, W_OUTCOME, W_INVESTMENT = 1.0, 0.5, 2.0, 0.3, 0.08
#: How far a full-strength myth (at myth_bias 1) lowers the reading of a partner's commitment.
MYTH_COLOUR = 0.3
#: Noise in reading a partner's behaviour.
SIGNAL_NOISE = 0.08


def asymmetric_update(trust: np.ndarray, delta: np.ndarray, gain: float, loss: float) -> np.ndarray:
    """Move trust by ``delta``: up at rate ``gain`` towards 1, down at rate ``loss`` towards 0."""
    up = np.maximum(delta, 0.0)
    up *= gain
    up *= 1.0 - trust
    down = np.minimum(delta, 0.0)
    down *= loss
    down *= trust
    up += trust
    up += down
    return clip(up, 0.0, 1.0)


class TrustDynamics:
    """Trust follows observed contribution, fairness and harm, and is lost faster than built.

    Names: trust asymmetry; myth-coloured perception.

    Rule. Each month every member reads each partner: the partner's commitment against
    what is expected (read through the myths held about the partner's sector, so myths
    make the same behaviour look worse), the fairness of its own return relative to the
    partnership's, any credit taken from it (harm), the partnership's results, and the
    time invested in building trust. The sum is the trust signal. Two organisations that
    work together in several partnerships at once read each other in every one of them,
    and the month's signals add up. A positive total raises trust at rate ``trust_gain``
    towards 1; a negative one lowers it at the larger rate ``trust_loss`` towards 0.

    Sources: brief mechanism 6; seed 002 (investment of time to build trust); seed 003
    ("at least do no harm"); Slovic (1993), trust is easier to destroy than to build.
    """

    def signal(self, model, roster, commitment, ret, harm, synergy) -> np.ndarray:
        a, b = roster.pair_a, roster.pair_b
        oa, ob = roster.org_a, roster.org_b
        p = model.p
        # Per pair, in place; per-member and per-partnership terms are weighted before they
        # are spread to pairs (fewer values to multiply, the same products).
        myth = model.myth.take(oa * model.myth.shape[1] + model.sector.take(ob))
        myth *= p["myth_bias"]
        myth *= MYTH_COLOUR
        signal = commitment.take(b)
        signal -= EXPECTED_COMMITMENT
        signal -= myth
        signal += model.rng_noise.normal(0.0, SIGNAL_NOISE, size=a.size)
        signal *= W_CONTRIBUTION
        mean_ret = (roster.per_partnership(ret) / roster.size).take(roster.local)
        with np.errstate(invalid="ignore", divide="ignore"):
            fair = np.where(mean_ret > 0, ret / mean_ret, 1.0)
        fair -= 1.0
        fair = clip(fair, -0.5, 0.5)
        fair *= W_FAIRNESS
        signal += fair.take(a)
        signal -= (W_HARM * harm).take(b)
        outcome = clip(fill_nan(synergy, 1.0) - 1.0, -0.5, 0.5)
        outcome *= W_OUTCOME
        signal += outcome.take(roster.pair_local)
        signal += W_INVESTMENT * p["trust_investment"]
        return signal

    def __call__(self, model, edges: np.ndarray, delta: np.ndarray) -> None:
        rel = model.relations
        # One total per relationship: a pair listed under two partnerships gets both signals.
        group, keep = group_by_last(edges, rel.size)
        total = np.bincount(group, weights=delta, minlength=edges.size)
        e = edges[keep]
        rel.trust[e] = asymmetric_update(rel.trust.take(e), total[keep], model.p["trust_gain"],
                                         model.p["trust_loss"])
        rel.familiarity[e] += 1.0  # months of joint work, however many partnerships


class Reputation:
    """What an organisation believes about another before working with it.

    Names: first impressions; reputation through networks.

    Rule. With a partner it knows, an organisation uses its own trust. With a stranger,
    its first impression is set by the myths it holds about the stranger's sector
    (0.2 + 0.6 x (1 - myth)); if any of its networking ties know the stranger, that
    impression is pulled towards what they think of it, with weight
    ``reputation_weight``.

    Sources: brief mechanisms 1 and 6; seed 000 ("People check out other people and
    organisations through their networks, so if your network tells someone that you
    ... are not to be trusted, it is unlikely to happen"; myths about each sector).
    """

    def perceived(self, model, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        rel = model.relations
        edges = rel.lookup(a, b)
        out = 0.2 + 0.6 * (1.0 - model.myth.take(a * model.myth.shape[1] + model.sector[b]))
        known = edges >= 0
        if rel.size:
            # ``take`` at -1 reads a real edge; ``where`` discards it (one pass, no masks).
            out = np.where(known, rel.trust.take(edges), out)
        w = model.p["reputation_weight"]
        unknown = np.flatnonzero(~known)
        if w > 0 and unknown.size:
            # Ask every networking tie of the holder what it thinks of the stranger: the
            # holders' rows of the padded tie table, read row by row (as the ties are listed).
            rows = model.tie_table[a[unknown]]
            has_tie = rows >= 0
            which = has_tie.nonzero()[0]
            e = rel.lookup(rows[has_tie], b[unknown].take(which))
            heard = e >= 0
            which = which[heard]
            total = np.bincount(which, weights=rel.trust.take(e[heard]), minlength=unknown.size)
            count = np.bincount(which, minlength=unknown.size)
            has = count > 0
            sel = unknown[has]
            out[sel] = (1 - w) * out[sel] + w * total[has] / count[has]
        return out
