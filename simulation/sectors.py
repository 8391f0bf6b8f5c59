"""The four sectors and what is typical of each.

Numbers here are stylised, not measured: they encode the contrasts the seeds draw
(source 000's myths about each sector; source 004's point that partners bring different
capabilities) and are documented in the ODD, section 'Initialisation'.
"""

from __future__ import annotations

import numpy as np

from .codes import Sector

SECTORS: tuple[str, ...] = Sector.labels()
SECTOR_TITLES = {
    "public": "public sector",
    "private": "private/independent sector",
    "third": "third (voluntary) sector",
    "community": "community group",
}

#: Capability domains. Sectors differ across them, which is where synergy comes from.
DOMAINS: tuple[str, ...] = ("scale", "efficiency", "specialist_reach", "lived_experience")

#: Typical capability of each sector in each domain (rows follow SECTORS, columns DOMAINS).
CAPABILITY = np.array(
    [
        [0.90, 0.35, 0.30, 0.10],  # public: statutory reach and scale
        [0.45, 0.90, 0.20, 0.10],  # private: delivery efficiency
        [0.20, 0.35, 0.90, 0.45],  # third: specialist and community reach
        [0.05, 0.10, 0.45, 0.95],  # community: lived experience
    ]
)

#: Median resources (capacity) per month, in arbitrary units.
CAPACITY_MEDIAN = np.array([10.0, 6.0, 2.5, 0.8])

#: Typical jargon use (source 000: "Jargon is one way of keeping organisational or personal power").
JARGON = np.array([0.75, 0.55, 0.45, 0.10])

#: Typical position on a values axis (0 = commercial, 1 = social mission); red lines act on it.
#: Assumptions. No seed supports a private sector that will hardly partner: source 000 lists
#: "run by people who have no commitment or values" and "don't want to work with other
#: organisations" among the myths about it (its author directs a private care provider), seed
#: 002 calls for partnerships "across the public, business, social, voluntary and community
#: sectors" and source 004 says partnerships "really can make a difference" for business.
#: Independent providers of public services are placed just on the social side of the
#: middle (0.55), mixing commercial and social aims, so that with the red lines of
#: ``population.RED_LINE_RANGE`` at least half of the pairs between any two sectors are
#: acceptable to both (the fewest: about two thirds, private with community groups; tested in
#: tests/test_risk_mechanisms.py).
VALUES = np.array([0.70, 0.55, 0.85, 0.90])

#: Relative strength of the myths each sector holds about each other sector (rows hold, columns
#: are held about), scaled by the ``myth_initial`` parameter. Source 000 lists myths about every
#: sector; service users and the private sector attract the longest lists.
MYTH_PATTERN = np.array(
    [
        [0.0, 1.2, 0.9, 1.0],
        [1.1, 0.0, 1.0, 1.0],
        [1.0, 1.3, 0.0, 0.8],
        [1.1, 1.3, 0.8, 0.0],
    ]
)

#: Typical annual staff turnover (share of staff replaced in a year). Assumptions of the order
#: reported by UK labour-turnover surveys (CIPD, Resourcing and talent planning: about 10-20% a
#: year, lower in the public sector, higher in private services); volunteer-run community
#: groups turn over fastest. Turnover is what makes organisations forget (the ODD, 7.12).
STAFF_TURNOVER = np.array([0.12, 0.18, 0.16, 0.25])

#: Typical annual rate at which organisations close (each replaced by a newly founded one of
#: the same sector, so the population keeps its size). Private: below the death rate of all
#: UK enterprises in ONS Business Demography (about 10% a year, most of it among the youngest
#: and smallest firms), since firms that partner are established ones (assumption); third
#: sector: charities removed from the register, a few per cent a year; public:
#: reorganisations (assumption); community groups: informal groups come and go (assumption).
CLOSURE_RATE = np.array([0.02, 0.06, 0.04, 0.08])

#: One of source 000's myths per sector, for stories and the teaching demos.
EXAMPLE_MYTH = {
    "public": "full of hierarchy and meetings but nothing changes",
    "private": "only interested in profit",
    "third": "totally reliant on grants",
    "community": "negative and complaining",
}
