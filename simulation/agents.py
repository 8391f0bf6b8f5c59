"""The readable face of the model's state: organisations (Mesa agents) and partnerships.

The numbers live in the model's state arrays (so a step is array operations); these
classes read those arrays, so ``model.agents``, AgentSet queries and attribute access
work as Mesa users expect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from .codes import Behaviour
from .mechanisms.networks import live_links
from .mechanisms.trust import perceived_trust
from .partnerships import END_CAUSES, ENDED, STAGES
from .sectors import DOMAINS, SECTORS

if TYPE_CHECKING:
    from .model import CollabModel

BEHAVIOURS: tuple[str, ...] = Behaviour.labels()


class Organisation(mesa.Agent):
    """An organisation from one of four sectors (source 000).

    Its state: sector, resources (``capacity``), capabilities in four domains, a values
    position and red lines, the five behaviours of source 002 plus jargon use, myths about
    each other sector, partnering skill, and directed relationships (trust) with others.
    """

    model: CollabModel

    def __init__(self, model: CollabModel, index: int, name: str):
        super().__init__(model)
        self.index = index
        self.name = name

    # Array-backed attributes -------------------------------------------------------------
    @property
    def _o(self):
        return self.model.state.orgs

    @property
    def sector(self) -> str:
        return SECTORS[self._o.sector[self.index]]

    @property
    def capacity(self) -> float:
        return float(self._o.capacity[self.index])

    @property
    def capabilities(self) -> dict[str, float]:
        return dict(zip(DOMAINS, self._o.capability[self.index].tolist(), strict=True))

    @property
    def values(self) -> float:
        return float(self._o.values[self.index])

    @property
    def behaviours(self) -> dict[str, float]:
        return dict(zip(BEHAVIOURS, self._o.behaviour[self.index].tolist(), strict=True))

    @property
    def jargon(self) -> float:
        return float(self._o.jargon[self.index])

    @property
    def myths(self) -> dict[str, float]:
        """Strength (0..1) of the myths this organisation holds about each sector."""
        return dict(zip(SECTORS, self._o.myth[self.index].tolist(), strict=True))

    @property
    def skill(self) -> float:
        return float(self._o.skill[self.index])

    @property
    def partnerships(self) -> list[Partnership]:
        return [
            Partnership(self.model, int(p))
            for p in self.model.state.table.memberships_of(self.index)
        ]

    @property
    def stakeholder_of(self) -> list[Partnership]:
        """Partnerships that manage this organisation as a stakeholder now (source 000)."""
        s = self.model.state
        links = s.stakeholders
        mine = live_links(s) & (links.org == self.index)
        return [Partnership(self.model, int(p)) for p in links.pid[mine]]

    @property
    def networking_ties(self) -> list[Organisation]:
        """Organisations it has a personal networking tie with (source 000)."""
        return [self.model.orgs[i] for i in self.model.state.ties.of(self.index)]

    @property
    def isolated(self) -> bool:
        return bool(self._o.n_memberships[self.index] == 0)

    def trust_in(self, other: Organisation) -> float:
        """Trust in ``other``: own experience if any, else a myth- and reputation-based view."""
        return float(
            perceived_trust(
                self.model.state, self.model.p, np.array([self.index]), np.array([other.index])
            )[0]
        )

    def __repr__(self) -> str:
        return f"Organisation({self.name!r}, sector={self.sector!r})"


class Partnership:
    """A view of one partnership: members, purpose, age, stage and results.

    Not a Mesa agent: membership overlaps freely, which Mesa's meta-agents do not model
    well, so partnerships are rows in :class:`simulation.partnerships.PartnershipTable`
    (the model's ``state.table``).
    """

    def __init__(self, model: CollabModel, pid: int):
        self.model = model
        self.id = pid

    @property
    def _t(self):
        return self.model.state.table

    @property
    def members(self) -> list[Organisation]:
        return [self.model.orgs[i] for i in self._t.members_of(self.id)]

    @property
    def stakeholders(self) -> list[Organisation]:
        """Organisations outside it that it consults and informs on its current challenge."""
        s = self.model.state
        links = s.stakeholders
        ours = live_links(s) & (links.pid == self.id)
        return [self.model.orgs[i] for i in links.org[ours]]

    @property
    def brokered(self) -> bool:
        """Formed on a commissioner's proposal."""
        return bool(self._t.p_brokered[self.id])

    @property
    def stage(self) -> str:
        return STAGES[self._t.p_stage[self.id]]

    @property
    def age(self) -> int:
        ended = self._t.p_stage[self.id] == ENDED
        end = self._t.p_end[self.id] if ended else self.model.month
        return int(end - self._t.p_start[self.id])

    @property
    def synergy(self) -> float:
        return float(self._t.p_synergy[self.id])

    @property
    def progress(self) -> float:
        return float(self._t.p_output[self.id] / self._t.p_target[self.id])

    @property
    def end_cause(self) -> str | None:
        c = self._t.p_cause[self.id]
        return END_CAUSES[c] if c >= 0 else None

    def __repr__(self) -> str:
        names = ", ".join(m.name for m in self.members)
        return f"Partnership({self.id}, [{names}], stage={self.stage!r})"
