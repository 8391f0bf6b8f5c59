"""Targets files (TOML) for `collabsim calibrate`: schema, validation and the distance.

A targets file names the measures to match, each with an acceptable interval, an optional
point value and its source; the free parameters with their prior ranges; parameters held
fixed; and the settings of the ABC-SMC run. Everything is checked before any run, and every
error is one line naming the file, the key, the value and what is allowed.

Light on purpose (no Mesa, pandas or pyabc): the command line reads and checks the file
before it imports anything heavy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError, UserError, shown
from ..params import PARAMS, Param
from ..sweep.experiment import read_toml

TOP_KEYS = ("name", "description", "scenario", "settings", "fixed", "parameters", "targets")
TARGET_KEYS = ("interval", "value", "source")
PRIOR_KEYS = ("range", "dist")
PRIORS = ("uniform", "loguniform")
#: Largest model seed (numpy and Mesa take seeds up to 2**63 - 1; replicate seeds are drawn
#: below this bound).
MAX_SEED = 2**62

#: Settings of a calibration, with defaults; the command line's options override them.
SETTINGS: dict[str, Param] = {
    p.name: p
    for p in (
        Param("population", int, 100, "Accepted particles per generation.", "abc", 2, 100_000),
        Param(
            "generations",
            int,
            6,
            "Most generations, the first sampled from the prior.",
            "abc",
            1,
            1_000,
        ),
        Param(
            "min_epsilon",
            float,
            0.0,
            "Stop once the threshold is at or below this (0: every target met).",
            "abc",
            0,
            1e6,
        ),
        Param(
            "min_acceptance_rate",
            float,
            0.05,
            "Stop a generation that would need more than population / this particles.",
            "abc",
            0,
            1,
        ),
        Param("replicates", int, 2, "Model seeds per particle.", "abc", 1, 10_000),
        Param("steps", int, 120, "Months per run.", "abc", 1, 100_000),
        Param("seed", int, 1, "Seed of the calibration.", "abc", 0, 2**32 - 1),
        Param(
            "check_replicates",
            int,
            10,
            "Fresh seeds for re-running the posterior median.",
            "abc",
            1,
            10_000,
        ),
    )
}


@dataclass(frozen=True)
class Target:
    """A measure's acceptable interval [low, high], an optional point value and its source."""

    measure: str
    low: float
    high: float
    source: str
    value: float | None = None

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def centre(self) -> float:
        return self.value if self.value is not None else (self.low + self.high) / 2

    def distance(self, x: float) -> float:
        """How far ``x`` lies outside the interval, in interval widths (0 inside)."""
        if not math.isfinite(x):
            return NAN_DISTANCE
        return max(self.low - x, x - self.high, 0.0) / self.width


#: Distance of a measure that could not be computed (nan: e.g. no partnership ended), in
#: interval widths: far enough that such a particle is among the first to be dropped.
NAN_DISTANCE = 10.0


def distance(measured: dict[str, float], targets: tuple[Target, ...]) -> float:
    """Sum over targets of the distance outside each interval scaled by its width: 0 when
    every measure is inside its interval."""
    return float(sum(t.distance(measured[t.measure]) for t in targets))


@dataclass(frozen=True)
class Prior:
    """A free parameter's prior: uniform (or log-uniform) on [low, high]."""

    name: str
    low: float
    high: float
    dist: str = "uniform"

    def frozen(self):
        """The prior as a frozen scipy.stats distribution."""
        from scipy import stats

        if self.dist == "loguniform":
            return stats.loguniform(self.low, self.high)
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def scipy_args(self) -> tuple[str, float, float]:
        """(scipy name, first and second argument) as ``pyabc.RV`` takes them."""
        if self.dist == "loguniform":
            return "loguniform", self.low, self.high
        return "uniform", self.low, self.high - self.low


@dataclass(frozen=True)
class Targets:
    """A validated targets file."""

    name: str
    source: str
    scenario: str
    settings: dict[str, Any]
    fixed: dict[str, Any]
    priors: tuple[Prior, ...]
    targets: tuple[Target, ...]
    description: str = ""
    text: str = field(default="", compare=False, repr=False)

    @property
    def measures(self) -> list[str]:
        return [t.measure for t in self.targets]

    def with_settings(self, overrides: dict[str, Any], *, prefix: str = "--") -> Targets:
        """A copy with ``overrides`` (e.g. from the command line, as text) validated into
        its settings; errors name the option as ``prefix + name``."""
        settings = dict(self.settings)
        for k, v in overrides.items():
            if v is not None:
                settings[k] = SETTINGS[k].coerce(v, source=f"{prefix}{k}")
        return Targets(
            self.name,
            self.source,
            self.scenario,
            settings,
            self.fixed,
            self.priors,
            self.targets,
            self.description,
            self.text,
        )


def _key(key: Any) -> str:
    return key if isinstance(key, str) and key.isprintable() else shown(key)


def _fail(source: str, key: str, value: Any, allowed: str) -> UserError:
    return UserError(f"{source}: {_key(key)} = {shown(value)} is not allowed; allowed: {allowed}")


def _unknown(source: str, where: str, table: dict, keys: tuple[str, ...]) -> None:
    extra = sorted(set(table) - set(keys), key=str)
    if extra:
        k = extra[0]
        raise _fail(source, f"{where}{_key(k)}", table[k], "keys " + ", ".join(keys))


def _table(source: str, key: str, value: Any, allowed: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(source, key, value, allowed)
    return value


def _real(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _interval(source: str, key: str, value: Any, what: str = "[low, high]") -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2 or not all(_real(v) for v in value):
        raise _fail(source, key, value, f"a list of two finite numbers {what}")
    low, high = float(value[0]), float(value[1])
    if not low < high:
        raise _fail(source, key, value, f"{what} with low < high (the range is empty)")
    return low, high


def _setting(source: str, name: str, value: Any) -> Any:
    p = SETTINGS[name]
    ok = _real(value) and (p.kind is float or isinstance(value, int))
    if not ok or not p.low <= value <= p.high:
        raise _fail(source, f"settings.{name}", value, p.allowed().removeprefix("allowed: "))
    return p.kind(value)


def load_targets(path: str | Path) -> Targets:
    """Read and validate a targets file."""
    raw, text = read_toml(path, "targets file")
    return parse_targets(raw, source=str(path), text=text)


def parse_targets(raw: dict, *, source: str = "<targets>", text: str = "") -> Targets:
    """Validate a parsed TOML document into :class:`Targets` (raises ``UserError``)."""
    try:
        return _parse(raw, source, text)
    except RecursionError:
        raise UserError(f"{source}: nested too deeply; allowed: a plain targets file") from None


def _parse(raw: Any, source: str, text: str) -> Targets:
    from ..scenarios import SCENARIOS, resolve
    from .measures import ARMS, MEASURES

    raw = _table(source, "<targets>", raw, "a table of keys (a parsed TOML document)")
    _unknown(source, "", raw, TOP_KEYS)
    name = raw.get("name", Path(source).stem)
    if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
        raise _fail(source, "name", name, "letters, digits, - and _")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise _fail(source, "description", description, "a string")
    scenario = raw.get("scenario", "baseline")
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        raise _fail(source, "scenario", scenario, ", ".join(SCENARIOS))

    s_raw = _table(source, "settings", raw.get("settings", {}), "a table of settings")
    _unknown(source, "settings.", s_raw, tuple(SETTINGS))
    settings = {k: p.default for k, p in SETTINGS.items()}
    settings.update({k: _setting(source, k, v) for k, v in s_raw.items()})

    f_raw = _table(source, "fixed", raw.get("fixed", {}), "a table of parameter = value")
    fixed = {}
    for k, v in f_raw.items():
        if k not in PARAMS:
            raise _fail(source, f"fixed.{_key(k)}", k, "a parameter name (see `collabsim params`)")
        try:
            fixed[k] = PARAMS[k].coerce(v)
        except ParameterError:
            raise _fail(
                source, f"fixed.{k}", v, PARAMS[k].allowed().removeprefix("allowed: ")
            ) from None
    try:
        resolve(scenario, fixed, source=source)
    except ParameterError as exc:
        raise UserError(f"{source}: fixed: {exc}") from None

    p_raw = _table(
        source, "parameters", raw.get("parameters"), "a table of parameter = [low, high]"
    )
    if not p_raw:
        raise _fail(source, "parameters", p_raw, "at least one free parameter = [low, high]")
    overridden = {k for arm in ARMS.values() for k in arm}
    priors = tuple(_prior(source, k, v, fixed, overridden) for k, v in p_raw.items())

    t_raw = _table(source, "targets", raw.get("targets"), "a table of [targets.MEASURE] tables")
    if not t_raw:
        raise _fail(source, "targets", t_raw, f"at least one [targets.MEASURE]; {_known()}")
    targets = []
    for k, spec in t_raw.items():
        if k not in MEASURES:
            raise _fail(source, f"targets.{_key(k)}", k, _known())
        targets.append(_target(source, k, spec))
    return Targets(
        name=name,
        source=source,
        scenario=scenario,
        settings=settings,
        fixed=fixed,
        priors=priors,
        targets=tuple(targets),
        description=description,
        text=text,
    )


def _known() -> str:
    from .measures import MEASURES

    return "a measure: " + ", ".join(MEASURES)


def _prior(source: str, name: Any, spec: Any, fixed: dict, overridden: set) -> Prior:
    key = f"parameters.{_key(name)}"
    if name not in PARAMS:
        raise _fail(source, key, name, "a parameter name (see `collabsim params`)")
    p = PARAMS[name]
    if p.kind is not float:
        raise _fail(source, key, name, "a parameter that takes any number in a range (a float)")
    if name in fixed:
        raise _fail(source, key, spec, "a parameter not also under [fixed]")
    if name in overridden:
        raise _fail(source, key, spec, "a parameter that no measure's arm sets")
    if isinstance(spec, list):
        spec = {"range": spec}
    spec = _table(source, key, spec, "[low, high] or a table with range = [low, high], dist")
    _unknown(source, f"{key}.", spec, PRIOR_KEYS)
    if "range" not in spec:
        raise _fail(source, f"{key}.range", None, "a list of two finite numbers [low, high]")
    low, high = _interval(source, f"{key}.range", spec["range"])
    if low < p.low or high > p.high:
        raise _fail(
            source,
            f"{key}.range",
            spec["range"],
            f"a range inside {name}'s own, {p.allowed().removeprefix('allowed: ')}",
        )
    dist = spec.get("dist", "uniform")
    if dist not in PRIORS:
        raise _fail(source, f"{key}.dist", dist, ", ".join(PRIORS))
    if dist == "loguniform" and low <= 0:
        raise _fail(source, f"{key}.range", spec["range"], "low > 0 for dist = 'loguniform'")
    return Prior(name, low, high, dist)


def _target(source: str, measure: str, spec: Any) -> Target:
    key = f"targets.{measure}"
    spec = _table(source, key, spec, "a table with interval = [low, high], source[, value]")
    _unknown(source, f"{key}.", spec, TARGET_KEYS)
    if "interval" not in spec:
        raise _fail(source, f"{key}.interval", None, "a list of two finite numbers [low, high]")
    low, high = _interval(source, f"{key}.interval", spec["interval"])
    value = spec.get("value")
    if value is not None and (not _real(value) or not low <= value <= high):
        raise _fail(source, f"{key}.value", value, f"a number inside the interval [{low}, {high}]")
    cite = spec.get("source")
    if not isinstance(cite, str) or not cite.strip():
        raise _fail(source, f"{key}.source", cite, "the citation, as non-empty text")
    return Target(
        measure, low, high, " ".join(cite.split()), None if value is None else float(value)
    )
