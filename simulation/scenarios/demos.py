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
    +1 if the change should raise it and -1 if it should lower it. ``label`` is what the
    app's table calls the outcome (the page shows it for both runs side by side).
    """

    overrides: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""
    direction: int = 1
    claim: str = ""
    label: str = ""


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


# Narratives name only what the page shows: the table's rows (this demo's measure among
# them, marked), the network, the live plots, the heatmaps and the event log. The figures
# they describe are docs/teaching.md's (paired seeds, planned length).
demo(
    "demo_myths_and_dragons",
    "Myths and dragons: strong myths about other sectors, and what contact does to them "
    "(source 000).",
    {
        "myth_initial": 0.8,
        "equal_status": False,
        "alignment_required": False,
        "trust_investment": 0.1,
    },
    watch="The myth heatmap and the 'myths about other sectors' row and line. Every "
    "organisation starts with strong views of the other sectors ('only interested in "
    "profit', 'full of hierarchy and meetings but nothing changes'). The myths hardly "
    "move: they fade where organisations from different sectors work well together, bad "
    "experiences push them back up, and newcomers bring society's stereotypes with them.",
    change="Tick 'equal status' and 'alignment required' and raise 'trust investment' to "
    "0.6, then press Reset; or open this demo beside its suggested change (Compare).",
    happens="Myths end a little lower, not gone: a few hundredths on the 0-1 scale over "
    "ten years, because contact only erodes prejudice well under the right conditions "
    "(partners who meet as equals, share a goal agreed at the start and are supported to "
    "build trust) and even then slowly. More partnerships stay active, fewer organisations "
    "are in no partnership and cross-sector trust ends higher. Without the conditions every "
    "failure confirms what each side already believed, and bad contact counts for more than "
    "good.",
    contrast=Contrast(
        {"equal_status": True, "alignment_required": True, "trust_investment": 0.6},
        "mean_myth",
        -1,
        "contact under equal status, common goals and support lowers myths",
        "myths about other sectors",
    ),
)

demo(
    "demo_forced_marriage",
    "A beneficial alliance or a forced marriage? Partnerships mandated regardless of fit "
    "(source 001).",
    {"governance": "forced_marriage"},
    watch="The 'active partnerships' row and the network: nearly every organisation is in a "
    "partnership, and the 'share of ended that ended early' row stays low. Mandated members "
    "cannot leave while the mandate holds, so a partnership runs on to its deadline whether "
    "or not it works; the event log tells of missed deadlines.",
    change="Set 'formation mode' to voluntary and tick 'red lines' and 'alignment required' "
    "(a beneficial alliance), then press Reset; or open this demo beside its suggested "
    "change (Compare).",
    happens="Fewer partnerships are active, because organisations now choose partners they "
    "trust and share values with, and can decline when going it alone is better; many more "
    "organisations are in no partnership. Chosen partners are also free to go: when a "
    "partnership is not worth it, or trust breaks down, they leave, so the share that ended "
    "early about doubles. The 'share of ended that failed' row hardly moves: choice does "
    "not make partnerships deliver, and a mandate keeps partners together without making them "
    "deliver either.",
    contrast=Contrast(
        {"formation_mode": "voluntary", "red_lines": True, "alignment_required": True},
        "early_end_share",
        +1,
        "chosen partners walk away from partnerships that mandated members must see through "
        "to the deadline",
        "share of ended that ended early",
    ),
)

demo(
    "demo_six_principles",
    "The six principles of partnership working, against no governance at all (source 001, "
    "slide 7).",
    {"governance": "none"},
    watch="With no agreed rules, accountability is vague, nobody reviews progress, there is "
    "no exit plan and credit goes to the most powerful partner. Watch free-riding and credit "
    "disputes end partnerships early in the event log: about three in four ended "
    "partnerships fail ('share of ended that failed').",
    change="Set the governance preset to 'six_principles' and press Reset; or open this demo "
    "beside its suggested change (Compare).",
    happens="Clear purpose and accountabilities, commitment checked at formation, time "
    "invested in trust, robust arrangements with an exit plan, and regular reviews "
    "(monitor, measure and learn) nearly double the share of ended partnerships that met "
    "a goal, twice as many partnerships are active, and cross-sector trust rises while myths "
    "fall (the heatmaps). The gap is larger than studies of real alliances find "
    "(docs/validation.md).",
    contrast=Contrast(
        {"governance": "six_principles"},
        "success_share",
        +1,
        "the six principles raise the share of partnerships that succeed",
        "share of ended that met a goal",
    ),
)

demo(
    "demo_leading_as_peers",
    "Leading as Peers: commissioner-and-supplier contracts against leaders who meet as "
    "equals (sources 002 and 003).",
    {"governance": "contract"},
    watch="Contract-style governance is clear and enforced, but one side commissions the "
    "other, credit follows power and nobody invests in the relationship. Watch the "
    "'cross-sector trust' row and line and the trust heatmap: trust across sectors stays "
    "near the middle of the scale.",
    change="Set the governance preset to 'leading_as_peers' and press Reset; or open this "
    "demo beside its suggested change (Compare).",
    happens="Leaders who meet as peers, learn each other's language, hold each other to "
    "account and share credit fairly build trust across sector lines: cross-sector trust "
    "ends clearly higher, the myth heatmap lighter and more partnerships are active. "
    "Outsourcing is a contract, not a partnership.",
    contrast=Contrast(
        {"governance": "leading_as_peers"},
        "cross_trust",
        +1,
        "peers build more cross-sector trust than contracts do",
        "cross-sector trust",
    ),
)

demo(
    "demo_flat_cash",
    "Flat cash and turbulence: funding cuts pull organisations back to their own "
    "priorities (source 003).",
    {
        "shock_rate": 0.15,
        "shock_size": 0.4,
        "turbulence_rate": 0.1,
        "clarity": 0.3,
        "sanctions": False,
        "review_interval": 12,
    },
    watch="Frequent funding shocks and turbulent periods. Watch the 'partnerships ended by "
    "a funding cut' row and the event log: partnerships end because members were pulled "
    "back to their own priorities after a cut, and the active count stays low.",
    change="Tick 'sanctions', raise 'clarity' to 0.9 and set 'review interval' to 3 months, "
    "then press Reset (partners now hold each other to account); or open this demo beside "
    "its suggested change (Compare).",
    happens="The same shocks arrive (same seed), but no partnership ends because of them "
    "and several times as many are active: when accountabilities are clear, sanctioned and "
    "reviewed often, partners tempted to retreat are called to account and keep their "
    "commitments through the turbulent months. (The three changes together put "
    "accountability at the model's maximum, where nobody retreats; try each alone.)",
    contrast=Contrast(
        {"sanctions": True, "clarity": 0.9, "review_interval": 3},
        "ended_funding_cut",
        -1,
        "accountability cuts the partnerships lost to funding cuts",
        "partnerships ended by a funding cut",
    ),
)

demo(
    "demo_commissioner_as_broker",
    "The commissioner as broker: suggesting that organisations team up instead of "
    "competing (source 003).",
    {"network_cross_sector": 0.05, "formation_mode": "voluntary", "commissioner_value": 0.0},
    watch="Personal networks rarely cross sector lines here, so organisations seldom hear of "
    "good partners in other sectors. Watch the 'challenges tackled alone' and "
    "'organisations in no partnership' rows.",
    change="Set 'formation mode' to brokered and press Reset; or open this demo beside its "
    "suggested change (Compare). A commissioner who sees the whole system then proposes, "
    "for each challenge, the most complementary team it can find ('commissioner value' is 0 "
    "here, so it attends to every challenge; raise it and it attends only to the more "
    "valuable ones).",
    happens="About a quarter fewer challenges are tackled alone, more partnerships are active, "
    "fewer organisations are in no partnership and more value is delivered, because the "
    "commissioner connects organisations that their own networks would never have "
    "introduced. But the commissioner cannot see trust: the organisations still decide, and "
    "the event log tells of proposals refused by members who did not trust the partners "
    "proposed. Brokered teams start as strangers, and the share of ended partnerships that "
    "failed stays about where it was, so trust-building still matters (try raising 'trust "
    "investment' too).",
    contrast=Contrast(
        {"formation_mode": "brokered"},
        "went_alone",
        -1,
        "a broker means fewer challenges are tackled alone",
        "challenges tackled alone",
    ),
)

demo(
    "demo_jargon_and_shared_language",
    "Jargon and shared language: words that keep power, and workshops that share it "
    "(sources 000 and 003).",
    {"jargon_scale": 1.8, "trust_investment": 0.0},
    watch="Every sector uses much more jargon than usual and nobody invests time in shared "
    "language. Watch the 'share of challenges met' row (the challenges partnerships took up "
    "that met their goal) and cross-sector trust: misunderstanding wastes effort and "
    "duplicates work, and partners who cannot follow each other blame each other.",
    change="Raise 'trust investment' to 0.8 (time spent on trust and a shared language, like "
    "the Leading as Peers workshop on language) and press Reset; or open this demo beside "
    "its suggested change (Compare).",
    happens="Partners learn each other's words faster, understand each other better and "
    "waste less effort: more of the challenges they take up meet their goal (from a little "
    "over half to nearly two thirds), more partnerships stay active and cross-sector trust "
    "ends higher. The synergy ratio "
    "itself hardly moves: the time spent on language is time not spent on the work, and "
    "the two nearly cancel.",
    contrast=Contrast(
        {"trust_investment": 0.8},
        "challenge_success_share",
        +1,
        "investing in shared language means more challenges meet their goal",
        "share of challenges met",
    ),
)
