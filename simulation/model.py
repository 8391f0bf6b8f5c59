"""CollabModel: organisations from four sectors forming, working in and leaving partnerships."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from . import readouts
from .agents import Organisation, Partnership
from .collector import ReadoutCollector
from .mechanisms import (
    Demography,
    Formation,
    Learning,
    MythDynamics,
    NetworkSharing,
    ReviewAndExit,
    ShocksAndTurbulence,
    StaffTurnover,
    StakeholderManagement,
    TieDecay,
)
from .mechanisms.trust import perceived_trust
from .mechanisms.work import trust, work_together
from .params import typed
from .partnership_records import record_month
from .population import initial_state
from .sectors import SECTOR_TITLES, SECTORS
from .state import Counters, Streams

#: Spawn key of the network stream (any number: it only tells that stream from the others).
NET_STREAM = 5


class CollabModel(mesa.Model):
    """Agent-based model of multi-sector collaboration.

    Build with keyword parameters (see ``simulation.params``) and a ``seed``; every
    parameter is validated before anything is built. ``step()`` advances one month.
    Without a seed a fresh one is drawn (as Mesa users expect, so that replicates differ) and
    kept in ``model.seed`` so the run can be repeated.

    The state is ``model.state`` (:class:`simulation.state.State`); ``model.p`` holds the
    parameters (typed: ``model.p.clarity``); ``model.streams`` the five random streams.

    Building the model runs its burn-in (``burn_in`` months, from a stylised month-0
    population to the model's steady state) and then discards what it recorded: the model a
    caller gets is at month 0 of the record, with the totals, event log and data collector
    empty but for month 0. ``burn_in=0`` starts the record at the stylised population.
    """

    def __init__(self, seed: int | None = None, **params: Any):
        self.p = typed(params)
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**63)
        seed = int(seed)  # numpy integers break Mesa's Model.__init__
        super().__init__(rng=seed)
        self.seed = seed
        self.streams = Streams(
            *(np.random.default_rng(int(s)) for s in self.rng.integers(0, 2**62, size=4)),
            # The network stream is spawned from the seed itself, so that the model's own
            # generator, and the four streams drawn from it, are as they were without it.
            net=np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(NET_STREAM,))),
        )
        self.running = True

        self.shocks = ShocksAndTurbulence()
        self.demography = Demography()
        self.turnover = StaffTurnover()
        self.formation = Formation()
        self.trust = trust
        self.myths = MythDynamics()
        self.learning = Learning()
        self.networks = NetworkSharing()
        self.stakeholders = StakeholderManagement()
        self.tie_decay = TieDecay()
        self.review = ReviewAndExit()

        self.state = initial_state(self.p, self.rng)
        self.orgs = [Organisation(self, i, name) for i, name in enumerate(self.state.orgs.name)]
        self.burn_in()
        self.readout: dict[str, float] = {}
        self.datacollector = ReadoutCollector(model_reporters=readouts.reporters())
        self.collect()

    def burn_in(self) -> None:
        """Months −burn_in + 1 .. 0, run and then forgotten by the read-outs."""
        s = self.state
        s.month = s.turbulent_until = -self.p.burn_in  # months run from -burn_in to 0
        for month in range(1 - self.p.burn_in, 1):
            self.month_of_work(month)
        s.counts, s.totals = Counters(), Counters()
        s.events.clear()
        s.orgs.initial_myth[:] = s.orgs.myth
        s.orgs.contact_good[:] = 0.0
        s.orgs.contact_bad[:] = 0.0

    # --- the schedule ------------------------------------------------------------------------
    def step(self) -> None:
        """One month of the record (Mesa's clock: ``model.time`` is the month)."""
        self.month_of_work(int(self.time))
        self.collect()

    def month_of_work(self, month: int) -> None:
        """Environment, demography, formation, joint work, trust, myths, learning, network
        sharing, stakeholder management, review, tie decay, staff turnover."""
        s, p, rng = self.state, self.p, self.streams
        s.month = month
        s.counts = Counters()
        self.shocks(s, p, rng)
        for i in self.demography(s, p, rng).tolist():
            self.orgs[i].remove()
            self.orgs[i] = Organisation(self, i, s.orgs.name[i])
        self.formation(s, p, rng)
        roster = s.table.roster()
        s.work = None
        if roster.n:
            edges = s.relations.lookup(roster.pair_org_a, roster.pair_org_b)
            s.work, delta, seen = work_together(s, p, rng, roster, edges)
            record_month(s, roster, s.work)
            self.trust(s, p, edges, delta, seen)
            self.myths(s, p, roster, delta)
            self.learning(s, p, roster, edges, s.work, delta)
            self.networks(s, p, rng, roster, edges)
            self.stakeholders(s, p, rng, roster, s.work)
            self.review(s, p, rng, roster, s.work)
        self.tie_decay(s, p, rng, roster)
        self.turnover(s, p, rng)
        s.orgs.last_partnered[s.orgs.n_memberships > 0] = month

    def collect(self) -> None:
        self.readout = readouts.compute(self.state)
        self.datacollector.collect(self)

    # --- reading it --------------------------------------------------------------------------
    @property
    def month(self) -> int:
        return self.state.month

    @property
    def n(self) -> int:
        """Number of organisations."""
        return self.state.orgs.n

    @property
    def events(self) -> list[dict[str, Any]]:
        """The event log: one dict per formation, departure, ending, shock or turbulence."""
        return self.state.events

    @property
    def partnerships(self) -> list[Partnership]:
        """Active partnerships."""
        return [Partnership(self, int(p)) for p in self.state.table.active_partnerships()]

    def perceived_trust(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """What organisations ``a`` believe of ``b`` (own trust, else myths and reputation)."""
        return perceived_trust(self.state, self.p, a, b)

    def sector_title(self, i: int) -> str:
        return SECTOR_TITLES[SECTORS[self.state.orgs.sector[i]]]
