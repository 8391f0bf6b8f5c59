"""Every model parameter, defined once.

Each :class:`Param` carries its type, default, allowed range or values, a one-line
help text and a group. The Python API (:class:`simulation.model.CollabModel`,
:func:`simulation.run_model`), the command line (``--set NAME=VALUE``), experiment
files and the browser sliders all validate through :func:`validate`, so a value
that one of them accepts is accepted by all of them.
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ParameterError
from .governance import PRESETS
from .sectors import SECTORS


@dataclass(frozen=True)
class Param:
    """One parameter: name, type, default, what is allowed and what it means."""

    name: str
    kind: type  # int, float, bool or str
    default: Any
    help: str
    group: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def allowed(self) -> str:
        """Plain-words description of the allowed values, used in error messages."""
        if self.kind is bool:
            return "allowed: true or false"
        if self.choices is not None:
            return "allowed: " + ", ".join(self.choices)
        kind = "an integer" if self.kind is int else "a number"
        return f"allowed: {kind} from {_fmt(self.low)} to {_fmt(self.high)}"

    def coerce(self, value: Any, *, source: str | None = None) -> Any:
        """Return ``value`` as this parameter's type, or raise :class:`ParameterError`."""
        fail = ParameterError(self.name, value, self.allowed(), source=source)
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            if isinstance(value, int | float) and value in (0, 1):
                return bool(value)
            raise fail
        if self.kind is str:
            if not isinstance(value, str) or value not in (self.choices or ()):
                raise fail
            return value
        if isinstance(value, bool) or "bool" in type(value).__name__:  # numpy bools too
            raise fail
        if self.kind is int:
            number = _exact_int(value)
            if number is None:
                raise fail
        else:
            if isinstance(value, str):
                if not value.isascii():  # digits of other scripts are not read as numbers
                    raise fail
                try:
                    value = float(value.strip())
                except ValueError:
                    raise fail from None
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                raise fail from None
            if not math.isfinite(number):
                raise fail
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise fail
        return number


def _exact_int(value: Any) -> int | None:
    """``value`` as an exact Python int, or None if it is not a whole number.

    Never goes through a float: ``"9007199254740993"`` stays ...993. Strings are read as
    decimals (``"12"``, ``"1e3"``, ``"12.0"``); floats must be finite and whole.
    """
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str):
        if not value.isascii():  # Python also reads other scripts' digits ("١" is 1)
            return None
        try:
            d = decimal.Decimal(value.strip().replace("_", ""))
        except (decimal.InvalidOperation, ValueError):
            return None
        # A bound on the exponent keeps "1e999999999" from building a huge int.
        if not d.is_finite() or d.adjusted() > 40 or d != d.to_integral_value():
            return None
        return int(d)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, numbers.Real):  # Fraction, Decimal, numpy floats
        try:
            whole = int(value)
        except (TypeError, ValueError, OverflowError):
            return None
        return whole if whole == value else None
    return None


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _fmt(x: float | None) -> str:
    if x is None:
        return "any"
    return str(int(x)) if float(x).is_integer() else str(x)


_DEFS: list[Param] = [
    # --- population -------------------------------------------------------------------
    Param("n_orgs", int, 150, "Number of organisations.", "population", 4, 100_000),
    Param(
        "share_public",
        float,
        0.20,
        "Share of organisations in the public sector.",
        "population",
        0,
        1,
    ),
    Param(
        "share_private",
        float,
        0.25,
        "Share of organisations in the private sector.",
        "population",
        0,
        1,
    ),
    Param(
        "share_third",
        float,
        0.35,
        "Share of organisations in the third (voluntary) sector.",
        "population",
        0,
        1,
    ),
    Param(
        "share_community",
        float,
        0.20,
        "Share of organisations that are community groups of service users.",
        "population",
        0,
        1,
    ),
    Param(
        "network_degree",
        int,
        6,
        "Mean number of networking ties per organisation.",
        "population",
        0,
        50,
    ),
    Param(
        "network_cross_sector",
        float,
        0.3,
        "Share of networking ties that cross sector lines.",
        "population",
        0,
        1,
    ),
    Param(
        "myth_initial",
        float,
        0.5,
        "Mean initial strength of myths about other sectors (0 none, 1 total).",
        "population",
        0,
        1,
    ),
    Param(
        "jargon_scale",
        float,
        1.0,
        "Multiplier on each sector's typical jargon use.",
        "population",
        0,
        2,
    ),
    Param(
        "behaviour_mean",
        float,
        0.5,
        "Mean of the five partnership behaviours across organisations.",
        "population",
        0,
        1,
    ),
    # --- environment ------------------------------------------------------------------
    Param(
        "challenge_rate",
        float,
        1.5,
        "New challenges arriving per month per 100 organisations.",
        "environment",
        0,
        50,
    ),
    Param(
        "challenge_duration",
        int,
        36,
        "Planned life of a partnership, in months.",
        "environment",
        3,
        240,
    ),
    Param(
        "max_partners",
        int,
        4,
        "Largest number of members a partnership can have.",
        "environment",
        2,
        12,
    ),
    Param(
        "max_memberships",
        int,
        3,
        "Most partnerships one organisation can be in at once.",
        "environment",
        1,
        20,
    ),
    Param(
        "shock_rate",
        float,
        0.02,
        "Monthly probability of a funding shock that cuts one sector's resources.",
        "environment",
        0,
        1,
    ),
    Param(
        "shock_size", float, 0.3, "Share of resources a funding shock removes.", "environment", 0, 1
    ),
    Param(
        "turbulence_rate",
        float,
        0.02,
        "Monthly probability that a turbulent period starts.",
        "environment",
        0,
        1,
    ),
    Param(
        "turbulence_length",
        int,
        12,
        "Mean length of a turbulent period, in months.",
        "environment",
        1,
        120,
    ),
    Param(
        "staff_turnover_scale",
        float,
        1.0,
        "Multiplier on each sector's typical staff turnover, through which organisations "
        "forget skill, shared language and relationships.",
        "environment",
        0,
        5,
    ),
    Param(
        "closure_scale",
        float,
        1.0,
        "Multiplier on each sector's typical rate of organisations closing (each is replaced "
        "by a newly founded one).",
        "environment",
        0,
        10,
    ),
    Param(
        "burn_in",
        int,
        360,
        "Months simulated before read-outs start, so that they come from the steady state.",
        "environment",
        0,
        2400,
    ),
    # --- governance rules (the experimental treatment) ----------------------------------
    Param(
        "governance",
        str,
        "custom",
        "Named governance preset; 'custom' uses the individual rules below.",
        "governance",
        choices=("custom", *PRESETS),
    ),
    Param(
        "formation_mode",
        str,
        "voluntary",
        "How partnerships form: by choice, proposed by a commissioner, or mandated.",
        "governance",
        choices=("voluntary", "brokered", "mandated"),
    ),
    Param(
        "clarity",
        float,
        0.4,
        "Clarity of accountabilities and responsibilities (curbs free-riding).",
        "governance",
        0,
        1,
    ),
    Param(
        "alignment_required",
        bool,
        False,
        "Objectives must be aligned before a partnership starts.",
        "governance",
    ),
    Param(
        "red_lines",
        bool,
        True,
        "Organisations refuse partners whose values cross their red lines.",
        "governance",
    ),
    Param(
        "review_interval",
        int,
        12,
        "Months between partnership reviews (0 = never).",
        "governance",
        0,
        120,
    ),
    Param(
        "exit_arrangements",
        bool,
        False,
        "Pre-agreed exit arrangements ('nuptial agreements'): a leaver pays its agreed share "
        "of the costs its exit strands, and exits do less damage to trust.",
        "governance",
    ),
    Param(
        "exit_share",
        float,
        0.5,
        "Under exit arrangements, the share of the costs its exit strands that a leaver "
        "agreed to pay; the rest falls on the remaining members as agreed (seed 002, "
        "'how to share benefits and risks ... and exit arrangements'; size assumed).",
        "governance",
        0,
        1,
    ),
    Param(
        "renegotiation",
        bool,
        False,
        "A partnership that has met most of its goal by its deadline may agree more time at "
        "a review.",
        "governance",
    ),
    Param(
        "sharing_rule",
        str,
        "proportional",
        "How benefits and credit are shared.",
        "governance",
        choices=("proportional", "equal", "power"),
    ),
    Param(
        "sanctions",
        bool,
        False,
        "Partners call each other to account and sanction non-conformity.",
        "governance",
    ),
    Param(
        "trust_investment",
        float,
        0.2,
        "Share of time invested in building trust and shared language.",
        "governance",
        0,
        1,
    ),
    Param(
        "equal_status",
        bool,
        False,
        "Partners meet as peers (equal status), not as commissioner and supplier.",
        "governance",
    ),
    # --- mechanism strengths (calibration) ---------------------------------------------
    Param(
        "trust_gain", float, 0.08, "Rate at which good experiences build trust.", "mechanisms", 0, 1
    ),
    Param(
        "trust_loss",
        float,
        0.20,
        "Rate at which bad experiences destroy trust.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "reputation_weight",
        float,
        0.4,
        "Weight of what an organisation's network says about a stranger.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "myth_erosion",
        float,
        0.03,
        "Rate at which good cross-sector contact erodes myths.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "myth_confirmation",
        float,
        0.06,
        "Rate at which bad cross-sector contact confirms myths.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "myth_bias",
        float,
        0.3,
        "How strongly myths colour the reading of a partner's actions.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "jargon_penalty",
        float,
        0.5,
        "How much a jargon gap cuts understanding.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "language_learning",
        float,
        0.03,
        "Monthly rate of learning a shared language while working together.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "synergy_gain",
        float,
        0.8,
        "Extra output from trust, understanding and leadership together.",
        "mechanisms",
        0,
        5,
    ),
    Param(
        "coordination_cost", float, 0.12, "Coordination cost per extra partner.", "mechanisms", 0, 2
    ),
    Param(
        "freeride_temptation",
        float,
        0.25,
        "Pull towards free-riding where accountability is vague.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "exit_threshold",
        float,
        -0.25,
        "A member leaves when its net return on effort falls below this: benefit less what "
        "its effort would give alone and less its share of costs, over what it would give "
        "alone (0 = no better than going alone; assumption: a loss of a quarter).",
        "mechanisms",
        -1,
        4,
    ),
    Param(
        "running_cost",
        float,
        0.1,
        "Running costs of a partnership a month (meetings, joint governance, a coordinator) "
        "as a share of what its members' effort would give alone, borne by the members "
        "under the sharing rule (assumption).",
        "mechanisms",
        0,
        2,
    ),
    Param(
        "exit_cost",
        float,
        0.25,
        "Costs a member's early exit strands, a month to the deadline, as a share of the "
        "output it agreed to bring a month: commitments made on the strength of its "
        "contribution (seed 001 slide 13, 'jointly manage impacts of failure'; size assumed).",
        "mechanisms",
        0,
        2,
    ),
    Param(
        "value_weight",
        float,
        1.0,
        "How much an outcome-focused organisation weighs a challenge's value to the "
        "community (relative to a typical challenge) against its own return, when joining, "
        "renewing or staying (seed 002, 'focus on outcomes for communities'; size assumed).",
        "mechanisms",
        0,
        5,
    ),
    Param(
        "skill_learning",
        float,
        0.02,
        "Monthly growth of partnering skill with practice.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "behaviour_drift",
        float,
        0.02,
        "Monthly rate at which each behaviour moves with its own evidence (reinforcement).",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "aspiration_learning",
        float,
        0.1,
        "Monthly rate at which what an organisation hopes for follows what it gets.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "expectation_learning",
        float,
        0.1,
        "Monthly rate at which what a member expects of a partner follows what it sees.",
        "mechanisms",
        0,
        1,
    ),
    Param(
        "empowerment_retention",
        float,
        0.5,
        "Share of what staff turnover would erase that full empowerment of staff and "
        "stakeholders keeps.",
        "mechanisms",
        0,
        1,
    ),
]

PARAMS: dict[str, Param] = {p.name: p for p in _DEFS}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in _DEFS}
GROUPS: tuple[str, ...] = ("population", "environment", "governance", "mechanisms")

#: Run settings are not model parameters but are validated the same way.
RUN_PARAMS: dict[str, Param] = {
    "steps": Param("steps", int, 120, "Months to simulate.", "run", 1, 100_000),
    "seed": Param("seed", int, 42, "Random seed.", "run", 0, 2**63 - 1),
}


def check_name(name: str, *, source: str | None = None) -> Param:
    """Return the definition of ``name`` or raise a clear error listing close names."""
    if name in PARAMS:
        return PARAMS[name]
    import difflib

    near = difflib.get_close_matches(name, PARAMS, n=3)
    hint = f" (did you mean {', '.join(near)}?)" if near else " (see `collabsim params`)"
    raise ParameterError(
        name, "<unknown parameter>", "not a collabsim parameter" + hint, source=source
    )


def validate(values: Mapping[str, Any], *, source: str | None = None) -> dict[str, Any]:
    """Check names, types and ranges; return the full parameter set with defaults filled.

    Governance presets are applied here: a named ``governance`` preset sets its rules,
    and any rule given explicitly in ``values`` overrides the preset.
    """
    given: dict[str, Any] = {}
    for name, value in values.items():
        given[name] = check_name(name, source=source).coerce(value, source=source)
    out = dict(DEFAULTS)
    preset = given.get("governance", "custom")
    if preset != "custom":
        out.update(PRESETS[preset].rules)
    out.update(given)
    shares = [out[f"share_{s}"] for s in SECTORS]
    if sum(shares) <= 0:
        raise ParameterError(
            "share_public..share_community",
            shares,
            "at least one sector share must be above 0",
            source=source,
        )
    if out["network_degree"] >= out["n_orgs"]:
        raise ParameterError(
            "network_degree",
            out["network_degree"],
            f"allowed: fewer than n_orgs ({out['n_orgs']})",
            source=source,
        )
    return out


def validate_run(
    steps: Any = None, seed: Any = None, *, source: str | None = None
) -> tuple[int, int]:
    """Validate run length and seed the same way as model parameters."""
    s = RUN_PARAMS["steps"].coerce(
        RUN_PARAMS["steps"].default if steps is None else steps, source=source
    )
    z = RUN_PARAMS["seed"].coerce(
        RUN_PARAMS["seed"].default if seed is None else seed, source=source
    )
    return int(s), int(z)


def parse_assignments(items: Iterable[str], *, source: str = "--set") -> dict[str, Any]:
    """Parse ``NAME=VALUE`` strings from the command line (values validated later)."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(source, item, "expected NAME=VALUE, e.g. clarity=0.8")
        name, value = item.split("=", 1)
        name = name.strip()
        check_name(name, source=source)
        if name in out:
            raise ParameterError(
                source,
                item,
                f"each parameter once ({name} is already set to {out[name]!r})",
            )
        out[name] = value.strip()
    return out


def describe() -> list[dict[str, Any]]:
    """Rows describing every parameter (for `collabsim params`, docs and sliders)."""
    rows = []
    for p in _DEFS:
        rows.append(
            {
                "name": p.name,
                "group": p.group,
                "type": p.kind.__name__,
                "default": p.default,
                "allowed": p.allowed().removeprefix("allowed: "),
                "help": p.help,
            }
        )
    return rows


# --- typed access ----------------------------------------------------------------------------
TYPED_MODULE = "param_types.py"


def typed_params_source() -> str:
    """Source of :mod:`simulation.param_types`, generated from the definitions above.

    ``python -m simulation.params`` rewrites the file; a test fails when it is stale.
    """
    lines = [
        '"""Typed, read-only access to a validated parameter set: ``p.trust_gain``.',
        "",
        "GENERATED from the definitions in ``simulation/params.py`` by",
        "``python -m simulation.params``; do not edit. A test fails when it is stale.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Iterator, Mapping",
        "from dataclasses import dataclass, fields",
        "from typing import Any, Literal",
        "",
    ]
    for p in _DEFS:
        if p.choices is not None:
            alias = "".join(w.title() for w in p.name.split("_"))
            lines.append(f"{alias} = Literal[")
            lines += [f'    "{c}",' for c in p.choices]
            lines.append("]")
    lines += [
        "",
        "",
        "@dataclass(frozen=True, slots=True)",
        "class Params(Mapping[str, Any]):",
        '    """A full, validated parameter set (build it with ``simulation.params.typed``).',
        "",
        "    Attribute access for the model's code; the mapping interface (``p['clarity']``,",
        "    ``dict(p)``) for everything that treats parameters as data.",
        '    """',
        "",
    ]
    for p in _DEFS:
        if p.choices is not None:
            kind = "".join(w.title() for w in p.name.split("_"))
        else:
            kind = p.kind.__name__
        import textwrap

        lines += textwrap.wrap(p.help, 94, initial_indent="    #: ", subsequent_indent="    #: ")
        lines.append(f"    {p.name}: {kind}")
    lines += [
        "",
        "    def __getitem__(self, key: str) -> Any:",
        "        try:",
        "            return getattr(self, key)",
        "        except AttributeError:",
        "            raise KeyError(key) from None",
        "",
        "    def __iter__(self) -> Iterator[str]:",
        "        return (f.name for f in fields(self))",
        "",
        "    def __len__(self) -> int:",
        "        return len(fields(self))",
        "",
    ]
    return "\n".join(lines)


def typed(values: Mapping[str, Any], *, source: str | None = None):
    """Validate ``values`` (as :func:`validate` does) and return them as typed ``Params``."""
    from .param_types import Params

    return Params(**validate(values, source=source))


if __name__ == "__main__":
    from pathlib import Path

    Path(__file__).with_name(TYPED_MODULE).write_text(typed_params_source())
