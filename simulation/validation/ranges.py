"""Which parameters the sensitivity analysis varies, and over which screening range.

The factors are read from :data:`simulation.params.PARAMS` when the analysis runs, so a
parameter added there is screened without any change here: every integer, number and
switch, of every group, except the population's size and make-up (:data:`EXCLUDED`).
Named choices (``governance``, ``formation_mode``, ``sharing_rule``) stay at their defaults.

A screening range is where the analysis looks, not what the model allows: the allowed
range of most rates runs from 0 to 1, far beyond any plausible value. :data:`SCREENING`
gives a range, with its reason, where one can be argued; every other factor gets
:func:`rule_range`.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError
from ..params import PARAMS, Param, check_name

#: Never screened (fnmatch patterns): the population's size and sector make-up, which set
#: what is being modelled rather than how it behaves, and the burn-in, which sets only when
#: the record starts.
EXCLUDED = ("n_orgs", "share_*", "burn_in")
#: Kinds of parameter that can be factors; named choices are held at their defaults.
KINDS = (int, float, bool)

#: Screening ranges that can be argued for, with the argument.
SCREENING: dict[str, tuple[float, float, str]] = {
    "clarity": (
        0.1,
        0.9,
        "the span of the governance presets, from none (0.1) to contract (0.9)",
    ),
    "trust_investment": (
        0.0,
        0.8,
        "the span of the governance presets, from none and contract (0) to leading_as_peers (0.8)",
    ),
    "review_interval": (
        3,
        12,
        "quarterly to yearly reviews, the span of the presets that review at all; never "
        "(0) is a different regime, compared by the presets",
    ),
    "challenge_duration": (
        12,
        60,
        "partnerships planned for one to five years, the span of most funded programmes",
    ),
    # Mechanism constants whose 0.5x..1.5x would be meaningless or break a rule of validate.
    "red_line_low": (
        0.2,
        0.4,
        "the default 0.3 plus or minus a third of the default width of U(low, high), so that "
        "the two ends never meet",
    ),
    "red_line_high": (
        0.5,
        0.7,
        "the default 0.6 plus or minus a third of the default width of U(low, high), so that "
        "the two ends never meet",
    ),
    "skill_low": (
        0.0,
        0.2,
        "the default 0.1 plus or minus a third of the default width of U(low, high), so that "
        "the two ends never meet",
    ),
    "skill_high": (
        0.3,
        0.5,
        "the default 0.4 plus or minus a third of the default width of U(low, high), so that "
        "the two ends never meet",
    ),
    "duration_spread_low": (
        0.505,
        0.835,
        "half to one and a half times the default spread below 1 (0.33)",
    ),
    "duration_spread_high": (
        1.165,
        1.495,
        "half to one and a half times the default spread above 1 (0.33)",
    ),
    "first_range": (
        0.5,
        0.7,
        "the default 0.6 plus or minus 0.1, so that first_low + first_range (a trust) stays "
        "at most 1 across first_low's range, 0.1 to 0.3",
    ),
    "call_decay": (
        0.7,
        0.95,
        "a monthly share kept: half-lives of about 2 to 13.5 months around the default's 4.3; "
        "1.5x would pass 1, where the pressure never fades",
    ),
    "stress_decay": (
        0.7,
        0.95,
        "a monthly share kept: half-lives of about 2 to 13.5 months around the default's 4.3; "
        "1.5x would pass 1, where stress never fades",
    ),
}

RULE = (
    "0.5x to 1.5x the default, clipped to the allowed range (integers rounded inwards, and "
    "widened by one if that leaves a single value); for a default of 0, the bottom quarter "
    "of the allowed range; switches off and on"
)


@dataclass(frozen=True)
class Range:
    """One factor's screening range and where it comes from."""

    name: str
    kind: type
    default: Any
    low: Any
    high: Any
    basis: str

    def spec(self) -> dict[str, Any]:
        """The range as an experiment file's ``vary`` entry."""
        return {"low": self.low, "high": self.high}

    def row(self) -> dict[str, Any]:
        return {
            "parameter": self.name,
            "type": self.kind.__name__,
            "default": self.default,
            "low": self.low,
            "high": self.high,
            "basis": self.basis,
        }


def excluded(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in EXCLUDED)


def screenable(p: Param) -> bool:
    return p.kind in KINDS and not excluded(p.name)


def screened(
    groups: tuple[str, ...] | None = None, only: tuple[str, ...] | None = None
) -> list[str]:
    """The factors, in the order of ``PARAMS``: every screenable parameter (of ``groups``,
    if given), or only those named in ``only`` (parameter names or group names)."""
    names = [p.name for p in PARAMS.values() if screenable(p)]
    if groups is not None:
        names = [n for n in names if PARAMS[n].group in groups]
    if only is None:
        return names
    return [n for n in names if n in set(expand(only))]


def expand(items: tuple[str, ...] | list[str], *, source: str = "--factors") -> list[str]:
    """Parameter names for ``items``: each a screenable parameter or a group of them."""
    groups = {p.group for p in PARAMS.values()}
    out: list[str] = []
    for item in items:
        # A group name wins over a parameter of that name that cannot be a factor anyway
        # (``governance`` is both the preset and the group of rules).
        if item in groups and not (item in PARAMS and screenable(PARAMS[item])):
            out += [p.name for p in PARAMS.values() if p.group == item and screenable(p)]
            continue
        p = check_name(item, source=source)
        if not screenable(p):
            why = (
                "the population's size and make-up are not screened"
                if excluded(p.name)
                else "named choices are held at their defaults"
            )
            raise ParameterError(
                source,
                item,
                f"allowed: a numeric or true/false parameter, or a group ({why})",
            )
        out.append(p.name)
    return list(dict.fromkeys(out))


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def rule_range(p: Param) -> tuple[Any, Any]:
    """The default rule (see :data:`RULE`)."""
    if p.kind is bool:
        return False, True
    lo_allowed = -math.inf if p.low is None else p.low
    hi_allowed = math.inf if p.high is None else p.high
    if p.default == 0:
        top = hi_allowed if math.isfinite(hi_allowed) else 1.0
        bottom = lo_allowed if math.isfinite(lo_allowed) else 0.0
        lo, hi = bottom, bottom + 0.25 * (top - bottom)
    else:
        lo, hi = sorted((0.5 * p.default, 1.5 * p.default))
        lo, hi = max(lo, lo_allowed), min(hi, hi_allowed)
    if p.kind is int:
        lo, hi = math.ceil(lo), math.floor(hi)
        if lo >= hi:  # e.g. a default of 1: widen by one, inside the allowed range
            if lo + 1 <= hi_allowed:
                hi = lo + 1
            else:
                lo = hi - 1
        return int(lo), int(hi)
    return _round(lo), _round(hi)


def screening_range(name: str) -> Range:
    p = PARAMS[name]
    if name in SCREENING:
        lo, hi, why = SCREENING[name]
        if p.kind is int:
            lo, hi = int(lo), int(hi)
        return Range(name, p.kind, p.default, lo, hi, why)
    lo, hi = rule_range(p)
    return Range(name, p.kind, p.default, lo, hi, "rule")
