"""Names for the model's integer codes.

Arrays hold plain integers (so that array code and a compiled kernel can take them as they
are); these enums give each code its name. ``int(Stage.ENDED)`` is what the stage array
holds, ``Stage(a[i]).label`` is what a reader sees. Hot paths hand numpy the plain ints
(``simulation.partnerships.ENDED`` and its kin): numpy's fast paths for scalars take exact
``int`` only, and an enum member sends every comparison through a full ufunc call.
"""

from __future__ import annotations

from enum import IntEnum


class _Coded(IntEnum):
    @property
    def label(self) -> str:
        """The code's name as read-outs and files spell it (lower case)."""
        return self.name.lower()

    @classmethod
    def labels(cls) -> tuple[str, ...]:
        return tuple(c.label for c in cls)


class Sector(_Coded):
    """The four sectors (source 000). Order is the order of every per-sector table."""

    PUBLIC = 0
    PRIVATE = 1
    THIRD = 2
    COMMUNITY = 3


class Behaviour(_Coded):
    """The five partnership behaviours of source 002, the columns of ``behaviour``."""

    LEADERSHIP = 0
    SHARING = 1
    OUTCOME_FOCUS = 2
    COMMUNICATION = 3
    EMPOWERMENT = 4


class Stage(_Coded):
    """Life-cycle stage of a partnership (Lowndes & Skelcher 1998, simplified)."""

    FORMING = 0
    DELIVERING = 1
    DECLINING = 2
    ENDED = 3


class EndCause(_Coded):
    """Why a partnership ended, or why a member left. Only ``COMPLETED`` counts as success."""

    COMPLETED = 0
    DEADLINE_MISSED = 1
    NOT_WORTH_IT = 2
    TRUST_COLLAPSED = 3
    FUNDING_CUT = 4
    MEMBER_CLOSED = 5


#: End causes that cut a partnership short (before its deadline, goals unmet).
EARLY_END_CAUSES: tuple[EndCause, ...] = (
    EndCause.NOT_WORTH_IT,
    EndCause.TRUST_COLLAPSED,
    EndCause.FUNDING_CUT,
    EndCause.MEMBER_CLOSED,
)
