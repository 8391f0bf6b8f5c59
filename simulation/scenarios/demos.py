"""Teaching demos: scenarios that each show one idea from the source documents.

Every demo is an ordinary scenario (``kind="teaching"``) with a short narrative: what to
watch, what to change and what happens, and why. Each also has a :class:`Contrast`: the
change its narrative suggests, the outcome that should move and in which direction.
The tests run every demo against its contrast on the same seeds, with replicates, and
check that the outcome moves the way the narrative says; the teaching guide
(docs/teaching.md) reports the measured figures.

This module only defines the demos (``DEMOS``, in order) and their contrasts;
:mod:`simulation.scenarios` registers them after the research scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .registry import Scenario


@dataclass(frozen=True)
class Contrast:
    """The change a demo asks for and what it should do to one run outcome.

    ``overrides`` are applied on top of the demo's parameters (as `--set` would);
    ``outcome`` is a key of :func:`simulation.run.run_model`'s result; ``direction`` is
    +1 if the change should raise it and -1 if it should lower it.
    """

    overrides: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""
    direction: int = 1
    claim: str = ""


DEMOS: list[Scenario] = []
CONTRASTS: dict[str, Contrast] = {}


def demo(
    name: str,
    description: str,
    params: dict[str, Any],
    *,
    watch: str,
    change: str,
    happens: str,
    contrast: Contrast,
    steps: int = 120,
) -> Scenario:
    sc = Scenario(
        name=name,
        description=description,
        params=params,
        steps=steps,
        kind="teaching",
        watch=watch,
        change=change,
        happens=happens,
    )
    DEMOS.append(sc)
    CONTRASTS[name] = contrast
    return sc


demo(
    "demo_myths_and_dragons",
    "Myths and dragons: strong myths about other sectors, and what contact does to them "
    "(seed 000).",
    {
        "myth_initial": 0.8,
        "equal_status": False,
        "alignment_required": False,
        "trust_investment": 0.1,
    },
    watch="The myth heatmap and the 'myths about other sectors' line. Every organisation "
    "starts with strong views of the other sectors ('only interested in profit', "
    "'full of hierarchy and meetings but nothing changes'). Myths hold steady: they fade "
    "where organisations from different sectors work well together, bad experiences "
    "push them back up, and newcomers bring society's stereotypes with them.",
    change="Tick 'equal status' and 'alignment required', raise 'trust investment' to 0.6, "
    "then press Reset (or open Compare with the preset 'leading_as_peers').",
    happens="Myths now fall. Contact only erodes prejudice well under the right "
    "conditions: partners who meet as equals, share a goal that was agreed at the "
    "start and are supported to build trust. Without them contact still helps, but "
    "every failure confirms what each side already believed, and bad contact counts "
    "for more than good.",
    contrast=Contrast(
        {"equal_status": True, "alignment_required": True, "trust_investment": 0.6},
        "mean_myth",
        -1,
        "contact under equal status, common goals and support lowers myths",
    ),
)

demo(
    "demo_forced_marriage",
    "A beneficial alliance or a forced marriage? Partnerships mandated regardless of fit "
    "(seed 001).",
    {"governance": "forced_marriage"},
    watch="The network fills with partnerships quickly, and the event log fills with missed "
    "deadlines: mandated members cannot leave while the mandate holds, so a partnership runs "
    "on to its deadline whether or not it works.",
    change="Set 'formation mode' to voluntary and tick 'red lines' and 'alignment required' "
    "(a beneficial alliance), then press Reset.",
    happens="Fewer partnerships form, because organisations now choose partners they "
    "trust and share values with, and can decline when going it alone is better. Chosen "
    "partners are also free to go: when a partnership is not worth it, or trust breaks "
    "down, they leave, so many more partnerships end early instead of running on to a "
    "missed deadline. Watch the success and synergy figures too: choice does not raise "
    "them, because partners close in values bring less that the others lack, and more "
    "organisations go a long time without any partnership. A mandate keeps partners "
    "together; it does not make them deliver.",
    contrast=Contrast(
        {"formation_mode": "voluntary", "red_lines": True, "alignment_required": True},
        "early_end_share",
        +1,
        "chosen partners walk away from partnerships that mandated members must see through "
        "to the deadline",
    ),
)

demo(
    "demo_six_principles",
    "The six principles of partnership working, against no governance at all (seed 001, slide 7).",
    {"governance": "none"},
    watch="With no agreed rules, accountability is vague, nobody reviews progress, there is "
    "no exit plan and credit goes to the most powerful partner. Watch free-riding and "
    "credit disputes end partnerships early in the event log, and the success figures "
    "stay low.",
    change="Set the governance preset to 'six_principles' and press Reset (or compare "
    "'none' with 'six_principles' on the Compare page).",
    happens="Clear purpose and accountabilities, commitment checked at formation, time "
    "invested in trust, robust arrangements with an exit plan, and regular reviews "
    "(monitor, measure and learn) roughly multiply the share of partnerships that "
    "complete their goals, and trust across sectors rises instead of falling.",
    contrast=Contrast(
        {"governance": "six_principles"},
        "success_share",
        +1,
        "the six principles raise the share of partnerships that succeed",
    ),
)

demo(
    "demo_leading_as_peers",
    "Leading as Peers: commissioner-and-supplier contracts against leaders who meet as "
    "equals (seeds 002 and 003).",
    {"governance": "contract"},
    watch="Contract-style governance is clear and enforced, but one side commissions the "
    "other, credit follows power and nobody invests in the relationship. Watch "
    "cross-sector trust and the trust heatmap: trust across sectors grows only slowly.",
    change="Set the governance preset to 'leading_as_peers' and press Reset.",
    happens="Leaders who meet as peers, learn each other's language, hold each other to "
    "account and share credit fairly build trust across sector lines, so "
    "cross-sector trust ends clearly higher and myths lower. Outsourcing is a "
    "contract, not a partnership.",
    contrast=Contrast(
        {"governance": "leading_as_peers"},
        "cross_trust",
        +1,
        "peers build more cross-sector trust than contracts do",
    ),
)

demo(
    "demo_flat_cash",
    "Flat cash and turbulence: funding cuts pull organisations back to their own "
    "priorities (seed 003).",
    {
        "shock_rate": 0.15,
        "shock_size": 0.4,
        "turbulence_rate": 0.1,
        "clarity": 0.3,
        "sanctions": False,
        "review_interval": 12,
    },
    watch="Frequent funding shocks and turbulent periods. Watch the event log: partnerships "
    "end because members were pulled back to their own priorities after a funding cut, "
    "and the active count stays low.",
    change="Tick 'sanctions', raise 'clarity' to 0.9 and set 'review interval' to 3 months, "
    "then press Reset: partners now hold each other to account.",
    happens="The same shocks arrive (same seed), but far fewer partnerships end because of "
    "them: when accountabilities are clear and reviewed often, partners who are "
    "tempted to retreat are called to account and keep their commitments through "
    "the turbulent months.",
    contrast=Contrast(
        {"sanctions": True, "clarity": 0.9, "review_interval": 3},
        "ended_funding_cut",
        -1,
        "accountability cuts the partnerships lost to funding cuts",
    ),
)

demo(
    "demo_commissioner_as_broker",
    "The commissioner as broker: suggesting that organisations team up instead of "
    "competing (seed 003).",
    {"network_cross_sector": 0.05, "formation_mode": "voluntary", "commissioner_value": 0.0},
    watch="Personal networks rarely cross sector lines here, so organisations seldom hear of "
    "good partners in other sectors. Watch how many organisations are in no "
    "partnership, and how often a challenge is tackled alone (the run summary's "
    "'went alone').",
    change="Set 'formation mode' to brokered and press Reset: a commissioner who sees the "
    "whole system proposes, for each challenge, the most complementary team it can find "
    "('commissioner value' is 0 here, so it attends to every challenge; raise it and it "
    "attends only to the more valuable ones).",
    happens="More partnerships form, fewer organisations sit outside any partnership and "
    "fewer challenges are tackled alone, because the commissioner connects organisations "
    "that their own networks would never have introduced; more value reaches the "
    "community. But the commissioner cannot see trust: the organisations still decide, "
    "and the event log tells of proposals refused by members who did not trust the "
    "partners proposed or did not think the team worth joining. Brokered teams are "
    "strangers at first, and a smaller share of them meets its goal, so trust-building "
    "still matters (try raising 'trust investment' too).",
    contrast=Contrast(
        {"formation_mode": "brokered"},
        "went_alone",
        -1,
        "a broker means fewer challenges are tackled alone",
    ),
)

demo(
    "demo_jargon_and_shared_language",
    "Jargon and shared language: words that keep power, and workshops that share it "
    "(seeds 000 and 003).",
    {"jargon_scale": 1.8, "trust_investment": 0.0},
    watch="Every sector uses much more jargon than usual and nobody invests time in shared "
    "language. Watch the share of partnerships with synergy and the orange "
    "(collaborative inertia) partnerships in the network: misunderstanding wastes "
    "effort and duplicates work.",
    change="Raise 'trust investment' to 0.8 (time spent on trust and a shared language, "
    "like the Leading as Peers workshop on language) and press Reset.",
    happens="Partners learn each other's words faster, understand each other better and "
    "waste less effort, so more partnerships reach collaborative advantage and the "
    "mean synergy ratio rises.",
    contrast=Contrast(
        {"trust_investment": 0.8}, "mean_synergy", +1, "investing in shared language raises synergy"
    ),
)
