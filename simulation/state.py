"""The model's state, declared in one place.

Everything a month changes lives here, as typed containers of plain numpy arrays and
scalars (so that a compiled kernel can later take them as they are). Mechanisms read and
write these containers; the Mesa model builds them and runs the schedule over them.

Index spaces, and the names that say which one an array lives in:

* **organisation** (``org``, 0..n-1): rows of :class:`Organisations`; ``Ties`` rows.
* **edge** (``edge``): one directed relationship in :class:`~simulation.relations.Relations`.
* **link** (``link``): one stakeholder link of :class:`StakeholderLinks`.
* **partnership id** (``pid``) and **membership row** (``row``): rows of
  :class:`~simulation.partnerships.PartnershipTable` (``p_*`` and ``m_*`` fields).
* within a month's :class:`~simulation.partnerships.Roster`: **entry** (an active
  membership), **part** (an active partnership) and **pair** (an ordered pair of fellow
  members). Per-entry arrays are named ``*_entry``, per-part ``*_part``, per-pair ``*_pair``.

Units: resources (``capacity``) are arbitrary units of work per month; everything else is a
share or strength on 0..1 unless its comment says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from . import kernels
from .arrays import grown
from .codes import Behaviour, EndCause, Sector
from .partnerships import PartnershipTable
from .relations import Relations

#: Columns added to the tie table when an organisation's row is full (storage only).
TIE_WIDEN = 4


@dataclass
class Organisations:
    """One row per organisation (index space: organisation)."""

    sector: np.ndarray  # (n,) int64, Sector code
    name: list[str]  # (n,) display name, e.g. "Public 3"
    base_capacity: np.ndarray  # (n,) float64, normal resources per month (arbitrary units)
    capacity: np.ndarray  # (n,) float64, resources this month (same units)
    capability: np.ndarray  # (n, D) float64, 0..1 per capability domain (sectors.DOMAINS)
    values: np.ndarray  # (n,) float64, 0 commercial .. 1 social mission
    red_line: np.ndarray  # (n,) float64, largest values distance it accepts in a partner
    behaviour: np.ndarray  # (n, 5) float64, 0..1 per Behaviour
    jargon: np.ndarray  # (n,) float64, 0..1 jargon use
    myth: np.ndarray  # (n, S) float64, 0..1 myth held about each sector (own sector 0)
    initial_myth: np.ndarray  # (n, S) float64, myths at month 0 (for read-outs)
    skill: np.ndarray  # (n,) float64, 0..1 partnering skill
    stress: np.ndarray  # (n,) float64, >= 0 pull back to own priorities
    n_memberships: np.ndarray  # (n,) int64, partnerships it is a member of now
    aspiration: np.ndarray  # (n, 5) float64, what it hopes for on each behaviour's evidence
    founded: np.ndarray  # (n,) int64, month founded (0 for the first population)
    last_partnered: np.ndarray  # (n,) int64, last month it was in a partnership (or founded)
    contact_good: np.ndarray  # (n,) float64, months of good experience with other sectors
    contact_bad: np.ndarray  # (n,) float64, months of bad experience with other sectors

    @property
    def n(self) -> int:
        return self.sector.size


@dataclass
class Ties:
    """Networking ties (source 000), undirected, listed both ways (index space: organisation).

    ``table[i]`` holds the ties of organisation ``i``, padded with -1 (so the ties of many
    organisations can be gathered at once). Ties are lost when staff leave and made when
    people work well together, so rows change; their order carries no meaning.
    """

    table: np.ndarray  # (n, width) int64, organisation or -1

    def of(self, org: int) -> np.ndarray:
        row = self.table[org]
        return row[row >= 0]

    @property
    def degree(self) -> np.ndarray:
        """(n,) int64, number of ties of each organisation."""
        return (self.table >= 0).sum(axis=1)

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        """Tie each a[k] to b[k] both ways (pairs already tied are left as they are).

        Each tie takes the first free slot of its rows; a full row widens the table.
        """
        a = np.ascontiguousarray(a, dtype=np.int64).ravel()
        b = np.ascontiguousarray(b, dtype=np.int64).ravel()
        done = 0
        while done < a.size:
            done += kernels.ties_add(self.table, a[done:], b[done:])
            if done < a.size:
                self.table = np.hstack(
                    [self.table, np.full((self.table.shape[0], TIE_WIDEN), -1, np.int64)]
                )

    def remove(self, a: np.ndarray, b: np.ndarray) -> None:
        """Cut the ties between a[k] and b[k], both ways."""
        kernels.ties_remove(
            self.table,
            np.ascontiguousarray(a, dtype=np.int64).ravel(),
            np.ascontiguousarray(b, dtype=np.int64).ravel(),
        )

    def remove_orgs(self, orgs: np.ndarray) -> None:
        """Cut every tie of ``orgs`` (organisations that closed)."""
        gone = np.zeros(self.table.shape[0], dtype=bool)
        gone[orgs] = True
        self.table[orgs] = -1
        self.table[(self.table >= 0) & gone[np.maximum(self.table, 0)]] = -1


@dataclass
class StakeholderLinks:
    """Stakeholder management (source 000): task-bound links between a partnership and
    organisations outside it that its challenge touches (index space: link).

    Link ``k`` joins partnership ``pid[k]``, for the challenge it took up ``challenge[k]``-th,
    to ``org[k]``, which is not a member. A link ends with its task: when the partnership ends
    or takes up another challenge, or when the organisation closes. Links are neither
    networking ties (:class:`Ties`) nor membership; only live links are kept.
    """

    pid: np.ndarray  # (links,) int64, partnership id
    org: np.ndarray  # (links,) int64, the stakeholder organisation
    challenge: np.ndarray  # (links,) int64, the partnership's challenge count when it was made
    founded: np.ndarray  # (links,) int64, the organisation's founding month then (closed if not)

    @classmethod
    def empty(cls) -> StakeholderLinks:
        return cls(*(np.zeros(0, np.int64) for _ in fields(cls)))

    @property
    def size(self) -> int:
        return self.pid.size

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the links where ``mask`` is set."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name)[mask])

    def extend(self, *columns: np.ndarray) -> None:
        """Add links: one array per field, in field order, one entry per new link."""
        for f, new in zip(fields(self), columns, strict=True):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), new.astype(np.int64)]))


@dataclass
class Counters:
    """Things counted over a month (or, summed, over a run)."""

    formed: float = 0
    ended: float = 0
    left: float = 0
    went_alone: float = 0
    shocks: float = 0
    value: float = 0  # value to the community delivered (joint output x challenge value)
    ended_completed: float = 0
    ended_deadline_missed: float = 0
    ended_not_worth_it: float = 0
    ended_trust_collapsed: float = 0
    ended_funding_cut: float = 0
    ended_member_closed: float = 0
    ended_successful: float = 0  # partnerships that ended having met at least one goal
    completed: float = 0  # challenges completed (goal met), whether or not the partnership went on
    renewed: float = 0  # partnerships that took up a new challenge after completing one
    renegotiated: float = 0  # deadlines extended at a review
    closed: float = 0  # organisations that closed (each replaced by a new one)
    value_alone: float = 0  # value delivered by leads who went alone
    challenges: float = 0  # challenges that arrived (the supply isolation is read against)
    # Costs stranded by members who left early (units of work): paid by the leavers under
    # exit arrangements, and carried by the partners they left.
    exit_paid: float = 0
    exit_stranded: float = 0
    formed_brokered: float = 0  # partnerships formed on a commissioner's proposal
    refused: float = 0  # commissioner's proposals the organisations refused
    ties_introduced: float = 0  # networking ties made by a trusted partner's introduction
    stakeholder_links: float = 0  # stakeholder links made (for partnerships' challenges)
    ties_decayed: float = 0  # networking ties made by collaboration lost for want of joint work
    # Trust moved by good and by bad readings (sum of |Δτ|) and the signals that moved it
    # (sum of |Δ|): what a run says about trust's asymmetry (Slovic 1993).
    trust_gained: float = 0
    gain_signal: float = 0
    trust_lost: float = 0
    loss_signal: float = 0

    def ended_by(self, cause: EndCause) -> None:
        vars(self)["ended_" + cause.label] += 1

    def add(self, other: Counters) -> None:
        mine = vars(self)
        for k, v in vars(other).items():
            mine[k] += v

    def as_dict(self) -> dict[str, float]:
        return dict(vars(self))

    def __getitem__(self, key: str) -> float:
        return vars(self)[key]


COUNT_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Counters))
#: Counters that are amounts rather than counts of things.
AMOUNT_KEYS = frozenset(
    [
        "value",
        "value_alone",
        "exit_paid",
        "exit_stranded",
        "trust_gained",
        "gain_signal",
        "trust_lost",
        "loss_signal",
    ]
)


@dataclass
class WorkRecord:
    """What happened in partnerships this month, per entry or per part of the roster."""

    commitment: np.ndarray  # per entry, 0..1 share of capacity committed
    effort: np.ndarray  # per entry, resources given
    ret: np.ndarray  # per entry, net return: (benefit − alone − cost) / alone; < 0 a loss
    equity: np.ndarray  # per entry, benefit / (alone + cost): return on all it put in, >= 0
    cost: np.ndarray  # per entry, its share of the running and stranded costs (units of work)
    alone_entry: np.ndarray  # per entry, what its effort would give alone (units of work)
    trust_entry: np.ndarray  # per entry, mean trust in its fellow members (nan if none)
    trust_part: np.ndarray  # per part, mean trust over its pairs
    understanding_part: np.ndarray  # per part, mean understanding over its pairs
    joint: np.ndarray  # per part, joint output
    alone: np.ndarray  # per part, what the members' effort would give alone
    synergy: np.ndarray  # per part, joint / alone (nan where alone is 0)
    fairness: np.ndarray  # per part, Jain's index of members' equity (return on all put in)


@dataclass
class PartnershipHistory:
    """Running sums over the months each partnership worked (index space: partnership id).

    Rows grow as the partnership table's do (:meth:`fit`, with
    :func:`~simulation.arrays.grown`). Once a month, right after the joint work, every
    partnership that worked adds that month's values (``record_month`` in
    :mod:`simulation.partnership_records`), so a lifetime mean is a sum over ``months``.
    Means "of its members" are over the members active that month. Nothing in a month reads
    these sums: they are records for read-outs, not model state.
    """

    months: np.ndarray  # (pids,) int64, months it worked (joint work done)
    behaviour: np.ndarray  # (pids, 5) float64, sum over months of members' mean, per Behaviour
    skill: np.ndarray  # (pids,) float64, sum over months of members' mean skill
    trust: np.ndarray  # (pids,) float64, sum over months of mean trust over member pairs
    understanding: np.ndarray  # (pids,) float64, sum over months of mean understanding
    complementarity: np.ndarray  # (pids,) float64, sum over months of cover / mean own fit
    synergy: np.ndarray  # (pids,) float64, sum of the synergy ratio over months it is defined
    synergy_months: np.ndarray  # (pids,) int64, months with a defined synergy ratio
    value: np.ndarray  # (pids,) float64, value delivered (joint output x challenge value)
    left: np.ndarray  # (pids,) int64, members who left (one per "left" event)

    @classmethod
    def empty(cls) -> PartnershipHistory:
        kw = {f.name: np.zeros(0) for f in fields(cls)}
        kw.update(
            months=np.zeros(0, np.int64),
            synergy_months=np.zeros(0, np.int64),
            left=np.zeros(0, np.int64),
            behaviour=np.zeros((0, len(Behaviour))),
        )
        return cls(**kw)

    def fit(self, need: int) -> None:
        """Room for at least ``need`` partnerships (new rows are zero)."""
        if need <= self.months.shape[0]:  # every field has as many rows
            return
        for f in fields(self):
            setattr(self, f.name, grown(getattr(self, f.name), need))


@dataclass
class Streams:
    """Independent random streams, so that changing a rule does not shift when challenges
    and shocks arrive: conditions compared on one seed meet the same environment."""

    env: np.random.Generator  # challenges, shocks, turbulence
    form: np.random.Generator  # formation choices
    noise: np.random.Generator  # misreadings and chance exits
    demog: np.random.Generator  # closures, foundings and staff turnover
    net: np.random.Generator  # introductions, tie decay and the choice of stakeholders


@dataclass
class State:
    """The whole model state."""

    orgs: Organisations
    ties: Ties
    relations: Relations
    table: PartnershipTable
    month: int = 0
    turbulent_until: int = 0  # first month after the current turbulent period
    counts: Counters = field(default_factory=Counters)  # this month
    totals: Counters = field(default_factory=Counters)  # since month 0
    events: list[dict[str, Any]] = field(default_factory=list)  # the event log
    work: WorkRecord | None = None  # this month's joint work (None when nobody worked)
    #: Organisations founded so far in each sector (for their names).
    n_founded: np.ndarray = field(default_factory=lambda: np.zeros(len(Sector), np.int64))
    history: PartnershipHistory = field(  # per-partnership sums over the months worked
        default_factory=PartnershipHistory.empty
    )
    stakeholders: StakeholderLinks = field(  # live stakeholder links
        default_factory=StakeholderLinks.empty
    )
